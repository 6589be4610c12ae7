package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// HeadFile keeps the chain's head (the newest entry's id and MAC) in a file
// outside the database. The chain itself shows any edited, inserted or
// removed entry but the newest ones: cutting entries off the end (or
// emptying the table) leaves a valid, shorter chain. Someone who can write to
// the database but not to this file cannot hide that, because `avatarcrm
// audit verify` and the server's start-up check compare the chain with it.
//
// The file holds one line, ID:MAC, as `avatarcrm audit head` prints it. It
// is replaced atomically (written to a temporary file in the same directory,
// synced, renamed over the old one, and the directory synced), so a crash
// leaves the old head or the new one, never half of one. The head only moves
// forward: Write never replaces a head with an older one, neither its own
// nor one another process wrote to the same file.
type HeadFile struct {
	path string

	mu   sync.Mutex
	last Head
	has  bool
}

// ErrHeadConflict is returned by HeadFile.Write for a head with the id of
// the kept one but another MAC: the entry was rewritten.
var ErrHeadConflict = errors.New("audit: the head file holds another MAC for this entry")

// OpenHeadFile opens the head file at path, reading the head it holds. A
// missing file is no error (a new installation); Head then reports false.
// The directory is created (0700) so the first write can succeed.
func OpenHeadFile(path string) (*HeadFile, error) {
	if path == "" {
		return nil, errors.New("audit head file: no path (AVATARCRM_AUDIT_HEAD_FILE)")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit head file directory: %w", err)
	}
	h, ok, err := ReadHeadFile(path)
	if err != nil {
		return nil, err
	}
	return &HeadFile{path: path, last: h, has: ok}, nil
}

// ReadHeadFile reads the head kept at path; ok is false when there is no
// file.
func ReadHeadFile(path string) (h Head, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Head{}, false, nil
	}
	if err != nil {
		return Head{}, false, fmt.Errorf("audit head file: %w", err)
	}
	if h, err = ParseHead(strings.TrimSpace(string(b))); err != nil {
		return Head{}, false, fmt.Errorf("audit head file %s: %w", path, err)
	}
	return h, true, nil
}

// Path is where the head is kept.
func (f *HeadFile) Path() string { return f.path }

// Head returns the newest head written or read; ok is false when there is
// none yet.
func (f *HeadFile) Head() (h Head, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, f.has
}

// Write keeps h as the head unless the file already holds a newer one. A
// head with the same id as the kept one but another MAC is refused with
// ErrHeadConflict: that entry was rewritten.
func (f *HeadFile) Write(h Head) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Another process may share the file (a CLI command beside the
	// server): never replace what it wrote with an older head.
	cur, ok, err := ReadHeadFile(f.path)
	if err != nil {
		return err
	}
	if !ok && f.has {
		cur, ok = f.last, true
	}
	if ok {
		switch {
		case cur.ID > h.ID:
			if cur.ID > f.last.ID {
				f.last = cur
			}
			return nil
		case cur.ID == h.ID && cur.MAC != h.MAC:
			return fmt.Errorf("%w: entry %d is %s in %s, %s in the database", ErrHeadConflict, h.ID, short(cur.MAC), f.path, short(h.MAC))
		case cur == h:
			f.last, f.has = h, true
			return nil
		}
	}
	if err := writeFileAtomic(f.path, []byte(h.String()+"\n")); err != nil {
		return fmt.Errorf("audit head file: %w", err)
	}
	f.last, f.has = h, true
	return nil
}

func short(mac string) string {
	if len(mac) > 12 {
		return mac[:12] + "…"
	}
	return mac
}

// writeFileAtomic replaces path with data (mode 0600): a temporary file in
// the same directory, synced, then renamed over path, then the directory
// synced so the rename itself survives a crash.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".audit-head-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		// Not every system can sync a directory (Windows cannot); the
		// rename is done either way.
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
