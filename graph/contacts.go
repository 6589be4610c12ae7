package graph

import (
	"io"

	"github.com/99designs/gqlgen/graphql"

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
