// Package resolver is the public face of the ledger for shoppers: the GS1
// Digital Link resolver (/01/{gtin}/10/{lot}/21/{serial}) answering with
// the shopper's page, the trace as JSON or the key's linkset; the QR codes
// that lead to it; the shopper's reports of suspicious products and
// complaints. It reads the ledger as one public identity, through a
// short-lived cache, and counts scans of serialized items, a person and a
// device at a time, to flag copied codes.
package resolver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/epcis"
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
	// Scans counts scans of serialized items and judges them by its
	// policy (optional; scans.New over the read model's store).
	Scans Scans
	// Reports keeps shoppers' reports (optional: without it the page has
	// no report form).
	Reports scans.Reports
	// CacheTTL is how long a ledger answer is reused (default 2 s;
	// negative disables).
	CacheTTL time.Duration
	// CacheBytes bounds the decoded ledger answers kept (default 64 MiB);
	// PageCacheBytes the rendered pages (default 16 MiB).
	CacheBytes, PageCacheBytes uint64
	// Vocab is the namespace of Qingchain's own EPCIS terms and the URL of
	// its JSON-LD context (default: under PublicURL).
	Vocab epcis.Vocab
	// LedgerTimeout bounds each ledger call (default 30 s).
	LedgerTimeout time.Duration
	Logger        *slog.Logger
}

// Scans is what the resolver asks of the scan counter (scans.Counter).
type Scans interface {
	// Scan records a visit and returns the item's record.
	Scan(ctx context.Context, item scans.Item, v scans.Visit) (scans.Count, bool, error)
	// Get returns an item's record without scanning it.
	Get(ctx context.Context, key string) (scans.Count, error)
}

// Resolver serves the Digital Link routes.
type Resolver struct {
	cfg    Config
	log    *slog.Logger
	client *client.Client
	proofs *proof.Cache
	qr     *qr.Cache
	traces *answers
	pages  *pageCache
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
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = 64 << 20
	}
	if cfg.PageCacheBytes == 0 {
		cfg.PageCacheBytes = 16 << 20
	}
	if cfg.LedgerTimeout <= 0 {
		cfg.LedgerTimeout = 30 * time.Second
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Vocab.Namespace == "" {
		cfg.Vocab, _ = epcis.NewVocab(cfg.PublicURL, "") // a relative public URL leaves it empty: EPCIS answers say so
	}
	return &Resolver{cfg: cfg, log: cfg.Logger, client: client.New(cfg.Ledger), proofs: proof.NewCache(cfg.Ledger), qr: qr.NewCache(4096),
		traces: newAnswers(cfg.CacheTTL, cfg.CacheBytes, time.Now), pages: newPageCache(cfg.CacheTTL, cfg.PageCacheBytes, time.Now)}
}

// shopperTZ is the zone's local time, in which shoppers read dates.
var shopperTZ = time.FixedZone("CST", 8*3600)

// cached runs a public query as the resolver identity through the
// short-lived cache (decoding is most of a page's cost), and returns the
// answer with the number of its load (0 when caching is off). Only
// successful answers are cached.
func cached[T any](ctx context.Context, r *Resolver, key string, query func(context.Context, *identity.Identity) (T, error)) (*T, uint64, error) {
	a, err := r.traces.get(ctx, key, func(ctx context.Context) (any, error) {
		ctx, cancel := context.WithTimeout(ctx, r.cfg.LedgerTimeout)
		defer cancel()
		v, err := query(ctx, r.cfg.Identity)
		if err != nil {
			return nil, err
		}
		return &v, nil
	})
	if err != nil {
		return nil, 0, err
	}
	t, ok := a.v.(*T)
	if !ok {
		return nil, 0, fmt.Errorf("resolver: cache entry %q holds %T", key, a.v)
	}
	return t, a.gen, nil
}

func (r *Resolver) trace(ctx context.Context, k gs1.Key) (*api.TraceDocument, uint64, error) {
	return cached(ctx, r, "trace\x00"+k.Path(), func(ctx context.Context, as *identity.Identity) (api.TraceDocument, error) {
		return r.client.GetTrace(ctx, as, k.GTIN, k.Lot, k.Serial)
	})
}

func (r *Resolver) product(ctx context.Context, gtin string) (*api.Product, uint64, error) {
	return cached(ctx, r, "product\x00"+gtin, func(ctx context.Context, as *identity.Identity) (api.Product, error) {
		return r.client.GetProduct(ctx, as, gtin)
	})
}

// isNotFound reports a NOT_FOUND refusal, from the chaincode or the
// gateway.
func isNotFound(err error) bool {
	var ce *gateway.ChaincodeError
	if errors.As(err, &ce) {
		return ce.Code == string(api.CodeNotFound)
	}
	var ge *gateway.Error
	return errors.As(err, &ge) && ge.Code == api.CodeNotFound
}

