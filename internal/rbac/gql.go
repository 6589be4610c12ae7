package rbac

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Values lists the resources; it lets ent store Resource as an enum.
func (Resource) Values() []string { return names(Resources) }

// Values lists the actions; it lets ent store Action as an enum.
func (Action) Values() []string { return names(Actions) }

// Values lists the stored conditions. Always is stored as
// own_location_only, which tenancy makes equivalent.
func (Condition) Values() []string {
	return []string{string(OwnLocationOnly), string(OwnRecordsOnly)}
}

func names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// MarshalGQL implements graphql.Marshaler.
func (r Resource) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *Resource) UnmarshalGQL(v any) error { return unmarshalEnum(v, r, Resources, "resource") }

// MarshalGQL implements graphql.Marshaler.
func (a Action) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(a))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *Action) UnmarshalGQL(v any) error { return unmarshalEnum(v, a, Actions, "action") }

// MarshalGQL implements graphql.Marshaler.
func (c Condition) MarshalGQL(w io.Writer) {
	if c == Always {
		c = OwnLocationOnly
	}
	_, _ = io.WriteString(w, strconv.Quote(string(c)))
}

// UnmarshalGQL implements graphql.Unmarshaler.
func (c *Condition) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, c, []Condition{OwnLocationOnly, OwnRecordsOnly}, "condition")
}

func unmarshalEnum[T ~string](v any, dst *T, valid []T, what string) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s must be a string", what)
	}
	if !slices.Contains(valid, T(s)) {
		return fmt.Errorf("%q is not a valid %s", s, what)
	}
	*dst = T(s)
	return nil
}
