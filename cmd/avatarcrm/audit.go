package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

const auditUsage = `Usage:
  avatarcrm audit verify [--head ID:MAC | --head-file FILE | --no-head]
                                           check the whole chain, and that it reaches the head the
                                           server kept in its head file; exit 1 at the first problem
  avatarcrm audit head                     print the newest entry as ID:MAC (keep it off this machine)
  avatarcrm audit export --from 2026-01-01 --to 2026-12-31 [--user EMAIL] [--location CODE]
                         [--format csv|json|ndjson] [--out FILE]

Flags common to all: --database-url (AVATARCRM_DATABASE_URL),
--key-file (AVATARCRM_AUDIT_KEY_FILE, default ./data/audit.key); the key may
instead be given in hex in AVATARCRM_AUDIT_KEY. --head-file
(AVATARCRM_AUDIT_HEAD_FILE, default audit.head beside the key file) is the
head the server keeps; verify checks against it unless --head or --no-head
says otherwise.
`

// auditCmd runs the audit trail's operator tools.
func auditCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("warn", "text", stderr)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, auditUsage)
		if len(args) == 0 {
			return errors.New("audit: say what to do: verify, head or export")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	var keyFile, headStr, headFile, from, to, userEmail, loc, format, out string
	var noHead bool
	url, fs, err := dbFlags("audit "+sub, args, getenv, func(fs *flag.FlagSet) {
		fs.SetOutput(stderr)
		fs.StringVar(&keyFile, "key-file", getenv("AVATARCRM_AUDIT_KEY_FILE"), "file holding the audit MAC key (hex); default beside the SQLite file, else ./data/audit.key")
		fs.StringVar(&headFile, "head-file", getenv("AVATARCRM_AUDIT_HEAD_FILE"), "the head file the server keeps; default audit.head beside the key file")
		switch sub {
		case "verify":
			fs.StringVar(&headStr, "head", "", "a head printed earlier by `avatarcrm audit head` (ID:MAC), instead of the head file")
			fs.BoolVar(&noHead, "no-head", false, "check the chain alone, without a head (deleting the newest entries then goes unnoticed)")
		case "export":
			fs.StringVar(&from, "from", "", "first day (YYYY-MM-DD, UTC) or RFC 3339 time, inclusive")
			fs.StringVar(&to, "to", "", "last day (YYYY-MM-DD, UTC, inclusive) or RFC 3339 time (exclusive)")
			fs.StringVar(&userEmail, "user", "", "only entries by this email")
			fs.StringVar(&loc, "location", "", "only entries of this location (code, e.g. SYD, or id)")
			fs.StringVar(&format, "format", "csv", "csv, json (one array) or ndjson (one object per line)")
			fs.StringVar(&out, "out", "", "write to this file instead of standard output")
		}
	})
	if err != nil {
		return err
	}
	if keyFile == "" {
		keyFile = config.DefaultAuditKeyFile(url)
	}
	if headFile == "" {
		headFile = config.DefaultAuditHeadFile(keyFile)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit %s: unexpected arguments: %s", sub, strings.Join(fs.Args(), " "))
	}
	switch sub {
	case "verify", "head", "export":
	default:
		fmt.Fprint(stderr, auditUsage)
		return fmt.Errorf("audit: unknown command %q (want verify, head or export)", sub)
	}
	// Verify must use the key the trail was written with; a missing file
	// means a wrong path, never a reason to make a new key.
	loadKey := func() ([]byte, error) {
		if inline := getenv("AVATARCRM_AUDIT_KEY"); strings.TrimSpace(inline) != "" {
			return audit.LoadKey("", inline)
		}
		k, err := audit.ReadKeyFile(keyFile)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no audit key at %s: give the server's key with --key-file or AVATARCRM_AUDIT_KEY_FILE", keyFile)
		}
		return k, err
	}
	if sub == "export" && format != "csv" && format != "json" && format != "ndjson" {
		return fmt.Errorf("audit export --format %q: want csv, json or ndjson", format)
	}
	var key []byte
	if sub != "head" {
		if key, err = loadKey(); err != nil {
			return err
		}
	}
	var expect *audit.Head
	expectFrom := ""
	if sub == "verify" {
		if expect, expectFrom, err = verifyHead(headStr, headFile, noHead); err != nil {
			return err
		}
	}
	d, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		return err
	}
	opts := entclient.Options{AuditKey: key, Clock: cliClock}
	if sub == "export" {
		// The export adds an entry: keep the head file up to date, as the
		// server does.
		if opts.Audit.HeadFile, err = audit.OpenHeadFile(headFile); err != nil {
			_ = d.Close()
			return err
		}
	}
	// The client every process uses: the export's own entry goes in as
	// the server's would.
	ec := entclient.New(d, opts)
	defer closeClient(ctx, ec)
	l := ec.Audit

	switch sub {
	case "head":
		h, err := l.Head(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, h)
		return nil
	case "verify":
		rep, err := l.Verify(ctx, expect)
		if err != nil {
			return err
		}
		if !rep.OK {
			fmt.Fprintf(stdout, "BROKEN at entry %d: %s\n", rep.FirstBadID, rep.Problem)
			fmt.Fprintf(stdout, "checked %d entries; the chain is intact up to entry %d\n", rep.Checked, rep.Head.ID)
			if expect != nil {
				fmt.Fprintf(stdout, "checked against %s: %s\n", expectFrom, expect)
			}
			return fmt.Errorf("audit trail broken at entry %d", rep.FirstBadID)
		}
		fmt.Fprintf(stdout, "ok: %d entries, head %s\n", rep.Checked, rep.Head)
		if expect != nil {
			fmt.Fprintf(stdout, "reaches %s: %s\n", expectFrom, expect)
		} else {
			fmt.Fprintln(stderr, "note: checked without a head (--no-head): entries deleted from the end would not show")
		}
		return nil
	}

	// export
	q := audit.Query{UserEmail: userEmail}
	if q.From, err = parseDay(from, false); err != nil {
		return fmt.Errorf("audit export --from: %w", err)
	}
	if q.To, err = parseDay(to, true); err != nil {
		return fmt.Errorf("audit export --to: %w", err)
	}
	if loc != "" {
		if strings.HasPrefix(loc, "loc_") {
			q.LocationID = loc
		} else {
			id, err := d.Client.Location.Query().Where(location.Code(strings.ToUpper(loc))).OnlyID(viewer.Operator.Grant(ctx, cliActor()))
			if err != nil {
				return fmt.Errorf("audit export --location %s: %w", loc, err)
			}
			q.LocationID = string(id)
		}
	}
	w := stdout
	var f *os.File
	if out != "" {
		// The export holds who looked at which patient: owner-only.
		if f, err = os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
			return err
		}
		w = f
	}
	n, err := l.Export(ctx, w, q, format)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	// Reading the trail is itself an access to record.
	actor := cliActor()
	if err := l.AppendNow(ctx, audit.Entry{
		UserID: actor, LocationID: q.LocationID, Action: audit.ActionExport, ResourceType: "AuditEntry",
		Operation: "avatarcrm audit export",
		Detail:    fmt.Sprintf("format=%s from=%s to=%s user=%s location=%s entries=%d", format, from, to, userEmail, loc, n),
	}); err != nil {
		return fmt.Errorf("audit export: recording the export: %w", err)
	}
	if out != "" {
		fmt.Fprintf(stderr, "exported %d entries to %s\n", n, out)
	}
	return nil
}