// resolution is what the ledger knows of a key: the trace at the most
// specific level it has, and which level of the key it does not know.
type resolution struct {
	asked, found gs1.Key
	doc          *api.TraceDocument
	// gen is the load of the cached answer doc comes from (0: not cached).
	gen uint64
	// missing is "serial" or "lot" when the standard's walk-up went to the
	// level above; err is the refusal of the level asked.
	missing string
	err     error
}

// lookup resolves a key, walking up from an unknown serial to its lot and
// from an unknown lot to its product, as GS1's resolver standard does. An
// unknown product is the error.
func (r *Resolver) lookup(ctx context.Context, k gs1.Key) (*resolution, error) {
	if r.cfg.Identity == nil {
		return nil, gateway.Errorf(gateway.CodeLedgerUnavailable, "no public resolver identity is configured")
	}
	res := &resolution{asked: k, found: k}
	var first error
	if k.Lot != "" {
		doc, gen, err := r.trace(ctx, k)
		if err == nil {
			res.doc, res.gen = doc, gen
			return res, nil
		}
		if !isNotFound(err) {
			return nil, err
		}
		first = err
		if k.Serial != "" {
			up := gs1.Key{GTIN: k.GTIN, Lot: k.Lot}
			if doc, gen, err := r.trace(ctx, up); err == nil {
				res.found, res.doc, res.gen, res.missing, res.err = up, doc, gen, "serial", first
				return res, nil
			} else if !isNotFound(err) {
				return nil, err
			}
		}
	} else if k.Serial != "" {
		first = gateway.Errorf(api.CodeNotFound, "serialized items are identified with their lot (AI 10) on this ledger")
	}
	p, gen, err := r.product(ctx, k.GTIN)
	if err != nil {
		return nil, err
	}
	res.found, res.doc, res.gen = gs1.Key{GTIN: k.GTIN}, &api.TraceDocument{Product: *p}, gen
	if k.Lot != "" || k.Serial != "" {
		res.missing, res.err = "lot", first
	}
	return res, nil
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
	return strings.Contains(accept, "application/json")
}

// wantsEPCIS reads ?format=epcis or Accept: application/ld+json: the
// key's trace as an EPCIS 2.0 JSON-LD document.
func wantsEPCIS(c *gin.Context) bool {
	if f := c.Query("format"); f != "" {
		return f == "epcis"
	}
	accept := c.GetHeader("Accept")
	return strings.Contains(accept, epcisType) && !strings.Contains(accept, "text/html")
}

const epcisType = "application/ld+json"

// ResolvedItem is the JSON answer of the resolver.
type ResolvedItem struct {
	DigitalLink string             `json:"digitalLink"`
	Trace       *api.TraceDocument `json:"trace,omitempty"`
	Product     *api.Product       `json:"product,omitempty"`
	Proof       *proof.Transaction `json:"proof,omitempty"`
	Scans       *ScanInfo          `json:"scans,omitempty"`
}

// ScanInfo is the off-ledger scan record of a serialized item: scans by
// people (the same device again within the window is one), on how many
// distinct devices, since when, and whether that looks like a copied code.
type ScanInfo struct {
	Count      int64  `json:"count"`
	Devices    int    `json:"devices"`
	FirstScan  string `json:"firstScan,omitempty"`
	Suspicious bool   `json:"suspicious"`
}

func scanInfo(n scans.Count) *ScanInfo {
	si := &ScanInfo{Count: n.Count, Devices: n.Devices, Suspicious: n.Suspicious}
	if !n.First.IsZero() {
		si.FirstScan = n.First.In(shopperTZ).Format("2006-01-02")
	}
	return si
}

