package resolver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/httpapi"
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

var (
	teaItem     = gs1.Key{GTIN: demo.GTINBlackTea, Lot: demo.LotTeaExport, Serial: "TIN00001"}
	chickenItem = gs1.Key{GTIN: demo.GTINChickenBox, Lot: demo.LotCarcass, Serial: "CHK00001"}
)

// env is the whole gateway, as cmd/qingchain-gateway composes it, over a
// real devledger seeded with the demo zone: the resolver is tested where
// shoppers reach it, mounted by the HTTP API (which also renders its JSON
// errors), and the trace it shows is changed through the API.
type env struct {
	t        testing.TB
	dir      string
	ledger   *devledger.Ledger
	idem     *idempotency.Store
	scans    *scans.Counter
	scanDB   *sqlstore.Store
	srv      *httpapi.Server
	http     *httptest.Server
	keys     map[string]string // demo user -> API key
	cacheTTL time.Duration     // the resolver's (default: no cache)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), cacheTTL: -1}
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
	e.ledger, err = devledger.Open(devledger.Config{Dir: filepath.Join(e.dir, "ledger"), Chaincode: cc, Orgs: demo.Orgs, BatchTimeout: time.Millisecond, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	w, err := wallet.Open(filepath.Join(e.dir, "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	if e.idem, err = idempotency.Open(e.dir, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(context.Background(), e.ledger, clock, e.ledger, w, e.dir, "https://trace.example", slog.New(slog.DiscardHandler),
		demo.Tea, demo.Chicken, demo.ReceiptPledge, demo.ExportCreditInsurance, demo.MarginCall); err != nil {
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
	reg := prometheus.NewRegistry()
	measured, err := ledgermetrics.New(e.ledger, reg)
	if err != nil {
		t.Fatal(err)
	}
	served := retry.New(measured, retry.Config{OnRetry: measured.CountRetry})
	res := resolver.New(resolver.Config{Ledger: served, Identity: resolverID, PublicURL: "https://trace.example", Scans: e.scans, Reports: e.scanDB, CacheTTL: e.cacheTTL})
	e.srv, err = httpapi.New(httpapi.Config{Ledger: served, Wallet: w, Idempotency: e.idem, PublicURL: "https://trace.example",
		MaxBodyBytes: 64 << 10, Resolver: res, Metrics: reg})
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
	var eb struct {
		Error httpapi.Error `json:"error"`
	}
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
		req.Header.Set("Authorization", "Bearer "+e.keys[user])
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
