package audit

import (
	"context"
	"sync"
)

// Meta collects, while a request runs, what its audit entry should say
// beyond what HTTP shows: the GraphQL operation, the resource, whether PHI
// was touched, why access was denied, and how many mutation entries were
// already written. Middleware puts one in the request context; resolvers,
// the Hook and PHIInterceptor fill it in. Resolvers may run concurrently, so
// it is guarded by a mutex, and every method is safe on a nil *Meta (a
// context without one), so callers never need to check.
type Meta struct {
	mu sync.Mutex
	v  MetaValues
}

// MetaValues is a snapshot of a Meta.
type MetaValues struct {
	// Operation is the GraphQL operation name or route.
	Operation string
	// ResourceType and ResourceID name the resource the request was about.
	ResourceType string
	ResourceID   string
	// PHI is set once protected health information was read or written.
	PHI bool
	// Denied is why access was refused, if it was.
	Denied string
	// Written counts the create/update/delete entries committed for this
	// request by the Hook.
	Written int
	// Method, Path, IP and UserAgent are the request's, copied into the
	// Hook's entries.
	Method, Path, IP, UserAgent string
	// UserID, Email and LocationID, when set (e.g. by a sign-in handler
	// once it knows who signed in), name the actor instead of the request
	// context's viewer.
	UserID, Email, LocationID string
}

type metaKey struct{}

// WithMeta returns ctx carrying m.
func WithMeta(ctx context.Context, m *Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the Meta in ctx, or nil.
func MetaFrom(ctx context.Context) *Meta {
	m, _ := ctx.Value(metaKey{}).(*Meta)
	return m
}

func (m *Meta) update(f func(*MetaValues)) {
	if m == nil {
		return
	}
	m.mu.Lock()
	f(&m.v)
	m.mu.Unlock()
}

// Values returns a snapshot.
func (m *Meta) Values() MetaValues {
	if m == nil {
		return MetaValues{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.v
}

// SetOperation records the GraphQL operation name or route.
func (m *Meta) SetOperation(name string) { m.update(func(v *MetaValues) { v.Operation = name }) }

// SetResource records the resource the request was about.
func (m *Meta) SetResource(typ, id string) {
	m.update(func(v *MetaValues) { v.ResourceType, v.ResourceID = typ, id })
}

// MarkPHI records that protected health information was touched.
func (m *Meta) MarkPHI() { m.update(func(v *MetaValues) { v.PHI = true }) }

// Deny records why access was refused; the request entry's action becomes
// "denied". The first reason wins: it is the cause, later ones are effects.
func (m *Meta) Deny(reason string) {
	m.update(func(v *MetaValues) {
		if v.Denied == "" {
			v.Denied = reason
		}
	})
}

// SetActor names who acted, for requests whose context has no viewer yet
// (sign-in) or whose viewer changed.
func (m *Meta) SetActor(userID, email, locationID string) {
	m.update(func(v *MetaValues) { v.UserID, v.Email, v.LocationID = userID, email, locationID })
}

// addWritten counts mutation entries committed for the request.
func (m *Meta) addWritten(n int) { m.update(func(v *MetaValues) { v.Written += n }) }

type withoutKey struct{}

// WithoutAudit returns ctx in which Hook writes no entries: for bulk work by
// the system itself, such as seeding demo data, where an entry per row
// records nothing anyone did.
func WithoutAudit(ctx context.Context) context.Context {
	return context.WithValue(ctx, withoutKey{}, true)
}

func skipped(ctx context.Context) bool {
	b, _ := ctx.Value(withoutKey{}).(bool)
	return b
}
