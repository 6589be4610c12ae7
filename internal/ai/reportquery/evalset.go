package reportquery

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
)

// EvalSet is a file of questions with the requests they should give
// (testdata/ai/reportquery.json): the moment and zone they are asked in,
// the catalogue, and for each question the expected request, or null
// when the question names no report and should get suggestions.
type EvalSet struct {
	Now       time.Time
	Zone      *time.Location
	Catalogue Static
	Questions []EvalQuestion
}

// EvalQuestion is one question and its expected request.
type EvalQuestion struct {
	Text string   `json:"text"`
	Want *Request `json:"want"`
}

// ReadEvalSet reads an evaluation file.
func ReadEvalSet(r io.Reader) (*EvalSet, error) {
	var f struct {
		Now       time.Time `json:"now"`
		Zone      string    `json:"zone"`
		Catalogue struct {
			Locations []struct {
				ID, Code, Name string
				Aliases        []string
			} `json:"locations"`
			Services []string `json:"services"`
			Sources  []string `json:"sources"`
		} `json:"catalogue"`
		Questions []EvalQuestion `json:"questions"`
	}
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("reportquery: %w", err)
	}
	zone, err := time.LoadLocation(f.Zone)
	if err != nil || f.Zone == "" {
		return nil, fmt.Errorf("reportquery: zone %q: want an IANA name", f.Zone)
	}
	if f.Now.IsZero() || len(f.Questions) == 0 {
		return nil, fmt.Errorf("reportquery: the file needs now and questions")
	}
	s := &EvalSet{Now: f.Now, Zone: zone, Questions: f.Questions}
	s.Catalogue = Static{KindSpecs: DefaultKinds(), ServiceNames: f.Catalogue.Services, SourceNames: f.Catalogue.Sources}
	if len(s.Catalogue.SourceNames) == 0 {
		s.Catalogue.SourceNames = DefaultSources
	}
	for _, l := range f.Catalogue.Locations {
		s.Catalogue.Locs = append(s.Catalogue.Locs, Location{ID: l.ID, Code: l.Code, Name: l.Name, Aliases: l.Aliases})
	}
	for i, q := range s.Questions {
		if q.Want == nil {
			continue
		}
		if err := q.Want.Validate(s.Catalogue); err != nil {
			return nil, fmt.Errorf("reportquery: question %d (%q): the expected request is invalid: %w", i+1, q.Text, err)
		}
	}
	return s, nil
}

// Same reports whether two requests ask for the same report: group-by in
// the order asked, filter values and locations in any order.
func Same(a, b *Request) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.Kind != b.Kind || a.Period != b.Period || !slices.Equal(a.GroupBy, b.GroupBy) {
		return false
	}
	if (a.Compare == nil) != (b.Compare == nil) || a.Compare != nil && *a.Compare != *b.Compare {
		return false
	}
	if !sameSet(a.Locations, b.Locations) || len(a.Filters) != len(b.Filters) {
		return false
	}
	for _, fa := range a.Filters {
		if !slices.ContainsFunc(b.Filters, func(fb Filter) bool {
			return fa.Dimension == fb.Dimension && fa.Op == fb.Op && sameSet(fa.Values, fb.Values)
		}) {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
