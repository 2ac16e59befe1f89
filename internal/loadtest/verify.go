package loadtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Verify sends n GET requests to url, at most workers in flight, and
// measures; a response that is not 200 or whose body lacks want is a
// failure.
func Verify(url string, client *http.Client, n, workers int, want string) Stats {
	var next atomic.Int64
	took := make([][]time.Duration, workers)
	fails := make([][]string, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					fails[w] = append(fails[w], err.Error())
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				took[w] = append(took[w], time.Since(t0))
				if resp.StatusCode != http.StatusOK || !contains(b, want) {
					fails[w] = append(fails[w], fmt.Sprintf("%d %.200s", resp.StatusCode, b))
				}
			}
		}()
	}
	wg.Wait()
	s := Stats{Elapsed: time.Since(start)}
	var all []time.Duration
	for w := range workers {
		all = append(all, took[w]...)
		s.Failures = append(s.Failures, fails[w]...)
	}
	s.Answers = len(all) - len(s.Failures)
	slices.Sort(all)
	if len(all) > 0 {
		s.P50, s.P99 = all[len(all)/2], all[min(len(all)-1, len(all)*99/100)]
	}
	return s
}

func contains(b []byte, s string) bool {
	return bytes.Contains(b, []byte(s))
}
