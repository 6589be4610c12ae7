package contacts

import (
	"context"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// StagedTTL is how long an uploaded file waits for its mapping before it is
// deleted.
const StagedTTL = 24 * time.Hour

// StageImport keeps an upload as an import job with status staged, for the
// two-step import of the staff UI (upload and preview, then choose the
// columns and start). The file waits in the database rather than in one
// server's memory, so the start may reach any instance and survives a
// restart. Only its uploader may preview or start it. It needs
// contacts:create; the file is checked as StartImport checks it. Staged
// jobs older than StagedTTL are deleted here.
func (s *Service) StageImport(ctx context.Context, fileName string, content []byte) (*ent.ImportJob, *Preview, error) {
	v, err := requireImporter(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Preview(ctx, content)
	if err != nil {
		return nil, nil, err
	}
	if p.TotalRows == 0 {
		return nil, nil, apperr.Invalidf("file", "the file has a header row but no contacts")
	}
	if err := s.dropExpiredStaged(ctx); err != nil {
		return nil, nil, err
	}
	job, err := s.client(ctx).ImportJob.Create().
		SetStatus(importjob.StatusStaged).SetFileName(cleanFileName(fileName)).SetContent(content).
		SetTotalRows(p.TotalRows).SetCreatedByID(v.UserID).
		Save(ctx)
	if err != nil {
		return nil, nil, err
	}
	return job, p, nil
}

// StagedImport returns a staged job of the viewer and its preview.
// NOT_FOUND when it is not staged (started, expired) or not the viewer's.
func (s *Service) StagedImport(ctx context.Context, id pulid.ID) (*ent.ImportJob, *Preview, error) {
	job, err := s.staged(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Preview(ctx, job.Content)
	if err != nil {
		return nil, nil, err
	}
	return job, p, nil
}

// StartStagedImport starts a staged job with the mapping (CSV header →
// field; empty: the suggested one), as StartImport would have. Errors as
// StartImport's; NOT_FOUND as StagedImport's.
func (s *Service) StartStagedImport(ctx context.Context, id pulid.ID, mapping map[string]string) (*ent.ImportJob, error) {
	v, err := viewer.Authorize(ctx, rbac.ContactsCreate)
	if err != nil {
		return nil, err
	}
	job, err := s.staged(ctx, id)
	if err != nil {
		return nil, err
	}
	_, mapping, err = readMapped(job.Content, mapping)
	if err != nil {
		return nil, err
	}
	// The status in the WHERE clause: two clicks on Start start it once.
	// The job is enqueued in the same transaction.
	var out *ent.ImportJob
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		n, err := c.ImportJob.Update().
			Where(importjob.ID(job.ID), importjob.StatusEQ(importjob.StatusStaged)).
			SetStatus(importjob.StatusPending).SetMapping(mapping).
			Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFoundf("id", "this upload has already been imported or has expired; upload the file again")
		}
		if err := s.enqueueImport(ctx, job.ID, v); err != nil {
			return err
		}
		out, err = c.ImportJob.Get(ctx, job.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// staged returns the viewer's staged job id, not expired.
func (s *Service) staged(ctx context.Context, id pulid.ID) (*ent.ImportJob, error) {
	v := viewer.FromContext(ctx)
	gone := apperr.NotFoundf("id", "this upload has already been imported or has expired; upload the file again")
	if v == nil || v.UserID == "" {
		return nil, gone
	}
	job, err := s.client(ctx).ImportJob.Query().
		Where(importjob.ID(id), importjob.StatusEQ(importjob.StatusStaged), importjob.CreatedByID(v.UserID),
			importjob.CreatedAtGT(s.Now.Now().Add(-StagedTTL))).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, gone
	}
	return job, err
}

// dropExpiredStaged deletes the staged jobs past StagedTTL, at every
// location: files nobody went on to import. It runs with the privacy
// layer's Allow because removing an abandoned upload is housekeeping, not
// the viewer deleting anything of theirs.
func (s *Service) dropExpiredStaged(ctx context.Context) error {
	_, err := s.client(ctx).ImportJob.Delete().
		Where(importjob.StatusEQ(importjob.StatusStaged), importjob.CreatedAtLT(s.Now.Now().Add(-StagedTTL))).
		Exec(viewer.ImportJob.Grant(ctx, ""))
	return err
}
