package account

import (
	"sync"
	"time"
)

// limiter allows n events per key per window, in memory. It forgets keys
// whose window has passed, so it stays small under many addresses.
type limiter struct {
	n      int
	window time.Duration
	mu     sync.Mutex
	seen   map[string]*bucket
	swept  time.Time
}

type bucket struct {
	start time.Time
	count int
}

// maxKeys bounds the memory an address flood can take: past it, new keys
// are refused until old windows pass.
const maxKeys = 100_000

func newLimiter(n int, window time.Duration) *limiter {
	return &limiter{n: n, window: window, seen: map[string]*bucket{}}
}

// allow records an event for key at now and reports whether it is within
// the limit.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.window {
		for k, b := range l.seen {
			if now.Sub(b.start) > l.window {
				delete(l.seen, k)
			}
		}
		l.swept = now
	}
	b := l.seen[key]
	if b == nil || now.Sub(b.start) > l.window {
		if b == nil && len(l.seen) >= maxKeys {
			return false
		}
		b = &bucket{start: now}
		l.seen[key] = b
	}
	b.count++
	return b.count <= l.n
}
