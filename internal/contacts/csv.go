package contacts

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/avatarimaging/avatarcrm/ent"
	"github.com/avatarimaging/avatarcrm/ent/contact"
	"github.com/avatarimaging/avatarcrm/ent/schema"
	"github.com/avatarimaging/avatarcrm/ent/schema/types"
	"github.com/avatarimaging/avatarcrm/internal/apperr"
	"github.com/avatarimaging/avatarcrm/internal/normalize"
	"github.com/avatarimaging/avatarcrm/internal/pipeline"
)

// Import limits.
const (
	MaxImportBytes = 20 << 20
	MaxImportRows  = 50_000
)

// Field is a contact field a CSV column can be mapped to.
type Field string

// Fields of an import mapping.
const (
	FieldFirstName    Field = "first_name"
	FieldLastName     Field = "last_name"
	FieldPhone        Field = "phone"
	FieldEmail        Field = "email"
	FieldDateOfBirth  Field = "date_of_birth"
	FieldLeadSource   Field = "lead_source"
	FieldReferrer     Field = "referrer"
	FieldTags         Field = "tags"
	FieldNotes        Field = "notes"
	FieldSMSConsent   Field = "sms_consent"
	FieldEmailConsent Field = "email_consent"
	FieldStage        Field = "stage"
)

// Fields lists every mappable field, in the order of a contact form.
var Fields = []Field{
	FieldFirstName, FieldLastName, FieldPhone, FieldEmail, FieldDateOfBirth, FieldLeadSource,
	FieldReferrer, FieldTags, FieldNotes, FieldSMSConsent, FieldEmailConsent, FieldStage,
}

// Valid reports whether f is a known field.
func (f Field) Valid() bool {
	for _, x := range Fields {
		if x == f {
			return true
		}
	}
	return false
}

// MarshalGQL implements graphql.Marshaler.
func (f Field) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(f))) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (f *Field) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !Field(s).Valid() {
		return fmt.Errorf("%v is not a contact import field", v)
	}
	*f = Field(s)
	return nil
}

// ColumnMapping maps one CSV column (by its header) to a field.
type ColumnMapping struct {
	Column string
	Field  Field
}

// MappingOf turns a list of column mappings into the mapping (CSV header
// → field) StartImport takes; nil for an empty list, which StartImport
// reads as the suggested mapping. A column listed twice is INVALID (field
// "mapping").
func MappingOf(list []*ColumnMapping) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(list))
	for _, c := range list {
		if _, dup := m[c.Column]; dup {
			return nil, apperr.Invalidf("mapping", "column %q is mapped twice", c.Column)
		}
		m[c.Column] = string(c.Field)
	}
	return m, nil
}

// synonyms are header names people use for each field, compared with
// case, spaces and punctuation removed.
var synonyms = map[string]Field{
	"firstname": FieldFirstName, "first": FieldFirstName, "givenname": FieldFirstName, "forename": FieldFirstName,
	"fname": FieldFirstName, "preferredname": FieldFirstName,
	"lastname": FieldLastName, "last": FieldLastName, "surname": FieldLastName, "familyname": FieldLastName, "lname": FieldLastName,
	"phone": FieldPhone, "mobile": FieldPhone, "mobilephone": FieldPhone, "mobilenumber": FieldPhone, "mob": FieldPhone,
	"phonenumber": FieldPhone, "cell": FieldPhone, "cellphone": FieldPhone, "tel": FieldPhone, "telephone": FieldPhone,
	"contactnumber": FieldPhone, "phonemobile": FieldPhone,
	"email": FieldEmail, "emailaddress": FieldEmail, "mail": FieldEmail,
	"dob": FieldDateOfBirth, "dateofbirth": FieldDateOfBirth, "birthdate": FieldDateOfBirth, "birthday": FieldDateOfBirth,
	"leadsource": FieldLeadSource, "source": FieldLeadSource, "channel": FieldLeadSource, "howdidyouhearaboutus": FieldLeadSource,
	"referrer": FieldReferrer, "referredby": FieldReferrer, "referringdoctor": FieldReferrer, "referringgp": FieldReferrer,
	"referringpractitioner": FieldReferrer, "gp": FieldReferrer,
	"tags": FieldTags, "tag": FieldTags, "labels": FieldTags,
	"notes": FieldNotes, "note": FieldNotes, "comments": FieldNotes, "comment": FieldNotes,
	"smsconsent": FieldSMSConsent, "smsoptin": FieldSMSConsent, "consentsms": FieldSMSConsent, "sms": FieldSMSConsent,
	"emailconsent": FieldEmailConsent, "emailoptin": FieldEmailConsent, "consentemail": FieldEmailConsent,
	"marketingemail": FieldEmailConsent, "newsletter": FieldEmailConsent,
	"stage": FieldStage, "pipelinestage": FieldStage, "status": FieldStage,
}

