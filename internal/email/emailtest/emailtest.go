// Package emailtest holds local fakes of the email providers for tests:
// an in-process SMTP server (github.com/emersion/go-smtp) and a Gmail API
// that checks the documented request (users.messages.send with the RFC
// 2822 message base64url-encoded in raw).
package emailtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// Mail is one message a fake received, parsed.
type Mail struct {
	From    string
	To      []string
	Header  mail.Header
	Subject string
	// Text and HTML are the decoded parts (multipart/alternative).
	Text, HTML string
	// Parts lists the content types of the parts, in order.
	Parts []string
	Raw   []byte
}

// Parse reads an RFC 5322 message with a text and an HTML part.
func Parse(raw []byte) (Mail, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	out := Mail{Header: m.Header, Raw: raw}
	dec := new(mime.WordDecoder)
	out.Subject, _ = dec.DecodeHeader(m.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return out, err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(m.Body)
		out.Parts = []string{mt}
		out.Text = string(b)
		return out, nil
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, err := io.ReadAll(decoder(p))
		if err != nil {
			return out, err
		}
		out.Parts = append(out.Parts, pt)
		switch pt {
		case "text/plain":
			out.Text = string(b)
		case "text/html":
			out.HTML = string(b)
		}
	}
}

// decoder undoes a part's transfer encoding (multipart.Reader undoes
// quoted-printable itself).
func decoder(p *multipart.Part) io.Reader {
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64.NewDecoder(base64.StdEncoding, p)
	}
	return p
}

// SMTP is an in-process SMTP server that keeps every message. Refuse
// makes RCPT TO answer 550 for an address (a bounce).
type SMTP struct {
	Addr string
	Host string
	Port int

	mu     sync.Mutex
	mails  []Mail
	bad    []string
	refuse map[string]bool
	delay  time.Duration
}

// NewSMTP starts the server; it stops when the test ends.
func NewSMTP(tb testing.TB) *SMTP {
	tb.Helper()
	f := &SMTP{refuse: map[string]bool{}}
	s := smtp.NewServer(f)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	tb.Cleanup(func() { _ = s.Close() })
	f.Addr = ln.Addr().String()
	f.Host = "127.0.0.1"
	f.Port = ln.Addr().(*net.TCPAddr).Port
	return f
}

// Refuse makes the server refuse addr for good (550 at RCPT TO).
func (f *SMTP) Refuse(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse[strings.ToLower(addr)] = true
}

// SetDelay makes every DATA take d (the kill of a crash test lands among
// sends).
func (f *SMTP) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Mails returns what the server accepted.
func (f *SMTP) Mails() []Mail {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Mail(nil), f.mails...)
}

// Problems lists messages that could not be parsed.
func (f *SMTP) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bad...)
}

// NewSession implements smtp.Backend.
func (f *SMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{f: f}, nil }

type session struct {
	f    *SMTP
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.f.mu.Lock()
	refused := s.f.refuse[strings.ToLower(to)]
	s.f.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.f.mu.Lock()
	d := s.f.delay
	s.f.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	m, err := Parse(raw)
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if err != nil {
		s.f.bad = append(s.f.bad, err.Error())
	}
	m.From, m.To = s.from, append([]string(nil), s.to...)
	s.f.mails = append(s.f.mails, m)
	return nil
}

// Gmail is a local fake of the Gmail API and Google's token endpoint.
// It checks each send is the documented request: POST
// /gmail/v1/users/me/messages/send with a bearer token and a JSON body
// whose raw is a base64url RFC 2822 message. Fail429 answers the next n
// sends 429 (rateLimitExceeded).
type Gmail struct {
	URL string

	mu       sync.Mutex
	mails    []Mail
	bad      []string
	fail429  int
	rejected int
	byMsgID  map[string]string
	delay    time.Duration
}

// Token is the access token the fake hands out.
const Token = "ya29.fake-access-token"

