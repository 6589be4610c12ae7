package jobs

import (
	"reflect"
	"slices"
	"strings"

	"github.com/riverqueue/river"
)

// Workers is the set of job kinds a Queue knows: River's workers plus what
// the admin API needs to show a job's arguments safely (which fields hold
// PHI).
type Workers struct {
	add map[string]func(*river.Workers) // kind → its registration
	phi map[string][]string             // kind → JSON keys marked phi:"true"
}

// NewWorkers returns an empty set.
func NewWorkers() *Workers {
	return &Workers{add: map[string]func(*river.Workers){}, phi: map[string][]string{}}
}

// Add registers the worker of one job kind. T is the kind's arguments: a
// struct whose Kind method names it ("sms.welcome"); fields tagged
// `phi:"true"` are redacted wherever jobs are listed (see Job.Args), and a
// `location_id` JSON field names the location the job acts for (see
// Queue.Enqueue). Add panics if the kind is registered twice, as River does.
func Add[T river.JobArgs](ws *Workers, w river.Worker[T]) {
	var zero T
	kind := zero.Kind()
	if _, dup := ws.add[kind]; dup {
		panic("jobs: job kind " + kind + " registered twice")
	}
	ws.add[kind] = func(rw *river.Workers) { river.AddWorker(rw, w) }
	ws.phi[kind] = phiKeys(reflect.TypeOf(zero))
}

// riverWorkers builds River's set, of every kind or only of those in only.
func (ws *Workers) riverWorkers(only []string) *river.Workers {
	rw := river.NewWorkers()
	for kind, add := range ws.add {
		if len(only) == 0 || slices.Contains(only, kind) {
			add(rw)
		}
	}
	return rw
}

// Kinds lists the registered kinds, sorted.
func (ws *Workers) Kinds() []string {
	out := make([]string, 0, len(ws.phi))
	for k := range ws.phi {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// phiKeys returns the JSON names of t's fields tagged phi:"true",
// following embedded structs as encoding/json does.
func phiKeys(t reflect.Type) []string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			keys = append(keys, phiKeys(f.Type)...)
			continue
		}
		if f.Tag.Get("phi") != "true" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		keys = append(keys, name)
	}
	return keys
}
