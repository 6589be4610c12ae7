package schema

import (
	"entgo.io/contrib/entgql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/avatarimaging/avatarcrm/internal/rbac"
)

// queryField exposes an entity's connection on Query with the permission
// reading it needs, declared as @hasPermission(resource:, action: read)
// like every hand-written operation: the GraphQL executor and graph.Ops
// check it, and the entity's policy checks it again.
func queryField(name string, res rbac.Resource) entgql.Annotation {
	dir := entgql.NewDirective("hasPermission",
		&ast.Argument{Name: "resource", Value: &ast.Value{Raw: string(res), Kind: ast.EnumValue}},
		&ast.Argument{Name: "action", Value: &ast.Value{Raw: string(rbac.Read), Kind: ast.EnumValue}},
	)
	return entgql.QueryField(name).Directives(dir).Annotation
}
