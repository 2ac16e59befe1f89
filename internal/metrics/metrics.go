// Package metrics exposes attesta's metrics in the Prometheus text format
// (version 0.0.4): HTTP requests by route and status, their latency, and
// the Go runtime's basic figures. It writes the format itself rather than
// pulling in the Prometheus client and its dependencies; a test parses the
// output line by line against the format's grammar.
package metrics

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buckets are the latency histogram's upper bounds, in seconds.
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Registry collects the metrics of one server.
type Registry struct {
	mu        sync.Mutex
	requests  map[[3]string]uint64      // method, route, code → count
	latencies map[[2]string]*histogram  // method, route → histogram
	gauges    map[string]func() float64 // extra gauges, name → value
	started   time.Time
	version   string
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	count  uint64
}

// New returns an empty registry for a server of the given version that
// started at start.
func New(version string, start time.Time) *Registry {
	return &Registry{
		requests:  map[[3]string]uint64{},
		latencies: map[[2]string]*histogram{},
		gauges:    map[string]func() float64{},
		started:   start,
		version:   version,
	}
}

// Gauge registers a gauge whose value is read at each scrape. name must be
// a valid metric name without labels.
func (reg *Registry) Gauge(name string, value func() float64) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.gauges[name] = value
}

// Observe records one request.
func (reg *Registry) Observe(method, route string, code int, d time.Duration) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.requests[[3]string{method, route, strconv.Itoa(code)}]++
	h := reg.latencies[[2]string{method, route}]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(Buckets))}
		reg.latencies[[2]string{method, route}] = h
	}
	s := d.Seconds()
	if i, _ := slices.BinarySearch(Buckets, s); i < len(Buckets) {
		h.counts[i]++
	}
	h.sum += s
	h.count++
}

// Middleware records every request that next serves. Requests are labelled
// by the ServeMux pattern that matched, never by the raw path, so that the
// number of series stays bounded.
func (reg *Registry) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &StatusWriter{ResponseWriter: w, Status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		reg.Observe(r.Method, route, sw.Status, time.Since(start))
	})
}

// StatusWriter remembers the status code written through it.
type StatusWriter struct {
	http.ResponseWriter
	Status int
	wrote  bool
}

// WriteHeader records the status and passes it on.
func (w *StatusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.Status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write passes b on, recording an implicit 200.
func (w *StatusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP writes every metric in the Prometheus text format.
func (reg *Registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	reg.WriteTo(w)
}

// WriteTo writes every metric in the Prometheus text format.
func (reg *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	reg.mu.Lock()
	b.WriteString("# HELP attesta_http_requests_total HTTP requests served, by method, route and status code.\n")
	b.WriteString("# TYPE attesta_http_requests_total counter\n")
	for _, k := range slices.SortedFunc(maps.Keys(reg.requests), compareKeys) {
		fmt.Fprintf(&b, "attesta_http_requests_total{method=%s,route=%s,code=%s} %d\n", quote(k[0]), quote(k[1]), quote(k[2]), reg.requests[k])
	}
	b.WriteString("# HELP attesta_http_request_duration_seconds Time to serve HTTP requests, by method and route.\n")
	b.WriteString("# TYPE attesta_http_request_duration_seconds histogram\n")
	for _, k := range slices.SortedFunc(maps.Keys(reg.latencies), compareKeys2) {
		h := reg.latencies[k]
		labels := fmt.Sprintf("method=%s,route=%s", quote(k[0]), quote(k[1]))
		var cum uint64
		for i, le := range Buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "attesta_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "attesta_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.count)
		fmt.Fprintf(&b, "attesta_http_request_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "attesta_http_request_duration_seconds_count{%s} %d\n", labels, h.count)
	}
	gauges := maps.Clone(reg.gauges)
	reg.mu.Unlock()

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge(&b, "go_goroutines", "Number of goroutines.", float64(runtime.NumGoroutine()))
	gauge(&b, "go_memstats_heap_alloc_bytes", "Bytes of allocated heap objects.", float64(ms.HeapAlloc))
	gauge(&b, "go_memstats_sys_bytes", "Bytes of memory obtained from the OS.", float64(ms.Sys))
	gauge(&b, "process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", float64(reg.started.Unix()))
	b.WriteString("# HELP attesta_build_info attesta's version and the Go version it was built with.\n# TYPE attesta_build_info gauge\n")
	fmt.Fprintf(&b, "attesta_build_info{version=%s,goversion=%s} 1\n", quote(reg.version), quote(runtime.Version()))
	for _, name := range slices.Sorted(maps.Keys(gauges)) {
		gauge(&b, name, "", gauges[name]())
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func gauge(b *strings.Builder, name, help string, v float64) {
	if help != "" {
		fmt.Fprintf(b, "# HELP %s %s\n", name, help)
	}
	fmt.Fprintf(b, "# TYPE %s gauge\n%s %s\n", name, name, strconv.FormatFloat(v, 'g', -1, 64))
}

// quote writes a label value with the escapes the format requires.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func compareKeys(a, b [3]string) int {
	return strings.Compare(strings.Join(a[:], "\x00"), strings.Join(b[:], "\x00"))
}

func compareKeys2(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) }
