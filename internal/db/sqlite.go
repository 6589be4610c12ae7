package db

import (
	"database/sql"
	"database/sql/driver"
	"time"

	"github.com/mattn/go-sqlite3"
)

// sqliteDriver is the name of the SQLite driver that stores times in UTC.
const sqliteDriver = "sqlite3_utc"

func init() {
	sql.Register(sqliteDriver, &utcDriver{&sqlite3.SQLiteDriver{}})
}

// SQLite keeps a time as text in whatever zone the Go value had
// ("2026-03-11 00:00:00+11:00"), and compares text, not instants. A filter
// for "today in Sydney" against rows written in UTC would then silently
// miss rows. This driver writes every time argument in UTC, so stored times
// and query bounds share one zone and text order is time order.
type utcDriver struct{ *sqlite3.SQLiteDriver }

func (d *utcDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.SQLiteDriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	return &utcConn{c.(*sqlite3.SQLiteConn)}, nil
}

type utcConn struct{ *sqlite3.SQLiteConn }

// CheckNamedValue implements driver.NamedValueChecker.
func (c *utcConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case time.Time:
		nv.Value = v.UTC()
	case *time.Time:
		if v != nil {
			nv.Value = v.UTC()
		}
	}
	return driver.ErrSkip
}
