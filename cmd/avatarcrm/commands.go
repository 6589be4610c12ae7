package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/app"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/clock"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/seed"
)

// cliClock is the clock of every command, the server's included: the
// system's. Tests fix it.
var cliClock = clock.System

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return err
	}
	setupLogging(cfg.LogLevel, cfg.LogFormat, stderr)
	a := app.New(cfg)
	a.Now = cliClock
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
	if _, err := d.Migrate(ctx); err != nil {
		_ = d.Close()
		return err
	}
	opts, err := clientOptions("seed", url, getenv)
	if err != nil {
		_ = d.Close()
		return err
	}
	// The server's client, hooks and all: the demo data gets its search
	// keys, scores and audit entry exactly as when the server seeds it.
	ec := entclient.New(d, opts)
	defer closeClient(ctx, ec)
	res, err := seed.Demo(ctx, ec, seed.Options{Timezone: tz})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s\n", res)
	return nil
}

// auditKeyFile is where the server keeps the audit key for the database at
// url, unless AVATARCRM_AUDIT_KEY_FILE says otherwise.
func auditKeyFile(url string, getenv func(string) string) string {
	if f := getenv("AVATARCRM_AUDIT_KEY_FILE"); f != "" {
		return f
	}
	return config.DefaultAuditKeyFile(url)
}

// openClient opens a migrated database for a command that changes records
// outside the server, with the client every process uses
// (internal/entclient): its changes pass the same hooks as the server's
// and go into the audit trail, keyed as the server keys it for this
// database (AVATARCRM_AUDIT_KEY_FILE, AVATARCRM_AUDIT_KEY, or the key file
// beside the SQLite file). Close it with closeClient.
func openClient(ctx context.Context, cmd, url string, getenv func(string) string) (*entclient.Client, error) {
	opts, err := clientOptions(cmd, url, getenv)
	if err != nil {
		return nil, err
	}
	ec, err := entclient.Open(ctx, url, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return ec, nil
}

// clientOptions are the options of a command's client: the server's audit
// key for the database at url, and the head file the server keeps
// (AVATARCRM_AUDIT_HEAD_FILE, default audit.head beside the key file),
// which the command's own entries move forward too (docs/SECURITY.md).
func clientOptions(cmd, url string, getenv func(string) string) (entclient.Options, error) {
	keyFile := auditKeyFile(url, getenv)
	key, err := audit.LoadKey(keyFile, getenv("AVATARCRM_AUDIT_KEY"))
	if err != nil {
		return entclient.Options{}, fmt.Errorf("%s: audit key: %w", cmd, err)
	}
	headFile := getenv("AVATARCRM_AUDIT_HEAD_FILE")
	if headFile == "" {
		headFile = config.DefaultAuditHeadFile(keyFile)
	}
	head, err := audit.OpenHeadFile(headFile)
	if err != nil {
		return entclient.Options{}, fmt.Errorf("%s: %w", cmd, err)
	}
	return entclient.Options{AuditKey: key, Clock: cliClock, Audit: audit.Options{HeadFile: head}}, nil
}

// closeClient writes the audit entries still queued (for up to 30 s, even
// when ctx was cancelled) and closes the database.
func closeClient(ctx context.Context, ec *entclient.Client) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := ec.Close(cctx); err != nil {
		slog.Error("closing the database", "err", err)
	}
}
