package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/idempotency"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// manualClock is the limiter's clock in these tests: time moves only when
// the test says so.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type limitEnv struct {
	t     *testing.T
	srv   *Server
	clock *manualClock
	key   string // a good API key
}

const testBurst = 10
const testInterval = 6 * time.Second

// newLimitEnv is a server over an empty devledger with one API key.
func newLimitEnv(t *testing.T, mutate func(*Config)) *limitEnv {
	t.Helper()
	dir := t.TempDir()
	cc, err := contracts.New()
	if err != nil {
		t.Fatal(err)
	}
	l, err := devledger.Open(devledger.Config{Dir: filepath.Join(dir, "ledger"), Chaincode: cc, Orgs: demo.Orgs, BatchTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	w, err := wallet.Open(filepath.Join(dir, "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := l.CA(demo.PlatformMSP)
	id, err := ca.Issue("someone", identity.RoleClient, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PutIdentity("someone", id); err != nil {
		t.Fatal(err)
	}
	key, _, err := w.AddKey("someone")
	if err != nil {
		t.Fatal(err)
	}
	idem, err := idempotency.Open(dir, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idem.Close() })
	clock := &manualClock{now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	cfg := Config{Ledger: l, Wallet: w, Idempotency: idem, AuthFailureBurst: testBurst, AuthFailureInterval: testInterval, AuthLimitClock: clock.Now}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &limitEnv{t: t, srv: srv, clock: clock, key: key}
}

// get calls GET /api/v1/me from a peer address with an Authorization
// header ("" for none) and extra headers as name, value pairs.
func (e *limitEnv) get(peer, auth string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	req.RemoteAddr = peer
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

const wrongKey = "Bearer qck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// refusedFor checks a 429 in the one error shape and returns its
// Retry-After.
func refusedFor(t *testing.T, rec *httptest.ResponseRecorder) time.Duration {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", rec.Code, rec.Body)
	}
	var eb map[string]map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || len(eb) != 1 || eb["error"]["code"] != "TOO_MANY_FAILED_AUTHENTICATIONS" || eb["error"]["message"] == "" {
		t.Fatalf("429 body %s is not the error shape with TOO_MANY_FAILED_AUTHENTICATIONS", rec.Body)
	}
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > testInterval {
		t.Fatalf("Retry-After %q, want whole seconds in 1..%v", rec.Header().Get("Retry-After"), testInterval)
	}
	return time.Duration(secs) * time.Second
}

func TestFailedAuthenticationsLimitedPerAddress(t *testing.T) {
	e := newLimitEnv(t, nil)
	const attacker, other = "192.0.2.1:40000", "198.51.100.7:40000"

	// 500 wrong keys: the burst gets 401, everything after it 429.
	unauth, limited := 0, 0
	for i := range 500 {
		rec := e.get(attacker, wrongKey)
		switch rec.Code {
		case http.StatusUnauthorized:
			if limited > 0 {
				t.Fatalf("request %d: 401 after a 429", i)
			}
			unauth++
		case http.StatusTooManyRequests:
			refusedFor(t, rec)
			limited++
		default:
			t.Fatalf("request %d: status %d: %s", i, rec.Code, rec.Body)
		}
	}
	if unauth != testBurst || limited != 500-testBurst {
		t.Fatalf("%d × 401 and %d × 429, want %d and %d", unauth, limited, testBurst, 500-testBurst)
	}

	// A good key from the limited address is refused too, before lookup.
	wait := refusedFor(t, e.get(attacker, "Bearer "+e.key))

	// Another address is unaffected, with a good key or a wrong one.
	if rec := e.get(other, "Bearer "+e.key); rec.Code != http.StatusOK {
		t.Fatalf("good key from another address: %d %s", rec.Code, rec.Body)
	}
	if rec := e.get(other, wrongKey); rec.Code != http.StatusUnauthorized {
		t.Fatalf("wrong key from another address: %d %s", rec.Code, rec.Body)
	}

	// Once Retry-After has passed the address has one failure again, and
	// a good key works.
	e.clock.Advance(wait)
	if rec := e.get(attacker, "Bearer "+e.key); rec.Code != http.StatusOK {
		t.Fatalf("good key after Retry-After: %d %s", rec.Code, rec.Body)
	}
	if rec := e.get(attacker, wrongKey); rec.Code != http.StatusUnauthorized {
		t.Fatalf("first wrong key after Retry-After: %d %s", rec.Code, rec.Body)
	}
	refusedFor(t, e.get(attacker, wrongKey))
}

// Only failures take tokens: good keys and requests without a key do not.
func TestOnlyFailedAuthenticationsCount(t *testing.T) {
	e := newLimitEnv(t, nil)
	const peer = "203.0.113.9:5000"
	for range 3 * testBurst {
		if rec := e.get(peer, "Bearer "+e.key); rec.Code != http.StatusOK {
			t.Fatalf("good key: %d %s", rec.Code, rec.Body)
		}
		if rec := e.get(peer, ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("no key: %d %s", rec.Code, rec.Body)
		}
	}
	// Malformed credentials are failures like wrong keys.
	for i, auth := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer ~~~"} {
		if rec := e.get(peer, auth); rec.Code != http.StatusUnauthorized {
			t.Fatalf("credential %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	for range testBurst - 3 {
		if rec := e.get(peer, wrongKey); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong key within the burst: %d %s", rec.Code, rec.Body)
		}
	}
	refusedFor(t, e.get(peer, wrongKey))
}

// X-Forwarded-For is ignored unless its sender is a trusted proxy.
func TestAuthLimitClientAddress(t *testing.T) {
	e := newLimitEnv(t, nil)
	for i := range testBurst {
		e.get("192.0.2.1:1", wrongKey, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i), "X-Real-IP", fmt.Sprintf("10.1.0.%d", i))
	}
	refusedFor(t, e.get("192.0.2.1:1", wrongKey, "X-Forwarded-For", "10.9.9.9"))

	p := newLimitEnv(t, func(c *Config) { c.TrustedProxies = []string{"192.0.2.0/24"} })
	for i := range 3 * testBurst {
		if rec := p.get("192.0.2.1:1", wrongKey, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("client %d behind a trusted proxy: %d", i, rec.Code)
		}
	}
	for range testBurst {
		p.get("192.0.2.1:1", wrongKey, "X-Forwarded-For", "10.5.5.5")
	}
	refusedFor(t, p.get("192.0.2.2:1", wrongKey, "X-Forwarded-For", "10.5.5.5"))
	if rec := p.get("192.0.2.2:1", "Bearer "+p.key, "X-Forwarded-For", "10.5.5.6"); rec.Code != http.StatusOK {
		t.Fatalf("another client behind the proxy: %d", rec.Code)
	}

	// IPv6 counts per /64.
	for i := range testBurst {
		e.get(fmt.Sprintf("[2001:db8::%x]:1", i+1), wrongKey)
	}
	refusedFor(t, e.get("[2001:db8::ffff]:1", wrongKey))
	if rec := e.get("[2001:db8:0:1::1]:1", wrongKey); rec.Code != http.StatusUnauthorized {
		t.Fatalf("another /64: %d", rec.Code)
	}

	if _, err := New(Config{Ledger: e.srv.ledger, Wallet: e.srv.wallet, Idempotency: e.srv.idem, TrustedProxies: []string{"not-an-address"}}); err == nil {
		t.Error("New accepted a malformed trusted proxy")
	}
}

// Spraying failures from many addresses keeps at most AuthLimitAddresses
// buckets, and the newest addresses stay limited.
func TestAuthLimitBounded(t *testing.T) {
	const size = 64
	e := newLimitEnv(t, func(c *Config) { c.AuthLimitAddresses = size })
	for i := range 5000 {
		peer := fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255)
		if rec := e.get(peer, wrongKey); rec.Code != http.StatusUnauthorized {
			t.Fatalf("first failure of %s: %d", peer, rec.Code)
		}
		if n := e.srv.authLimit.Len(); n > size {
			t.Fatalf("%d buckets after %d addresses, bound %d", n, i+1, size)
		}
	}
	if n := e.srv.authLimit.Len(); n != size {
		t.Errorf("%d buckets, want the bound %d", n, size)
	}
	const last = "10.0.19.135:1" // the 5000th address
	for range testBurst - 1 {
		e.get(last, wrongKey)
	}
	refusedFor(t, e.get(last, wrongKey))
}
