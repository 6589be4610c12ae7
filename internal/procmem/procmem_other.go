//go:build !linux

package procmem

// DropExecutablePages does nothing outside Linux.
func DropExecutablePages() (int, error) { return 0, nil }
