package audit

import (
	"fmt"
	"path/filepath"
	"strings"
)

// CustodyWarnings says what is wrong with where the key and the head file
// are kept, for a production start: inside dataDir (the directory of the
// database, which backups, snapshots and copies take along) they protect
// nothing against whoever holds a copy of the database. inlineKey is true
// when the key comes from AVATARCRM_AUDIT_KEY instead of keyFile.
func CustodyWarnings(keyFile string, inlineKey bool, headFile, dataDir string) []string {
	var out []string
	if !inlineKey && keyFile != "" && inside(keyFile, dataDir) {
		out = append(out, fmt.Sprintf("the audit key file %s is inside the data directory %s: whoever copies that directory (a backup, a snapshot, a stolen disk) gets the key with the database and can forge the trail. "+
			"Keep it elsewhere, owner-only and out of the data's backups (e.g. /etc/avatarcrm/audit.key, or a secret store's mount such as /run/secrets/avatarcrm-audit-key) and set AVATARCRM_AUDIT_KEY_FILE to it, or give the key in AVATARCRM_AUDIT_KEY", keyFile, dataDir))
	}
	if headFile != "" && inside(headFile, dataDir) {
		out = append(out, fmt.Sprintf("the audit head file %s is inside the data directory %s: whoever can change the database there can change the head too, and cutting off the newest entries would go unnoticed. "+
			"Set AVATARCRM_AUDIT_HEAD_FILE to a path the server can write but database administrators cannot (e.g. /var/lib/avatarcrm-audit/audit.head)", headFile, dataDir))
	}
	return out
}

// inside reports whether path is dir or below it.
func inside(path, dir string) bool {
	if dir == "" {
		return false
	}
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	// Follow symbolic links where they exist, so /data → /srv/data is seen.
	if r, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		p = filepath.Join(r, filepath.Base(p))
	}
	if r, err := filepath.EvalSymlinks(d); err == nil {
		d = r
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
