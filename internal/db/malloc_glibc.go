//go:build linux && cgo

package db

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static int avatarcrm_malloc_trim(void) { return malloc_trim(0); }
#else
static int avatarcrm_malloc_trim(void) { return 0; }
#endif
*/
import "C"

// TrimMalloc gives the C heap's free pages back to the OS (glibc's
// malloc_trim(0); nothing on other C libraries). SQLite allocates its page
// caches and statements with malloc, from whichever of glibc's per-thread
// arenas the calling thread uses; after a burst the freed pages stay
// mapped in those arenas, counted in the process's RSS, until malloc_trim
// returns them (madvise(MADV_DONTNEED) on every free page of every arena).
// It is safe at any time: it takes each arena's lock in turn, exactly as
// malloc and free do, and touches only memory no one holds. It reports
// whether anything was released.
func TrimMalloc() bool { return C.avatarcrm_malloc_trim() == 1 }
