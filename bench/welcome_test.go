package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/internal/messaging/clicksendtest"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
)

// BenchmarkWelcomeSMSLatency is the plan's speed-to-lead KPI: the time
// from a new lead's createContact to its welcome SMS handed to the
// provider. The whole app runs (HTTP, River workers, the rules), with the
// clicksend provider pointed at the local fake ClickSend over HTTP; the
// chain is contact.created event job → welcome rule → message and its
// send job → POST /v3/sms/send. Each operation creates one lead (GraphQL,
// as the admin) and waits until ClickSend holds its welcome; "commit-ms"
// is measured from the mutation's answer (the commit), p50/p95 from the
// request's start. One lead at a time: this is latency, not throughput.
func BenchmarkWelcomeSMSLatency(b *testing.B) {
	for _, dbc := range []struct {
		name string
		opts func(b *testing.B) testutil.ServerOptions
	}{
		{"sqlite", func(*testing.B) testutil.ServerOptions { return testutil.ServerOptions{} }},
		{"postgres", func(b *testing.B) testutil.ServerOptions {
			return testutil.ServerOptions{DatabaseURL: testutil.PostgresURL(b), Env: map[string]string{"AVATARCRM_SEED_DEMO": "true"}}
		}},
	} {
		b.Run(dbc.name, func(b *testing.B) {
			fake := clicksendtest.New(b)
			opts := dbc.opts(b)
			if opts.Env == nil {
				opts.Env = map[string]string{}
			}
			for k, v := range map[string]string{
				"AVATARCRM_SMS_PROVIDER":       "clicksend",
				"AVATARCRM_CLICKSEND_BASE_URL": fake.URL,
				"AVATARCRM_CLICKSEND_USERNAME": clicksendtest.Username,
				"AVATARCRM_CLICKSEND_API_KEY":  clicksendtest.APIKey,
				"AVATARCRM_CLICKSEND_RATE":     "1000",
			} {
				opts.Env[k] = v
			}
			srv := testutil.StartServer(b, opts)
			admin := srv.SignIn(b, "admin@example.com")
			time.Sleep(time.Second) // River's loops are up
			lat := make(latencies, 0, b.N)
			fromCommit := make(latencies, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				phone := fmt.Sprintf("+614919%05d", i)
				start := time.Now()
				srv.MustGraphQL(b, admin, `mutation($p: String!, $n: String!) { createContact(input: {firstName: $n, lastName: "Bench", phone: $p, smsConsent: true}) { id } }`,
					map[string]any{"p": phone, "n": fmt.Sprintf("Lead%d", i)})
				committed := time.Now()
				deadline := committed.Add(30 * time.Second)
				for {
					var at time.Time
					for _, m := range fake.Messages() {
						if m.To == phone {
							at = m.At
						}
					}
					if !at.IsZero() {
						lat = append(lat, at.Sub(start))
						fromCommit = append(fromCommit, at.Sub(committed))
						break
					}
					if time.Now().After(deadline) {
						b.Fatalf("lead %d: no welcome SMS at ClickSend within 30 s", i)
					}
					time.Sleep(time.Millisecond)
				}
			}
			b.StopTimer()
			lat.report(b)
			if len(fromCommit) > 0 {
				s := fromCommit
				var sum time.Duration
				for _, d := range s {
					sum += d
				}
				b.ReportMetric(float64(sum)/float64(len(s))/float64(time.Millisecond), "commit-mean-ms")
			}
			if p := fake.Problems(); len(p) > 0 {
				b.Fatalf("requests not in ClickSend's format: %v", p)
			}
		})
	}
}
