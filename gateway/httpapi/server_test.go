package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/contracttest"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/idempotency"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/ledgermetrics"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
	"github.com/qingchain/qingchain/gateway/resolver"
	"github.com/qingchain/qingchain/gateway/retry"
	"github.com/qingchain/qingchain/gateway/scans"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// env is a gateway over a real devledger seeded with the demo zone.
type env struct {
	t      testing.TB
	dir    string
	ledger *devledger.Ledger
	wallet *wallet.Wallet
	idem   *idempotency.Store
	scans  *scans.Counter
	scanDB *sqlstore.Store
	srv    *Server
	http   *httptest.Server
	keys   map[string]string // demo user -> API key
	wrap   func(gateway.Ledger) gateway.Ledger
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir()}
	e.start()
	return e
}

func (e *env) start() {
	t := e.t
	t.Helper()
	cc, err := contracts.New()
	if err != nil {
		t.Fatal(err)
	}
	clock := &demo.Clock{}
	// The private data collections as the gateway's devledger has them
	// (network/collections/qingchain.json).
	e.ledger, err = devledger.Open(devledger.Config{Dir: filepath.Join(e.dir, "ledger"), Chaincode: cc, Orgs: demo.Orgs, Collections: contracttest.Collections(t), BatchTimeout: time.Millisecond, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if e.wallet, err = wallet.Open(filepath.Join(e.dir, "wallet")); err != nil {
		t.Fatal(err)
	}
	if e.idem, err = idempotency.Open(e.dir, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(context.Background(), e.ledger, clock, e.ledger, e.wallet, e.dir, "https://trace.example", slog.New(slog.DiscardHandler),
		demo.Tea, demo.Chicken, demo.ReceiptPledge, demo.ExportCreditInsurance, demo.MarginCall, demo.TradeVerification); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(e.dir, demo.CredentialsFile))
	if err != nil {
		t.Fatal(err)
	}
	var creds demo.Credentials
	json.Unmarshal(raw, &creds)
	e.keys = map[string]string{}
	for _, u := range creds.Users {
		e.keys[u.Name] = u.APIKey
	}
	var l gateway.Ledger = e.ledger
	if e.wrap != nil {
		l = e.wrap(l)
	}
	ca, _ := e.ledger.CA(demo.PlatformMSP)
	resolverID, err := ca.Issue("public-resolver", identity.RoleClient, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Scans and reports in the read model's embedded store, as the
	// gateway keeps them.
	if e.scanDB, err = sqlite.OpenDir(context.Background(), e.dir, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	e.scans = scans.New(e.scanDB, scans.Policy{})
	// Composed as cmd/qingchain-gateway composes them.
	reg := prometheus.NewRegistry()
	measured, err := ledgermetrics.New(l, reg)
	if err != nil {
		t.Fatal(err)
	}
	served := retry.New(measured, retry.Config{OnRetry: measured.CountRetry})
	res := resolver.New(resolver.Config{Ledger: served, Identity: resolverID, PublicURL: "https://trace.example", Scans: e.scans, Reports: e.scanDB, CacheTTL: -1})
	// A strict client: every answer the handlers render must survive its
	// API type whole.
	e.srv, err = New(Config{Ledger: served, Client: client.New(served, client.Strict()), Wallet: e.wallet, Idempotency: e.idem, PublicURL: "https://trace.example", MaxBodyBytes: 64 << 10,
		Resolver: res, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.stop)
}

func (e *env) stop() {
	if e.http == nil {
		return
	}
	e.http.Close()
	e.idem.Close()
	e.scanDB.Close()
	e.ledger.Close()
	e.http = nil
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(r.body, &eb); err != nil {
		t.Fatalf("not the error shape: %s", r.body)
	}
	return string(eb.Error.Code)
}

// do sends a request as a demo user ("" for no key); extra headers as
// name, value pairs.
func (e *env) do(method, path, user string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		key, ok := e.keys[user]
		if !ok {
			key = user // a raw key
		}
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"no key", "", http.StatusUnauthorized},
		{"not bearer", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"unknown key", "Bearer qck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", http.StatusUnauthorized},
		{"garbage", "Bearer ~~~", http.StatusUnauthorized},
		{"valid", "Bearer " + e.keys["bank"], http.StatusOK},
		{"scheme in lower case", "bearer " + e.keys["bank"], http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/me", "", nil, "Authorization", tc.header)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
			if tc.want == http.StatusUnauthorized {
				if got := r.errorCode(t); got != "UNAUTHENTICATED" {
					t.Errorf("code %s", got)
				}
				if r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}

	// A revoked key stops working at once, even for the running gateway.
	keys, _ := e.wallet.Keys()
	for _, k := range keys {
		if k.Identity == "bank" {
			if err := e.wallet.Revoke(k.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r := e.do("GET", "/api/v1/me", "bank", nil); r.status != http.StatusUnauthorized {
		t.Errorf("revoked key: status %d, want 401", r.status)
	}
	// Public endpoints need no key.
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"} {
		if r := e.do("GET", p, "", nil); r.status != http.StatusOK {
			t.Errorf("%s: status %d", p, r.status)
		}
	}
}

func TestWrongOrganisationAndErrorMapping(t *testing.T) {
	e := newEnv(t)
	tea := demo.CreditCode(1)
	var me struct {
		ID string `json:"id"`
	}
	e.do("GET", "/api/v1/me", "bank", nil).json(t, &me)
	reg := map[string]any{"creditCode": demo.CreditCode(77), "name": "新企业", "kinds": []string{"producer"}}
	tests := []struct {
		name       string
		method     string
		path       string
		user       string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"bank admin binds to a platform enterprise", "POST", "/api/v1/enterprises/" + tea + "/members", "bank-admin", map[string]string{"id": me.ID}, 403, "FORBIDDEN"},
		{"member registers an enterprise", "POST", "/api/v1/enterprises", "tea-coop", reg, 403, "FORBIDDEN"},
		{"duplicate enterprise", "POST", "/api/v1/enterprises", "platform-admin", map[string]any{"creditCode": tea, "name": "x", "kinds": []string{"producer"}}, 409, "ALREADY_EXISTS"},
		{"bad credit code in path", "GET", "/api/v1/enterprises/91441800QC0000001X", "bank", nil, 400, "INVALID_ARGUMENT"},
		{"unknown enterprise", "GET", "/api/v1/enterprises/" + demo.CreditCode(999), "bank", nil, 404, "NOT_FOUND"},
		{"bad kind", "POST", "/api/v1/enterprises", "platform-admin", map[string]any{"creditCode": demo.CreditCode(78), "name": "x", "kinds": []string{"pirate"}}, 400, "INVALID_ARGUMENT"},
		{"bad member id", "POST", "/api/v1/enterprises/" + tea + "/members", "platform-admin", map[string]string{"id": "nope"}, 400, "INVALID_ARGUMENT"},
		{"unknown route", "GET", "/api/v1/nothing", "bank", nil, 404, "NOT_FOUND"},
		{"method not allowed", "DELETE", "/api/v1/enterprises", "bank", nil, 405, "METHOD_NOT_ALLOWED"},
		{"bad tx id", "GET", "/api/v1/transactions/xyz", "bank", nil, 400, "INVALID_ARGUMENT"},
		{"unknown tx", "GET", "/api/v1/transactions/" + strings.Repeat("ab", 32), "bank", nil, 404, "NOT_FOUND"},
		{"block beyond height", "GET", "/api/v1/blocks/99999", "bank", nil, 404, "NOT_FOUND"},
		{"negative block", "GET", "/api/v1/blocks/-1", "bank", nil, 400, "INVALID_ARGUMENT"},
		{"bad org filter", "GET", "/api/v1/enterprises?org=../x", "bank", nil, 400, "INVALID_ARGUMENT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, tc.user, tc.body)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
			}
			if got := r.errorCode(t); got != tc.wantCode {
				t.Errorf("code %s, want %s", got, tc.wantCode)
			}
		})
	}

	r := e.do("POST", "/api/v1/enterprises", "platform-admin", reg)
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var w WriteResult
	r.json(t, &w)
	if len(w.TxID) != 64 || w.BlockNumber == 0 {
		t.Errorf("write result lacks txId/blockNumber: %s", r.body)
	}
	var proof TransactionProof
	e.do("GET", "/api/v1/transactions/"+w.TxID, "bank", nil).json(t, &proof)
	if proof.BlockNumber != w.BlockNumber || proof.Validation != "VALID" || len(proof.BlockHash) != 64 || proof.CreatorMSP != "PlatformMSP" {
		t.Errorf("proof = %+v", proof)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err        error
		wantCode   api.Code
		wantStatus int
	}{
		{&gateway.ChaincodeError{Code: "ALREADY_PLEDGED", Message: "x"}, "ALREADY_PLEDGED", 409},
		{&gateway.ChaincodeError{Code: "LTV_EXCEEDED", Message: "x"}, "LTV_EXCEEDED", 422},
		{&gateway.ChaincodeError{Code: "SOME_NEW_RULE", Message: "x"}, "SOME_NEW_RULE", 422},
		{&gateway.ChaincodeError{Code: "CHAINCODE_ERROR", Message: "x"}, "INTERNAL", 500},
		{&gateway.CommitError{Code: gateway.MVCCReadConflict}, "CONFLICT", 409},
		{&gateway.CommitError{Code: gateway.PhantomReadConflict}, "CONFLICT", 409},
		{&gateway.CommitError{Code: gateway.BadCreatorSignature}, "INTERNAL", 500},
		{fmt.Errorf("x: %w", gateway.ErrUnavailable), "LEDGER_UNAVAILABLE", 503},
		{context.DeadlineExceeded, "TIMEOUT", 503},
		{fmt.Errorf("wrapped: %w", idempotency.ErrKeyReused), "IDEMPOTENCY_KEY_REUSED", 422},
	}
	for _, tc := range tests {
		got, status := classify(tc.err)
		if got.Code != tc.wantCode || status != tc.wantStatus {
			t.Errorf("classify(%v) = %s %d, want %s %d", tc.err, got.Code, status, tc.wantCode, tc.wantStatus)
		}
	}
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	body := map[string]any{"creditCode": demo.CreditCode(500), "name": "幂等测试企业", "kinds": []string{"exporter"}}
	h0, _ := e.ledger.Height(context.Background())

	first := e.do("POST", "/api/v1/enterprises", "platform-admin", body, "Idempotency-Key", "register-500")
	if first.status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	var wg sync.WaitGroup
	replays := make([]response, 100)
	for i := range replays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replays[i] = e.do("POST", "/api/v1/enterprises", "platform-admin", body, "Idempotency-Key", "register-500")
		}()
	}
	wg.Wait()
	for i, r := range replays {
		if r.status != first.status || !bytes.Equal(r.body, first.body) || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay %d: %d %s (replayed=%q), want the first answer %s", i, r.status, r.body, r.header.Get("Idempotent-Replayed"), first.body)
		}
	}
	if h1, _ := e.ledger.Height(context.Background()); h1 != h0+1 {
		t.Errorf("height went from %d to %d: want exactly one new block for one transaction", h0, h1)
	}

	// The same key with a different body is refused.
	other := map[string]any{"creditCode": demo.CreditCode(501), "name": "另一个", "kinds": []string{"bank"}}
	if r := e.do("POST", "/api/v1/enterprises", "platform-admin", other, "Idempotency-Key", "register-500"); r.status != 422 || r.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("reused key: %d %s", r.status, r.body)
	}
	// Another caller's identical key is another request.
	if r := e.do("POST", "/api/v1/enterprises", "bank-admin", other, "Idempotency-Key", "register-500"); r.status != http.StatusCreated {
		t.Errorf("another caller with the same key: %d %s", r.status, r.body)
	}
	// A refused request's answer is replayed too.
	dup := e.do("POST", "/api/v1/enterprises", "platform-admin", body, "Idempotency-Key", "dup-1")
	if dup.status != 409 {
		t.Fatalf("duplicate registration: %d", dup.status)
	}
	if again := e.do("POST", "/api/v1/enterprises", "platform-admin", body, "Idempotency-Key", "dup-1"); !bytes.Equal(again.body, dup.body) {
		t.Error("refusal not replayed")
	}
	if r := e.do("POST", "/api/v1/enterprises", "platform-admin", body, "Idempotency-Key", strings.Repeat("k", 300)); r.status != 400 {
		t.Errorf("over-long Idempotency-Key: %d", r.status)
	}

	// Keys survive a restart.
	e.stop()
	e.start()
	r := e.do("POST", "/api/v1/enterprises", "platform-admin", body, "Idempotency-Key", "register-500")
	if r.status != first.status || !bytes.Equal(r.body, first.body) {
		t.Errorf("after restart: %d %s, want %s", r.status, r.body, first.body)
	}
}