func headerKey(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SuggestMapping guesses the field of each header from common names
// ("First Name", "Mobile", "E-mail", "DOB", …). Each field is suggested
// for one column at most (the first); headers it cannot place are left
// out.
func SuggestMapping(headers []string) map[string]string {
	out := map[string]string{}
	taken := map[Field]bool{}
	for _, h := range headers {
		f, ok := synonyms[headerKey(h)]
		if !ok || taken[f] {
			continue
		}
		if _, dup := out[h]; dup {
			continue
		}
		taken[f] = true
		out[h] = string(f)
	}
	return out
}

// suggested returns SuggestMapping as a list in header order.
func suggested(headers []string) []ColumnMapping {
	m := SuggestMapping(headers)
	out := []ColumnMapping{}
	for _, h := range headers {
		if f, ok := m[h]; ok {
			out = append(out, ColumnMapping{Column: h, Field: Field(f)})
			delete(m, h)
		}
	}
	return out
}

// csvFile is a parsed upload: its header and data rows, with the line each
// row starts on (the header being line 1).
type csvFile struct {
	headers []string
	records [][]string
	lines   []int
}

var errFile = func(format string, args ...any) error { return apperr.Invalidf("file", format, args...) }

// readCSV parses content: UTF-8 (a byte-order mark is dropped), comma,
// semicolon or tab separated (whichever the header uses most), quoted
// fields may span lines. Rows that are wholly empty are skipped.
func readCSV(content []byte, maxRows int) (*csvFile, error) {
	if len(content) == 0 {
		return nil, errFile("the file is empty")
	}
	if len(content) > MaxImportBytes {
		return nil, errFile("the file is %.1f MiB; the limit is %d MiB", float64(len(content))/(1<<20), MaxImportBytes>>20)
	}
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(content) {
		return nil, errFile("the file is not UTF-8 text: save it as \"CSV UTF-8\"")
	}
	first, _, _ := bytes.Cut(content, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(content))
	r.Comma = ','
	if n := bytes.Count(first, []byte(";")); n > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	if n := bytes.Count(first, []byte("\t")); n > bytes.Count(first, []byte(string(r.Comma))) {
		r.Comma = '\t'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		return nil, errFile("cannot read the header row: %s", csvMessage(err))
	}
	f := &csvFile{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			h = fmt.Sprintf("Column %d", i+1)
		}
		f.headers = append(f.headers, h)
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errFile("%s", csvMessage(err))
		}
		if blank(rec) {
			continue
		}
		if maxRows > 0 && len(f.records) == maxRows {
			return nil, errFile("the file has more than %d rows; split it into smaller files", maxRows)
		}
		line, _ := r.FieldPos(0)
		f.records = append(f.records, rec)
		f.lines = append(f.lines, line)
	}
	return f, nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %s", pe.Line, pe.Err)
	}
	return err.Error()
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// columns turns a mapping (header → field) into field → column index,
// checking it against the file: every column must exist, every field be
// known and mapped once, and first_name mapped.
func columns(headers []string, mapping map[string]string) (map[Field]int, error) {
	at := map[string]int{}
	for i, h := range headers {
		if _, dup := at[h]; dup {
			at[h] = -1 // ambiguous
			continue
		}
		at[h] = i
	}
	out := map[Field]int{}
	for col, name := range mapping {
		if name == "" {
			continue // ignored column
		}
		f := Field(name)
		if !f.Valid() {
			return nil, apperr.Invalidf("mapping", "%q is not a contact field (use one of %s)", name, fieldList())
		}
		i, ok := at[col]
		switch {
		case !ok:
			return nil, apperr.Invalidf("mapping", "the file has no column %q", col)
		case i < 0:
			return nil, apperr.Invalidf("mapping", "the file has two columns named %q; rename one", col)
		}
		if _, dup := out[f]; dup {
			return nil, apperr.Invalidf("mapping", "two columns are mapped to %s", f)
		}
		out[f] = i
	}
	if _, ok := out[FieldFirstName]; !ok {
		return nil, apperr.Invalidf("mapping", "map a column to first_name")
	}
	return out, nil
}

