package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/db"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/locations"
)

const setupUsage = `Usage:
  avatarcrm setup --location-code SYD --location-name "Avatar Imaging Sydney" \
      --timezone Australia/Sydney --admin-email owner@clinic.example \
      [--admin-name NAME] [--phone NUMBER] [--hostname HOST] [--database-url URL]

Creates the first location of an empty database, with its default roles,
permission table and settings, and invites the administrator: they become
a member when they first sign in with Google as that email. Refuses to run
on a database that has a location.
`

// setupCmd is the first run of a real clinic (no demo data).
func setupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("warn", "text", stderr)
	var n locations.New
	var email, name string
	url, fs, err := dbFlags("setup", args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&n.Code, "location-code", "", "short code of the first location, e.g. SYD")
		fs.StringVar(&n.Name, "location-name", "", "its name, e.g. \"Avatar Imaging Sydney\"")
		fs.StringVar(&n.Timezone, "timezone", "", "its IANA time zone, e.g. Australia/Sydney")
		fs.StringVar(&n.Phone, "phone", "", "its phone number (optional)")
		fs.StringVar(&n.Hostname, "hostname", "", "host name that selects it, e.g. sydney.crm.example.com (optional)")
		fs.StringVar(&email, "admin-email", "", "email (Google account) of its first administrator")
		fs.StringVar(&name, "admin-name", "", "their name (optional; Google's is used otherwise)")
		fs.Usage = func() { fmt.Fprint(stderr, setupUsage) }
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 || n.Code == "" || n.Name == "" || n.Timezone == "" || email == "" {
		fmt.Fprint(stderr, setupUsage)
		return errors.New("setup: --location-code, --location-name, --timezone and --admin-email are required")
	}
	d, err := db.Open(ctx, db.Config{URL: url})
	if err != nil {
		return err
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		_ = d.Close()
		return err
	}
	opts, err := clientOptions("setup", url, getenv)
	if err != nil {
		_ = d.Close()
		return err
	}
	// The server's client: the location, its permission table and the
	// invitation are audited as every change is.
	ec := entclient.New(d, opts)
	defer closeClient(ctx, ec)
	l, inv, err := locations.Setup(ctx, ec.Ent, n, email, name)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	if err := ec.Audit.AppendNow(ctx, audit.Entry{
		Action: audit.ActionAccessChange, UserID: audit.SystemUserID, Email: cliActor(), LocationID: string(l.ID),
		Operation: "avatarcrm setup", ResourceType: "Location", ResourceID: string(l.ID),
		Detail: fmt.Sprintf("first location %s created; %s invited as administrator", l.Code, inv.Email),
	}); err != nil {
		return fmt.Errorf("setup: audit: %w", err)
	}
	if applied > 0 {
		fmt.Fprintf(stdout, "Applied %d migration(s).\n", applied)
	}
	fmt.Fprintf(stdout, "Created location %s %q (%s), time zone %s, with the default roles (admin, manager, staff, viewer), permission table and settings.\n",
		l.Code, l.Name, l.ID, l.Timezone)
	if l.Hostname != nil {
		fmt.Fprintf(stdout, "Requests to %s select it.\n", *l.Hostname)
	}
	fmt.Fprintf(stdout, "Invited %s as its administrator (invitation %s).\n", inv.Email, inv.ID)
	fmt.Fprintln(stdout, "Next: start the server with the Google sign-in settings (AVATARCRM_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET)")
	fmt.Fprintf(stdout, "and sign in as %s; or make an API token for them now:\n", inv.Email)
	fmt.Fprintf(stdout, "  avatarcrm apikey create --user %s --location %s --name \"first token\"\n", inv.Email, l.Code)
	return nil
}