// NewGmail starts the fake; it stops when the test ends.
func NewGmail(tb testing.TB) *Gmail {
	g := &Gmail{byMsgID: map[string]string{}}
	srv := httptest.NewServer(g)
	tb.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Fail429 makes the next n sends answer 429.
func (g *Gmail) Fail429(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail429 = n
}

// SetDelay makes every send take d.
func (g *Gmail) SetDelay(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.delay = d
}

// Mails returns the accepted messages.
func (g *Gmail) Mails() []Mail {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Mail(nil), g.mails...)
}

// Rejected is how many sends were answered 429.
func (g *Gmail) Rejected() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rejected
}

// Problems lists requests not in the documented format.
func (g *Gmail) Problems() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.bad...)
}

// CredentialsJSON is an authorized_user credentials file for the fake.
func (g *Gmail) CredentialsJSON() string {
	return fmt.Sprintf(`{"type":"authorized_user","client_id":"cid.apps.googleusercontent.com","client_secret":"secret","refresh_token":"1//refresh","token_uri":%q}`, g.URL+"/token")
}

func (g *Gmail) problem(format string, args ...any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bad = append(g.bad, fmt.Sprintf(format, args...))
}

// ServeHTTP implements http.Handler.
func (g *Gmail) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/token" && r.Method == http.MethodPost:
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != "1//refresh" {
			g.problem("token request: %v", r.PostForm)
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, Token)
	case r.URL.Path == "/gmail/v1/users/me/messages/send" && r.Method == http.MethodPost:
		g.send(w, r)
	case r.URL.Path == "/gmail/v1/users/me/messages" && r.Method == http.MethodGet:
		g.list(w, r)
	default:
		g.problem("unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}
}

func (g *Gmail) send(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+Token {
		g.problem("send without the bearer token: %q", r.Header.Get("Authorization"))
		http.Error(w, `{"error":{"code":401,"message":"Request had invalid authentication credentials."}}`, http.StatusUnauthorized)
		return
	}
	var body struct {
		Raw string `json:"raw"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Raw == "" {
		g.problem("send body is not {\"raw\": …}: %v", err)
		http.Error(w, `{"error":{"code":400,"message":"Invalid raw"}}`, http.StatusBadRequest)
		return
	}
	raw, err := base64.URLEncoding.DecodeString(body.Raw)
	if err != nil {
		g.problem("raw is not base64url: %v", err)
		http.Error(w, `{"error":{"code":400,"message":"Invalid raw"}}`, http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	d := g.delay
	if g.fail429 > 0 {
		g.fail429--
		g.rejected++
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":{"code":429,"message":"Too many concurrent requests for user","errors":[{"message":"Too many concurrent requests for user","domain":"usageLimits","reason":"rateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}`)
		return
	}
	g.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	m, err := Parse(raw)
	if err != nil {
		g.problem("raw is not an RFC 2822 message: %v", err)
		http.Error(w, `{"error":{"code":400,"message":"Invalid raw"}}`, http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	id := fmt.Sprintf("18c%013x", len(g.mails)+1)
	m.To = []string{m.Header.Get("To")}
	g.mails = append(g.mails, m)
	g.byMsgID[strings.Trim(m.Header.Get("Message-Id"), "<>")] = id
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"id":%q,"threadId":%q,"labelIds":["SENT"]}`, id, id)
}

// list answers users.messages.list with q=rfc822msgid:<id>.
func (g *Gmail) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	id, ok := strings.CutPrefix(q, "rfc822msgid:")
	if !ok {
		g.problem("list without an rfc822msgid query: %q", q)
	}
	g.mu.Lock()
	gid, found := g.byMsgID[id]
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !found {
		_, _ = io.WriteString(w, `{"resultSizeEstimate":0}`)
		return
	}
	_, _ = fmt.Fprintf(w, `{"messages":[{"id":%q,"threadId":%q}],"resultSizeEstimate":1}`, gid, gid)
}
