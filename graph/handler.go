package graph

import (
	"context"
	"database/sql/driver"
	"net/http"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/db"
)

// Options configure the GraphQL handler.
type Options struct {
	// Introspection allows schema introspection (dev mode, or when enabled).
	Introspection bool
	// ComplexityLimit caps the cost of one operation; 0 means 1000.
	ComplexityLimit int
	// MaxDepth and MaxAliases bound an operation's shape; 0 means 15 and 30.
	MaxDepth, MaxAliases int
}

// MaxUploadBytes is the largest multipart request (the GraphQL multipart
// request spec) the handler takes: a 20 MiB CSV (contacts.MaxImportBytes)
// and the operation around it. The server raises its body limit to this on
// /graphql for multipart requests only.
const MaxUploadBytes = 21 << 20

// NewHandler returns the GraphQL HTTP handler over the resolver.
func NewHandler(r *Resolver, opts Options) http.Handler {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: MaxUploadBytes, MaxMemory: 8 << 20})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	limit := opts.ComplexityLimit
	if limit == 0 {
		limit = 1000
	}
	srv.Use(extension.FixedComplexityLimit(limit))
	lim := Limits{MaxDepth: opts.MaxDepth, MaxAliases: opts.MaxAliases}
	if lim.MaxDepth == 0 {
		lim.MaxDepth = 15
	}
	if lim.MaxAliases == 0 {
		lim.MaxAliases = 30
	}
	srv.Use(lim)
	// Every mutation runs in one transaction: a mutation that fails part way
	// leaves nothing behind.
	srv.Use(entgql.Transactioner{TxOpener: entgql.TxOpenerFunc(func(ctx context.Context) (context.Context, driver.Tx, error) {
		// The slot lets a job join the mutation's transaction (internal/jobs).
		return r.Client.OpenTx(db.WithSQLTx(ctx))
	})})
	srv.AroundOperations(nameOperation)
	srv.AroundFields(checkPermissions)
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	return srv
}

var _ entgql.TxOpener = (*ent.Client)(nil)

// nameOperation tells the audit trail which operation a request ran, and the
// record it was about when the operation names one by an "id" variable.
func nameOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	meta := audit.MetaFrom(ctx)
	name := oc.OperationName
	if name == "" && oc.Operation != nil && oc.Operation.Name != "" {
		name = oc.Operation.Name
	}
	if name == "" && oc.Operation != nil {
		name = string(oc.Operation.Operation)
		if len(oc.Operation.SelectionSet) > 0 {
			if f, ok := oc.Operation.SelectionSet[0].(*ast.Field); ok {
				name += " " + f.Name
			}
		}
	}
	meta.SetOperation(name)
	if id, ok := oc.Variables["id"].(string); ok {
		if t, err := pulid.TableOf(pulid.ID(id)); err == nil {
			meta.SetResource(t, id)
		}
	}
	return next(ctx)
}
