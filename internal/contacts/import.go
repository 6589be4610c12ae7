package contacts

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Import row outcomes.
const (
	OutcomeImported  = "imported"
	OutcomeDuplicate = "duplicate"
	OutcomeInvalid   = "invalid"
)

// importBatch is how many rows are written per transaction: the progress
// counters move per batch, and other writers get the database in between.
const importBatch = 500

// staleImport is how long a job may sit unfinished without progress
// before Start takes it for abandoned by a stopped server.
const staleImport = 15 * time.Minute

// previewRows is how many rows Preview returns.
const previewRows = 5

// importTask is a job for the worker and the viewer it runs as.
type importTask struct {
	id     pulid.ID
	viewer viewer.Viewer
}

// Preview is what an upload looks like before it is imported.
type Preview struct {
	Headers []string
	// SuggestedMapping is SuggestMapping's guess, in column order.
	SuggestedMapping []ColumnMapping
	// Rows are the first data rows (at most 5), as in the file.
	Rows [][]string
	// TotalRows counts the data rows.
	TotalRows int
}

// Preview reads an upload without importing it, for the mapping dialog. It
// needs contacts:create. Returns INVALID (field "file") for a file that is
// too large, has too many rows, or cannot be read.
func (s *Service) Preview(ctx context.Context, content []byte) (*Preview, error) {
	if _, err := viewer.Authorize(ctx, rbac.ContactsCreate); err != nil {
		return nil, err
	}
	f, err := readCSV(content, MaxImportRows)
	if err != nil {
		return nil, err
	}
	rows := append([][]string{}, f.records[:min(previewRows, len(f.records))]...)
	return &Preview{Headers: f.headers, SuggestedMapping: suggested(f.headers), Rows: rows, TotalRows: len(f.records)}, nil
}

// StartImport stores a CSV import job (status pending, with the file and
// its mapping of CSV header → field) and hands it to the background worker,
// which imports it as the viewer once the caller's transaction commits.
// A nil or empty mapping uses SuggestMapping. It needs contacts:create.
// Returns INVALID with field "file" (empty, larger than 20 MiB, more than
// 50,000 rows, not UTF-8, malformed) or "mapping" (unknown column or field,
// a field mapped twice, first_name not mapped).
//
// The worker reads the rows in batches of 500, each in one transaction: a
// row is invalid (its field and why), a duplicate (the same phone or email
// as a contact of the location that is not archived, or as an earlier row
// of the file: it names that contact) or imported. The job's counters move
// per batch; the report and the end state are written when it finishes,
// and the file is then cleared.
func (s *Service) StartImport(ctx context.Context, fileName string, content []byte, mapping map[string]string) (*ent.ImportJob, error) {
	v, err := requireImporter(ctx)
	if err != nil {
		return nil, err
	}
	f, mapping, err := readMapped(content, mapping)
	if err != nil {
		return nil, err
	}
	job, err := s.client(ctx).ImportJob.Create().
		SetFileName(cleanFileName(fileName)).SetContent(content).SetMapping(mapping).
		SetTotalRows(len(f.records)).SetCreatedByID(v.UserID).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	s.enqueueOnCommit(ctx, importTask{id: job.ID, viewer: *v})
	return job, nil
}

// requireImporter fails unless the viewer may import: contacts:create, as a
// person at a location (the worker runs the job as them).
func requireImporter(ctx context.Context) (*viewer.Viewer, error) {
	v, err := viewer.Authorize(ctx, rbac.ContactsCreate)
	if err != nil {
		return nil, err
	}
	if v.LocationID == "" || v.UserID == "" {
		return nil, apperr.Forbiddenf("an import runs as a person at a location")
	}
	return v, nil
}

// readMapped reads content, which must hold contacts, and checks mapping
// against its headers; an empty mapping becomes the suggested one, which
// it returns.
func readMapped(content []byte, mapping map[string]string) (*csvFile, map[string]string, error) {
	f, err := readCSV(content, MaxImportRows)
	if err != nil {
		return nil, nil, err
	}
	if len(f.records) == 0 {
		return nil, nil, apperr.Invalidf("file", "the file has a header row but no contacts")
	}
	if len(mapping) == 0 {
		mapping = SuggestMapping(f.headers)
	}
	if _, err := columns(f.headers, mapping); err != nil {
		return nil, nil, err
	}
	return f, mapping, nil
}

// enqueueOnCommit hands t to the worker once the caller's transaction
// commits (at once without one): the worker must not look for the job
// before it is committed.
func (s *Service) enqueueOnCommit(ctx context.Context, t importTask) {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		s.enqueue(t)
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			if err == nil {
				s.enqueue(t)
			}
			return err
		})
	})
}

