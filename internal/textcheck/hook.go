package textcheck

import (
	"context"
	"reflect"

	"github.com/avatarimaging/avatarcrm/ent"
)

// systemTypes are written by the system from data it cleans itself
// (request metadata, the search index, events); the hook leaves them
// alone so a strange User-Agent header never fails a sign-in.
var systemTypes = map[string]bool{
	ent.TypeAuditEntry: true, ent.TypeSession: true, ent.TypeSearchKey: true, ent.TypeSearchWord: true, ent.TypeEvent: true,
}

// Hook returns an ent hook, for client.Use, that refuses a create or update
// whose string fields (and string lists such as tags) hold text Check
// refuses, with an INVALID error naming the field as ent names it
// (first_name). It is the guard behind every other check: whatever road a
// value takes to the database, it passes here.
func Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if systemTypes[m.Type()] || !m.Op().Is(ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne) {
				return next.Mutate(ctx, m)
			}
			for _, f := range m.Fields() {
				if v, ok := m.Field(f); ok {
					if err := checkValue(f, v); err != nil {
						return nil, err
					}
				}
			}
			// Appending to a list (tags, skills) is not a field value.
			for name, appended := range appendedLists(m) {
				for _, s := range appended {
					if err := Check(name, s); err != nil {
						return nil, err
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// checkValue checks strings and lists of strings, whatever their Go type
// (pulid.ID, types.Date and enums are strings underneath). Other values
// (numbers, times, JSON documents) are not text.
func checkValue(field string, v any) error {
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return Check(field, rv.String())
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.String:
		for i := range rv.Len() {
			if err := Check(field, rv.Index(i).String()); err != nil {
				return err
			}
		}
	}
	return nil
}

func appendedLists(m ent.Mutation) map[string][]string {
	out := map[string][]string{}
	if a, ok := m.(interface{ AppendedTags() ([]string, bool) }); ok {
		if v, ok := a.AppendedTags(); ok {
			out["tags"] = v
		}
	}
	if a, ok := m.(interface{ AppendedSkills() ([]string, bool) }); ok {
		if v, ok := a.AppendedSkills(); ok {
			out["skills"] = v
		}
	}
	return out
}
