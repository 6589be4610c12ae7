package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/config"
	"github.com/avatarimaging/avatarcrm/internal/entclient"
)

// auditOptions are the client's options for the audit trail: its key and
// the head file it keeps outside the database. In production it first
// warns about a key or head file kept where the database's copies go.
func (a *App) auditOptions() (entclient.Options, error) {
	c := a.Config
	if !c.Dev {
		inline := strings.TrimSpace(c.AuditKey) != ""
		for _, w := range audit.CustodyWarnings(c.AuditKeyFile, inline, c.AuditHeadFile, config.DataDir(c.DatabaseURL)) {
			slog.Warn("audit: " + w)
		}
	}
	key, err := audit.LoadKey(c.AuditKeyFile, c.AuditKey)
	if err != nil {
		return entclient.Options{}, fmt.Errorf("audit key: %w", err)
	}
	head, err := audit.OpenHeadFile(c.AuditHeadFile)
	if err != nil {
		return entclient.Options{}, fmt.Errorf("audit head file (AVATARCRM_AUDIT_HEAD_FILE): %w", err)
	}
	return entclient.Options{AuditKey: key, Clock: a.Now, Audit: audit.Options{HeadFile: head}}, nil
}

// checkAudit checks the audit trail (a.Audit, built by entclient) before
// the server serves or writes anything: the append-only triggers
// (repaired if missing) and the chain against the head file. Problems are
// logged as errors and reported by a.Audit.Status (/readyz/audit, the
// admin audit page); they do not stop the start, so the clinic keeps
// working and new entries keep being written.
func (a *App) checkAudit(ctx context.Context) error {
	if _, err := a.Audit.EnsureTriggers(ctx, a.DB.SQL); err != nil {
		slog.Error("audit: the append-only triggers could not be checked", "err", err)
	}
	if _, err := a.Audit.CheckAtStart(ctx, audit.StartTail); err != nil {
		return fmt.Errorf("audit start-up check: %w", err)
	}
	return nil
}
