package contacts

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/ent/importreportpart"
	"github.com/avatarimaging/avatarcrm/ent/predicate"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/audit"
	"github.com/avatarimaging/avatarcrm/internal/auth"
	"github.com/avatarimaging/avatarcrm/internal/jobs"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/rbac"
	"github.com/avatarimaging/avatarcrm/internal/search"
	"github.com/avatarimaging/avatarcrm/internal/txn"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// Import row outcomes.
const (
	OutcomeImported  = "imported"
	OutcomeDuplicate = "duplicate"
	OutcomeInvalid   = "invalid"
)

// importBatch is how many rows are written per transaction: one duplicate
// query, multi-row inserts and one audit append per batch; the progress
// (counters and report) commits with the batch, so an import resumes
// after the last committed batch, and other writers get the database in
// between.
const importBatch = 500

// dupChunk bounds the values of one IN list of the duplicate query.
const dupChunk = 500

// previewRows is how many rows Preview returns.
const previewRows = 5

// ImportArgs is the durable job (internal/jobs) that imports one
// ImportJob, enqueued in the transaction that records the import. It runs
// as the person who started the import, at their location, with their
// permissions as they are when it runs. Unique by the import: one job,
// however often it is enqueued.
type ImportArgs struct {
	ImportJobID pulid.ID `json:"import_job_id" river:"unique"`
	LocationID  pulid.ID `json:"location_id"`
	UserID      pulid.ID `json:"user_id"`
}

// Kind of the job.
func (ImportArgs) Kind() string { return "contacts.import" }

// InsertOpts make it unique by its import.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// AddWorkers registers the import's worker.
func AddWorkers(ws *jobs.Workers, s *Service) {
	jobs.Add(ws, &importWorker{s: s})
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
// its mapping of CSV header → field) and enqueues its job (ImportArgs) in
// the same transaction: the job runs once the import is committed, and
// runs again after a restart until the import is done. A nil or empty
// mapping uses SuggestMapping. It needs contacts:create. Returns INVALID
// with field "file" (empty, larger than 20 MiB, more than 50,000 rows,
// not UTF-8, malformed) or "mapping" (unknown column or field, a field
// mapped twice, first_name not mapped).
//
// The job reads the rows in batches of 500, each in one transaction: a
// row is invalid (its field and why), a duplicate (the same phone or email
// as a contact of the location that is not archived, or as an earlier row
// of the file: it names that contact) or imported. The job's counters and
// report move per batch; the end state is written when it finishes, and
// the file is then cleared.
func (s *Service) StartImport(ctx context.Context, fileName string, content []byte, mapping map[string]string) (*ent.ImportJob, error) {
	v, err := requireImporter(ctx)
	if err != nil {
		return nil, err
	}
	f, mapping, err := readMapped(content, mapping)
	if err != nil {
		return nil, err
	}
	var job *ent.ImportJob
	err = txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
		var err error
		job, err = c.ImportJob.Create().
			SetFileName(cleanFileName(fileName)).SetContent(content).SetMapping(mapping).
			SetTotalRows(len(f.records)).SetCreatedByID(v.UserID).
			Save(ctx)
		if err != nil {
			return err
		}
		return s.enqueueImport(ctx, job.ID, v)
	})
	if err != nil {
		return nil, err
	}
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

// enqueueImport enqueues the job of import id, run as v, in the
// transaction of ctx.
func (s *Service) enqueueImport(ctx context.Context, id pulid.ID, v *viewer.Viewer) error {
	if s.Jobs == nil {
		return errors.New("contacts: imports need the job queue (Service.Jobs)")
	}
	_, err := s.Jobs.Enqueue(ctx, ImportArgs{ImportJobID: id, LocationID: v.LocationID, UserID: v.UserID}, nil)
	return err
}

