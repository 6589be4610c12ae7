package reports

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// The enums marshal as themselves for gqlgen (graph/reports.graphql binds
// them with @goModel).

// MarshalGQL implements graphql.Marshaler.
func (k Kind) MarshalGQL(w io.Writer) { quote(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *Kind) UnmarshalGQL(v any) error { return unmarshalEnum(v, k, Kinds, "ReportKind") }

// MarshalGQL implements graphql.Marshaler.
func (p NamedPeriod) MarshalGQL(w io.Writer) { quote(w, string(p)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (p *NamedPeriod) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, p, NamedPeriods, "ReportNamedPeriod")
}

// MarshalGQL implements graphql.Marshaler.
func (c Comparison) MarshalGQL(w io.Writer) { quote(w, string(c)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (c *Comparison) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, c, Comparisons, "ReportComparison")
}

// MarshalGQL implements graphql.Marshaler.
func (d Dimension) MarshalGQL(w io.Writer) { quote(w, string(d)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (d *Dimension) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, d, Dimensions, "ReportDimension")
}

// MarshalGQL implements graphql.Marshaler.
func (u Unit) MarshalGQL(w io.Writer) { quote(w, string(u)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (u *Unit) UnmarshalGQL(v any) error { return unmarshalEnum(v, u, Units, "ReportUnit") }

// MarshalGQL implements graphql.Marshaler.
func (k InsightKind) MarshalGQL(w io.Writer) { quote(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *InsightKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k, InsightKinds, "InsightKind")
}

// MarshalGQL implements graphql.Marshaler.
func (s Schedule) MarshalGQL(w io.Writer) { quote(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *Schedule) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, Schedules, "ReportSchedule")
}

func quote(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

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
