package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/avatarimaging/avatarcrm/ent/importjob"
	"github.com/avatarimaging/avatarcrm/internal/contacts"
	"github.com/avatarimaging/avatarcrm/internal/testutil"
	"github.com/avatarimaging/avatarcrm/internal/viewer"
)

// BenchmarkImport imports AVATARCRM_BENCH_IMPORT_ROWS rows (default
// 100,000) of new contacts into a copy of the demo database, as the staff
// user, in CSV files of 50,000 (the import's limit) started one after the
// other through contacts.Service.StartImport on a running server: the
// durable job does the work (duplicate checks, validation, search keys,
// warmness, audit entries). One operation is the whole set; it reports
// rows/s and the process's CPU per row. 80% of rows have a mobile, 60% an
// email, half a date of birth (dd/mm/yyyy); names are the fixture's
// (many contacts share each); every row is new (no duplicates).
//
//	go test ./bench -run XXX -bench Import -benchtime 1x
func BenchmarkImport(b *testing.B) {
	rows := 100_000
	if v := os.Getenv("AVATARCRM_BENCH_IMPORT_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("AVATARCRM_BENCH_IMPORT_ROWS=%q: want a positive number", v)
		}
		rows = n
	}
	srv := testutil.StartServer(b, testutil.ServerOptions{DatabaseURL: "sqlite:" + testutil.DemoDBPath(b), Env: serverEnv()})
	staff := testutil.As(b, srv.App.DB.Client, "staff@example.com")
	sys := viewer.ImportJob.Grant(b.Context(), "bench")
	var took time.Duration
	var cpu time.Duration
	imported := 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		files := importFiles(rows, i)
		b.StartTimer()
		t0, c0 := time.Now(), processCPU()
		for _, f := range files {
			job, err := srv.App.Contacts.StartImport(staff, "bench.csv", f, nil)
			if err != nil {
				b.Fatal(err)
			}
			for {
				// The counters only: the job's file and its growing
				// report (4 MB at 50,000 rows) read and decoded every
				// 20 ms cost more CPU than the import itself.
				j, err := srv.App.DB.Client.ImportJob.Query().Where(importjob.ID(job.ID)).
					Select(importjob.FieldStatus, importjob.FieldImported, importjob.FieldError).Only(sys)
				if err != nil {
					b.Fatal(err)
				}
				if j.Status == importjob.StatusFailed {
					b.Fatalf("import failed: %s", j.Error)
				}
				if j.Status == importjob.StatusDone {
					imported += j.Imported
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		took += time.Since(t0)
		cpu += processCPU() - c0
	}
	b.StopTimer()
	total := float64(rows * b.N)
	b.ReportMetric(total/took.Seconds(), "rows/s")
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/total, "cpu-ms/row")
	b.ReportMetric(float64(imported)/total, "imported/row")
	b.Logf("%d rows in %s (%.0f rows/s), CPU %s (%.3f ms a row), %d imported", int(total), took.Round(time.Millisecond),
		total/took.Seconds(), cpu.Round(time.Millisecond), float64(cpu)/float64(time.Millisecond)/total, imported)
}

// importFiles returns CSV files of at most contacts.MaxImportRows rows,
// rows in all, for round (phones and emails differ between rounds).
func importFiles(rows, round int) [][]byte {
	rng := rand.New(rand.NewPCG(uint64(round), 12))
	var files [][]byte
	var sb strings.Builder
	n := 0
	flush := func() {
		if n > 0 {
			files = append(files, []byte(sb.String()))
		}
		sb.Reset()
		n = 0
	}
	sources := []string{"walk_in", "referral", "gp_referral", "google_ads", "meta_ads", "wix", "other"}
	for i := range rows {
		if n == 0 {
			sb.WriteString("First Name,Last Name,Mobile,Email,DOB,Lead Source\n")
		}
		id := round*rows + i
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		phone, email, dob := "", "", ""
		if rng.IntN(10) < 8 {
			phone = fmt.Sprintf("04%02d %03d %03d", 50+id/1_000_000%50, id/1000%1000, id%1000)
		}
		if rng.IntN(10) < 6 {
			email = fmt.Sprintf("%s.%s%d@example.net", strings.ToLower(first), strings.ToLower(last), id)
		}
		if rng.IntN(2) == 0 {
			dob = fmt.Sprintf("%02d/%02d/%d", 1+rng.IntN(28), 1+rng.IntN(12), 1940+rng.IntN(65))
		}
		fmt.Fprintf(&sb, "%s,%s,%s,%s,%s,%s\n", first, last, phone, email, dob, sources[rng.IntN(len(sources))])
		n++
		if n == contacts.MaxImportRows {
			flush()
		}
	}
	flush()
	return files
}