// cleanFileName keeps the base name of an uploaded file, at most 255 bytes.
func cleanFileName(fileName string) string {
	name := normalize.Truncate(path.Base(strings.ReplaceAll(strings.TrimSpace(fileName), `\`, "/")), 255)
	if name == "." || name == "/" {
		return ""
	}
	return name
}

// ImportJob returns an import job of the viewer's location with its
// report so far (not its uploaded file).
func (s *Service) ImportJob(ctx context.Context, id pulid.ID) (*ent.ImportJob, error) {
	job, err := s.ImportJobProgress(ctx, id)
	if err != nil {
		return nil, err
	}
	job.Report, err = s.report(ctx, job)
	if err != nil {
		return nil, err
	}
	return job, nil
}

// ImportReport returns the report of job, which the caller read through
// its policy (ImportJob, ImportJobProgress, a GraphQL node): the job row's
// own report and the parts beside it, read afresh whatever job holds.
func (s *Service) ImportReport(ctx context.Context, job *ent.ImportJob) ([]types.ImportRow, error) {
	return s.report(ctx, &ent.ImportJob{ID: job.ID})
}

// ImportJobProgress returns an import job of the viewer's location with
// its status and counters, without its file or report: what a page
// polling a running import shows.
func (s *Service) ImportJobProgress(ctx context.Context, id pulid.ID) (*ent.ImportJob, error) {
	return s.client(ctx).ImportJob.Query().Where(importjob.ID(id)).Select(progressFields...).Only(ctx)
}

// progressFields are the job's columns but its file and report.
var progressFields = func() []string {
	var fs []string
	for _, f := range importjob.Columns {
		if f != importjob.FieldContent && f != importjob.FieldReport && f != importjob.FieldID {
			fs = append(fs, f)
		}
	}
	return fs
}()

// report reads the report of job, which the caller has read (through its
// policy): the job row's own report (jobs of earlier versions wrote it
// there) followed by its parts, one per committed batch, in order. The
// parts are read under the import-job capability: they are the job's.
func (s *Service) report(ctx context.Context, job *ent.ImportJob) ([]types.ImportRow, error) {
	rep := job.Report
	if rep == nil {
		// The column was not read (ImportJobProgress).
		r, err := s.Client.ImportJob.Query().Where(importjob.ID(job.ID)).Select(importjob.FieldReport).Only(viewer.ImportJob.Grant(ctx, ""))
		if err != nil {
			return nil, err
		}
		rep = r.Report
	}
	parts, err := s.Client.ImportReportPart.Query().Where(importreportpart.JobID(job.ID)).
		Order(importreportpart.ByFirst()).All(viewer.ImportJob.Grant(ctx, ""))
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		if p.First != len(rep) {
			return nil, fmt.Errorf("import %s: report part at row %d after %d rows", job.ID, p.First, len(rep))
		}
		rep = append(rep, p.Rows...)
	}
	return rep, nil
}

// importSlice is the share of a job attempt's time limit one run of an
// import works before it hands the rest to a new run of its job (snooze),
// so a long import never outlives its attempt and other jobs get a turn.
const importSlice = 2

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	s *Service
}

// Work imports the job's rows from where the last committed batch left
// off. A failure is retried (the import resumes); on the last attempt,
// or for a refusal (the person lost the right to import), the import is
// marked failed with the rows done in its report.
func (w *importWorker) Work(ctx context.Context, j *river.Job[ImportArgs]) error {
	s := w.s
	// The job runs as the person, not as the job capability that River's
	// middleware granted: a context of its own that ends with the job's.
	pctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	var until time.Time
	if dl, ok := ctx.Deadline(); ok {
		until = time.Now().Add(time.Until(dl) / importSlice)
	}
	a := j.Args
	v, err := auth.LoadViewerAt(pctx, s.Client, s.Policies, a.UserID, a.LocationID)
	if err == nil {
		pctx = viewer.NewContext(pctx, v)
		_, err = viewer.Authorize(pctx, rbac.ContactsCreate)
	}
	if err != nil {
		if apperr.CodeOf(err) != apperr.Internal || j.Attempt >= j.MaxAttempts {
			s.fail(pctx, a.ImportJobID, err)
			return nil
		}
		return err
	}
	meta := &audit.Meta{}
	meta.SetOperation("contactImport")
	meta.SetResource(ent.TypeImportJob, string(a.ImportJobID))
	pctx = audit.WithMeta(pctx, meta)
	done, err := s.process(pctx, a.ImportJobID, until)
	switch {
	case err == nil && !done:
		// Out of this run's time: the next run resumes at once.
		return river.JobSnooze(0)
	case err == nil:
		return nil
	case ctx.Err() != nil:
		// Stopped (the server shuts down): resume at the next start
		// without spending an attempt.
		return river.JobSnooze(0)
	case errors.Is(err, errImportTaken):
		return nil
	case apperr.CodeOf(err) != apperr.Internal || j.Attempt >= j.MaxAttempts:
		fctx, fcancel := context.WithTimeout(context.WithoutCancel(pctx), 30*time.Second)
		defer fcancel()
		s.fail(fctx, a.ImportJobID, err)
		return nil
	}
	return err
}

// errImportTaken means another run of the import's job committed the
// batch this run was writing (a run rescued while still alive): this one
// stops and leaves the import to it.
var errImportTaken = errors.New("contacts: another run is importing this file")

// fail marks a job failed with a message safe to show, keeping the report
// of the rows done, and clears its file.
func (s *Service) fail(ctx context.Context, id pulid.ID, cause error) {
	msg := apperr.From(cause).Message
	if apperr.CodeOf(cause) == apperr.Internal {
		s.log().Error("contacts: import failed", "job", id, "err", cause)
		msg = "internal error; the rows in the report were imported"
	}
	err := s.Client.ImportJob.Update().Where(importjob.ID(id), importjob.StatusIn(importjob.StatusPending, importjob.StatusRunning)).
		SetStatus(importjob.StatusFailed).SetError(normalize.Truncate(msg, 1000)).
		ClearContent().SetFinishedAt(s.Now.Now()).Exec(viewer.ImportJob.Grant(ctx, ""))
	if err != nil {
		s.log().Error("contacts: recording a failed import", "job", id, "err", err)
	}
}

// seenRow is an imported row of the file, for duplicates within it.
type seenRow struct {
	row int
	id  pulid.ID
}

// importRun is one run of an import: the file, and the phones and emails
// of the rows it imported so far.
type importRun struct {
	id             pulid.ID
	f              *csvFile
	p              *rowParser
	phones, emails map[string]seenRow
}

// process imports job id from its first unprocessed row, a batch per
// transaction, until it is done (true) or until passes (false: a new run
// continues). Each batch commits its rows with the job's counters and
// report, and only if the job's count of processed rows is still the one
// this run started the batch from.
func (s *Service) process(ctx context.Context, id pulid.ID, until time.Time) (bool, error) {
	// The job's own bookkeeping is not the person's edit of a contact:
	// it is written under the import-job capability, narrowed to its ID.
	sys := viewer.ImportJob.Grant(ctx, "")
	job, err := s.Client.ImportJob.Get(ctx, id)
	if ent.IsNotFound(err) {
		return true, nil // deleted since
	} else if err != nil {
		return false, err
	}
	switch job.Status {
	case importjob.StatusPending:
		if err := s.Client.ImportJob.Update().Where(importjob.ID(id)).SetStatus(importjob.StatusRunning).Exec(sys); err != nil {
			return false, err
		}
	case importjob.StatusRunning:
	default:
		return true, nil
	}
	f, err := readCSV(job.Content, MaxImportRows)
	if err != nil {
		return false, err
	}
	cols, err := columns(f.headers, job.Mapping)
	if err != nil {
		return false, err
	}
	r := &importRun{id: id, f: f, p: &rowParser{cols: cols, region: region(ctx, s.Client)},
		phones: map[string]seenRow{}, emails: map[string]seenRow{}}
	report, err := s.report(ctx, job)
	if err != nil {
		return false, err
	}
	if len(report) != job.Processed || job.Processed > len(f.records) {
		return false, fmt.Errorf("import %s: %d rows processed but %d in the report", id, job.Processed, len(report))
	}
	// Resuming: the rows imported by the committed batches are
	// duplicates for the rows after them.
	for i, row := range report {
		if row.Outcome == OutcomeImported {
			pr, _ := r.p.parse(f.records[i])
			r.seen(pr, row)
		}
	}
	// The rows of the next batch are read (parsed, normalised, checked)
	// on a goroutine of their own while this batch's transaction holds
	// the writer. Reading a row depends on nothing a batch writes: the
	// duplicate checks against earlier rows and the database run in the
	// transaction, in file order, so the results are those of reading
	// them in turn.
	read := func(start int) <-chan *readBatch {
		ch := make(chan *readBatch, 1)
		go func() { ch <- r.read(start, min(start+importBatch, len(f.records))) }()
		return ch
	}
	var next <-chan *readBatch
	if job.Processed < len(f.records) {
		next = read(job.Processed)
	}
	for start := job.Processed; start < len(f.records); start += importBatch {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if !until.IsZero() && time.Now().After(until) {
			return false, nil
		}
		end := min(start+importBatch, len(f.records))
		rb := <-next
		if end < len(f.records) {
			next = read(end)
		}
		var batch []types.ImportRow
		var parsed []parsedRow
		err := txn.Run(ctx, s.Client, func(ctx context.Context, c *ent.Client) error {
			// Claim the batch first: a second run of the job (rescued
			// while this one lived) finds the count moved and stops.
			n, err := c.ImportJob.Update().Where(importjob.ID(id), importjob.Processed(start)).
				AddProcessed(end - start).Save(viewer.ImportJob.Grant(ctx, ""))
			if err != nil {
				return err
			}
			if n == 0 {
				return errImportTaken
			}
			batch, parsed, err = s.importBatch(ctx, c, r, rb)
			if err != nil {
				return err
			}
			var imported, dups, invalid int
			for _, row := range batch {
				switch row.Outcome {
				case OutcomeImported:
					imported++
				case OutcomeDuplicate:
					dups++
				default:
					invalid++
				}
			}
			// A bulk update: UpdateOne would read the row back, file
			// included, for every batch.
			err = c.ImportJob.Update().Where(importjob.ID(id)).
				AddImported(imported).AddDuplicates(dups).AddInvalid(invalid).
				Exec(viewer.ImportJob.Grant(ctx, ""))
			if err != nil {
				return err
			}
			// The batch's report is a part of its own, appended: the
			// job's update above is the audited record of the batch.
			return c.ImportReportPart.Create().SetJobID(id).SetFirst(start).SetRows(batch).
				Exec(audit.WithoutAudit(viewer.ImportJob.Grant(ctx, "")))
		})
		if err != nil {
			return false, err
		}
		for i, row := range batch {
			if row.Outcome == OutcomeImported {
				r.seen(parsed[i], row)
			}
		}
	}
	err = s.Client.ImportJob.Update().Where(importjob.ID(id)).SetStatus(importjob.StatusDone).
		ClearContent().SetFinishedAt(s.Now.Now()).Exec(sys)
	return err == nil, err
}

// seen records an imported row's phone and email.
func (r *importRun) seen(pr parsedRow, row types.ImportRow) {
	s := seenRow{row.Row, pulid.ID(row.ContactID)}
	if pr.phone != "" {
		r.phones[pr.phone] = s
	}
	if pr.email != "" {
		r.emails[pr.email] = s
	}
}

// pendingRow is a row of a batch that is neither invalid nor a duplicate
// of an earlier row of the file.
type pendingRow struct {
	i   int // index in the batch
	row parsedRow
}

// readBatch is a batch of rows read: their report entries (line numbers,
// invalid rows), the parsed rows (zero for an invalid one) and the rows
// left to check for duplicates and create. It is only read once made.
type readBatch struct {
	out    []types.ImportRow
	parsed []parsedRow
	todo   []pendingRow
}

// read parses rows [start, end) of the file. It touches nothing but the
// file and the parser, so it runs beside a batch's transaction.
func (r *importRun) read(start, end int) *readBatch {
	b := &readBatch{out: make([]types.ImportRow, end-start), parsed: make([]parsedRow, end-start)}
	for i := start; i < end; i++ {
		row := &b.out[i-start]
		row.Row = r.f.lines[i]
		pr, bad := r.p.parse(r.f.records[i])
		if bad != nil {
			row.Outcome, row.Field, row.Reason = OutcomeInvalid, string(bad.field), bad.reason
			continue
		}
		b.parsed[i-start] = pr
		b.todo = append(b.todo, pendingRow{i - start, pr})
	}
	return b
}

// importBatch imports the rows of rb in c's transaction and returns
// their report entries. Duplicates of existing contacts are
// found with one query per batch; the contacts are created with one
// multi-row insert (every hook runs for each: normalisation, search keys,
// warmness from the row's own fields, the audit entry, written together
// at the commit). The error is for failures that stop the job (the
// database); a bad row is a report entry. It leaves r's maps alone: the
// caller records the imported rows once the batch has committed, from the
// parsed rows it returns beside the entries (zero for an invalid row).
func (s *Service) importBatch(ctx context.Context, c *ent.Client, r *importRun, rb *readBatch) ([]types.ImportRow, []parsedRow, error) {
	// The entries are filled in here: a copy, rb stays as read.
	out := slices.Clone(rb.out)
	parsed, todo := rb.parsed, rb.todo
	existing, err := existingDuplicates(ctx, c, todo)
	if err != nil {
		return nil, nil, err
	}
	// Rows to be imported earlier in this batch count as the file's too
	// (batch index of the row, by phone and by email); dupOf maps a
	// duplicate of one of them to it, to name its contact once created.
	phones, emails := map[string]int{}, map[string]int{}
	dupOf := map[int]int{}
	var create []pendingRow
	for _, t := range todo {
		row := &out[t.i]
		dup := func(field string, seen seenRow) {
			row.Outcome, row.Field, row.ContactID = OutcomeDuplicate, field, string(seen.id)
			row.Reason = fmt.Sprintf("same %s as row %d", field, seen.row)
		}
		inBatch := func(field string, j int) {
			dup(field, seenRow{row: out[j].Row})
			dupOf[t.i] = j
		}
		if seen, ok := r.phones[t.row.phone]; ok && t.row.phone != "" {
			dup("phone", seen)
			continue
		}
		if j, ok := phones[t.row.phone]; ok && t.row.phone != "" {
			inBatch("phone", j)
			continue
		}
		if seen, ok := r.emails[t.row.email]; ok && t.row.email != "" {
			dup("email", seen)
			continue
		}
		if j, ok := emails[t.row.email]; ok && t.row.email != "" {
			inBatch("email", j)
			continue
		}
		if id, on := existing.match(t.row.phone, t.row.email); id != "" {
			row.Outcome, row.Field, row.ContactID = OutcomeDuplicate, on, string(id)
			row.Reason = fmt.Sprintf("same %s as an existing contact", on)
			continue
		}
		create = append(create, t)
		if t.row.phone != "" {
			phones[t.row.phone] = t.i
		}
		if t.row.email != "" {
			emails[t.row.email] = t.i
		}
	}
	if err := s.createRows(ctx, c, create, out); err != nil {
		return nil, nil, err
	}
	for i, j := range dupOf {
		if out[j].Outcome == OutcomeImported {
			out[i].ContactID = out[j].ContactID
			continue
		}
		// The row it duplicates was refused by a hook after all: say so
		// rather than name no contact.
		out[i].Outcome = OutcomeInvalid
		out[i].Reason = fmt.Sprintf("same %s as row %d, which could not be imported", out[i].Field, out[j].Row)
	}
	return out, parsed, nil
}

// createRows creates the contacts of rows in one multi-row insert and
// fills in their report entries. When a hook refuses one of them (its own
// checks run before any SQL, so nothing was written), they are created
// one at a time so the refused row is reported invalid.
func (s *Service) createRows(ctx context.Context, c *ent.Client, rows []pendingRow, out []types.ImportRow) error {
	if len(rows) == 0 {
		return nil
	}
	// The search hook hands the new contacts to keys: their keys are
	// written together below, in index order, with one dictionary
	// lookup for the batch.
	ctx, keys := search.Defer(ctx)
	builders := make([]*ent.ContactCreate, len(rows))
	for i, t := range rows {
		builders[i] = c.Contact.Create().SetInput(t.row.input)
	}
	cs, err := c.Contact.CreateBulk(builders...).Save(ctx)
	if err == nil {
		for i, t := range rows {
			out[t.i].Outcome, out[t.i].ContactID = OutcomeImported, string(cs[i].ID)
		}
		_, err = keys.Write(ctx, c)
		return err
	}
	if !refused(err) {
		return err
	}
	for _, t := range rows {
		row := &out[t.i]
		ct, err := c.Contact.Create().SetInput(t.row.input).Save(ctx)
		if err != nil {
			if !refused(err) {
				return err
			}
			ae := apperr.From(err)
			row.Outcome, row.Field, row.Reason = OutcomeInvalid, importField(ae.Field), ae.Message
			continue
		}
		row.Outcome, row.ContactID = OutcomeImported, string(ct.ID)
	}
	_, err = keys.Write(ctx, c)
	return err
}

// refused reports whether err is a hook's refusal of a row's values, not
// a failure that stops the import.
func refused(err error) bool {
	switch apperr.CodeOf(err) {
	case apperr.Internal, apperr.Forbidden, apperr.Unauthenticated:
		return false
	}
	return true
}

// dupIndex holds, for the phones and emails of a batch, the oldest
// contact of the location, not archived, with each.
type dupIndex struct {
	phone, email map[string]*ent.Contact
}

// match returns the contact a row with phone and email duplicates and
// which of them matched, as findDuplicate would: the oldest of the
// contacts with either, "phone" when its phone is the row's.
func (d dupIndex) match(phone, email string) (pulid.ID, string) {
	var p, e *ent.Contact
	if phone != "" {
		p = d.phone[phone]
	}
	if email != "" {
		e = d.email[email]
	}
	switch {
	case p == nil && e == nil:
		return "", ""
	case p == nil:
		return e.ID, "email"
	case e == nil || older(p, e) || p.ID == e.ID:
		return p.ID, "phone"
	}
	return e.ID, "email"
}

func older(a, b *ent.Contact) bool {
	if d := a.CreatedAt.Compare(b.CreatedAt); d != 0 {
		return d < 0
	}
	return a.ID < b.ID
}

// existingDuplicates reads the location's contacts, not archived, that
// share a phone or an email with rows: one query per dupChunk phones and
// emails (the (location_id, phone) and (location_id, email) indexes), as
// the viewer.
func existingDuplicates(ctx context.Context, c *ent.Client, rows []pendingRow) (dupIndex, error) {
	d := dupIndex{phone: map[string]*ent.Contact{}, email: map[string]*ent.Contact{}}
	var phones, emails []string
	for _, t := range rows {
		if t.row.phone != "" {
			phones = append(phones, t.row.phone)
		}
		if t.row.email != "" {
			emails = append(emails, t.row.email)
		}
	}
	keep := func(m map[string]*ent.Contact, k string, ct *ent.Contact) {
		if cur, ok := m[k]; !ok || older(ct, cur) {
			m[k] = ct
		}
	}
	query := func(pred predicate.Contact) ([]*ent.Contact, error) {
		return c.Contact.Query().Where(contact.ArchivedAtIsNil(), pred).
			Select(contact.FieldCreatedAt, contact.FieldPhone, contact.FieldEmail).All(ctx)
	}
	for i := 0; i < len(phones); i += dupChunk {
		cs, err := query(contact.PhoneIn(phones[i:min(i+dupChunk, len(phones))]...))
		if err != nil {
			return d, err
		}
		for _, ct := range cs {
			if ct.Phone != nil {
				keep(d.phone, *ct.Phone, ct)
			}
		}
	}
	for i := 0; i < len(emails); i += dupChunk {
		cs, err := query(contact.EmailIn(emails[i:min(i+dupChunk, len(emails))]...))
		if err != nil {
			return d, err
		}
		for _, ct := range cs {
			if ct.Email != nil {
				keep(d.email, *ct.Email, ct)
			}
		}
	}
	return d, nil
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
