// Package resolver is the public face of the ledger for shoppers: the GS1
// Digital Link resolver (/01/{gtin}/10/{lot}/21/{serial}) answering with
// the shopper's page or the trace as JSON, and the QR codes that lead to
// it. It reads the ledger as one public identity, through a short-lived
// cache, and counts scans of serialized items to flag copied codes.
package resolver

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/apps/tracepage"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/proof"
	"github.com/qingchain/qingchain/gateway/qr"
	"github.com/qingchain/qingchain/gateway/scans"
)

// Config wires a Resolver.
type Config struct {
	Ledger gateway.Ledger
	// Identity is who the resolver reads the ledger as; without one every
	// lookup answers that no public resolver identity is configured.
	Identity *identity.Identity
	// PublicURL is the base URL shoppers reach (in QR codes and links).
	PublicURL string
	// Scans counts scans of serialized items (optional).
	Scans *scans.Counter
	// CacheTTL is how long a ledger answer is reused (default 2 s;
	// negative disables).
	CacheTTL time.Duration
	// ScanAlertThreshold is the scan count above which a code is flagged
	// as possibly copied (default 30: a pack is scanned a few times by its
	// buyer and family, not dozens).
	ScanAlertThreshold int
	// LedgerTimeout bounds each ledger call (default 30 s).
	LedgerTimeout time.Duration
	Logger        *slog.Logger
}

// Resolver serves the Digital Link routes.
type Resolver struct {
	cfg    Config
	log    *slog.Logger
	proofs *proof.Cache
	qr     *qr.Cache
	traces traceCache
	names  sync.Map // credit code -> English name
}

// New makes a resolver.
func New(cfg Config) *Resolver {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = 2 * time.Second
	}
	if cfg.ScanAlertThreshold <= 0 {
		cfg.ScanAlertThreshold = 30
	}
	if cfg.LedgerTimeout <= 0 {
		cfg.LedgerTimeout = 30 * time.Second
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return &Resolver{cfg: cfg, log: cfg.Logger, proofs: proof.NewCache(cfg.Ledger), qr: qr.NewCache(4096),
		traces: traceCache{ttl: cfg.CacheTTL, m: map[string]traceEntry{}}}
}

// shopperTZ is the zone's local time, in which shoppers read dates.
var shopperTZ = time.FixedZone("CST", 8*3600)

// evaluate runs a public query as the resolver identity.
func (r *Resolver) evaluate(ctx context.Context, fn api.Tx, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.LedgerTimeout)
	defer cancel()
	return r.cfg.Ledger.Evaluate(ctx, r.cfg.Identity, gateway.Request{Function: string(fn), Args: args})
}

// read evaluates a public query and decodes the answer into a new T,
// through the short-lived cache (decoding is most of a page's cost). Only
// successful answers are cached.
func read[T any](ctx context.Context, r *Resolver, fn api.Tx, args ...string) (*T, error) {
	key := string(fn) + "\x00" + strings.Join(args, "\x00")
	now := time.Now()
	if v, ok := r.traces.get(key, now); ok {
		if t, ok := v.(*T); ok {
			return t, nil
		}
	}
	out, err := r.evaluate(ctx, fn, args...)
	if err != nil {
		return nil, err
	}
	t := new(T)
	if err := json.Unmarshal(out, t); err != nil {
		return nil, fmt.Errorf("decode %s answer: %w", fn, err)
	}
	r.traces.put(key, t, now)
	return t, nil
}

// digitalLinkPath parses the escaped request path of a Digital Link route.
func digitalLinkPath(c *gin.Context, prefix string) (string, error) {
	raw := c.Request.URL.EscapedPath()
	rest, ok := strings.CutPrefix(raw, prefix)
	if !ok {
		return "", gateway.Errorf(api.CodeInvalidArgument, "not a GS1 Digital Link path")
	}
	return "/01" + rest, nil
}

func wantsJSON(c *gin.Context) bool {
	accept := c.GetHeader("Accept")
	if c.Query("format") == "json" {
		return true
	}
	if strings.Contains(accept, "text/html") {
		return false
	}
	return strings.Contains(accept, "application/json") || strings.Contains(accept, "application/ld+json")
}