// cleanFileName keeps the base name of an uploaded file, at most 255 bytes.
func cleanFileName(fileName string) string {
	name := normalize.Truncate(path.Base(strings.ReplaceAll(strings.TrimSpace(fileName), `\`, "/")), 255)
	if name == "." || name == "/" {
		return ""
	}
	return name
}

// ImportJob returns an import job of the viewer's location.
func (s *Service) ImportJob(ctx context.Context, id pulid.ID) (*ent.ImportJob, error) {
	return s.client(ctx).ImportJob.Get(ctx, id)
}

// Start runs the import worker. Jobs that a stopped server left unfinished
// (no progress for 15 minutes) are marked failed: they ran as a person
// whose session is gone, so they cannot resume; the report says so.
func (s *Service) Start() {
	im := &s.imp
	im.mu.Lock()
	if im.started || im.closed {
		im.mu.Unlock()
		return
	}
	im.started = true
	im.wake = make(chan struct{}, 1)
	im.done = make(chan struct{})
	im.base, im.cancel = context.WithCancel(context.Background())
	im.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := s.Client.ImportJob.Update().
		Where(importjob.StatusIn(importjob.StatusPending, importjob.StatusRunning), importjob.UpdatedAtLT(s.Now.Now().Add(-staleImport))).
		SetStatus(importjob.StatusFailed).ClearContent().SetFinishedAt(s.Now.Now()).
		SetError("the server stopped before the import finished; import the rows that are not in the report again").
		Save(viewer.ImportJob.Grant(ctx, "server start"))
	if err != nil {
		s.log().Error("contacts: failing abandoned imports", "err", err)
	} else if n > 0 {
		s.log().Warn("contacts: abandoned imports marked failed", "jobs", n)
	}
	go s.work()
}

// Close stops the worker after the jobs already queued are done. If ctx
// ends first, the running job stops after its current batch and is marked
// failed, as are those still queued, and Close returns an error.
func (s *Service) Close(ctx context.Context) error {
	im := &s.imp
	im.mu.Lock()
	if !im.started {
		im.closed = true
		im.mu.Unlock()
		return nil
	}
	already := im.closed
	im.closed = true
	im.mu.Unlock()
	if !already {
		s.signal()
	}
	select {
	case <-im.done:
		return nil
	case <-ctx.Done():
		im.cancel()
		<-im.done
		return fmt.Errorf("contacts: imports interrupted: %w", ctx.Err())
	}
}

func (s *Service) signal() {
	select {
	case s.imp.wake <- struct{}{}:
	default:
	}
}

func (s *Service) enqueue(t importTask) {
	im := &s.imp
	im.mu.Lock()
	if im.closed {
		im.mu.Unlock()
		// Shutting down: the job cannot run; say so rather than leave it
		// pending.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.fail(viewer.NewContext(ctx, &t.viewer), t.id, nil, errors.New("the server was stopping; start the import again"))
		return
	}
	im.queue = append(im.queue, t)
	started := im.started
	im.mu.Unlock()
	if started {
		s.signal()
	}
}

func (s *Service) work() {
	im := &s.imp
	defer close(im.done)
	for {
		im.mu.Lock()
		if len(im.queue) > 0 {
			t := im.queue[0]
			im.queue = im.queue[1:]
			im.mu.Unlock()
			s.run(t)
			continue
		}
		closed := im.closed
		im.mu.Unlock()
		if closed {
			return
		}
		<-im.wake
	}
}

// run imports one job as its viewer, in a context of its own: the request
// that started it is long gone.
func (s *Service) run(t importTask) {
	v := t.viewer
	ctx := viewer.NewContext(s.imp.base, &v)
	meta := &audit.Meta{}
	meta.SetOperation("contactImport")
	meta.SetResource(ent.TypeImportJob, string(t.id))
	ctx = audit.WithMeta(ctx, meta)
	report, err := s.process(ctx, t.id)
	if err != nil {
		// The job's own context may be cancelled: record the failure
		// with a fresh one.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		s.fail(fctx, t.id, report, err)
	}
}

// fail marks a job failed with a message safe to show, keeping the report
// of the rows done, and clears its file.
func (s *Service) fail(ctx context.Context, id pulid.ID, report []types.ImportRow, cause error) {
	msg := apperr.From(cause).Message
	switch {
	case errors.Is(cause, context.Canceled):
		msg = "the server stopped during the import; import the rows that are not in the report again"
	case apperr.CodeOf(cause) == apperr.Internal:
		s.log().Error("contacts: import failed", "job", id, "err", cause)
		msg = "internal error; the rows in the report were imported"
	}
	up := s.Client.ImportJob.UpdateOneID(id).SetStatus(importjob.StatusFailed).SetError(normalize.Truncate(msg, 1000)).
		ClearContent().SetFinishedAt(s.Now.Now())
	if report != nil {
		up.SetReport(report)
	}
	if err := up.Exec(viewer.ImportJob.Grant(ctx, "")); err != nil {
		s.log().Error("contacts: recording a failed import", "job", id, "err", err)
	}
}

// seenRow is an imported row of the file, for duplicates within it.
type seenRow struct {
	row int
	id  pulid.ID
}

// process imports a job and returns its report.
func (s *Service) process(ctx context.Context, id pulid.ID) ([]types.ImportRow, error) {
	// The job's own bookkeeping is not the person's edit of a contact:
	// it is written under the import-job capability, narrowed to its ID.
	sys := viewer.ImportJob.Grant(ctx, "")
	job, err := s.Client.ImportJob.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if job.Status != importjob.StatusPending {
		return nil, nil
	}
	if err := s.Client.ImportJob.UpdateOne(job).SetStatus(importjob.StatusRunning).Exec(sys); err != nil {
		return nil, err
	}
	f, err := readCSV(job.Content, MaxImportRows)
	if err != nil {
		return nil, err
	}
	cols, err := columns(f.headers, job.Mapping)
	if err != nil {
		return nil, err
	}
	p := &rowParser{cols: cols, region: region(ctx, s.Client)}
	report := make([]types.ImportRow, 0, len(f.records))
	phones, emails := map[string]seenRow{}, map[string]seenRow{}
	for start := 0; start < len(f.records); start += importBatch {
		if err := ctx.Err(); err != nil {
			return report, err
		}
		end := min(start+importBatch, len(f.records))
		var batch []types.ImportRow
		var imported, dups, invalid int
		err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
			for i := start; i < end; i++ {
				r, seen, err := s.importRow(ctx, c, p, f.records[i], f.lines[i], phones, emails)
				if err != nil {
					return err
				}
				switch r.Outcome {
				case OutcomeImported:
					imported++
					if seen.phone != "" {
						phones[seen.phone] = seenRow{r.Row, pulid.ID(r.ContactID)}
					}
					if seen.email != "" {
						emails[seen.email] = seenRow{r.Row, pulid.ID(r.ContactID)}
					}
				case OutcomeDuplicate:
					dups++
				default:
					invalid++
				}
				batch = append(batch, r)
			}
			return c.ImportJob.UpdateOneID(id).AddProcessed(end - start).
				AddImported(imported).AddDuplicates(dups).AddInvalid(invalid).
				Exec(viewer.ImportJob.Grant(ctx, ""))
		})
		if err != nil {
			return report, err
		}
		report = append(report, batch...)
	}
	err = s.Client.ImportJob.UpdateOneID(id).SetStatus(importjob.StatusDone).SetReport(report).
		ClearContent().SetFinishedAt(s.Now.Now()).Exec(sys)
	return report, err
}

// importRow imports one row, or says why not. The error is for failures
// that stop the job (the database); a bad row is a report entry.
func (s *Service) importRow(ctx context.Context, c *ent.Client, p *rowParser, rec []string, line int,
	phones, emails map[string]seenRow) (types.ImportRow, parsedRow, error) {
	r := types.ImportRow{Row: line}
	row, bad := p.parse(rec)
	if bad != nil {
		r.Outcome, r.Field, r.Reason = OutcomeInvalid, string(bad.field), bad.reason
		return r, row, nil
	}
	dupOf := func(field string, seen seenRow) (types.ImportRow, parsedRow, error) {
		r.Outcome, r.Field, r.ContactID = OutcomeDuplicate, field, string(seen.id)
		r.Reason = fmt.Sprintf("same %s as row %d", field, seen.row)
		return r, row, nil
	}
	if seen, ok := phones[row.phone]; ok && row.phone != "" {
		return dupOf("phone", seen)
	}
	if seen, ok := emails[row.email]; ok && row.email != "" {
		return dupOf("email", seen)
	}
	dup, on, err := findDuplicate(ctx, c, row.phone, row.email)
	if err != nil {
		return r, row, err
	}
	if dup != nil {
		r.Outcome, r.Field, r.ContactID = OutcomeDuplicate, on, string(dup.ID)
		r.Reason = fmt.Sprintf("same %s as an existing contact", on)
		return r, row, nil
	}
	ct, err := c.Contact.Create().SetInput(row.input).Save(ctx)
	if err != nil {
		ae := apperr.From(err)
		if ae.Code == apperr.Internal || ae.Code == apperr.Forbidden || ae.Code == apperr.Unauthenticated {
			return r, row, err
		}
		// The hooks' own checks, which run before any SQL: the row is bad.
		r.Outcome, r.Field, r.Reason = OutcomeInvalid, importField(ae.Field), ae.Message
		return r, row, nil
	}
	r.Outcome, r.ContactID = OutcomeImported, string(ct.ID)
	return r, row, nil
}

// importField names a contact field as the import mapping does.
func importField(f string) string {
	switch f {
	case "dateOfBirth":
		return string(FieldDateOfBirth)
	case "firstName":
		return string(FieldFirstName)
	case "lastName":
		return string(FieldLastName)
	}
	return f
}