func fieldList() string {
	s := make([]string, len(Fields))
	for i, f := range Fields {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// rowParser reads one CSV row into a contact, with the same rules as the
// contact hook, so that a row is reported invalid with its field before
// anything is written.
type rowParser struct {
	cols   map[Field]int
	region string
}

// parsedRow is a readable row: the contact to create and its normalised
// phone and email, for duplicate detection.
type parsedRow struct {
	input        ent.CreateContactInput
	phone, email string
}

// rowError is why a row is invalid.
type rowError struct {
	field  Field
	reason string
}

func (p *rowParser) cell(rec []string, f Field) string {
	i, ok := p.cols[f]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (p *rowParser) parse(rec []string) (parsedRow, *rowError) {
	var out parsedRow
	in := &out.input
	bad := func(f Field, format string, args ...any) (parsedRow, *rowError) {
		return parsedRow{}, &rowError{field: f, reason: fmt.Sprintf(format, args...)}
	}
	in.FirstName = normalize.Name(p.cell(rec, FieldFirstName))
	switch {
	case in.FirstName == "":
		return bad(FieldFirstName, "is required")
	case len(in.FirstName) > 100:
		return bad(FieldFirstName, "is too long (at most 100 characters)")
	}
	if v := normalize.Name(p.cell(rec, FieldLastName)); v != "" {
		if len(v) > 100 {
			return bad(FieldLastName, "is too long (at most 100 characters)")
		}
		in.LastName = &v
	}
	if v := p.cell(rec, FieldPhone); v != "" {
		ph, err := normalize.Phone(v, p.region)
		if err != nil {
			return bad(FieldPhone, "%q %s", v, err)
		}
		out.phone, in.Phone = ph, &ph
	}
	if v := p.cell(rec, FieldEmail); v != "" {
		e, err := normalize.Email(v)
		if err != nil || len(e) > 254 {
			return bad(FieldEmail, "%q %s", v, normalize.ErrEmail)
		}
		out.email, in.Email = e, &e
	}
	if v := p.cell(rec, FieldDateOfBirth); v != "" {
		d, err := ParseDate(v)
		if err != nil {
			return bad(FieldDateOfBirth, "%q %s", v, err)
		}
		in.DateOfBirth = &d
	}
	if v := p.cell(rec, FieldLeadSource); v != "" {
		ls := contact.LeadSource(enumKey(v))
		if a, ok := sourceAliases[string(ls)]; ok {
			ls = a
		}
		if contact.LeadSourceValidator(ls) != nil {
			return bad(FieldLeadSource, "%q is not a lead source (use one of %s)", v, strings.Join(schema.LeadSources, ", "))
		}
		in.LeadSource = &ls
	}
	if v := normalize.Name(p.cell(rec, FieldReferrer)); v != "" {
		if len(v) > 200 {
			return bad(FieldReferrer, "is too long (at most 200 characters)")
		}
		in.Referrer = &v
	}
	if v := p.cell(rec, FieldTags); v != "" {
		in.Tags = cleanTags(strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }))
	}
	if v := p.cell(rec, FieldNotes); v != "" {
		in.Notes = &v
	}
	for _, f := range []Field{FieldSMSConsent, FieldEmailConsent} {
		v := p.cell(rec, f)
		if v == "" {
			continue
		}
		b, ok := parseBool(v)
		if !ok {
			return bad(f, "%q is not yes or no", v)
		}
		if f == FieldSMSConsent {
			in.SmsConsent = &b
		} else {
			in.EmailConsent = &b
		}
	}
	if v := p.cell(rec, FieldStage); v != "" {
		st := contact.Stage(enumKey(v))
		if contact.StageValidator(st) != nil {
			return bad(FieldStage, "%q is not a stage", v)
		}
		pl := pipeline.PipelineOf(st)
		in.Stage, in.Pipeline = &st, &pl
	}
	return out, nil
}

// enumKey reads "GP Referral" or "gp-referral" as gp_referral.
func enumKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), "_")
}

var sourceAliases = map[string]contact.LeadSource{
	"gp": contact.LeadSourceGpReferral, "doctor": contact.LeadSourceGpReferral, "gp_referal": contact.LeadSourceGpReferral,
	"facebook": contact.LeadSourceMetaAds, "instagram": contact.LeadSourceMetaAds, "meta": contact.LeadSourceMetaAds,
	"google": contact.LeadSourceGoogleAds, "website": contact.LeadSourceWix, "walkin": contact.LeadSourceWalkIn,
	"word_of_mouth": contact.LeadSourceReferral, "friend": contact.LeadSourceReferral,
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "true", "t", "1", "x", "✓", "opted in", "opt in", "subscribed":
		return true, true
	case "n", "no", "false", "f", "0", "opted out", "opt out", "unsubscribed":
		return false, true
	}
	return false, false
}

// ParseDate reads a date written 1980-04-23 or, as Australians write it,
// 23/04/1980 (also 23-04-1980 and 23.04.1980), and checks it is a
// plausible date of birth.
func ParseDate(s string) (types.Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{types.DateLayout, "2/1/2006", "2-1-2006", "2.1.2006"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		d := types.Date(t.Format(types.DateLayout))
		if err := d.Validate(); err != nil {
			return "", err
		}
		return d, nil
	}
	return "", errors.New("is not a date like 1980-04-23 or 23/04/1980")
}
