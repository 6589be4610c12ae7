package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// AIUsage is one call of the AI layer (internal/ai): which engine and
// model answered, the tokens and what they cost, how long it took, and
// why the built-in engine answered when a remote model was configured.
// Calls of the built-in engine that cost nothing (the warmness score of
// every new contact) are counted instead: one row per location, quarter
// hour (UTC), use case, engine, fallback and cache hit, its calls and
// latencies summed (slot names the group; docs/PERFORMANCE.md).
// Costs are nanodollars (US dollars × 10⁹, ai.Nanodollars), input and
// output apart, exactly as internal/ai/cost.go computes them. Rows are
// written by internal/aiusage as the ai-usage capability; reading them
// needs settings:read (the admin AI page, the aiUsage query).
type AIUsage struct{ ent.Schema }

// Mixin of the AIUsage.
func (AIUsage) Mixin() []ent.Mixin {
	return []ent.Mixin{pulid.MixinWithPrefix(pulid.AIUsage, "ai_usages"), TenantMixin{Read: rbac.Settings, Write: rbac.Settings}}
}

// Fields of the AIUsage.
func (AIUsage) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(time.Now).Immutable().Comment("when the call started"),
		field.String("use_case").NotEmpty().MaxLen(40).Immutable(),
		field.String("engine").NotEmpty().MaxLen(40).Immutable().Comment("the engine that answered: builtin or openai"),
		field.String("model").Default("").MaxLen(200).Immutable().Comment("the remote model called, or builtin"),
		field.Int64("input_tokens").Default(0).NonNegative().Immutable(),
		field.Int64("output_tokens").Default(0).NonNegative().Immutable(),
		field.Int64("cost_in").Default(0).NonNegative().Immutable().Comment("nanodollars (USD × 10⁹) for the input tokens"),
		field.Int64("cost_out").Default(0).NonNegative().Immutable().Comment("nanodollars (USD × 10⁹) for the output tokens"),
		field.Int64("latency_us").Default(0).NonNegative().Comment("microseconds, built-in fallback included; summed over calls"),
		field.Bool("cache_hit").Default(false).Immutable(),
		field.String("fallback").Default("").MaxLen(40).Immutable().Comment("why the built-in engine answered instead of the model"),
		field.Int("alert").Default(0).Immutable().Comment("80 or 100 when this call took the month's spending across that share of the budget"),
		field.Bool("remote").Default(false).Immutable().Comment("a remote model was called (model is not builtin): the calls the budget sums"),
		field.Int("calls").Default(1).Positive().Comment("calls this row counts: 1 for a remote call, the group's count for built-in ones"),
		field.String("slot").Optional().Nillable().MaxLen(200).Immutable().
			Comment("the group of a counted built-in row (quarter hour, use case, engine, model, fallback, cache hit); null for a row of its own"),
	}
}

// Indexes of the AIUsage: the month's spending of a location (the budget)
// and the usage report read by location and time.
func (AIUsage) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("location_id", "created_at"),
		// The budget sums only calls of a remote model: built-in calls
		// cost nothing and are most of the rows.
		index.Fields("location_id", "remote", "created_at", "cost_in", "cost_out"),
		// The counter of a group of built-in calls; rows of their own have
		// no slot (NULLs never collide).
		index.Fields("location_id", "slot").Unique(),
	}
}

// Annotations of the AIUsage: GraphQL reads usage through the aiUsage
// query's grouped result (graph/ai.graphql), not as rows.
func (AIUsage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
