package resolver

import (
	"sync"
	"time"
)

// traceCache keeps the resolver's recent ledger answers for a short time:
// a popular pack is scanned by many shoppers at once, and a record that is
// a second or two old is as good as the newest for a shopper, while every
// request still reaches the scan counter.
type traceCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]traceEntry
}

type traceEntry struct {
	at  time.Time
	out any // decoded answer, shared read-only
}

func (tc *traceCache) get(key string, now time.Time) (any, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.m[key]
	if !ok || now.Sub(e.at) > tc.ttl {
		return nil, false
	}
	return e.out, true
}

func (tc *traceCache) put(key string, out any, now time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.m) >= 10000 {
		for k, e := range tc.m {
			if now.Sub(e.at) > tc.ttl {
				delete(tc.m, k)
			}
		}
		if len(tc.m) >= 10000 {
			tc.m = map[string]traceEntry{}
		}
	}
	tc.m[key] = traceEntry{at: now, out: out}
}
