// Package procmem gives back the pages of the running executable that the
// process mapped but no longer uses.
//
// The server's executable is about 170 MB, 120 MB of it code (.text),
// read-only data (.rodata) and the function table the runtime reads for
// stack traces and garbage collection (.gopclntab). Start-up (package
// initialisation, the migrations, the checks) runs code and reads data that
// is never touched again, and the kernel maps the executable's page cache
// in large folios, so a page touched once keeps up to hundreds of
// kilobytes around it in the process's RSS: 55–110 MiB of file pages
// against a working set of about 20 (docs/PERFORMANCE.md, "i12mem2").
// These pages are clean and shared with the page cache; DropExecutablePages
// removes them from the process's page tables (madvise MADV_DONTNEED) and
// the next access maps them again from the page cache, which keeps them:
// no disk read, a minor fault for each folio used.
package procmem
