package sms_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/booking"
	"github.com/avatarimaging/avatarcrm/ent/schema/pulid"
)

// BenchmarkInboundAck is the webhook's acknowledgement time at 50
// requests a second: each iteration is one inbound SMS (form POST, a new
// message id, from an unknown number so each also makes a lead), sent on a
// 20 ms tick whether or not the previous one has answered. It reports p50
// and p99 of the time to the 200; the jobs run meanwhile, as in
// production. Run with -benchtime=500x (10 s of traffic).
func BenchmarkInboundAck(b *testing.B) {
	w := newWorld(b)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			vars := map[string]string{"from": fmt.Sprintf("+6149158%04d", i%10000), "body": "Hi, what are your hours?", "message_id": fmt.Sprintf("BENCH-ACK-%d-%d", b.N, i)}
			start := time.Now()
			code := post(b, hc, w.srv.URL, "inbound", w.token, "post", "inbound_post.txt", vars)
			d := time.Since(start)
			if code != http.StatusOK {
				b.Errorf("status %d", code)
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkInboundYToConfirmed is the time from posting a "Y" to the
// booking reading confirmed (webhook, River picking up the job, the
// built-in intent engine, the confirmation's transaction). Each iteration
// is a new patient with a pending booking (made before the timer runs).
func BenchmarkInboundYToConfirmed(b *testing.B) {
	w := newWorld(b)
	type pt struct {
		phone string
		bk    string
	}
	pts := make([]pt, b.N)
	b.StopTimer()
	for i := range b.N {
		ct, phone := w.patient("Bench", true)
		bk := w.book(ct, fmt.Sprintf("2026-06-%02d %02d:%02d", 1+i/20, 8+i/2%10, i%2*30))
		pts[i] = pt{phone, string(bk)}
	}
	var total time.Duration
	var lat []time.Duration
	for i := range b.N {
		start := time.Now()
		b.StartTimer()
		post(b, http.DefaultClient, w.srv.URL, "inbound", w.token, "post", "inbound_post.txt",
			map[string]string{"from": pts[i].phone, "body": "Y", "message_id": fmt.Sprintf("BENCH-Y-%d-%d", b.N, i)})
		for {
			bk, err := w.c.Booking.Get(w.sys, pidOf(pts[i].bk))
			if err != nil {
				b.Fatal(err)
			}
			if bk.Status == booking.StatusConfirmed {
				break
			}
			if time.Since(start) > settle {
				b.Fatalf("booking %s still %s", bk.ID, bk.Status)
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		d := time.Since(start)
		total += d
		lat = append(lat, d)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

func pidOf(s string) pulid.ID { return pulid.ID(s) }
