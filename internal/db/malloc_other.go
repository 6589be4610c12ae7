//go:build !linux || !cgo

package db

// TrimMalloc does nothing where the C heap is not glibc's.
func TrimMalloc() bool { return false }
