package schema

import (
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/privacy"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/rbac/entrule"
)

// Location is a clinic site and the tenant of every clinic record.
type Location struct{ ent.Schema }

// Mixin of the Location.
func (Location) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.Location, "locations"), TimeMixin{}}
}

// Fields of the Location.
func (Location) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").NotEmpty().MaxLen(120).
			Annotations(entgql.OrderField("NAME")),
		field.String("code").NotEmpty().MaxLen(8).Unique().
			Comment("Short code such as SYD").
			Annotations(entgql.OrderField("CODE")),
		field.String("timezone").Default("Australia/Sydney").
			Validate(func(s string) error {
				if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
					return fmt.Errorf("unknown time zone %q", s)
				}
				return nil
			}).
			Comment("IANA time zone"),
		field.String("currency").Default("AUD").MinLen(3).MaxLen(3).
			Comment("ISO 4217 code"),
		field.String("region").Default("AU").MinLen(2).MaxLen(2).
			Comment("ISO 3166 region used to read local phone numbers"),
		field.String("address").Default(""),
		field.String("phone").Default(""),
		field.JSON("settings", types.LocationSettings{}).
			Default(types.DefaultLocationSettings()).
			Annotations(entgql.Type("LocationSettings"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// New fields go last: SQLite adds columns only at the end, and a field
		// in the middle makes Atlas rebuild the table. Unique through an
		// index, not a column constraint, for the same reason.
		field.String("hostname").Optional().Nillable().MaxLen(253).
			Comment("Host name that selects this location, e.g. sydney.crm.example.com"),
		// Stored, not hashed: admins see it in the webhook URL they paste
		// into ClickSend. Compared in constant time (internal/hooks).
		field.String("sms_webhook_token").Optional().Nillable().Sensitive().MaxLen(64).
			Comment("The secret in the ClickSend inbound and receipt URLs").
			Annotations(entgql.Skip(entgql.SkipAll)),
		// The website lead form (internal/leadform). The key is public: it
		// sits in the clinic's page source; rotating it stops a form
		// copied elsewhere.
		field.String("lead_form_key").Optional().Nillable().MaxLen(64).
			Comment("The public key in /hooks/lead/{key}").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Strings("lead_form_origins").Optional().
			Comment("Origins allowed to post the form from a script (CORS), e.g. https://avatarimaging.com.au").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("lead_form_double_opt_in").Default(false).
			Comment("Marketing consent given on the form is asked to be confirmed by email first").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Location.
func (Location) Indexes() []ent.Index {
	return []ent.Index{index.Fields("name"), index.Fields("hostname").Unique(), index.Fields("lead_form_key").Unique()}
}

// Annotations of the Location.
func (Location) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationUpdate()),
	}
}

// Policy of the Location: a user sees the locations they belong to and may
// change only the active one, with the settings permission.
func (Location) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{entrule.DenyIfNoViewer(), entrule.FilterLocationsOfViewer()},
		Mutation: privacy.MutationPolicy{
			entrule.DenyIfNoViewer(),
			entrule.OnlyActiveLocation(),
		},
	}
}
