package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// IPRule allows a network (an IPv4 or IPv6 CIDR range) to reach a location.
// When a location has rules, requests from anywhere else are refused.
type IPRule struct{ ent.Schema }

// Mixin of the IPRule.
func (IPRule) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.IPRule, "ip_rules"), TimeMixin{}, TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the IPRule.
func (IPRule) Fields() []ent.Field {
	return []ent.Field{
		field.String("cidr").NotEmpty().MaxLen(64).Comment("Canonical CIDR, e.g. 203.0.113.0/24 or 2001:db8::/48"),
		field.String("note").Default("").MaxLen(200),
		field.String("created_by_id").GoType(pulid.ID("")).Optional().Nillable().Immutable(),
	}
}

// Edges of the IPRule.
func (IPRule) Edges() []ent.Edge {
	return []ent.Edge{edge.To("created_by", User.Type).Field("created_by_id").Unique().Immutable()}
}

// Indexes of the IPRule.
func (IPRule) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "cidr").Unique()}
}

// Annotations of the IPRule.
func (IPRule) Annotations() []schema.Annotation {
	return []schema.Annotation{queryField("ipRules", rbac.Settings), entgql.RelayConnection()}
}
