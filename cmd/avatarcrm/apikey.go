package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/apitoken"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

const apikeyUsage = `Usage:
  avatarcrm apikey create --user EMAIL --location CODE --name LABEL [--expires 90d]
  avatarcrm apikey list [--location CODE]
  avatarcrm apikey revoke TOKEN_ID
`

// apikeyCmd manages API tokens for integrators. create prints the token as
// the last line of its output, once; it cannot be shown again.
func apikeyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	setupLogging("warn", "text", stderr)
	if len(args) == 0 {
		fmt.Fprint(stderr, apikeyUsage)
		return errors.New("apikey: say create, list or revoke")
	}
	sub, args := args[0], args[1:]
	var email, code, name, expires string
	url, fs, err := dbFlags("apikey "+sub, args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "user", "", "email of the user the token acts as")
		fs.StringVar(&code, "location", "", "code of the location the token acts at, e.g. SYD")
		fs.StringVar(&name, "name", "", "what the token is for, e.g. \"Wix sync\"")
		fs.StringVar(&expires, "expires", "", "lifetime such as 90d or 720h; empty for no expiry")
	})
	if err != nil {
		return err
	}
	// Token changes are access changes: they go into the audit trail.
	ec, err := openClient(ctx, "apikey", url, getenv)
	if err != nil {
		return err
	}
	defer closeClient(ctx, ec)
	d, trail := ec.DB, ec.Audit
	record := func(action string, t *ent.APIToken, detail string) error {
		return trail.AppendNow(ctx, audit.Entry{
			Action: action, UserID: audit.SystemUserID, Email: "cli", LocationID: string(t.LocationID),
			ResourceType: "api_tokens", ResourceID: string(t.ID), Operation: "avatarcrm apikey", Detail: detail,
		})
	}
	svc := &auth.Service{Client: d.Client, Sessions: auth.NewSessions(d.Client, time.Hour, time.Hour), Audit: trail}
	sys := viewer.Operator.Grant(ctx, cliActor())
	switch sub {
	case "create":
		if email == "" || code == "" || name == "" {
			fmt.Fprint(stderr, apikeyUsage)
			return errors.New("apikey create: --user, --location and --name are required")
		}
		l, err := d.Client.Location.Query().Where(location.Code(strings.ToUpper(code))).Only(sys)
		if err != nil {
			return fmt.Errorf("apikey create: no location %s", code)
		}
		addr := strings.ToLower(strings.TrimSpace(email))
		u, err := d.Client.User.Query().Where(user.Email(addr)).Only(sys)
		if err != nil || !isMember(sys, d.Client, u, l) {
			// Invited but not signed in yet (the administrator `avatarcrm
			// setup` invited, say): the operator accepts the invitation on
			// their behalf (docs/DECISIONS.md).
			var inv *ent.Invitation
			u, inv, err = svc.AcceptForOperator(sys, addr, l.ID)
			if err != nil {
				return fmt.Errorf("apikey create: no user %s at %s: %w", email, l.Code, err)
			}
			fmt.Fprintf(stdout, "Accepted the invitation of %s to %s as %s on their behalf; they sign in with this email address as usual.\n", u.Email, l.Code, inv.Role)
		}
		nt := auth.NewToken{UserID: u.ID, LocationID: l.ID, Name: name}
		if expires != "" {
			dur, err := parseLifetime(expires)
			if err != nil {
				return err
			}
			at := cliClock.Now().Add(dur)
			nt.ExpiresAt = &at
		}
		token, t, err := svc.CreateToken(sys, nt)
		if err != nil {
			return fmt.Errorf("apikey create: %w", err)
		}
		if err := record(audit.ActionAPIKeyCreate, t, fmt.Sprintf("name=%q user=%s", t.Name, u.Email)); err != nil {
			return fmt.Errorf("apikey create: audit: %w", err)
		}
		fmt.Fprintf(stdout, "Created API token %s (%q) acting as %s at %s.\n", t.ID, t.Name, u.Email, l.Code)
		if t.ExpiresAt != nil {
			fmt.Fprintf(stdout, "It expires %s.\n", t.ExpiresAt.UTC().Format(time.RFC3339))
		}
		fmt.Fprintln(stdout, "Store it now: it is shown only once. Send it as: Authorization: Bearer <token>")
		fmt.Fprintln(stdout, token)
		return nil
	case "list":
		q := d.Client.APIToken.Query().WithUser().WithLocation().Order(apitoken.ByCreatedAt())
		if code != "" {
			q.Where(apitoken.HasLocationWith(location.Code(strings.ToUpper(code))))
		}
		ts, err := q.All(sys)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tUSER\tLOCATION\tHINT\tLAST USED\tSTATE")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t…%s\t%s\t%s\n", t.ID, t.Name, t.Edges.User.Email, t.Edges.Location.Code, t.Hint, when(t.LastUsedAt), tokenState(t))
		}
		return tw.Flush()
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("apikey revoke: give the token's ID (tok_…)")
		}
		t, err := svc.RevokeToken(sys, pulid.ID(fs.Arg(0)))
		if err != nil {
			return fmt.Errorf("apikey revoke: %w", err)
		}
		if err := record(audit.ActionAPIKeyRevoke, t, fmt.Sprintf("name=%q", t.Name)); err != nil {
			return fmt.Errorf("apikey revoke: audit: %w", err)
		}
		fmt.Fprintf(stdout, "Revoked %s (%q).\n", t.ID, t.Name)
		return nil
	}
	fmt.Fprint(stderr, apikeyUsage)
	return fmt.Errorf("apikey: unknown subcommand %q", sub)
}

func parseLifetime(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("--expires %q: want a number of days such as 90d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur <= 0 {
		return 0, fmt.Errorf("--expires %q: want 90d or a duration such as 720h", s)
	}
	return dur, nil
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func tokenState(t *ent.APIToken) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case t.ExpiresAt != nil && cliClock.Now().After(*t.ExpiresAt):
		return "expired"
	case t.ExpiresAt != nil:
		return "expires " + t.ExpiresAt.UTC().Format("2006-01-02")
	}
	return "active"
}

// isMember reports whether u belongs to l (disabled or not: a disabled
// membership is refused by CreateToken with its own message).
func isMember(ctx context.Context, c *ent.Client, u *ent.User, l *ent.Location) bool {
	ok, err := c.Membership.Query().Where(membership.UserID(u.ID), membership.LocationID(l.ID)).Exist(ctx)
	return err == nil && ok
}
