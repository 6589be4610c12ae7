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

// Permission is one row of a location's permission table: a role may do an
// action on a resource, under a condition. Rows of lower roles are inherited
// by higher ones. The admin role holds every permission and has no rows.
type Permission struct{ ent.Schema }

// Mixin of the Permission.
func (Permission) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Permission, "permissions"), TimeMixin{}, TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the Permission.
func (Permission) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("role").Values("manager", "staff", "viewer").Annotations(entgql.Type("EditableRole")),
		field.Enum("resource").GoType(rbac.Resource("")).Annotations(entgql.Type("Resource")),
		field.Enum("action").GoType(rbac.Action("")).Annotations(entgql.Type("Action")),
		field.Enum("condition").GoType(rbac.Condition("")).Default(string(rbac.OwnLocationOnly)).Annotations(entgql.Type("Condition")),
	}
}

// Indexes of the Permission.
func (Permission) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "role", "resource", "action").Unique()}
}

// Annotations of the Permission.
func (Permission) Annotations() []schema.Annotation {
	return []schema.Annotation{queryField("", rbac.Settings), entgql.RelayConnection()}
}

// PermissionOverride grants or denies one user an action at a location,
// whatever their role says.
type PermissionOverride struct{ ent.Schema }

// Mixin of the PermissionOverride.
func (PermissionOverride) Mixin() []ent.Mixin {
	// Reading the exceptions is reading the location's permission settings;
	// granting one is changing a person's access.
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Override, "permission_overrides"), TimeMixin{}, TenantMixin{Read: rbac.Settings, Write: rbac.Users}}
}

// Fields of the PermissionOverride.
func (PermissionOverride) Fields() []ent.Field {
	return []ent.Field{
		field.String("user_id").GoType(pulid.ID("")).Immutable(),
		field.Enum("resource").GoType(rbac.Resource("")).Annotations(entgql.Type("Resource")),
		field.Enum("action").GoType(rbac.Action("")).Annotations(entgql.Type("Action")),
		field.Enum("effect").Values("grant", "deny").Annotations(entgql.Type("OverrideEffect")),
		field.Enum("condition").GoType(rbac.Condition("")).Default(string(rbac.OwnLocationOnly)).Annotations(entgql.Type("Condition")),
		field.String("reason").Default("").MaxLen(300),
	}
}

// Edges of the PermissionOverride.
func (PermissionOverride) Edges() []ent.Edge {
	return []ent.Edge{edge.To("user", User.Type).Field("user_id").Unique().Required().Immutable()}
}

// Indexes of the PermissionOverride.
func (PermissionOverride) Indexes() []ent.Index {
	return []ent.Index{index.Fields("location_id", "user_id", "resource", "action").Unique()}
}

// Annotations of the PermissionOverride.
func (PermissionOverride) Annotations() []schema.Annotation {
	return []schema.Annotation{queryField("permissionOverrides", rbac.Settings), entgql.RelayConnection()}
}
