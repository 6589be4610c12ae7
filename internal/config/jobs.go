package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"
)

// Jobs says how this process takes part in the durable job queue and the
// schedules (internal/jobs, internal/schedule).
type Jobs struct {
	// Workers is how many jobs this process works at once; 0 leaves them
	// to `avatarcrm worker` processes.
	Workers int
	// Timeout bounds one attempt of a job.
	Timeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken to
	// have died with its process and is tried again.
	RescueAfter time.Duration
	// Schedules runs the schedules' timers in this process. Several
	// processes may: each slot's job is unique.
	Schedules bool
}

var jobsSettings = []Setting{
	{"jobs-workers", "AVATARCRM_JOBS_WORKERS", "10", "jobs this process works at once; 0 leaves them to `avatarcrm worker` processes"},
	{"jobs-timeout", "AVATARCRM_JOBS_TIMEOUT", "1m", "how long one attempt of a job may take"},
	{"jobs-rescue-after", "AVATARCRM_JOBS_RESCUE_AFTER", "5m", "a job still running after this long is taken to have died with its process and runs again (at least the timeout)"},
	{"schedules", "AVATARCRM_SCHEDULES", "true", "run the schedules (reminders, recalls, warmness, reprioritize, weekly-summary) in this process; safe in several at once"},
}

func init() { Settings = append(Settings, jobsSettings...) }

type jobsFlags struct{ workers, timeout, rescue, schedules *string }

func jobsFlagSet(fs *flag.FlagSet, env func(name, def string) string) *jobsFlags {
	return &jobsFlags{
		workers:   fs.String("jobs-workers", env("AVATARCRM_JOBS_WORKERS", "10"), "jobs worked at once (0: none)"),
		timeout:   fs.String("jobs-timeout", env("AVATARCRM_JOBS_TIMEOUT", "1m"), "time limit of one job attempt"),
		rescue:    fs.String("jobs-rescue-after", env("AVATARCRM_JOBS_RESCUE_AFTER", "5m"), "rerun a job still running after this long"),
		schedules: fs.String("schedules", env("AVATARCRM_SCHEDULES", "true"), "run the schedules in this process (true/false)"),
	}
}

// parseJobs reads the flag values gathered by jobsFlagSet.
func (c *Config) parseJobs(f *jobsFlags) error {
	var errs []error
	j := &c.Jobs
	n, err := strconv.Atoi(*f.workers)
	if err != nil || n < 0 || n > 1000 {
		errs = append(errs, fmt.Errorf("AVATARCRM_JOBS_WORKERS / --jobs-workers: %q is not a number from 0 to 1000", *f.workers))
	}
	j.Workers = n
	j.Timeout, err = parseDuration("AVATARCRM_JOBS_TIMEOUT / --jobs-timeout", *f.timeout, time.Second)
	errs = append(errs, err)
	j.RescueAfter, err = parseDuration("AVATARCRM_JOBS_RESCUE_AFTER / --jobs-rescue-after", *f.rescue, time.Second)
	errs = append(errs, err)
	if err == nil && j.RescueAfter < j.Timeout {
		errs = append(errs, fmt.Errorf("AVATARCRM_JOBS_RESCUE_AFTER (%s) must be at least AVATARCRM_JOBS_TIMEOUT (%s): a job still within its time would run twice", j.RescueAfter, j.Timeout))
	}
	if j.Schedules, err = strconv.ParseBool(*f.schedules); err != nil {
		errs = append(errs, fmt.Errorf("AVATARCRM_SCHEDULES / --schedules: %q is not true or false", *f.schedules))
	}
	return errors.Join(errs...)
}