func TestBodyLimitsAndMalformedInput(t *testing.T) {
	e := newEnv(t)
	big := `{"creditCode":"` + strings.Repeat("A", 70<<10) + `"}`
	tests := []struct {
		name     string
		body     any
		ctype    string
		want     int
		wantCode string
	}{
		{"too large", big, "application/json", 413, "BODY_TOO_LARGE"},
		{"malformed", `{"creditCode":`, "application/json", 400, "MALFORMED_JSON"},
		{"not an object", `[1,2]`, "application/json", 400, "INVALID_ARGUMENT"},
		{"trailing data", `{"name":"x"} {}`, "application/json", 400, "MALFORMED_JSON"},
		{"empty", "", "application/json", 400, "MALFORMED_JSON"},
		{"unknown field", `{"creditCode":"x","admin":true}`, "application/json", 400, "INVALID_ARGUMENT"},
		{"wrong type", `{"creditCode":123}`, "application/json", 400, "INVALID_ARGUMENT"},
		{"wrong content type", `creditCode=x`, "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"invalid UTF-8", "{\"creditCode\":\"\xff\xfe\",\"name\":\"x\",\"kinds\":[\"bank\"]}", "application/json", 400, "INVALID_ARGUMENT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/enterprises", "platform-admin", tc.body, "Content-Type", tc.ctype)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %s", r.status, tc.want, r.body)
			}
			if got := r.errorCode(t); got != tc.wantCode {
				t.Errorf("code %s, want %s", got, tc.wantCode)
			}
		})
	}
}

