package graph

import (
	"context"
	"errors"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/internal/txn"
)

// Transactional runs every GraphQL mutation operation in one transaction
// with the program's one transaction rule, txn.Run (which Ops and the
// services use too): a mutation that fails part way, or any error in the
// response, leaves nothing behind. It replaces entgql.Transactioner, whose
// transaction was a second implementation of the same rule.
type Transactional struct {
	Client *ent.Client
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = Transactional{}

// ExtensionName names the extension.
func (Transactional) ExtensionName() string { return "Transactional" }

// Validate checks the extension is usable.
func (t Transactional) Validate(graphql.ExecutableSchema) error {
	if t.Client == nil {
		return errors.New("graph: Transactional needs a client")
	}
	return nil
}

// MutateOperationContext runs a mutation's fields one at a time: they share
// one transaction, and a transaction is one connection.
func (Transactional) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return nil
	}
	previous := oc.ResolverMiddleware
	var mu sync.Mutex
	oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		return previous(ctx, next)
	}
	return nil
}

// errResponse rolls the transaction back for a response with errors.
var errResponse = errors.New("the response has errors")

// InterceptResponse runs a mutation operation under txn.Run.
func (t Transactional) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	var rsp *graphql.Response
	err := txn.Run(ctx, t.Client, func(ctx context.Context, _ *ent.Client) error {
		rsp = next(ctx)
		if len(rsp.Errors) > 0 {
			return errResponse
		}
		return nil
	})
	switch {
	case errors.Is(err, errResponse):
		// Rolled back: no data that was never committed.
		return &graphql.Response{Errors: rsp.Errors}
	case err != nil:
		return graphql.ErrorResponse(ctx, "the change could not be saved: %s", err.Error())
	}
	return rsp
}
