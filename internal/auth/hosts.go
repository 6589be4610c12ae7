package auth

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/location"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// hostCacheTTL bounds how long a changed host name takes to apply.
const hostCacheTTL = 30 * time.Second

type hostCache struct {
	mu     sync.Mutex
	at     time.Time
	byHost map[string]pulid.ID
}

// hostLocation returns the location configured for the request's host name,
// or "" when the host selects none.
func (s *Service) hostLocation(ctx context.Context, hostport string) (pulid.ID, error) {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(host, ".")
	s.hosts.mu.Lock()
	defer s.hosts.mu.Unlock()
	if s.hosts.byHost == nil || time.Since(s.hosts.at) > hostCacheTTL {
		locs, err := s.Client.Location.Query().Where(location.HostnameNotNil()).All(viewer.Identity.Grant(ctx, ""))
		if err != nil {
			return "", err
		}
		m := make(map[string]pulid.ID, len(locs))
		for _, l := range locs {
			m[strings.ToLower(*l.Hostname)] = l.ID
		}
		s.hosts.byHost, s.hosts.at = m, time.Now()
	}
	return s.hosts.byHost[host], nil
}

// ForgetHosts drops the host-name cache after a location's host changes.
func (s *Service) ForgetHosts() {
	s.hosts.mu.Lock()
	s.hosts.byHost = nil
	s.hosts.mu.Unlock()
}
