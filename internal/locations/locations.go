// Package locations creates clinic locations with everything a location
// starts with: its settings, its default permission table and (for the
// first one) nobody yet. `avatarcrm setup`, the createLocation operation
// and the demo seed all create locations here, so a location made any of
// the three ways starts the same.
package locations

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/access"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// New describes a location to create. Only Code, Name and Timezone are
// required.
type New struct {
	// Code is the short code staff see and commands take, such as SYD:
	// 2 to 8 letters or digits, starting with a letter; stored upper case.
	Code string
	Name string
	// Timezone is an IANA zone such as Australia/Sydney.
	Timezone string
	// Hostname, when set, selects this location for requests to that host.
	Hostname string
	// Phone is read in Region and stored in E.164.
	Phone   string
	Address string
	// Region (ISO 3166, default AU) reads local phone numbers; Currency
	// (ISO 4217, default AUD) prices services.
	Region, Currency string
}

var (
	codeRE     = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,7}$`)
	regionRE   = regexp.MustCompile(`^[A-Z]{2}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	labelRE    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// Validate cleans n in place (upper-case code, trimmed name, E.164 phone,
// lower-case host) and returns the first INVALID error, naming the field
// as GraphQL does (code, name, timeZone, hostname, phone, region,
// currency).
func (n *New) Validate() error {
	n.Code = strings.ToUpper(strings.TrimSpace(n.Code))
	if !codeRE.MatchString(n.Code) {
		return apperr.Invalidf("code", "%q is not a location code: use 2 to 8 letters or digits, starting with a letter, such as SYD", n.Code)
	}
	n.Name = normalize.Name(n.Name)
	if n.Name == "" || len(n.Name) > 120 {
		return apperr.Invalidf("name", "give the location a name of at most 120 characters")
	}
	n.Timezone = strings.TrimSpace(n.Timezone)
	if err := ValidZone(n.Timezone); err != nil {
		return apperr.Invalidf("timeZone", "%s", err)
	}
	n.Region = strings.ToUpper(strings.TrimSpace(n.Region))
	if n.Region == "" {
		n.Region = "AU"
	}
	if !regionRE.MatchString(n.Region) {
		return apperr.Invalidf("region", "%q is not a two-letter region such as AU", n.Region)
	}
	n.Currency = strings.ToUpper(strings.TrimSpace(n.Currency))
	if n.Currency == "" {
		n.Currency = "AUD"
	}
	if !currencyRE.MatchString(n.Currency) {
		return apperr.Invalidf("currency", "%q is not a three-letter currency such as AUD", n.Currency)
	}
	if strings.TrimSpace(n.Phone) != "" {
		p, err := normalize.Phone(n.Phone, n.Region)
		if err != nil {
			return apperr.Invalidf("phone", "%q %s", n.Phone, err)
		}
		n.Phone = p
	} else {
		n.Phone = ""
	}
	h, err := ValidHostname(n.Hostname)
	if err != nil {
		return apperr.Invalidf("hostname", "%s", err)
	}
	n.Hostname = h
	n.Address = strings.TrimSpace(n.Address)
	return nil
}

// ValidZone refuses anything but an IANA time zone name. "Local" (the
// server's own zone) is not one a clinic can rely on.
func ValidZone(tz string) error {
	if tz == "" || tz == "Local" {
		return fmt.Errorf("give an IANA time zone such as Australia/Sydney")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Errorf("%q is not an IANA time zone such as Australia/Sydney", tz)
	}
	return nil
}

// ValidHostname returns raw as a lower-case DNS host name without a
// trailing dot, "" for none, or why it is not one (a URL, a port, an IP
// address or a name with a bad label).
func ValidHostname(raw string) (string, error) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(raw)), ".")
	if h == "" {
		return "", nil
	}
	bad := fmt.Errorf("%q is not a host name such as sydney.crm.example.com (no scheme, port or path)", raw)
	if len(h) > 253 || strings.ContainsAny(h, ":/ @") {
		return "", bad
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if !labelRE.MatchString(l) {
			return "", bad
		}
	}
	// All-numeric last label: an IPv4 address, not a name.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", bad
	}
	return h, nil
}

// Create validates n and creates the location with the default settings
// and its default permission table, through c (the caller's transaction
// client). ctx must be allowed to create locations (the operator
// capability for `avatarcrm setup`, seed for the demo, an administrator's
// viewer for createLocation). CONFLICT with the field when the code or
// host name is taken.
func Create(ctx context.Context, c *ent.Client, n New) (*ent.Location, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	// Taken codes and hosts of locations the viewer cannot see count too.
	facts := viewer.Integrity.Grant(ctx, "")
	if taken, err := c.Location.Query().Where(location.Code(n.Code)).Exist(facts); err != nil {
		return nil, err
	} else if taken {
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "code", Message: fmt.Sprintf("a location with code %s already exists", n.Code)}
	}
	if n.Hostname != "" {
		if taken, err := c.Location.Query().Where(location.Hostname(n.Hostname)).Exist(facts); err != nil {
			return nil, err
		} else if taken {
			return nil, &apperr.Error{Code: apperr.Conflict, Field: "hostname", Message: fmt.Sprintf("%s already selects another location", n.Hostname)}
		}
	}
	b := c.Location.Create().
		SetCode(n.Code).SetName(n.Name).SetTimezone(n.Timezone).
		SetRegion(n.Region).SetCurrency(n.Currency).
		SetPhone(n.Phone).SetAddress(n.Address).
		SetSettings(types.DefaultLocationSettings())
	if n.Hostname != "" {
		b.SetHostname(n.Hostname)
	}
	l, err := b.Save(ctx)
	if err != nil {
		return nil, err
	}
	if err := access.NewStore(c, 0).EnsureDefaults(ctx, l.ID); err != nil {
		return nil, fmt.Errorf("permissions of %s: %w", n.Code, err)
	}
	// The standard SMS templates follow from the creation itself.
	if err := messaging.SeedTemplates(viewer.Consequences.Grant(ctx, ""), c, l.ID); err != nil {
		return nil, fmt.Errorf("SMS templates of %s: %w", n.Code, err)
	}
	if err := automation.SeedDefaultRules(viewer.Consequences.Grant(ctx, ""), c, l.ID); err != nil {
		return nil, fmt.Errorf("automation rules: %w", err)
	}
	return l, nil
}

// CreateForViewer is the createLocation operation: the viewer, who may
// create settings at their active location (its administrators, unless the
// location's table says otherwise), creates a location and becomes its
// administrator. Their session stays where it is; the new location
// appears in their location switcher. c is the operation's transaction
// client.
func CreateForViewer(ctx context.Context, c *ent.Client, n New) (*ent.Location, error) {
	v, err := viewer.Authorize(ctx, rbac.SettingsCreate)
	if err != nil {
		return nil, err
	}
	if v.UserID == "" {
		return nil, apperr.Forbiddenf("a location is created by a person, who becomes its administrator")
	}
	l, err := Create(ctx, c, n)
	if err != nil {
		return nil, err
	}
	// The creator's membership follows from the creation they were
	// allowed to make; it is at a location that is not (yet) theirs.
	err = c.Membership.Create().SetUserID(v.UserID).SetLocationID(l.ID).SetRole(membership.RoleAdmin).
		Exec(viewer.Consequences.Grant(ctx, ""))
	if err != nil {
		return nil, fmt.Errorf("membership of the creator: %w", err)
	}
	return l, nil
}
