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
