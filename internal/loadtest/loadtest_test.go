package loadtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/loadtest"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
)

// TestManyCandidatesAtOnce: 500 candidates answer every item of their form
// twice over, all at once, over HTTP, on SQLite. Every answer is saved
// exactly once — one stored answer per item of each form, the last one
// given — and none is refused or lost.
func TestManyCandidatesAtOnce(t *testing.T) {
	const n = 500
	ts, srv := testserver.StartServer(t)
	cs := loadtest.Setup(t, srv, n, testserver.Clock())
	plan := loadtest.Plan(cs, 2)
	st := loadtest.Run(ts.URL, ts.Client(), cs, plan, 64)
	if len(st.Failures) > 0 {
		t.Fatalf("%d answers refused, e.g. %s", len(st.Failures), st.Failures[0])
	}
	want := 0
	for _, p := range plan {
		want += len(p)
	}
	if st.Answers != want {
		t.Fatalf("%d answers saved of %d sent", st.Answers, want)
	}
	ctx := context.Background()
	admin, err := srv.Services().People.PrincipalByEmail(ctx, "referente@feltrinelli.example", "mitf01000a", "school_referent")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		v, err := srv.Services().Tests.GetAttempt(ctx, admin, c.Attempt.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Answers) != len(c.Attempt.Form.Items) {
			t.Fatalf("candidate %d: %d answers stored for %d items", i, len(v.Answers), len(c.Attempt.Form.Items))
		}
		for _, a := range v.Answers {
			if !slices.Equal(a.Response, demo.Correct(a.Item)) {
				t.Fatalf("candidate %d, item %s: %v stored, not the last answer", i, a.Item, a.Response)
			}
		}
	}
	t.Logf("%d answers by %d candidates in %v: %.0f/s, p50 %v, p99 %v", st.Answers, n, st.Elapsed, st.PerSecond(), st.P50, st.P99)
}

// BenchmarkAnswers measures answers saved per second over HTTP, 2,000
// candidates answering with 64 requests in flight, on SQLite and (when a
// server answers at ATTESTA_TEST_POSTGRES_URL) PostgreSQL; it reports
// answers/s and the 50th and 99th percentile latencies:
//
//	go test ./internal/loadtest -run '^$' -bench Answers -benchtime 1x
func BenchmarkAnswers(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var srv *server.Server
			if engine == "sqlite" {
				srv = testserver.New(b)
			} else {
				srv = testserver.NewOn(b, testserver.Postgres(b, "load"), nil)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			cs := loadtest.Setup(b, srv, 2000, testserver.Clock())
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.ResetTimer()
			var total loadtest.Stats
			for range b.N {
				st := loadtest.Run(ts.URL, client, cs, loadtest.Plan(cs, 1), 64)
				if len(st.Failures) > 0 {
					b.Fatalf("%d refused: %s", len(st.Failures), st.Failures[0])
				}
				total.Answers += st.Answers
				total.Elapsed += st.Elapsed
				total.P50, total.P99 = max(total.P50, st.P50), max(total.P99, st.P99)
			}
			b.ReportMetric(total.PerSecond(), "answers/s")
			b.ReportMetric(float64(total.P50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(total.P99.Microseconds())/1000, "p99-ms")
		})
	}
}
