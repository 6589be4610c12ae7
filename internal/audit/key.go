package audit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// MinKeyLen is the shortest key accepted, in bytes: HMAC-SHA256 gains
// nothing from more than 32 and loses strength with fewer.
const MinKeyLen = 32

// LoadKey returns the audit MAC key. A non-empty inline (hex, from
// AVATARCRM_AUDIT_KEY) wins; otherwise the key is read from the hex file at
// path, which is created with 32 random bytes (mode 0600, its directory
// 0700) when it does not exist, so a zero-config start has a key. A key file
// that group or others may read is refused: the key is what makes the trail
// tamper-evident, and it is kept outside the database precisely so that
// database access alone does not give it away.
func LoadKey(path, inline string) ([]byte, error) {
	if s := strings.TrimSpace(inline); s != "" {
		k, err := decodeKey(s)
		if err != nil {
			return nil, fmt.Errorf("AVATARCRM_AUDIT_KEY: %w", err)
		}
		return k, nil
	}
	if path == "" {
		return nil, errors.New("audit key: set AVATARCRM_AUDIT_KEY_FILE or AVATARCRM_AUDIT_KEY")
	}
	k, err := ReadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeyFile(path)
	}
	return k, err
}

// ReadKeyFile reads an existing key file, refusing one readable by group or
// others. Unlike LoadKey it never creates a key: tools that check the trail
// need the key it was written with, not a new one.
func ReadKeyFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit key file: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("audit key file %s is a directory", path)
	}
	// Windows has no such mode bits; its ACLs are the operator's business.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit key file %s is readable by group or others (mode %04o): run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key file: %w", err)
	}
	k, err := decodeKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("audit key file %s: %w", path, err)
	}
	return k, nil
}

func decodeKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, errors.New("the key must be hex (e.g. the output of `openssl rand -hex 32`)")
	}
	if len(k) < MinKeyLen {
		return nil, fmt.Errorf("the key is %d bytes, want at least %d (64 hex digits)", len(k), MinKeyLen)
	}
	return k, nil
}

// createKeyFile writes a new random key. It is written to a temporary file
// and hard-linked into place, which fails if the name exists: two processes
// starting at once agree on one key (the loser reads the winner's file), and
// nobody ever reads a half-written key.
func createKeyFile(path string) ([]byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit key directory: %w", err)
	}
	k := make([]byte, MinKeyLen)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".audit-key-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("create audit key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(k) + "\n")
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
		return nil, fmt.Errorf("write audit key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ReadKeyFile(path)
		}
		return nil, fmt.Errorf("create audit key file %s: %w", path, err)
	}
	return k, nil
}
