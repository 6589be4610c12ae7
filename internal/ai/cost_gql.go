package ai

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// MarshalGQL writes n as a JSON integer (the GraphQL scalar Nanodollars).
func (n Nanodollars) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.FormatInt(int64(n), 10))
}

// UnmarshalGQL reads a JSON integer (or a string of digits) as
// Nanodollars.
func (n *Nanodollars) UnmarshalGQL(v any) error {
	switch x := v.(type) {
	case int64:
		*n = Nanodollars(x)
	case int:
		*n = Nanodollars(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return fmt.Errorf("nanodollars must be a whole number: %w", err)
		}
		*n = Nanodollars(i)
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return fmt.Errorf("nanodollars must be a whole number")
		}
		*n = Nanodollars(i)
	default:
		return fmt.Errorf("nanodollars must be a whole number, not %T", v)
	}
	return nil
}