// Resolve is the GS1 Digital Link resolver: /01/{gtin}[/10/{lot}[/21/{serial}]].
func (r *Resolver) Resolve(c *gin.Context) error {
	path, err := digitalLinkPath(c, "/01")
	if err != nil {
		return err
	}
	key, err := gs1.ParsePath(path)
	if err != nil {
		return gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	return r.resolveKey(c, key)
}

// ErrorPage answers a browser's failed lookup with a short page in its
// language; a client that asked for JSON gets the JSON error body.
func (r *Resolver) ErrorPage(c *gin.Context, status int, code api.Code, message string) bool {
	if wantsJSON(c) {
		return false
	}
	lang := tracepage.Lang(c.Query("lang"), c.GetHeader("Accept-Language"))
	title := map[bool]string{true: "Not found", false: "无法识别此码"}[lang == "en"]
	if status == http.StatusNotFound && lang != "en" {
		title = "未找到该产品"
	} else if status >= 500 {
		title = map[bool]string{true: "Temporarily unavailable", false: "暂时无法查询"}[lang == "en"]
	} else if status == http.StatusBadRequest && lang == "en" {
		title = "Not a valid product code"
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", []byte(fmt.Sprintf(
		`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>%s</title></head><body style="font:16px system-ui,sans-serif;max-width:640px;margin:2em auto;padding:0 1em"><h1>%s</h1><p>%s</p><p><code>%s</code></p></body></html>`,
		template.HTMLEscapeString(title), template.HTMLEscapeString(title), template.HTMLEscapeString(message), template.HTMLEscapeString(string(code)))))
	return true
}

// ResolvedItem is the JSON answer of the resolver.
type ResolvedItem struct {
	DigitalLink string             `json:"digitalLink"`
	Trace       *api.TraceDocument `json:"trace,omitempty"`
	Product     *api.Product       `json:"product,omitempty"`
	Proof       *proof.Transaction `json:"proof,omitempty"`
	Scans       *ScanInfo          `json:"scans,omitempty"`
}

// ScanInfo is the off-ledger scan counter of a serialized item.
type ScanInfo struct {
	Count      int64  `json:"count"`
	FirstScan  string `json:"firstScan"`
	Suspicious bool   `json:"suspicious"`
}

func (r *Resolver) resolveKey(c *gin.Context, key gs1.Key) error {
	if r.cfg.Identity == nil {
		return gateway.Errorf(gateway.CodeLedgerUnavailable, "no public resolver identity is configured")
	}
	ctx := c.Request.Context()
	link := key.URL(r.cfg.PublicURL)
	if key.Lot == "" {
		if key.Serial != "" {
			return gateway.Errorf(api.CodeNotFound, "serialized items are identified with their lot (AI 10) on this ledger")
		}
		p, err := read[api.Product](ctx, r, api.TxGetProduct, key.GTIN)
		if err != nil {
			return err
		}
		if wantsJSON(c) {
			c.JSON(http.StatusOK, ResolvedItem{DigitalLink: link, Product: p, Proof: r.proofs.Get(ctx, p.TxID)})
			return nil
		}
		r.renderPage(c, key, link, &api.TraceDocument{Product: *p}, nil)
		return nil
	}
	doc, err := read[api.TraceDocument](ctx, r, api.TxGetTrace, key.GTIN, key.Lot, key.Serial)
	if err != nil {
		return err
	}
	var scans *ScanInfo
	if key.Serial != "" && r.cfg.Scans != nil {
		n, err := r.cfg.Scans.Scan(strings.TrimPrefix(key.Path(), "/"), time.Now())
		if err == nil {
			scans = &ScanInfo{Count: n.Count, FirstScan: n.First.In(shopperTZ).Format("2006-01-02 15:04"), Suspicious: n.Count > int64(r.cfg.ScanAlertThreshold)}
		}
	}
	c.Header("Cache-Control", "no-store")
	if wantsJSON(c) {
		txID := doc.Lot.TxID
		if doc.Item != nil {
			txID = doc.Item.TxID
		}
		c.JSON(http.StatusOK, ResolvedItem{DigitalLink: link, Trace: doc, Proof: r.proofs.Get(ctx, txID), Scans: scans})
		return nil
	}
	r.renderPage(c, key, link, doc, scans)
	return nil
}

// QRImage serves /qr/01/...{.png,.svg}: the QR code of the canonical
// Digital Link URL on the public base URL.
func (r *Resolver) QRImage(c *gin.Context) error {
	path, err := digitalLinkPath(c, "/qr/01")
	if err != nil {
		return err
	}
	var format qr.Format
	switch {
	case strings.HasSuffix(path, ".png"):
		format, path = qr.PNG, strings.TrimSuffix(path, ".png")
	case strings.HasSuffix(path, ".svg"):
		format, path = qr.SVG, strings.TrimSuffix(path, ".svg")
	default:
		return gateway.Errorf(api.CodeNotFound, "QR images end in .png or .svg")
	}
	key, err := gs1.ParsePath(path)
	if err != nil {
		return gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	size := 256
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 64 || n > 1024 {
			return gateway.Errorf(api.CodeInvalidArgument, "size must be an integer from 64 to 1024")
		}
		size = n
	}
	img, err := r.qr.Get(key.URL(r.cfg.PublicURL), format, size)
	if err != nil {
		return gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, format.ContentType(), img)
	return nil
}
