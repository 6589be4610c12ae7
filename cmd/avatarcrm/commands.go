package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/seed"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	setupLogging(cfg.LogLevel, cfg.LogFormat, stderr)
	a := app.New(cfg)
	defer a.Close()
	start := time.Now()
	if err := a.Open(ctx); err != nil {
		return err
	}
	if err := a.Listen(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Avatar Imaging CRM ready in %s at http://%s", time.Since(start).Round(time.Millisecond), a.Addr())
	if cfg.Dev {
		fmt.Fprintf(stderr, " (dev mode: open /login and pick a demo user)")
	}
	fmt.Fprintln(stderr)
	return a.Serve(ctx)
}

// dbFlags parses the database setting shared by the operator commands.
func dbFlags(name string, args []string, getenv func(string) string, extra func(*flag.FlagSet)) (string, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	def := getenv("AVATARCRM_DATABASE_URL")
	url := fs.String("database-url", def, "database URL (default "+db.DefaultURL+")")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	return *url, fs, nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("info", "text", stderr)
	url, fs, err := dbFlags("migrate", args, getenv, nil)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		return err
	}
	defer d.Close()
	if fs.Arg(0) == "status" {
		st, err := d.Status(ctx)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(stdout, "%-8s %d %s\n", state, s.Version, s.Name)
		}
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate: unknown argument %q (want nothing or status)", fs.Arg(0))
	}
	n, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	return nil
}

func seedCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("warn", "text", stderr)
	var demo bool
	var tz string
	url, _, err := dbFlags("seed", args, getenv, func(fs *flag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "load the demo locations, users and data")
		fs.StringVar(&tz, "timezone", "Australia/Sydney", "time zone of the Sydney location")
	})
	if err != nil {
		return err
	}
	if !demo {
		return fmt.Errorf("seed: say what to seed: --demo")
	}
	d, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	res, err := seed.Demo(ctx, d.Client, seed.Options{Now: time.Now(), Timezone: tz})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s\n", res)
	return nil
}

// openAudited opens a migrated database for a command that changes records
// outside the server, with the audit trail those changes must go into,
// keyed as the server keys it for this database (AVATARCRM_AUDIT_KEY_FILE,
// AVATARCRM_AUDIT_KEY, or the key file beside the SQLite file).
func openAudited(ctx context.Context, cmd, url string, getenv func(string) string) (*db.DB, *audit.Log, error) {
	d, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		return nil, nil, err
	}
	if n, err := d.Pending(ctx); err != nil || n > 0 {
		_ = d.Close()
		return nil, nil, fmt.Errorf("%s: the database needs migrating first (avatarcrm migrate)", cmd)
	}
	keyFile := getenv("AVATARCRM_AUDIT_KEY_FILE")
	if keyFile == "" {
		keyFile = config.DefaultAuditKeyFile(url)
	}
	key, err := audit.LoadKey(keyFile, getenv("AVATARCRM_AUDIT_KEY"))
	if err != nil {
		_ = d.Close()
		return nil, nil, fmt.Errorf("%s: audit key: %w", cmd, err)
	}
	// The command's entries move the chain's head: keep the head file the
	// server keeps (docs/SECURITY.md) up to date too.
	headFile := getenv("AVATARCRM_AUDIT_HEAD_FILE")
	if headFile == "" {
		headFile = config.DefaultAuditHeadFile(keyFile)
	}
	head, err := audit.OpenHeadFile(headFile)
	if err != nil {
		_ = d.Close()
		return nil, nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return d, audit.New(d.Client, d.Dialect, key, audit.Options{HeadFile: head}), nil
}
