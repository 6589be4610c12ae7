package ui

// CSV import: /contacts/import. The upload (multipart) is previewed
// (contactImportPreview): its headers with the suggested mapping as
// selects, and its first rows. Start import posts the mapping
// (startContactImport) and leads to the job's page, /contacts/import/{id},
// which htmx refreshes every second until the job is done and then shows
// the report of every row.
//
// Between the preview and the start the file waits in the database as a
// staged import job (contacts.StageImport), for its uploader only, so the
// start may reach any instance; the form carries the job's ID.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
	"github.com/avatarimaging/avatarcrm/graph"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/ui/views"
)

// importUploadPath is the route that takes the upload.
const importUploadPath = "/contacts/import"

// ImportUploadLimit is the request body the upload route takes: the
// service's file limit and room for the multipart envelope. Other routes
// keep the server's smaller default.
const ImportUploadLimit = contacts.MaxImportBytes + 1<<20

// BodyLimits lists the routes that take a larger request body than the
// server's default, by exact path.
func (u *UI) BodyLimits() map[string]int64 {
	return map[string]int64{importUploadPath: ImportUploadLimit}
}

func (u *UI) renderUpload(w http.ResponseWriter, r *http.Request, status int, errs views.FieldErrors) {
	p, err := u.page(r.Context(), r, "Import contacts", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if len(errs) > 0 {
		p.Error = "Nothing was imported: please check the file."
	}
	renderStatus(w, r, status, views.ImportUploadView(p, views.ImportUpload{Errors: errs, MaxMiB: contacts.MaxImportBytes >> 20}))
}

// importForm shows the upload form.
func (u *UI) importForm(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpStageContactImport) {
		return
	}
	u.renderUpload(w, r, http.StatusOK, nil)
}

// tooLarge is the message for a file over the limit. limit is the body
// limit that stopped the upload: the import's (the file limit and the
// envelope), or a smaller one of the server's.
func tooLarge(limit int64) views.FieldErrors {
	mib := int64(contacts.MaxImportBytes >> 20)
	if limit < ImportUploadLimit {
		mib = limit >> 20
	}
	return views.FieldErrors{"file": fmt.Sprintf("The file is too large: a CSV import takes at most %d MiB. Split it into smaller files.", mib)}
}

// importPreview reads the uploaded CSV and shows its preview.
func (u *UI) importPreview(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpStageContactImport) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, ImportUploadLimit)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			u.renderUpload(w, r, http.StatusRequestEntityTooLarge, tooLarge(mbe.Limit))
			return
		}
		u.renderUpload(w, r, http.StatusUnprocessableEntity, views.FieldErrors{"file": "Choose a CSV file to upload."})
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		u.renderUpload(w, r, http.StatusUnprocessableEntity, views.FieldErrors{"file": "Choose a CSV file to upload."})
		return
	}
	defer file.Close()
	if hdr.Size > contacts.MaxImportBytes {
		u.renderUpload(w, r, http.StatusRequestEntityTooLarge, tooLarge(ImportUploadLimit))
		return
	}
	content, err := io.ReadAll(io.LimitReader(file, contacts.MaxImportBytes+1))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ctx := r.Context()
	// Kept for the second step: stageContactImport.
	staged, err := u.api.contacts.StageContactImport(ctx, graphql.Upload{
		File: bytes.NewReader(content), Filename: hdr.Filename, Size: int64(len(content)), ContentType: hdr.Header.Get("Content-Type"),
	})
	if err != nil {
		ae := apperr.From(err)
		if ae.Code != apperr.Invalid {
			u.fail(w, r, err)
			return
		}
		u.renderUpload(w, r, http.StatusUnprocessableEntity, views.FieldErrors{"file": sentence(ae.Message)})
		return
	}
	u.renderPreview(w, r, http.StatusOK, staged.Job.ID.String(), hdr.Filename, staged.Preview, nil, nil)
}