// conflictingLedger makes the first n submissions lose an MVCC race, to
// exercise the gateway's retry path on top of the real ledger.
type conflictingLedger struct {
	gateway.Ledger
	mu       sync.Mutex
	n, calls int
}

func (c *conflictingLedger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	c.mu.Lock()
	c.calls++
	lose := c.calls <= c.n
	c.mu.Unlock()
	if lose {
		return nil, &gateway.CommitError{TxID: "lost", Code: gateway.MVCCReadConflict}
	}
	return c.Ledger.Submit(ctx, id, req)
}

func TestConflictRetries(t *testing.T) {
	for _, tc := range []struct {
		conflicts  int
		wantStatus int
		wantCalls  int
	}{{2, 201, 3}, {100, 409, 6}} {
		t.Run(fmt.Sprint(tc.conflicts), func(t *testing.T) {
			var cl *conflictingLedger
			e := &env{t: t, dir: t.TempDir(), wrap: func(l gateway.Ledger) gateway.Ledger {
				cl = &conflictingLedger{Ledger: l, n: tc.conflicts}
				return cl
			}}
			e.start()
			r := e.do("POST", "/api/v1/enterprises", "platform-admin", map[string]any{"creditCode": demo.CreditCode(600), "name": "x", "kinds": []string{"producer"}})
			if r.status != tc.wantStatus || cl.calls != tc.wantCalls {
				t.Errorf("status %d after %d submissions; want %d after %d: %s", r.status, cl.calls, tc.wantStatus, tc.wantCalls, r.body)
			}
			if tc.wantStatus == 409 && r.errorCode(t) != "CONFLICT" {
				t.Errorf("code %s", r.errorCode(t))
			}
		})
	}
}

