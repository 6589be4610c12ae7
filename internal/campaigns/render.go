package campaigns

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io"
	"net/url"
	"regexp"
	"strings"
	texttemplate "text/template"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"

	"github.com/avatarimaging/avatarcrm/internal/apperr"
)

// Data is what a campaign's templates can use: {{.FirstName}},
// {{.NextBooking}}, {{.Clinic.Phone}}, … A name that is not here fails the
// test render at save, so a typo is an error in the editor, never a blank
// in a patient's inbox.
type Data struct {
	FirstName, LastName, FullName, Email string
	// NextBooking and LastBooking are the next (not cancelled) and the
	// latest past booking, written in the location's zone ("Tuesday 8
	// December 2026, 9:30 am, MRI Knee"); empty when there is none.
	NextBooking, LastBooking string
	Clinic                   Clinic
	// UnsubscribeURL is the recipient's own unsubscribe page.
	UnsubscribeURL string
}

// Clinic is the sending location's identity.
type Clinic struct {
	Name, Phone, Address, Email string
}

// Variables lists the template variables, for the editor's help.
var Variables = []string{".FirstName", ".LastName", ".FullName", ".Email", ".NextBooking", ".LastBooking",
	".Clinic.Name", ".Clinic.Phone", ".Clinic.Address", ".Clinic.Email", ".UnsubscribeURL"}

// sampleData fills every variable, for the test render at save.
var sampleData = Data{
	FirstName: "Alex", LastName: "Sample", FullName: "Alex Sample", Email: "alex@example.com",
	NextBooking: "Tuesday 8 December 2026, 9:30 am", LastBooking: "Monday 2 December 2024, 10:00 am",
	Clinic:         Clinic{Name: "Clinic", Phone: "02 0000 0000", Address: "1 Street, Suburb NSW 2000", Email: "clinic@example.com"},
	UnsubscribeURL: "https://example.com/u/token",
}

// policy is the sanitiser for campaign HTML: the formatting an email
// needs (bluemonday's user-content policy plus inline styles and layout
// tables), no scripts, forms, frames or event handlers, links only to
// https, http and mailto.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("div", "span", "center", "font")
	p.AllowAttrs("style").Globally()
	p.AllowStyles("color", "background-color", "padding", "margin", "text-align", "text-decoration",
		"border-radius", "font-size", "font-weight", "font-style", "display", "font-family", "line-height",
		"border", "border-top", "border-bottom", "width", "max-width").Globally()
	p.AllowAttrs("align", "width", "bgcolor", "cellpadding", "cellspacing", "border").OnElements("table", "td", "tr", "th", "img")
	p.AllowURLSchemes("https", "http", "mailto")
	p.AllowRelativeURLs(true) // {{.UnsubscribeURL}} before it is filled
	p.RequireNoFollowOnLinks(false)
	return p
}()

// encodedAction is a template action the sanitiser percent-encoded inside
// a URL attribute (href="{{.UnsubscribeURL}}").
var encodedAction = regexp.MustCompile(`%7B%7B(.*?)%7D%7D`)

// Sanitize cleans campaign HTML and puts back the template actions the
// sanitiser encoded in links.
func Sanitize(s string) string {
	out := policy.Sanitize(s)
	return encodedAction.ReplaceAllStringFunc(out, func(m string) string {
		inner, err := url.PathUnescape(m)
		if err != nil {
			return m
		}
		return inner
	})
}

// content is a campaign's parsed templates.
type content struct {
	subject *texttemplate.Template
	html    *htmltemplate.Template
	text    *texttemplate.Template
	links   []string
}

// parse parses and test-renders a campaign's subject and bodies; errors
// are INVALID naming the field. html must already be sanitised.
func parse(subject, htmlBody, textBody string) (*content, error) {
	c := &content{}
	var err error
	if c.subject, err = texttemplate.New("subject").Option("missingkey=error").Parse(subject); err != nil {
		return nil, templateError("subject", err)
	}
	if c.html, err = htmltemplate.New("html").Option("missingkey=error").Parse(htmlBody); err != nil {
		return nil, templateError("htmlBody", err)
	}
	if strings.TrimSpace(textBody) == "" {
		textBody = TextFromHTML(htmlBody)
	}
	if c.text, err = texttemplate.New("text").Option("missingkey=error").Parse(textBody); err != nil {
		return nil, templateError("textBody", err)
	}
	for _, step := range []struct {
		field string
		exec  func(io.Writer, any) error
	}{{"subject", c.subject.Execute}, {"htmlBody", c.html.Execute}, {"textBody", c.text.Execute}} {
		if err := step.exec(io.Discard, sampleData); err != nil {
			return nil, templateError(step.field, err)
		}
	}
	c.links = Links(htmlBody)
	return c, nil
}

// unknownField finds the variable name in a template execution error.
var unknownField = regexp.MustCompile(`can't evaluate field (\w+)|map has no entry for key "?(\w+)`)

func templateError(field string, err error) error {
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		name := m[1] + m[2]
		return apperr.Invalidf(field, "unknown variable {{.%s}}: use one of %s", name, strings.Join(Variables, ", "))
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "template: ") {
		msg = msg[i+2:]
	}
	return apperr.Invalidf(field, "template error: %s", msg)
}

// Links lists the absolute http(s) links of an HTML body in order (each
// once): the click tokens name an index into this list. Links with a
// template action (the unsubscribe link) are not tracked.
func Links(body string) []string {
	var out []string
	seen := map[string]bool{}
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		if t := z.Token(); t.Data == "a" {
			for _, a := range t.Attr {
				if a.Key == "href" && trackable(a.Val) && !seen[a.Val] {
					seen[a.Val] = true
					out = append(out, a.Val)
				}
			}
		}
	}
}

func trackable(u string) bool {
	return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.Contains(u, "{{")
}

// rewriteLinks replaces each tracked link's href with link(index): the
// click redirect. Everything else is copied byte for byte.
func rewriteLinks(body string, links []string, link func(i int) string) string {
	if len(links) == 0 {
		return body
	}
	index := make(map[string]int, len(links))
	for i, l := range links {
		index[l] = i
	}
	var out bytes.Buffer
	out.Grow(len(body) + 100*len(links))
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.String()
		}
		raw := z.Raw()
		if tt == html.StartTagToken {
			t := z.Token()
			if t.Data == "a" {
				changed := false
				for i, a := range t.Attr {
					if n, ok := index[a.Val]; ok && a.Key == "href" {
						t.Attr[i].Val, changed = link(n), true
					}
				}
				if changed {
					out.WriteString(t.String())
					continue
				}
			}
		}
		out.Write(raw)
	}
}

// TextFromHTML makes a plain-text part from an HTML body: paragraphs and
// line breaks kept, links written out after their text.
func TextFromHTML(body string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	var href string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapse(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			t := z.Token()
			switch t.Data {
			case "br":
				b.WriteString("\n")
			case "p", "div", "h1", "h2", "h3", "li", "tr", "table":
				b.WriteString("\n\n")
			case "a":
				if tt == html.StartTagToken {
					for _, a := range t.Attr {
						if a.Key == "href" {
							href = a.Val
						}
					}
				} else if href != "" {
					fmt.Fprintf(&b, " (%s)", href)
					href = ""
				}
			}
		}
	}
}

var blankLines = regexp.MustCompile(`\n[ \t]*\n[\s]*`)

func collapse(s string) string {
	s = blankLines.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s) + "\n"
}
