package idempotency

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
)

func openStore(t *testing.T, dir string, ttl time.Duration) *Store {
	t.Helper()
	s, err := Open(dir, ttl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestGetPutStates(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Hour)
	now := time.Now().UTC()
	done := &Response{Fingerprint: "fp-a", Status: 201, ContentType: "application/json", Body: []byte(`{"txId":"t1"}`), StoredAt: now}
	pending := &Response{Fingerprint: "fp-b", State: Pending, Status: 201, TxID: "t2", Result: []byte(`{"id":"F-1"}`), StoredAt: now}
	if err := s.Put("scope-a", done); err != nil {
		t.Fatal(err)
	}
	if err := s.Put("scope-b", pending); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, scope, fp string
		wantErr         error
		wantState       State
		wantTxID        string
		wantNil         bool
	}{
		{"final answer", "scope-a", "fp-a", nil, Done, "", false},
		{"pending transaction", "scope-b", "fp-b", nil, Pending, "t2", false},
		{"final answer, other body", "scope-a", "fp-x", ErrKeyReused, "", "", true},
		{"pending, other body", "scope-b", "fp-x", ErrKeyReused, "", "", true},
		{"unknown key", "scope-c", "fp-a", nil, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Get(tc.scope, tc.fp)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if (got == nil) != tc.wantNil {
				t.Fatalf("got %+v, want nil: %v", got, tc.wantNil)
			}
			if got != nil && (got.State != tc.wantState || got.TxID != tc.wantTxID) {
				t.Errorf("state %q txId %q, want %q %q", got.State, got.TxID, tc.wantState, tc.wantTxID)
			}
		})
	}
	got, _ := s.Get("scope-b", "fp-b")
	if string(got.Result) != `{"id":"F-1"}` || got.Status != 201 {
		t.Errorf("pending record lost its result or status: %+v", got)
	}
}

func TestDeleteFreesKey(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Hour)
	s.Put("k", &Response{Fingerprint: "fp", State: Pending, TxID: "t", StoredAt: time.Now()})
	if err := s.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get("k", "other"); got != nil || err != nil {
		t.Errorf("after Delete: %+v %v, want nothing (and a new body accepted)", got, err)
	}
	if err := s.Delete("never-stored"); err != nil {
		t.Errorf("deleting an unknown key: %v", err)
	}
}

func TestRecordsSurviveReopenAndExpire(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	s.Put("fresh-pending", &Response{Fingerprint: "fp", State: Pending, TxID: "t1", StoredAt: now})
	s.Put("fresh-done", &Response{Fingerprint: "fp", Status: 200, StoredAt: now})
	s.Put("old", &Response{Fingerprint: "fp", State: Pending, TxID: "t0", StoredAt: now.Add(-2 * time.Hour)})
	s.Close()

	s = openStore(t, dir, time.Hour) // Open prunes
	tests := []struct {
		scope    string
		wantKept bool
	}{{"fresh-pending", true}, {"fresh-done", true}, {"old", false}}
	for _, tc := range tests {
		got, err := s.Get(tc.scope, "fp")
		if err != nil {
			t.Fatal(err)
		}
		if (got != nil) != tc.wantKept {
			t.Errorf("%s after reopen: %+v, want kept %v", tc.scope, got, tc.wantKept)
		}
	}
	if n, err := s.Prune(now.Add(3 * time.Hour)); err != nil || n != 2 {
		t.Errorf("Prune 3 h later: %d %v, want 2", n, err)
	}
}

func TestAcquireSerialisesAndGivesUp(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Hour)
	release, err := s.Acquire(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	// A waiter whose context has ended gives up instead of waiting.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Acquire(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire of a held key with a cancelled context: %v", err)
	}
	// A free key is taken even with an ended context; keys are independent.
	other, err := s.Acquire(ctx, "other")
	if err != nil {
		t.Fatalf("acquire of a free key with a cancelled context: %v", err)
	}
	other()
	// A waiter gets the key once it is released.
	got := make(chan func(), 1)
	go func() {
		r, err := s.Acquire(context.Background(), "k")
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	release()
	release() // releasing twice is harmless
	(<-got)()
	s.mu.Lock()
	left := len(s.locks)
	s.mu.Unlock()
	if left != 0 {
		t.Errorf("%d lock entries left after every holder released", left)
	}
}

func TestLockMutualExclusion(t *testing.T) {
	s := openStore(t, t.TempDir(), time.Hour)
	var wg sync.WaitGroup
	counter := 0 // guarded by the key's lock alone
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock := s.Lock("k")
			defer unlock()
			v := counter
			runtime.Gosched()
			counter = v + 1
		}()
	}
	wg.Wait()
	if counter != 50 {
		t.Errorf("counter %d after 50 increments under the lock, want 50", counter)
	}
}
