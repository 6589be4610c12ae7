// Package seed loads the demo data a clinic can explore at once: two
// locations, one user per role at each, a service catalogue, about two
// hundred contacts with touchpoints, bookings from the past into the next
// two weeks, and tasks. It is deterministic (a fixed random seed) so tests
// can rely on it, and safe to run again: what exists is kept.
package seed

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/automation"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
	"github.com/avatarimaging/avatarcrm/internal/locations"
	"github.com/avatarimaging/avatarcrm/internal/messaging"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/warmness"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/membership"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/service"
	"github.com/avatarimaging/avatarcrm/ent/user"
	"github.com/avatarimaging/avatarcrm/internal/access"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Options tune the demo data.
type Options struct {
	// Now anchors every date; "today" is Now in each location's zone.
	Now time.Time
	// Timezone is the Sydney location's zone (default Australia/Sydney).
	Timezone string
}

// LocationSpec describes a demo location.
type LocationSpec struct {
	Code, Name, Address, Phone, EmailPrefix string
	Contacts                                int
	Seed                                    uint64
}

// Locations are the demo locations. Sydney is the main clinic.
var Locations = []LocationSpec{
	{Code: "SYD", Name: "Avatar Imaging Sydney", Address: "Level 2, 123 Macquarie Street, Sydney NSW 2000", Phone: "+61292000100", EmailPrefix: "", Contacts: 160, Seed: 2000},
	{Code: "PAR", Name: "Avatar Imaging Parramatta", Address: "45 Church Street, Parramatta NSW 2150", Phone: "+61298900200", EmailPrefix: "par-", Contacts: 50, Seed: 2150},
}

// DemoUser is a demo sign-in.
type DemoUser struct {
	Email, Name string
	Role        membership.Role
	Location    string // code
	Skills      []string
}

// Users are the demo users: one per role per location (the Parramatta ones
// prefixed "par-"), two Sydney clinicians for task assignment, and the
// Sydney admin also administers Parramatta so the location switcher has
// something to switch.
var Users = []DemoUser{
	{"admin@example.com", "Priya Sharma", membership.RoleAdmin, "SYD", nil},
	{"manager@example.com", "Daniel O'Connor", membership.RoleManager, "SYD", []string{"calls", "billing"}},
	{"staff@example.com", "Chloe Nguyen", membership.RoleStaff, "SYD", []string{"calls", "reception"}},
	{"viewer@example.com", "Marcus Lee", membership.RoleViewer, "SYD", nil},
	{"mri.tech@example.com", "Sam Patel", membership.RoleStaff, "SYD", []string{"mri", "ct", "calls"}},
	{"sonographer@example.com", "Grace Kim", membership.RoleStaff, "SYD", []string{"ultrasound", "calls"}},
	{"par-admin@example.com", "Hannah Wilson", membership.RoleAdmin, "PAR", nil},
	{"par-manager@example.com", "James Papadopoulos", membership.RoleManager, "PAR", []string{"calls"}},
	{"par-staff@example.com", "Mia Thompson", membership.RoleStaff, "PAR", []string{"calls", "reception"}},
	{"par-viewer@example.com", "Oliver Chen", membership.RoleViewer, "PAR", nil},
	{"admin@example.com", "Priya Sharma", membership.RoleAdmin, "PAR", nil},
}

// ServiceSpec is a catalogue item.
type ServiceSpec struct {
	Name     string
	Modality service.Modality
	Resource string
	Minutes  int
	Cents    int
	Recall   int
}

// Services is the demo catalogue, the same at both locations.
var Services = []ServiceSpec{
	{"MRI Brain", service.ModalityMri, "MRI-1", 45, 45000, 12},
	{"MRI Knee", service.ModalityMri, "MRI-1", 30, 38000, 0},
	{"MRI Lumbar Spine", service.ModalityMri, "MRI-1", 40, 42000, 0},
	{"CT Chest", service.ModalityCt, "CT-1", 20, 30000, 12},
	{"CT Abdomen & Pelvis", service.ModalityCt, "CT-1", 25, 32000, 0},
	{"X-Ray Chest", service.ModalityXray, "XR-1", 10, 8000, 0},
	{"X-Ray Hand & Wrist", service.ModalityXray, "XR-1", 10, 7500, 0},
	{"Ultrasound Abdomen", service.ModalityUltrasound, "US-1", 30, 22000, 0},
	{"Ultrasound Pelvis", service.ModalityUltrasound, "US-1", 30, 22000, 0},
	{"Screening Mammogram", service.ModalityMammography, "MAM-1", 20, 18000, 24},
	{"DEXA Bone Density", service.ModalityDexa, "DEXA-1", 20, 12000, 24},
}

// Result counts what a run created.
type Result struct {
	Locations, Users, Services, Contacts, Touchpoints, Bookings, Tasks int
}

func (r Result) String() string {
	return fmt.Sprintf("%d locations, %d users, %d services, %d contacts, %d touchpoints, %d bookings, %d tasks",
		r.Locations, r.Users, r.Services, r.Contacts, r.Touchpoints, r.Bookings, r.Tasks)
}

