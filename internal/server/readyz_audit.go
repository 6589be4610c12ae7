package server

import (
	"net/http"
	"strings"

	"github.com/avatarimaging/avatarcrm/internal/audit"
)

// auditReady answers /readyz/audit: 200 while the audit trail is intact,
// 503 naming the kinds of problem (chain_broken, triggers, head_file)
// otherwise. It is a check of its own rather than part of /readyz on
// purpose: a broken trail is evidence of past tampering for people to look
// into, not a reason for load balancers to stop sending staff to this
// instance (every instance sharing the database would fail alike, and the
// clinic would stop). Monitoring alerts on it. The details (entry numbers,
// file paths) are in the server log and on the admin audit page, not here:
// health checks answer anyone.
func auditReady(l *audit.Log) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		st := l.Status()
		if st.OK {
			_, _ = w.Write([]byte("audit: ok\n"))
			return
		}
		kinds := make([]string, 0, len(st.Problems))
		for _, p := range st.Problems {
			kinds = append(kinds, p.Kind)
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("audit: " + strings.Join(kinds, ", ") + " (see the server log)\n"))
	}
}
