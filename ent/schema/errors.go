package schema

import "errors"

var errInvalidEmail = errors.New("email must be a lower-case address such as jane@example.com")
