package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/config"
)

// openAudit opens the audit trail (a.Audit) and checks it before the
// server serves: where the key and head file are kept (production only),
// the append-only triggers (repaired if missing), and the chain against the
// head file. Problems are logged as errors and reported by a.Audit.Status
// (/readyz/audit, the admin audit page); they do not stop the start, so
// the clinic keeps working and new entries keep being written.
func (a *App) openAudit(ctx context.Context) error {
	c := a.Config
	if !c.Dev {
		inline := strings.TrimSpace(c.AuditKey) != ""
		for _, w := range audit.CustodyWarnings(c.AuditKeyFile, inline, c.AuditHeadFile, config.DataDir(c.DatabaseURL)) {
			slog.Warn("audit: " + w)
		}
	}
	key, err := audit.LoadKey(c.AuditKeyFile, c.AuditKey)
	if err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	head, err := audit.OpenHeadFile(c.AuditHeadFile)
	if err != nil {
		return fmt.Errorf("audit head file (AVATARCRM_AUDIT_HEAD_FILE): %w", err)
	}
	a.Audit = audit.New(a.DB.Client, a.DB.Dialect, key, audit.Options{Now: a.Now, HeadFile: head})
	if _, err := a.Audit.EnsureTriggers(ctx, a.DB.SQL); err != nil {
		slog.Error("audit: the append-only triggers could not be checked", "err", err)
	}
	if _, err := a.Audit.CheckAtStart(ctx, audit.StartTail); err != nil {
		return fmt.Errorf("audit start-up check: %w", err)
	}
	a.Audit.Start()
	return nil
}
