package resolver

import (
	"testing"
	"time"
)

func TestTraceCacheExpires(t *testing.T) {
	tc := traceCache{ttl: time.Second, m: map[string]traceEntry{}}
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tc.put("k", "v1", t0)
	if got, ok := tc.get("k", t0.Add(500*time.Millisecond)); !ok || got != "v1" {
		t.Errorf("fresh entry: %q %v", got, ok)
	}
	if _, ok := tc.get("k", t0.Add(1500*time.Millisecond)); ok {
		t.Error("an expired entry was served")
	}
}
