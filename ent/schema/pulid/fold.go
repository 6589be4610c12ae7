package pulid

import (
	"crypto/sha256"
	"encoding/binary"
)

// Fold returns a positive 63-bit number standing for id: the first eight
// bytes of the SHA-256 of its text. It is for columns where only equality
// with a known ID matters and the 30-byte text would be repeated on every
// row and again in an index, e.g. the location of a search key (8 bytes
// there instead of 30). Two IDs fold to the same number with a chance of
// about one in 2^62 a pair; where that matters the column is never the only
// check (a search key's contact is read back through the contacts' own
// location filter).
func Fold(id ID) int64 {
	sum := sha256.Sum256([]byte(id))
	return int64(binary.BigEndian.Uint64(sum[:8]) >> 1)
}