// cliActor names the operator running a command, for the audit trail:
// "cli:<login name>", or "cli" when the system cannot tell.
func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

// verifyHead is the head verify checks the chain against: --head, else the
// head file, which must exist unless --no-head says to check without one.
func verifyHead(headStr, headFile string, noHead bool) (*audit.Head, string, error) {
	switch {
	case headStr != "" && noHead:
		return nil, "", errors.New("audit verify: --head and --no-head contradict each other")
	case headStr != "":
		h, err := audit.ParseHead(headStr)
		if err != nil {
			return nil, "", err
		}
		return &h, "the head given with --head", nil
	case noHead:
		return nil, "", nil
	}
	h, ok, err := audit.ReadHeadFile(headFile)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", fmt.Errorf("audit verify: no head file at %s: without the head the server keeps, deleting the newest entries cannot be detected. "+
			"Give the server's file with --head-file or AVATARCRM_AUDIT_HEAD_FILE, a head kept elsewhere with --head ID:MAC, or --no-head to check the chain alone", headFile)
	}
	return &h, "the head file " + headFile, nil
}

// parseDay reads YYYY-MM-DD (UTC midnight; for an end, the next midnight so
// the day is included) or an RFC 3339 time. Empty means no bound.
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not YYYY-MM-DD or an RFC 3339 time", s)
	}
	return t, nil
}