// Nothing a client sends produces a 500 or a panic.
func TestNoServerErrorFromClientInput(t *testing.T) {
	e := newEnv(t)
	bodies := []string{"", "{}", "null", `{"id":null}`, `{"creditCode":"","name":"","kinds":[]}`, `{"kinds":[null]}`, `{"name":"` + strings.Repeat("名", 5000) + `"}`,
		`{"creditCode":"91441800QC0000001D","name":"\u0000","kinds":["bank"]}`, "\x00\x01", `{"id":"eDUwOTo6"}`, `{"id":"` + strings.Repeat("A", 4000) + `"}`}
	paths := []string{"/api/v1/enterprises", "/api/v1/enterprises/" + demo.CreditCode(1), "/api/v1/enterprises/%00", "/api/v1/enterprises/" + demo.CreditCode(1) + "/members",
		"/api/v1/enterprises/" + demo.CreditCode(1) + "/members/unbind", "/api/v1/me", "/api/v1/blocks/18446744073709551615", "/api/v1/transactions/" + strings.Repeat("0", 64), "/01/x", "/../../etc/passwd"}
	for _, p := range paths {
		for _, m := range []string{"GET", "POST", "PUT"} {
			for _, b := range bodies {
				for _, u := range []string{"platform-admin", "bank", ""} {
					r := e.do(m, p, u, b)
					if r.status >= 500 {
						t.Errorf("%s %s as %q with %.40q: %d %s", m, p, u, b, r.status, r.body)
					}
				}
			}
		}
	}
}

func TestMetricsAndRequestID(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/me", "bank", nil, "X-Request-Id", "trace-abc-123")
	if got := r.header.Get("X-Request-Id"); got != "trace-abc-123" {
		t.Errorf("request id echoed as %q", got)
	}
	if r := e.do("GET", "/healthz", "", nil, "X-Request-Id", "bad id with spaces"); len(r.header.Get("X-Request-Id")) != 16 {
		t.Errorf("an unusable request id was not replaced: %q", r.header.Get("X-Request-Id"))
	}
	m := string(e.do("GET", "/metrics", "", nil).body)
	for _, want := range []string{
		`qingchain_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1`,
		"qingchain_http_request_duration_seconds_bucket",
		"qingchain_ledger_evaluate_duration_seconds_count",
		"qingchain_ledger_block_height",
		"go_goroutines",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func readFile(dir, name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
