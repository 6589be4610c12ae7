//go:build linux

package procmem

import (
	"bufio"
	"debug/elf"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// sections are the executable's read-only sections worth dropping: never
// written (no relocations in a statically positioned executable) and
// together over 95% of what is mapped from the file.
var sections = []string{".text", ".rodata", ".gopclntab"}

// DropExecutablePages drops the executable's read-only sections from the
// process's page tables and reports how many bytes of address space it
// covered. It does nothing (0, nil) for a position-independent executable,
// whose sections are not at their link addresses. Safe at any time: the
// sections are read-only mappings of the file, so a dropped page reads the
// same again.
func DropExecutablePages() (int, error) {
	// /proc/self/exe is the file that is mapped, even if the path has
	// since been replaced by another build.
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC {
		return 0, nil
	}
	ro, err := readOnlyMappings()
	if err != nil {
		return 0, err
	}
	page := uint64(os.Getpagesize())
	total := 0
	for _, name := range sections {
		s := f.Section(name)
		if s == nil || s.Addr == 0 {
			continue
		}
		// Whole pages inside the section only.
		start := (s.Addr + page - 1) &^ (page - 1)
		end := (s.Addr + s.Size) &^ (page - 1)
		if end <= start || !ro.covers(start, end) {
			continue
		}
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED); e != 0 {
			return total, fmt.Errorf("madvise %s: %w", name, e)
		}
		total += int(end - start)
	}
	return total, nil
}

type span struct{ start, end uint64 }

type spans []span

// covers reports whether [start, end) lies inside one of the spans.
func (ss spans) covers(start, end uint64) bool {
	for _, s := range ss {
		if start >= s.start && end <= s.end {
			return true
		}
	}
	return false
}

// readOnlyMappings lists the mappings of the executable that are not
// writable (/proc/self/maps), so a section is only ever dropped where the
// kernel maps the file read-only.
func readOnlyMappings() (spans, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	m, err := os.Open("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	defer m.Close()
	var out spans
	sc := bufio.NewScanner(m)
	for sc.Scan() {
		// 00403000-039bb000 r-xp 00003000 fd:01 1234 /path/to/exe
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || strings.Join(fields[5:], " ") != exe || len(fields[1]) < 2 || fields[1][1] == 'w' {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, span{a, b})
	}
	return out, sc.Err()
}
