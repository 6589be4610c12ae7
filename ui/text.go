package ui

import (
	"fmt"
	"net/http"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/textcheck"
)

// checkQueryText refuses a page whose query parameters (search text,
// filters) hold text textcheck refuses (not UTF-8, control characters),
// with a 422 page naming the parameter: nobody types such text, and a NUL
// in a filter would match every row. Posted form fields are checked where
// they are stored (textcheck's ent hook), so their errors show beside the
// field in the form.
func (u *UI) checkQueryText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, values := range r.URL.Query() {
			for _, v := range values {
				if p := textcheck.Problem(v, textcheck.Multiline(name)); p != "" {
					u.fail(w, r, apperr.Invalidf(name, "%s", fmt.Sprintf("The %q value in the address %s.", name, p)))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
