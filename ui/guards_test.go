package ui_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHandlersNameNoPermission: the UI's handlers never decide access by a
// permission of their own: they ask whether an operation may run
// (graph.Op), whose permission the schema declares, and call it through
// graph.Ops, which checks it and runs it in one transaction. So no
// permission name, no viewer check, no transaction helper and no resolver
// appears in ui/*.go (templates may show a button by a typed permission).
func TestHandlersNameNoPermission(t *testing.T) {
	forbidden := map[string]*regexp.Regexp{
		"a permission constant":      regexp.MustCompile(`rbac\.[A-Za-z]*(Read|Create|Update|Delete|Export)\b|rbac\.(Contacts|Bookings|Tasks|Campaigns|Reports|Automation|Settings|Users|APITokens|Audit)\b`),
		"a permission by name":       regexp.MustCompile(`"(contacts|bookings|tasks|campaigns|reports|automation|settings|users|api_tokens|audit):(read|create|update|delete|export)"`),
		"a permission built by hand": regexp.MustCompile(`rbac\.Perm\(|\.Can\(|\.Can\[|\.CanOn\(|viewer\.Authorize|viewer\.Required|\brequire\(`),
		"a transaction of its own":   regexp.MustCompile(`inTx|\.Tx\(|OpenTx|txn\.Run`),
		"the resolvers or services":  regexp.MustCompile(`graph\.Resolver|\bu\.r\.|\.Mutation\(\)\.|ContactService|privacy\.|internal/access"`),
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			for what, re := range forbidden {
				if re.MatchString(line) {
					t.Errorf("%s:%d uses %s: %s", f, i+1, what, strings.TrimSpace(line))
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d handler files checked", checked)
	}
}
