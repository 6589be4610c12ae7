package db

import (
	"context"
	"fmt"
	"strings"
)

// MigrateBefore applies the migrations older than the one whose file name
// ends with suffix: a database as an older release left it.
func (d *DB) MigrateBefore(ctx context.Context, suffix string) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	for _, s := range p.ListSources() {
		if strings.HasSuffix(s.Path, suffix) {
			_, err := p.UpTo(ctx, s.Version-1)
			return err
		}
	}
	return fmt.Errorf("no migration *%s", suffix)
}

// MigrateDown undoes the newest applied migration of the application (not
// River's) and returns the version it undid.
func (d *DB) MigrateDown(ctx context.Context) (int64, error) {
	p, err := d.provider()
	if err != nil {
		return 0, err
	}
	r, err := p.Down(ctx)
	if err != nil {
		return 0, err
	}
	return r.Source.Version, nil
}

// MigrateUpTo applies the migrations up to and including version.
func (d *DB) MigrateUpTo(ctx context.Context, version int64) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// MigrationVersion is the newest applied migration's version.
func (d *DB) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := d.provider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// MigrationVersionOf is the version of the migration whose file name ends
// with suffix.
func (d *DB) MigrationVersionOf(suffix string) (int64, error) {
	p, err := d.provider()
	if err != nil {
		return 0, err
	}
	for _, s := range p.ListSources() {
		if strings.HasSuffix(s.Path, suffix) {
			return s.Version, nil
		}
	}
	return 0, fmt.Errorf("no migration *%s", suffix)
}
