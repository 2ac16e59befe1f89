package loadtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/loadtest"
	"github.com/attesta/attesta/internal/testserver"
)

// TestVerificationUnderLoad: 2,000 verifications of a stored badge, 16 at
// once, all verified; revoked meanwhile, the next verification says so at
// once, reused reports notwithstanding.
func TestVerificationUnderLoad(t *testing.T) {
	srv := testserver.New(t)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	id := testserver.DemoBadge(t, srv)
	u := ts.URL + "/api/v1/credentials/" + url.PathEscape(id) + "/verification"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	st := loadtest.Verify(u, client, 2000, 16, `"verified":true`)
	if len(st.Failures) > 0 || st.Answers != 2000 {
		t.Fatalf("%d verified, %d failures: %v", st.Answers, len(st.Failures), st.Failures[:min(3, len(st.Failures))])
	}
	if _, err := srv.Services().Credentials.ChangeStatus(context.Background(), credential.Actor{Name: "test"}, id, credential.Revoke, "prova"); err != nil {
		t.Fatal(err)
	}
	if st := loadtest.Verify(u, client, 50, 4, `"revoked":true`); len(st.Failures) > 0 {
		t.Fatalf("after the revocation: %v", st.Failures[0])
	}
	t.Logf("%d verifications in %v: %.0f/s, p50 %v, p99 %v", st.Answers, st.Elapsed, st.PerSecond(), st.P50, st.P99)
}

// BenchmarkVerification measures the public verification of a stored
// badge over HTTP on 127.0.0.1 (the server and this bounded load generator
// on the same machine): 20,000 requests, 16 in flight; it reports
// requests/s and the 50th and 99th percentile latencies:
//
//	go test ./internal/loadtest -run '^$' -bench Verification -benchtime 1x
func BenchmarkVerification(b *testing.B) {
	srv := testserver.New(b)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	u := ts.URL + "/api/v1/credentials/" + url.PathEscape(testserver.DemoBadge(b, srv)) + "/verification"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	loadtest.Verify(u, client, 200, 16, "") // warm the connections and the report
	b.ResetTimer()
	var total loadtest.Stats
	for range b.N {
		st := loadtest.Verify(u, client, 20000, 16, `"verified":true`)
		if len(st.Failures) > 0 {
			b.Fatalf("%d failed: %s", len(st.Failures), st.Failures[0])
		}
		total.Answers += st.Answers
		total.Elapsed += st.Elapsed
		total.P50, total.P99 = max(total.P50, st.P50), max(total.P99, st.P99)
	}
	b.ReportMetric(total.PerSecond(), "req/s")
	b.ReportMetric(float64(total.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(total.P99.Microseconds())/1000, "p99-ms")
}
