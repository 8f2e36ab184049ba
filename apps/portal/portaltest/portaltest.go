// Package portaltest runs the portal end to end for tests: the whole
// gateway (API and portal) over a devledger seeded with the demo zone and a
// projected SQLite read model, demo users' keys, sign-in over HTTP, and a
// headless Chromium (chromedp) that signs a demo user in and takes
// screenshots at phone and desktop widths. Each role's tests use it with
// their own sections.
package portaltest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/apps/portal"
	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/gateway/authlimit"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/httpapi"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
	"github.com/qingchain/qingchain/gateway/wallet"
	"github.com/qingchain/qingchain/network"
)

// Env is a running gateway with the portal.
type Env struct {
	URL    string
	Dir    string
	Ledger *devledger.Ledger
	Client *client.Client
	Wallet *wallet.Wallet
	Store  *sqlstore.Store
	Clock  *demo.Clock
	// Keys are the demo users' API keys by user name ("bank", "tea-coop").
	Keys map[string]string
	// Entities is the demo's demo.json (ids of what it recorded).
	Entities map[string]any
	// Now is the portal's session clock; tests move it to expire sessions.
	Now func() time.Time
	// Limiter is the shared failed-authentication limiter.
	Limiter *authlimit.Limiter
	srv     *httptest.Server
}

// Options adjust an Env.
type Options struct {
	// Now is the portal's clock (default time.Now).
	Now func() time.Time
	// Burst of failed sign-ins per address (default authlimit's).
	Burst int
}

// New starts the gateway with the portal made of sections.
func New(t testing.TB, opts Options, sections ...portal.Section) *Env {
	t.Helper()
	ctx := context.Background()
	e := &Env{Dir: t.TempDir(), Clock: &demo.Clock{}}
	cc, err := contracts.New()
	if err != nil {
		t.Fatal(err)
	}
	collRaw, err := network.Collections("qingchain")
	if err != nil {
		t.Fatal(err)
	}
	var colls []devledger.Collection
	if collRaw != nil {
		if colls, err = devledger.ParseCollections(collRaw); err != nil {
			t.Fatal(err)
		}
	}
	e.Ledger, err = devledger.Open(devledger.Config{Dir: filepath.Join(e.Dir, "ledger"), Chaincode: cc, Orgs: demo.Orgs,
		EndorsementPolicy: network.EndorsementPolicy(), Collections: colls, BatchTimeout: time.Millisecond, Now: e.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Ledger.Close() })
	if e.Wallet, err = wallet.Open(filepath.Join(e.Dir, "wallet")); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if err := demo.Seed(ctx, e.Ledger, e.Clock, e.Ledger, e.Wallet, e.Dir, "https://trace.example", log,
		demo.Tea, demo.Chicken, demo.ReceiptPledge, demo.ExportCreditInsurance, demo.MarginCall); err != nil {
		t.Fatal(err)
	}
	var creds demo.Credentials
	readJSON(t, filepath.Join(e.Dir, demo.CredentialsFile), &creds)
	e.Keys = map[string]string{}
	for _, u := range creds.Users {
		e.Keys[u.Name] = u.APIKey
	}
	readJSON(t, filepath.Join(e.Dir, demo.EntitiesFile), &e.Entities)
	if e.Store, err = sqlite.OpenDir(ctx, e.Dir, log); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Store.Close() })
	e.Client = client.New(e.Ledger)
	reader, err := e.Wallet.Identity("regulator")
	if err != nil {
		t.Fatal(err)
	}
	projector := &readmodel.Projector{Ledger: e.Ledger, Store: e.Store, Log: log,
		Source: &readmodel.LedgerSource{Client: e.Client, Reader: reader,
			Directory: (&readmodel.WalletDirectory{Client: e.Client, Wallet: e.Wallet, Log: log}).Lookup}}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = projector.Run(pctx) }()
	t.Cleanup(func() { stop(); <-done })
	burst := opts.Burst
	if burst <= 0 {
		burst = authlimit.DefaultBurst
	}
	if e.Limiter, err = authlimit.New(burst, authlimit.DefaultInterval, authlimit.DefaultAddresses, nil); err != nil {
		t.Fatal(err)
	}
	e.Now = opts.Now
	if e.Now == nil {
		e.Now = time.Now
	}
	web, err := portal.New(portal.Config{Ledger: e.Ledger, Wallet: e.Wallet, Sessions: e.Store.Sessions(), Lists: e.Store, Limiter: e.Limiter,
		Statuses: httpapi.ErrorStatuses(), Logger: log, Now: func() time.Time { return e.Now() }}, sections...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.Config{Ledger: e.Ledger, Wallet: e.Wallet, Idempotency: e.Store.Idempotency(time.Hour), Logger: log,
		PublicURL: "https://trace.example", Metrics: prometheus.NewRegistry(), AuthLimiter: e.Limiter, Apps: []httpapi.App{web},
		ReadModel: &httpapi.ReadModel{Store: e.Store, Projector: projector, Hooks: e.Store}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(e.srv.Close)
	e.URL = e.srv.URL
	// The projection has caught up with the demo before any page reads it.
	h, err := e.Ledger.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, _, err := projector.Heights(ctx)
		if err == nil && got >= h {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("read model at %d of %d blocks after 60 s", got, h)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return e
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Browser is an HTTP client with a cookie jar that does not follow
// redirects (tests look at them).
func (e *Env) Browser(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var hiddenRE = regexp.MustCompile(`name="(signin|csrf)" value="([^"]+)"`)

// Hidden finds a hidden token field (signin or csrf) in a page.
func Hidden(page, name string) string {
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	return ""
}

// SignIn signs the demo user in through the form; it returns the response
// to the form's POST.
func (e *Env) SignIn(t testing.TB, c *http.Client, user string) *http.Response {
	t.Helper()
	page := e.Get(t, c, "/")
	tok := Hidden(page, "signin")
	if tok == "" {
		t.Fatalf("no sign-in token on /:\n%.400s", page)
	}
	resp, err := c.PostForm(e.URL+"/ui/signin", url.Values{"signin": {tok}, "key": {e.Keys[user]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// Get reads a page's body (any status).
func (e *Env) Get(t testing.TB, c *http.Client, path string) string {
	t.Helper()
	resp, err := c.Get(e.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := new(bytes.Buffer)
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
