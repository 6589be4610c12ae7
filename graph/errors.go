package graph

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
)

// presentError gives every error a code in extensions.code and shows
// internal errors only as "internal error": no driver text, no stack.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		if _, ok := gqlErr.Extensions["code"]; ok {
			// Parse, validation and limit errors already carry a code and
			// a message meant for the caller.
			return gqlErr
		}
		// A bare message from the executor or a library (e.g. "cannot
		// commit transaction: …") may carry driver text: log it, show
		// nothing of it.
		slog.ErrorContext(ctx, "graphql internal error", "path", gqlErr.Path.String(), "err", gqlErr.Message)
		return &gqlerror.Error{Message: "internal error", Path: gqlErr.Path, Locations: gqlErr.Locations,
			Extensions: map[string]any{"code": string(apperr.Internal)}}
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
	for k, v := range ae.Details {
		if k != "code" && k != "field" {
			out.Extensions[k] = v
		}
	}
	if ae.Code == apperr.Forbidden || ae.Code == apperr.Unauthenticated {
		// A refusal is an access attempt: the request's audit entry
		// becomes "denied", with the reason.
		audit.MetaFrom(ctx).Deny(ae.Message)
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
