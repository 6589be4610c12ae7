package tasks_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/avatarimaging/avatarcrm/ent/taskevent"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/tasks"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestAutoAssignLongDetail: a location with many candidates whose names
// are not ASCII still auto-assigns; the explanation is cut to what the
// event's detail column holds (bytes, not characters) instead of failing
// the task.
func TestAutoAssignLongDetail(t *testing.T) {
	f := setup(t)
	f.clearTasks(t)
	ctx := f.as(t, "manager@example.com")
	loc := viewer.FromContext(ctx).LocationID
	sys := viewer.Seed.Grant(context.Background(), "test")
	for i := range 40 {
		u, err := f.c.User.Create().SetEmail(fmt.Sprintf("zoe%d@example.com", i)).
			SetName(fmt.Sprintf("Zoë Ångström-Þórðardóttir Ñúñez %02d", i)).Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.c.Membership.Create().SetUserID(u.ID).SetLocationID(loc).SetSkills([]string{"ultrasound-ñ"}).Exec(sys); err != nil {
			t.Fatal(err)
		}
	}
	tk, err := f.svc.Create(ctx, tasks.NewTask{Title: "Scan", Skill: ptr("ultrasound-ñ"), AutoAssign: true})
	if err != nil {
		t.Fatal(err)
	}
	evs := f.events(t, tk.ID)
	d := evs[1].Detail
	if evs[1].Kind != taskevent.KindAutoAssigned || len(d) > 1000 ||
		!strings.Contains(d, "… ") || !strings.HasSuffix(d, "; chose Zoë Ångström-Þórðardóttir Ñúñez 00, lowest workload with skill ultrasound-ñ, tied with Zoë Ångström-Þórðardóttir Ñúñez 01 on workload and open tasks; first by name") {
		t.Fatalf("detail (%d bytes) %q", len(d), d)
	}
}

// TestCreateTitleBytes: the title limit is the schema's, in bytes, so a
// title of 150 accented letters (300 bytes) is refused by the service with
// its own message rather than by the database, and nothing is written.
func TestCreateTitleBytes(t *testing.T) {
	f := setup(t)
	ctx := f.as(t, "manager@example.com")
	before, _ := f.c.Task.Query().Count(ctx)
	_, err := f.svc.Create(ctx, tasks.NewTask{Title: strings.Repeat("é", 150)})
	wantCode(t, err, apperr.Invalid, "title")
	if !strings.Contains(err.Error(), "longer than 200") {
		t.Fatalf("message %q", err)
	}
	if after, _ := f.c.Task.Query().Count(ctx); after != before {
		t.Fatal("a task was created")
	}
	if _, err := f.svc.Create(ctx, tasks.NewTask{Title: strings.Repeat("é", 100)}); err != nil {
		t.Fatal(err)
	}
}
