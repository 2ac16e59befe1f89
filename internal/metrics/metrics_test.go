package metrics

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The text format's grammar for the lines this package writes.
var (
	helpLine   = regexp.MustCompile(`^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$`)
	typeLine   = regexp.MustCompile(`^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$`)
	sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\\\|\\"|\\n)*",?)*\})? [-+]?([0-9.eE+-]+|Inf|NaN)$`)
)

func TestExposition(t *testing.T) {
	reg := New("v1.2.3", time.Unix(1700000000, 0))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sectors/{sector}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) })
	h := reg.Middleware(mux)
	for _, p := range []string{"/sectors/a", "/sectors/b", "/nowhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	reg.Gauge("attesta_test_gauge", func() float64 { return 42 })
	rec := httptest.NewRecorder()
	reg.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := rec.Body.String()
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !helpLine.MatchString(line) && !typeLine.MatchString(line) && !sampleLine.MatchString(line) {
			t.Errorf("line %d is not valid exposition format: %q", i+1, line)
		}
	}
	for _, want := range []string{
		`attesta_http_requests_total{method="GET",route="GET /sectors/{sector}",code="404"} 2`,
		`attesta_http_requests_total{method="GET",route="unmatched",code="404"} 1`,
		`attesta_http_request_duration_seconds_count{method="GET",route="GET /sectors/{sector}"} 2`,
		`attesta_http_request_duration_seconds_bucket{method="GET",route="GET /sectors/{sector}",le="+Inf"} 2`,
		`attesta_build_info{version="v1.2.3",goversion="go`,
		"process_start_time_seconds 1.7e+09",
		"attesta_test_gauge 42",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "/sectors/a") {
		t.Error("raw paths leak into labels")
	}
}

func TestQuote(t *testing.T) {
	if got := quote("a\"b\\c\nd"); got != `"a\"b\\c\nd"` {
		t.Errorf("got %s", got)
	}
}
