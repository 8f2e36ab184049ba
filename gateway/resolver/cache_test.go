package resolver

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// fakeNow is a clock the test moves.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func TestAnswersExpire(t *testing.T) {
	clock := &fakeNow{t: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	a := newAnswers(time.Second, 1<<20, clock.now)
	var loads atomic.Int32
	load := func(context.Context) (any, error) { loads.Add(1); return "v", nil }
	ctx := context.Background()
	first, err := a.get(ctx, "k", load)
	if err != nil || first.v != "v" || first.gen == 0 {
		t.Fatalf("first get: %+v, %v", first, err)
	}
	// Before half the TTL (when a background refresh would start).
	clock.add(400 * time.Millisecond)
	if again, _ := a.get(ctx, "k", load); loads.Load() != 1 || again.gen != first.gen {
		t.Errorf("fresh entry: %d loads, gen %d then %d; want 1 load, the same gen", loads.Load(), first.gen, again.gen)
	}
	clock.add(1100 * time.Millisecond)
	if later, _ := a.get(ctx, "k", load); loads.Load() != 2 || later.gen == first.gen {
		t.Errorf("expired entry: %d loads, gen %d then %d; want a second load under a new gen", loads.Load(), first.gen, later.gen)
	}
}

func TestAnswersKeepNoFailures(t *testing.T) {
	a := newAnswers(time.Minute, 1<<20, time.Now)
	boom := errors.New("ledger down")
	if _, err := a.get(context.Background(), "k", func(context.Context) (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the load's error", err)
	}
	got, err := a.get(context.Background(), "k", func(context.Context) (any, error) { return "ok", nil })
	if err != nil || got.v != "ok" {
		t.Errorf("after a failed load: %+v, %v; want the new answer", got, err)
	}
}

func TestAnswersOff(t *testing.T) {
	a := newAnswers(-1, 1<<20, time.Now)
	var loads int
	for range 3 {
		got, err := a.get(context.Background(), "k", func(context.Context) (any, error) { loads++; return "v", nil })
		if err != nil || got.gen != 0 {
			t.Fatalf("%+v, %v: want gen 0 when caching is off", got, err)
		}
	}
	if loads != 3 {
		t.Errorf("%d loads with caching off, want 3", loads)
	}
}

// TestAnswersBoundedInBytes fills the cache with many distinct large
// answers, as distinct items' traces do: what it holds stays within its
// byte bound whatever the number of keys.
func TestAnswersBoundedInBytes(t *testing.T) {
	const bound = 1 << 20
	a := newAnswers(time.Hour, bound, time.Now)
	big := strings.Repeat("x", 100<<10)
	for i := range 200 {
		key := "trace\x00" + strings.Repeat("k", i)
		if _, err := a.get(context.Background(), key, func(context.Context) (any, error) { return &api.TraceDocument{Lot: api.Lot{Lot: big + key}}, nil }); err != nil {
			t.Fatal(err)
		}
	}
	a.c.CleanUp()
	if got := a.c.WeightedSize(); got > bound || got < bound/4 {
		t.Errorf("weighted size %d after 200 answers of 100 KB; want at most %d and not near empty", got, bound)
	}
	if n := a.c.EstimatedSize(); n > bound/(100<<10) {
		t.Errorf("%d entries of 100 KB kept under a bound of %d bytes", n, bound)
	}
}

func TestAnswersLoadOnceForConcurrentMisses(t *testing.T) {
	a := newAnswers(time.Minute, 1<<20, time.Now)
	var loads atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	gens := make([]uint64, 16)
	for i := range gens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := a.get(context.Background(), "k", func(context.Context) (any, error) {
				loads.Add(1)
				<-release
				return "v", nil
			})
			if err != nil {
				t.Error(err)
			}
			gens[i] = got.gen
		}()
	}
	time.Sleep(50 * time.Millisecond) // let them all ask
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("%d loads for 16 concurrent misses of one key, want 1", n)
	}
	for _, g := range gens[1:] {
		if g != gens[0] {
			t.Errorf("gens %v differ: they read different loads", gens)
			break
		}
	}
}

func TestDeepSize(t *testing.T) {
	word := uint64(reflect.TypeFor[string]().Size())
	type pair struct {
		A string
		B []string
	}
	for _, tc := range []struct {
		name string
		v    any
		want uint64
	}{
		{"nil", nil, 0},
		{"string", "abcd", word + 4},
		{"pointer to string", new("abcdef"), 8 + word + 6},
		{"struct", pair{A: "ab", B: []string{"c", "de"}}, uint64(reflect.TypeFor[pair]().Size()) + 2 + 2*word + 3},
		{"nil slice", pair{}, uint64(reflect.TypeFor[pair]().Size())},
		{"map", map[string]int{"ab": 1}, 8 + 8 + word + 2 + 8},
	} {
		if got := deepSize(reflect.ValueOf(tc.v)); got != tc.want {
			t.Errorf("%s: deepSize = %d, want %d", tc.name, got, tc.want)
		}
	}
}