// Demo loads the demo data through ec, the client every process builds
// (internal/entclient), so the search keys are written by the same hook as
// the server's. It runs as the system under the seed capability, in one
// transaction. Bulk rows are not audited one by one (an entry per demo row
// would record nothing anyone did); one "seed" entry says what was loaded.
// Scores are computed with the warmness rules as of opts.Now (default: the
// client's clock).
func Demo(ctx context.Context, ec *entclient.Client, opts Options) (Result, error) {
	if opts.Now.IsZero() {
		opts.Now = ec.Clock.Now()
	}
	if opts.Timezone == "" {
		opts.Timezone = "Australia/Sydney"
	}
	ctx = viewer.Seed.Grant(ctx, "seed")
	var res Result
	err := txn.Run(warmness.WithoutRecalc(audit.WithoutAudit(ctx)), ec.Ent, func(ctx context.Context, c *ent.Client) error {
		var err error
		res, err = demo(ctx, c, opts)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	if res != (Result{}) {
		if err := ec.Audit.AppendNow(ctx, audit.Entry{
			Action: audit.ActionSeed, UserID: audit.SystemUserID, Email: "seed",
			Operation: "seed demo", ResourceType: "Location", Detail: "created " + res.String(),
		}); err != nil {
			return res, fmt.Errorf("audit: %w", err)
		}
	}
	slog.Info("demo data loaded", "created", res.String())
	return res, nil
}

func demo(ctx context.Context, c *ent.Client, opts Options) (Result, error) {
	var res Result
	locs := map[string]*ent.Location{}
	for i, spec := range Locations {
		tz := "Australia/Sydney"
		if i == 0 {
			tz = opts.Timezone
		}
		l, created, err := ensureLocation(ctx, c, spec, tz)
		if err != nil {
			return res, err
		}
		if created {
			res.Locations++
		}
		if err := access.NewStore(c, 0).EnsureDefaults(ctx, l.ID); err != nil {
			return res, fmt.Errorf("permissions of %s: %w", spec.Code, err)
		}
		if err := messaging.SeedTemplates(ctx, c, l.ID); err != nil {
			return res, fmt.Errorf("templates of %s: %w", spec.Code, err)
		}
		if err := automation.SeedDefaultRules(ctx, c, l.ID); err != nil {
			return res, fmt.Errorf("automation rules of %s: %w", spec.Code, err)
		}
		locs[spec.Code] = l
	}
	users := map[string]*ent.User{}
	for _, du := range Users {
		u, created, err := ensureUser(ctx, c, du, locs[du.Location])
		if err != nil {
			return res, err
		}
		if created {
			res.Users++
		}
		users[du.Email] = u
	}
	for _, spec := range Locations {
		l := locs[spec.Code]
		n, err := ensureServices(ctx, c, l)
		if err != nil {
			return res, err
		}
		res.Services += n
		has, err := c.Contact.Query().Where(contact.LocationID(l.ID)).Exist(ctx)
		if err != nil {
			return res, err
		}
		if has {
			continue
		}
		staff, err := c.User.Query().
			Where(user.HasMembershipsWith(membership.LocationID(l.ID), membership.RoleIn(membership.RoleStaff, membership.RoleManager))).
			Order(user.ByEmail()).All(ctx)
		if err != nil {
			return res, err
		}
		services, err := c.Service.Query().Where(service.LocationID(l.ID)).Order(service.ByName()).All(ctx)
		if err != nil {
			return res, err
		}
		g := newGenerator(spec, l, staff, services, opts.Now)
		if err := g.run(ctx, c, &res); err != nil {
			return res, fmt.Errorf("seed %s: %w", spec.Code, err)
		}
	}
	return res, nil
}

func ensureLocation(ctx context.Context, c *ent.Client, spec LocationSpec, tz string) (*ent.Location, bool, error) {
	l, err := c.Location.Query().Where(location.Code(spec.Code)).Only(ctx)
	if err == nil {
		return l, false, nil
	}
	if !ent.IsNotFound(err) {
		return nil, false, err
	}
	// Made as `avatarcrm setup` and createLocation make one: settings and
	// the default permission table included.
	l, err = locations.Create(ctx, c, locations.New{
		Code: spec.Code, Name: spec.Name, Timezone: tz, Currency: "AUD", Region: "AU",
		Address: spec.Address, Phone: spec.Phone,
	})
	return l, err == nil, err
}

func ensureUser(ctx context.Context, c *ent.Client, du DemoUser, loc *ent.Location) (*ent.User, bool, error) {
	created := false
	u, err := c.User.Query().Where(user.Email(du.Email)).Only(ctx)
	if ent.IsNotFound(err) {
		u, err = c.User.Create().SetEmail(du.Email).SetName(du.Name).SetStatus(user.StatusActive).SetDefaultLocationID(loc.ID).Save(ctx)
		created = true
	}
	if err != nil {
		return nil, false, err
	}
	ok, err := c.Membership.Query().Where(membership.UserID(u.ID), membership.LocationID(loc.ID)).Exist(ctx)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		err = c.Membership.Create().SetUserID(u.ID).SetLocationID(loc.ID).SetRole(du.Role).SetSkills(du.Skills).Exec(ctx)
	}
	return u, created, err
}

func ensureServices(ctx context.Context, c *ent.Client, l *ent.Location) (int, error) {
	n := 0
	for _, s := range Services {
		ok, err := c.Service.Query().Where(service.LocationID(l.ID), service.Name(s.Name)).Exist(ctx)
		if err != nil {
			return n, err
		}
		if ok {
			continue
		}
		err = c.Service.Create().SetLocationID(l.ID).SetName(s.Name).SetModality(s.Modality).SetResource(s.Resource).
			SetDurationMinutes(s.Minutes).SetPriceCents(s.Cents).SetRecallMonths(s.Recall).Exec(ctx)
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// id returns a new ID of the prefix stamped at t, so demo IDs sort in the
// order the records notionally happened.
func id(prefix string, t time.Time) pulid.ID { return pulid.NewAt(prefix, t) }
