package credential

import (
	lru "container/list"
	"context"
	"sync"
	"time"
)

// StoredReports verifies the credentials attesta keeps, by id, for the
// public verification (the page a printout's QR code opens, and its JSON),
// reusing a recent report while the credential's record says the same
// status. A credential's bytes never change and its status is read from
// its record at every request, so a revocation shows at once; what a
// reused report may hold back, for at most StoredTTL, is a key ended
// meanwhile or a notarization pending until the next checkpoint (a report
// reused past the credential's validUntil is not).
type StoredReports struct {
	Records interface {
		Record(ctx context.Context, actor Actor, id string) (Record, error)
	}
	Verifier interface {
		Verify(ctx context.Context, input []byte) *Report
	}
	Clock func() time.Time

	mu    sync.Mutex
	order *lru.List
	items map[string]*lru.Element
}

// StoredTTL is how long a stored credential's report is reused;
// storedCacheSize bounds the reports kept, least recently used out first.
const (
	StoredTTL       = time.Minute
	storedCacheSize = 4096
)

type cachedReport struct {
	key     string
	report  *Report
	expires time.Time
}

// Verify returns the report of the stored credential id, and its record.
func (s *StoredReports) Verify(ctx context.Context, id string) (*Report, Record, error) {
	rec, err := s.Records.Record(ctx, Actor{Name: "verify"}, id)
	if err != nil {
		return nil, Record{}, err
	}
	now := time.Now()
	if s.Clock != nil {
		now = s.Clock()
	}
	key := rec.ID + "|" + rec.Digest + "|" + rec.ChangedAt.String()
	if rec.Revoked {
		key += "|revoked"
	}
	if rec.Suspended {
		key += "|suspended"
	}
	if r := s.get(key, now); r != nil {
		return r, rec, nil
	}
	r := s.Verifier.Verify(ctx, rec.Body)
	expires := now.Add(StoredTTL)
	if !rec.ValidUntil.IsZero() && rec.ValidUntil.Before(expires) {
		expires = rec.ValidUntil
	}
	if r.Verified || r.Revoked || r.Suspended {
		s.put(key, r, expires)
	}
	return r, rec, nil
}

func (s *StoredReports) get(key string, now time.Time) *Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.items[key]
	if !ok {
		return nil
	}
	cr := e.Value.(*cachedReport)
	if !now.Before(cr.expires) {
		s.order.Remove(e)
		delete(s.items, key)
		return nil
	}
	s.order.MoveToFront(e)
	return cr.report
}

func (s *StoredReports) put(key string, r *Report, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.items == nil {
		s.order, s.items = lru.New(), map[string]*lru.Element{}
	}
	if e, ok := s.items[key]; ok {
		s.order.Remove(e)
	}
	s.items[key] = s.order.PushFront(&cachedReport{key: key, report: r, expires: expires})
	for s.order.Len() > storedCacheSize {
		old := s.order.Back()
		s.order.Remove(old)
		delete(s.items, old.Value.(*cachedReport).key)
	}
}
