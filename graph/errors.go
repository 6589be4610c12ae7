package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// presentError gives every error a code in extensions.code and shows
// internal errors only as "internal error": no driver text, no stack.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		// Parse and validation errors from gqlparser already carry a code.
		return gqlErr
	}
	ae := apperr.From(err)
	out := graphql.DefaultErrorPresenter(ctx, err)
	out.Message = ae.Message
	if out.Extensions == nil {
		out.Extensions = map[string]any{}
	}
	out.Extensions["code"] = string(ae.Code)
	if ae.Field != "" {
		out.Extensions["field"] = ae.Field
	}
	if ae.Code == apperr.Internal {
		slog.ErrorContext(ctx, "graphql internal error", "path", out.Path.String(), "err", err)
	}
	return out
}

// recoverPanic turns a panic in a resolver into an internal error.
func recoverPanic(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "graphql panic", "panic", p)
	return &apperr.Error{Code: apperr.Internal, Message: "internal error"}
}
