package resolver

import (
	"context"
	"math"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	"github.com/qingchain/qingchain/apps/tracepage"
)

// answers keeps the resolver's recent ledger answers for a short time:
// a popular pack is scanned by many shoppers at once, and a record that is
// a second or two old is as good as the newest for a shopper, while every
// request still reaches the scan counter.
//
// It is bounded in bytes, not entries: every serialized item of a lot has
// a trace document of its own that repeats the whole lot's trace (its
// lineage, up to a hundred listed events, readings and series), which
// decoded takes hundreds of kilobytes to over a megabyte, so a bound of
// 10,000 entries was a bound of gigabytes. Each entry weighs its decoded
// size (deepSize). Concurrent misses of one key load it once (otter's
// loader), so a crowd scanning a new pack costs one ledger read.
type answers struct {
	c   *otter.Cache[string, answer] // nil: caching is off
	gen atomic.Uint64
}

// answer is a decoded ledger answer, shared read-only, with the number
// of its load: a page rendered from it is cached under that number, so a
// reloaded answer never meets a page of the one before.
type answer struct {
	v   any
	gen uint64
}

// noTicks is otter's clock without the periodic clean-up goroutine (the
// resolver has no Close to stop one): expired entries are dropped when
// read or when the weight bound evicts them.
type noTicks struct{ now func() time.Time }

func (c noTicks) NowNano() int64                    { return c.now().UnixNano() }
func (noTicks) Tick(time.Duration) <-chan time.Time { return nil }

// newAnswers makes the cache: entries live ttl and weigh at most maxBytes
// in all; a negative ttl turns caching off.
func newAnswers(ttl time.Duration, maxBytes uint64, now func() time.Time) *answers {
	a := &answers{}
	if ttl < 0 {
		return a
	}
	a.c = otter.Must(&otter.Options[string, answer]{
		MaximumWeight:    maxBytes,
		Weigher:          func(k string, v answer) uint32 { return clampWeight(uint64(len(k)) + deepSize(reflect.ValueOf(v.v))) },
		ExpiryCalculator: otter.ExpiryWriting[string, answer](ttl),
		// Past half its life an answer is reloaded in the background while
		// the old one is still served: a popular page never makes its
		// crowd wait for the ledger (that wait was its p99).
		RefreshCalculator: otter.RefreshWriting[string, answer](ttl / 2),
		Clock:             noTicks{now},
	})
	return a
}

// get is the answer under key, loaded by load when absent or expired.
// Only successful answers are kept.
func (a *answers) get(ctx context.Context, key string, load func(context.Context) (any, error)) (answer, error) {
	loader := otter.LoaderFunc[string, answer](func(ctx context.Context, _ string) (answer, error) {
		v, err := load(ctx)
		if err != nil {
			return answer{}, err
		}
		return answer{v: v, gen: a.gen.Add(1)}, nil
	})
	if a.c == nil {
		v, err := load(ctx)
		return answer{v: v}, err // gen 0: nothing is cached from it
	}
	return a.c.Get(ctx, key, loader)
}

// clampWeight fits a weight into otter's uint32; an entry that big is
// larger than any bound and is evicted at once.
func clampWeight(n uint64) uint32 {
	return uint32(min(n, math.MaxUint32))
}

// deepSize estimates the bytes a decoded answer holds: the value itself
// and everything it points to (strings, slices, maps, pointers), counting
// shared memory once per reference, which overestimates and so errs on
// the safe side of the bound.
func deepSize(v reflect.Value) uint64 {
	if !v.IsValid() {
		return 0
	}
	return uint64(v.Type().Size()) + indirectSize(v)
}

// indirectSize is what v points to, beyond its own Type().Size().
func indirectSize(v reflect.Value) uint64 {
	switch v.Kind() {
	case reflect.String:
		return uint64(v.Len())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return deepSize(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return 0
		}
		n := uint64(v.Cap()) * uint64(v.Type().Elem().Size())
		for i := range v.Len() {
			n += indirectSize(v.Index(i))
		}
		return n
	case reflect.Array:
		var n uint64
		for i := range v.Len() {
			n += indirectSize(v.Index(i))
		}
		return n
	case reflect.Struct:
		var n uint64
		for i := range v.NumField() {
			n += indirectSize(v.Field(i))
		}
		return n
	case reflect.Map:
		// A map's buckets hold its keys and values with about one word of
		// overhead per entry.
		var n uint64
		iter := v.MapRange()
		for iter.Next() {
			n += 8 + deepSize(iter.Key()) + deepSize(iter.Value())
		}
		return n
	}
	return 0
}

// pageKey names a rendered shopper's page: the answer it was made from
// (its load number), the language, the escaped request path (the
// language switch links to it, the report form names the code asked),
// the day (certificates lapse) and the kind of scan verdict.
type pageKey struct {
	gen               uint64
	lang, path, today string
	scans, suspicious bool
}

// pageCache keeps rendered pages but for their scan verdict, bounded in
// bytes, for as long as the answers they were made from.
type pageCache struct {
	c *otter.Cache[pageKey, *tracepage.Parts] // nil: caching is off
}

func newPageCache(ttl time.Duration, maxBytes uint64, now func() time.Time) *pageCache {
	if ttl < 0 {
		return &pageCache{}
	}
	return &pageCache{c: otter.Must(&otter.Options[pageKey, *tracepage.Parts]{
		MaximumWeight: maxBytes,
		Weigher: func(k pageKey, v *tracepage.Parts) uint32 {
			return clampWeight(uint64(len(k.lang)+len(k.path)+len(k.today)) + uint64(v.Size()))
		},
		ExpiryCalculator: otter.ExpiryWriting[pageKey, *tracepage.Parts](ttl),
		Clock:            noTicks{now},
	})}
}

func (pc *pageCache) get(k pageKey) (*tracepage.Parts, bool) {
	if pc.c == nil || k.gen == 0 {
		return nil, false
	}
	return pc.c.GetIfPresent(k)
}

func (pc *pageCache) put(k pageKey, p *tracepage.Parts) {
	if pc.c != nil && k.gen != 0 {
		pc.c.Set(k, p)
	}
}