// Resolve is the GS1 Digital Link resolver: /01/{gtin}[/10/{lot}[/21/{serial}]],
// for GET and HEAD.
func (r *Resolver) Resolve(c *gin.Context) error {
	path, err := digitalLinkPath(c, "/01")
	if err != nil {
		return err
	}
	key, err := gs1.ParsePath(path)
	if err != nil {
		if !wantsJSON(c) && !wantsLinkset(c) {
			r.problem(c, langOf(c, ""), http.StatusBadRequest, "invalid", invalidPart(path, err), string(api.CodeInvalidArgument))
			return nil
		}
		return gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	linkType, known := "", true
	if v := c.Query("linkType"); v != "" {
		if linkType, known = linkTypeOf(v); linkType == "" {
			linkType = v // not a link type at all: the default link
		}
	}
	res, err := r.lookup(c.Request.Context(), key)
	if err != nil {
		if isNotFound(err) && !wantsJSON(c) && !wantsLinkset(c) && linkType == "" {
			r.problem(c, langOf(c, ""), http.StatusNotFound, "unknown", key.GTIN, string(api.CodeNotFound))
			return nil
		}
		return err
	}
	c.Header("Link", r.linkHeader(res.found))
	ls := r.links(res.found, res.doc.Product.NameZh, res.doc.Product.NameEn)
	switch {
	case linkType == "all" || (linkType == "" && wantsLinkset(c)):
		b, err := jsonBytes(ls)
		if err != nil {
			return err
		}
		send(c, http.StatusOK, LinksetType, cachePublic, b)
		return nil
	case linkType != "" && linkType != LinkPIP && linkType != LinkDefault:
		// A link type the key has: to its target in the shopper's
		// language; one it lacks (or an unknown one): to the default link.
		target := res.found.URL(r.cfg.PublicURL)
		if ts := ls.Linkset[0].Links[GS1Voc+linkType]; known && len(ts) > 0 {
			target = pickTarget(ts, langOf(c, "")).Href
		}
		c.Header("Cache-Control", cachePublic)
		addVary(c.Writer.Header(), "Accept-Language")
		c.Redirect(http.StatusTemporaryRedirect, target)
		return nil
	case wantsEPCIS(c):
		return r.serveEPCIS(c, res)
	case wantsJSON(c):
		return r.serveJSON(c, res)
	}
	return r.servePage(c, res)
}

func (r *Resolver) serveJSON(c *gin.Context, res *resolution) error {
	if res.err != nil {
		return res.err // an API client gets the precise refusal, not the level above
	}
	ctx := c.Request.Context()
	out := ResolvedItem{DigitalLink: res.found.URL(r.cfg.PublicURL)}
	if res.found.Lot == "" {
		out.Product = &res.doc.Product
		out.Proof = r.proofs.Get(ctx, res.doc.Product.TxID)
	} else {
		out.Trace = res.doc
		txID := res.doc.Lot.TxID
		if res.doc.Item != nil {
			txID = res.doc.Item.TxID
		}
		out.Proof = r.proofs.Get(ctx, txID)
		// The JSON form is not a person looking: it reads the record
		// without counting.
		if res.found.Serial != "" && r.cfg.Scans != nil {
			if n, err := r.cfg.Scans.Get(ctx, scanKey(res.found)); err == nil {
				out.Scans = scanInfo(n)
			}
		}
	}
	b, err := jsonBytes(out)
	if err != nil {
		return err
	}
	send(c, http.StatusOK, "application/json; charset=utf-8", cachePublic, b)
	return nil
}

// serveEPCIS answers a lot's or an item's trace as an EPCIS document: an
// item's holds its packing (the AggregationEvent into its case).
func (r *Resolver) serveEPCIS(c *gin.Context, res *resolution) error {
	if res.err != nil {
		return res.err
	}
	if res.found.Lot == "" {
		return gateway.Errorf(api.CodeNotFound, "EPCIS documents are of lots and serialized items; %s names a product only", res.found.Path())
	}
	doc, err := epcis.FromTrace(res.doc, time.Now().UTC(), r.cfg.Vocab)
	if err != nil {
		return err
	}
	b, err := jsonBytes(doc)
	if err != nil {
		return err
	}
	send(c, http.StatusOK, epcisType, cachePublic, b)
	return nil
}

// Vocab is the vocabulary of the resolver's EPCIS documents.
func (r *Resolver) Vocab() epcis.Vocab { return r.cfg.Vocab }

// VocabContext serves the vocabulary's JSON-LD context.
func (r *Resolver) VocabContext(c *gin.Context) error {
	b, err := jsonBytes(r.cfg.Vocab.Context())
	if err != nil {
		return err
	}
	send(c, http.StatusOK, epcisType, "public, max-age=86400", b)
	return nil
}

func scanKey(k gs1.Key) string { return strings.TrimPrefix(k.Path(), "/") }

// scan counts a person opening the page of a serialized item (GET, not a
// crawler or link preview), and returns the item's record either way.
func (r *Resolver) scan(c *gin.Context, k gs1.Key) *ScanInfo {
	if k.Serial == "" || r.cfg.Scans == nil {
		return nil
	}
	key := scanKey(k)
	var n scans.Count
	var err error
	if c.Request.Method == http.MethodGet && !isBot(c.Request) {
		secure := c.Request.TLS != nil || (strings.HasPrefix(r.cfg.PublicURL, "https://") && c.GetHeader("X-Forwarded-Proto") == "https")
		n, _, err = r.cfg.Scans.Scan(c.Request.Context(), scans.Item{Key: key, GTIN: k.GTIN}, visitOf(c, secure, time.Now()))
	} else {
		n, err = r.cfg.Scans.Get(c.Request.Context(), key)
	}
	if err != nil {
		r.log.WarnContext(c.Request.Context(), "scan counter", "err", err)
		return nil
	}
	return scanInfo(n)
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
	send(c, http.StatusOK, format.ContentType(), "public, max-age=86400", img)
	return nil
}
