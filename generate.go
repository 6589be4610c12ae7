// Package avatarcrm is the root of the Avatar Imaging CRM module. Its only
// code is the generate directive: run `go generate ./...` after changing
// ent/schema, graph/*.graphql or ui/**/*.templ.
package avatarcrm

//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run ./graph/gen
//go:generate go tool templ generate -path ui
