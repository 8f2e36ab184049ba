// Package authlimit rate-limits failed authentications per client address,
// so that API keys cannot be guessed at the speed of the network. The API's
// Bearer check and the portal's sign-in share one Limiter, so that an
// address's failures count wherever it tries.
package authlimit

import (
	"fmt"
	"math"
	"net/netip"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// Each address has a token bucket of AuthFailureBurst tokens that refills
// one token per AuthFailureInterval. Only a failed authentication (an
// Authorization header with an unknown, revoked or malformed key) takes a
// token; requests with a good key, and requests with no Authorization
// header, take none. An address whose bucket is empty is refused with 429
// TOO_MANY_FAILED_AUTHENTICATIONS and Retry-After before its key is looked
// up, even if the key is good, until a token has refilled: the limiter
// cannot tell the owner of a good key from an attacker who has just found
// one. Keys are not counted per key: a wrong key says nothing about whose
// key it was meant to be.
//
// Buckets live in an LRU cache of AuthLimitAddresses entries, so memory
// stays bounded when an attacker sprays requests from many addresses; an
// address pushed out of the cache starts again with a full bucket, which
// bounds what spraying gains at AuthFailureBurst guesses per address that
// passes through the cache. IPv6 clients are counted per /64, the block one
// host usually holds. The address is Gin's ClientIP: the connection's peer
// unless Config.TrustedProxies names the proxies whose X-Forwarded-For is
// believed.
// Limiter is the per-address budget of failed authentications.
type Limiter struct {
	every rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex // makes find-or-create of a bucket atomic
	buckets *lru.Cache[netip.Prefix, *rate.Limiter]
}

// Defaults for a gateway's limiter (httpapi.Config's AuthFailureBurst,
// AuthFailureInterval and AuthLimitAddresses).
const (
	DefaultBurst     = 10
	DefaultInterval  = 6 * time.Second
	DefaultAddresses = 65536
)

// New makes a limiter: burst failures in a row, then one more per
// interval, remembering at most addresses addresses; now is its clock
// (nil: time.Now).
func New(burst int, interval time.Duration, addresses int, now func() time.Time) (*Limiter, error) {
	if burst <= 0 || interval <= 0 || addresses <= 0 {
		return nil, fmt.Errorf("authlimit: auth failure limit needs a positive burst, interval and address count (got %d, %s, %d)", burst, interval, addresses)
	}
	if now == nil {
		now = time.Now
	}
	c, err := lru.New[netip.Prefix, *rate.Limiter](addresses)
	if err != nil {
		return nil, err
	}
	return &Limiter{every: rate.Every(interval), burst: burst, now: now, buckets: c}, nil
}

// clientKey is the bucket an address counts against: the address itself
// for IPv4, its /64 for IPv6. An unparsable address (Gin returns "" when
// the peer address is unreadable) shares one bucket.
func clientKey(ip string) netip.Prefix {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}

// Refused says whether the address has no failure left, and if so how
// long until it has one. It creates no bucket.
func (l *Limiter) Refused(ip string) (time.Duration, bool) {
	b, ok := l.buckets.Get(clientKey(ip))
	if !ok {
		return 0, false
	}
	tokens := b.TokensAt(l.now())
	if tokens >= 1 {
		return 0, false
	}
	return time.Duration((1 - tokens) / float64(l.every) * float64(time.Second)), true
}

// Failed takes one token from the address's bucket.
func (l *Limiter) Failed(ip string) {
	k := clientKey(ip)
	l.mu.Lock()
	b, ok := l.buckets.Get(k)
	if !ok {
		b = rate.NewLimiter(l.every, l.burst)
		l.buckets.Add(k, b)
	}
	l.mu.Unlock()
	b.AllowN(l.now(), 1)
}

// Len is how many addresses the limiter remembers.
func (l *Limiter) Len() int { return l.buckets.Len() }

// RetryAfter is the Retry-After value for a wait: whole seconds, rounded
// up, at least 1.
func RetryAfter(d time.Duration) string {
	return fmt.Sprint(max(1, int64(math.Ceil(d.Seconds()))))
}
