package viewer_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/privacy"

	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// TestCapabilities lists the capabilities: adding one, the only way past
// the privacy rules, must change this test.
func TestCapabilities(t *testing.T) {
	var names []string
	for _, c := range viewer.Capabilities() {
		if c.Why == "" {
			t.Errorf("capability %s does not say why it exists", c.Name)
		}
		names = append(names, c.Name)
	}
	want := []string{"identity", "integrity", "consequences", "import-job", "scheduler", "seed", "audit-trail", "operator", "job", "ai-usage", "webhook", "tracking"}
	if !slices.Equal(names, want) {
		t.Fatalf("capabilities %v, want %v", names, want)
	}
}

// TestPrivacyAllowOnlyInCapabilities: no code (tests included) grants the
// privacy layer's Allow but viewer.Capability.Grant.
func TestPrivacyAllowOnlyInCapabilities(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	allowed := filepath.Join("internal", "viewer", "system.go")
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			// ent/ is generated (its privacy package defines Allow), but for
			// the hand-written schema.
			if rel == "ent" || strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" {
				if rel == "ent" {
					return checkDir(t, filepath.Join(path, "schema"), root, &checked)
				}
				return fs.SkipDir
			}
			return nil
		}
		return checkFile(t, path, rel, allowed, &checked)
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d Go files checked: is the walk looking at the module?", checked)
	}
}

func checkDir(t *testing.T, dir, root string, checked *int) error {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		return checkFile(t, path, rel, "", checked)
	})
	if err != nil {
		return err
	}
	return fs.SkipDir
}

func checkFile(t *testing.T, path, rel, allowed string, checked *int) error {
	if !strings.HasSuffix(path, ".go") || rel == allowed {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	*checked++
	src := string(b)
	// Spelled in two parts so this file does not match itself.
	for _, bad := range []string{"privacy." + "Allow", "Decision" + "Context("} {
		if strings.Contains(src, bad) {
			t.Errorf("%s uses %s: grant a viewer.Capability instead", rel, bad)
		}
	}
	return nil
}

// Grant keeps a person's viewer (their changes stay theirs in the audit
// trail) and stands a system viewer naming the actor in for nobody.
func TestGrant(t *testing.T) {
	ctx := viewer.Scheduler.Grant(context.Background(), "cli:warmness recalc")
	v := viewer.FromContext(ctx)
	if v == nil || !v.System || v.Actor != "cli:warmness recalc" || viewer.CapabilityOf(ctx) != "scheduler" {
		t.Fatalf("system grant: viewer %+v, capability %q", v, viewer.CapabilityOf(ctx))
	}
	if d, ok := privacy.DecisionFromContext(ctx); !ok || d != nil {
		t.Fatalf("decision %v %v, want the privacy layer's allow", d, ok)
	}
	person := &viewer.Viewer{UserID: "usr_1", LocationID: "loc_1"}
	ctx = viewer.Integrity.Grant(viewer.NewContext(context.Background(), person), "")
	if viewer.FromContext(ctx) != person || viewer.CapabilityOf(ctx) != "integrity" {
		t.Fatalf("person grant: viewer %+v, capability %q", viewer.FromContext(ctx), viewer.CapabilityOf(ctx))
	}
}
