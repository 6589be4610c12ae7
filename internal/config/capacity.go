package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"
)

// Capacity bounds the work the HTTP server takes on at once
// (internal/admit): GraphQL requests and staff pages past MaxInFlight wait
// their turn, for at most MaxQueueWait.
type Capacity struct {
	// MaxInFlight is how many GraphQL requests and pages run at once; 0
	// means 4 × GOMAXPROCS, -1 (the default) no bound: a bound measured
	// fewer creates a second at 100 clients (docs/DECISIONS.md).
	MaxInFlight int
	// MaxQueueWait is how long a request may wait for its turn before it
	// is answered 503 with Retry-After.
	MaxQueueWait time.Duration
}

var capacitySettings = []Setting{
	{"max-inflight", "AVATARCRM_MAX_INFLIGHT", "-1 (no bound)", "GraphQL requests and staff pages run at once; the rest queue in arrival order (webhooks, sign-in, health checks and static files are not counted); 0 means 4 × GOMAXPROCS; -1 turns the bound off"},
	{"max-queue-wait", "AVATARCRM_MAX_QUEUE_WAIT", "30s", "how long a request may queue for its turn before it is answered 503 with Retry-After"},
}

func init() { Settings = append(Settings, capacitySettings...) }

type capacityFlags struct{ inflight, wait *string }

func capacityFlagSet(fs *flag.FlagSet, env func(name, def string) string) *capacityFlags {
	return &capacityFlags{
		inflight: fs.String("max-inflight", env("AVATARCRM_MAX_INFLIGHT", "-1"), "GraphQL requests and pages run at once (0: 4 × GOMAXPROCS, -1: no bound, the default)"),
		wait:     fs.String("max-queue-wait", env("AVATARCRM_MAX_QUEUE_WAIT", "30s"), "longest wait for a turn before 503"),
	}
}

// parseCapacity reads the flag values gathered by capacityFlagSet.
func (c *Config) parseCapacity(f *capacityFlags) error {
	var errs []error
	n, err := strconv.Atoi(*f.inflight)
	if err != nil || n < -1 || n > 100000 {
		errs = append(errs, fmt.Errorf("AVATARCRM_MAX_INFLIGHT / --max-inflight: %q is not a number from -1 to 100000", *f.inflight))
	}
	c.Capacity.MaxInFlight = n
	c.Capacity.MaxQueueWait, err = parseDuration("AVATARCRM_MAX_QUEUE_WAIT / --max-queue-wait", *f.wait, 100*time.Millisecond)
	errs = append(errs, err)
	return errors.Join(errs...)
}