// renderPreview shows a preview with the mapping chosen (nil: the
// suggested one) and errors.
func (u *UI) renderPreview(w http.ResponseWriter, r *http.Request, status int, token, name string, prev *contacts.Preview, chosen map[int]string, errs views.FieldErrors) {
	p, err := u.page(r.Context(), r, "Import contacts: check the columns", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.ImportPreview{Token: token, FileName: name, Rows: prev.Rows, TotalRows: prev.TotalRows, Errors: errs}
	suggested := map[string]string{}
	for _, m := range prev.SuggestedMapping {
		suggested[m.Column] = string(m.Field)
	}
	for i, h := range prev.Headers {
		col := views.ImportColumn{Index: i, Header: h, Field: suggested[h]}
		if chosen != nil {
			col.Field = chosen[i]
		}
		d.Columns = append(d.Columns, col)
	}
	for _, f := range contacts.Fields {
		d.Fields = append(d.Fields, views.Option{Value: string(f), Label: views.Humanize(string(f))})
	}
	if len(errs) > 0 {
		p.Error = "The import did not start: please check the columns."
	}
	renderStatus(w, r, status, views.ImportPreviewView(p, d))
}

// startImport starts the import of a previewed file with the mapping
// chosen, and shows the job.
func (u *UI) startImport(w http.ResponseWriter, r *http.Request) {
	if !u.may(w, r, graph.OpStartStagedContactImport) || !u.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	token := r.PostFormValue("token")
	staged, err := u.api.contacts.StagedContactImport(ctx, pulid.ID(token))
	if err != nil {
		if apperr.CodeOf(err) != apperr.NotFound {
			u.fail(w, r, err)
			return
		}
		u.renderUpload(w, r, http.StatusUnprocessableEntity, views.FieldErrors{
			"file": "The uploaded file is no longer waiting (it was imported already, or waited more than a day): please upload it again."})
		return
	}
	prev := staged.Preview
	chosen := map[int]string{}
	var mapping []*contacts.ColumnMapping
	errs := views.FieldErrors{}
	for i, h := range prev.Headers {
		f := r.PostFormValue("map_" + strconv.Itoa(i))
		if f == "" {
			continue
		}
		chosen[i] = f
		if !contacts.Field(f).Valid() {
			errs["map_"+strconv.Itoa(i)] = "Choose one of the listed fields, or Ignore."
			continue
		}
		mapping = append(mapping, &contacts.ColumnMapping{Column: h, Field: contacts.Field(f)})
	}
	if len(errs) == 0 && len(mapping) == 0 {
		errs[""] = "Choose a field for at least the first name column."
	}
	var job *ent.ImportJob
	if len(errs) == 0 {
		var err error
		job, err = u.api.contacts.StartStagedContactImport(ctx, staged.Job.ID, mapping)
		if err != nil {
			ae := apperr.From(err)
			if ae.Code != apperr.Invalid {
				u.fail(w, r, err)
				return
			}
			errs[""] = sentence(ae.Message)
		}
	}
	if job == nil {
		u.renderPreview(w, r, http.StatusUnprocessableEntity, token, staged.Job.FileName, prev, chosen, errs)
		return
	}
	redirectDone(w, r, "/contacts/import/"+job.ID.String(), "import-started", nil, "")
}

// importJob shows an import's progress and, once it is done, the outcome
// of every row (?show=problems: the rows not imported). htmx polls the
// job section (#import-job) every second while the job runs.
func (u *UI) importJob(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	job, err := u.api.contacts.ImportJob(ctx, idParam(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	report, err := u.api.contacts.ImportJobReport(ctx, job)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	d := views.ImportJobPage{Job: job, Problems: r.URL.Query().Get("show") == "problems"}
	for _, row := range report {
		if !d.Problems || row.Outcome != contacts.OutcomeImported {
			d.Rows = append(d.Rows, *row)
		}
	}
	w.Header().Add("Vary", "HX-Request, HX-Target")
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "import-job" {
		render(w, r, views.ImportJobSection(d))
		return
	}
	p, err := u.page(ctx, r, "Import", "contacts")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if job.FileName != "" {
		p.Title = "Import of " + job.FileName
	}
	render(w, r, views.ImportJobView(p, d))
}
