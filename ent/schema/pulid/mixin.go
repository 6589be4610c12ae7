package pulid

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// MixinWithPrefix returns a mixin that gives an entity a prefixed ULID id.
// table is the entity's table name, registered so TableOf can resolve IDs.
func MixinWithPrefix(prefix, table string) *Mixin {
	Register(prefix, table)
	return &Mixin{prefix: prefix}
}

// Mixin defines the id field of an entity.
type Mixin struct {
	mixin.Schema
	prefix string
}

// Fields of the mixin.
func (m Mixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			GoType(ID("")).
			DefaultFunc(func() ID { return New(m.prefix) }).
			Immutable(),
	}
}
