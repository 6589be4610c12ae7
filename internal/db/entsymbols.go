package db

import (
	"crypto/md5"
	"fmt"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/avatarimaging/avatarcrm/ent/migrate"
)

// ent's Atlas driver shortens an index name or foreign-key symbol longer
// than the dialect allows (64 on SQLite, 63 on PostgreSQL) by rewriting it
// in place in migrate.Tables, a package global (Atlas.symbol in
// entgo.io/ent/dialect/sql/schema). So a diff sees the names the previous
// diff in the same process left: migrategen diffs SQLite and then
// PostgreSQL, and the PostgreSQL migrations hold such a name shortened
// twice (to 64, then to 63), while a process that diffs PostgreSQL first
// wants it shortened once, and one that diffs SQLite after PostgreSQL wants
// the 63-character name. Which of them ran first decided whether the
// schema tests passed. PinEntSymbols sets the names as migrategen's
// SQLite-then-PostgreSQL run leaves them, whatever ran before.
var entIndexNames, entFKSymbols = func() (map[*schema.Index]string, map[*schema.ForeignKey]string) {
	idx, fks := map[*schema.Index]string{}, map[*schema.ForeignKey]string{}
	for _, t := range migrate.Tables {
		for _, i := range t.Indexes {
			idx[i] = i.Name
		}
		for _, fk := range t.ForeignKeys {
			fks[fk] = fk.Symbol
		}
	}
	return idx, fks
}()

// PinEntSymbols sets migrate.Tables' index names and foreign-key symbols
// as the migrations of dialectName use them. Call it before an ent schema
// diff (migrategen, the schema tests).
func PinEntSymbols(dialectName string) {
	pin := func(name string) string {
		name = shortenSymbol(name, 64)
		if dialectName == dialect.Postgres {
			name = shortenSymbol(name, 63)
		}
		return name
	}
	for i, name := range entIndexNames {
		i.Name = pin(name)
	}
	for fk, sym := range entFKSymbols {
		fk.Symbol = pin(sym)
	}
}

// shortenSymbol is ent's Atlas.symbol.
func shortenSymbol(name string, size int) string {
	if len(name) <= size {
		return name
	}
	return fmt.Sprintf("%s_%x", name[:size-33], md5.Sum([]byte(name)))
}
