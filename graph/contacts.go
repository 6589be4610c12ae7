package graph

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
)

// readUpload reads an uploaded file, refusing one over the import limit
// before reading it all.
func readUpload(f graphql.Upload) ([]byte, error) {
	if f.Size > contacts.MaxImportBytes {
		return nil, apperr.Invalidf("file", "the file is %.1f MiB; the limit is %d MiB", float64(f.Size)/(1<<20), contacts.MaxImportBytes>>20)
	}
	b, err := io.ReadAll(io.LimitReader(f.File, contacts.MaxImportBytes+1))
	if err != nil {
		return nil, apperr.Invalidf("file", "the upload could not be read")
	}
	if len(b) > contacts.MaxImportBytes {
		return nil, apperr.Invalidf("file", "the file is larger than %d MiB", contacts.MaxImportBytes>>20)
	}
	return b, nil
}

// ptrs returns pointers to the elements of xs, as gqlgen's lists of
// objects want them.
func ptrs[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// selectsField reports whether the GraphQL selection of the field being
// resolved asks for the field name (directly or in a fragment).
func selectsField(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// withImportReports gives the import jobs among ns their reports, which
// are kept beside the job row (contacts.Service.WithImportReport).
func (r *queryResolver) withImportReports(ctx context.Context, ns ...ent.Noder) error {
	for _, n := range ns {
		if j, ok := n.(*ent.ImportJob); ok && j != nil {
			if err := r.ContactService.WithImportReport(ctx, j); err != nil {
				return err
			}
		}
	}
	return nil
}
