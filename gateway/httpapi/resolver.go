package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/apps/tracepage"
	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/qr"
)

// shopperTZ is the zone's local time, in which shoppers read dates.
var shopperTZ = time.FixedZone("CST", 8*3600)

func init() {
	extraRoutes = append(extraRoutes, func(s *Server, _ *gin.RouterGroup) {
		s.engine.GET("/01/*path", s.resolve)
		s.engine.GET("/qr/01/*path", s.qrImage)
	})
}

// proofCache keeps transaction proofs: once committed, a transaction's block
// and hashes never change.
type proofCache struct {
	mu sync.RWMutex
	m  map[string]*TransactionProof
}

func (p *proofCache) get(txID string) (*TransactionProof, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	v, ok := p.m[txID]
	return v, ok
}

func (p *proofCache) put(txID string, v *TransactionProof) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) > 50000 {
		p.m = map[string]*TransactionProof{}
	}
	p.m[txID] = v
}

func (s *Server) cachedProof(c *gin.Context, txID string) *TransactionProof {
	if txID == "" {
		return nil
	}
	if p, ok := s.proofs.get(txID); ok {
		return p
	}
	p, err := s.proof(c, txID)
	if err != nil {
		return nil
	}
	s.proofs.put(txID, p)
	return p
}

// traceCache keeps the resolver's recent ledger answers for a short time:
// a popular pack is scanned by many shoppers at once, and a record that is
// a second or two old is as good as the newest for a shopper, while every
// request still reaches the scan counter.
type traceCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]traceEntry
}

type traceEntry struct {
	at  time.Time
	out any // decoded answer, shared read-only
}

func (tc *traceCache) get(key string, now time.Time) (any, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.m[key]
	if !ok || now.Sub(e.at) > tc.ttl {
		return nil, false
	}
	return e.out, true
}

func (tc *traceCache) put(key string, out any, now time.Time) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.m) >= 10000 {
		for k, e := range tc.m {
			if now.Sub(e.at) > tc.ttl {
				delete(tc.m, k)
			}
		}
		if len(tc.m) >= 10000 {
			tc.m = map[string]traceEntry{}
		}
	}
	tc.m[key] = traceEntry{at: now, out: out}
}

// resolverRead evaluates a public query as the resolver identity and
// decodes the answer into a new T, through the short-lived cache (decoding
// is most of a page's cost). Only successful answers are cached.
func resolverRead[T any](s *Server, c *gin.Context, fn api.Tx, args ...string) (*T, error) {
	key := string(fn) + "\x00" + strings.Join(args, "\x00")
	now := time.Now()
	if v, ok := s.traces.get(key, now); ok {
		if t, ok := v.(*T); ok {
			return t, nil
		}
	}
	out, err := s.evaluate(c.Request.Context(), s.cfg.Resolver, fn, args...)
	if err != nil {
		return nil, err
	}
	t := new(T)
	if err := json.Unmarshal(out, t); err != nil {
		return nil, fmt.Errorf("decode %s answer: %w", fn, err)
	}
	s.traces.put(key, t, now)
	return t, nil
}

// digitalLinkPath parses the escaped request path of a Digital Link route.
func digitalLinkPath(c *gin.Context, prefix string) (string, error) {
	raw := c.Request.URL.EscapedPath()
	rest, ok := strings.CutPrefix(raw, prefix)
	if !ok {
		return "", newError("INVALID_ARGUMENT", "not a GS1 Digital Link path")
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

// resolve is the GS1 Digital Link resolver: /01/{gtin}[/10/{lot}[/21/{serial}]].
func (s *Server) resolve(c *gin.Context) {
	path, err := digitalLinkPath(c, "/01")
	if err == nil {
		var key gs1.Key
		key, err = gs1.ParsePath(path)
		if err == nil {
			s.resolveKey(c, key)
			return
		}
		err = newError("INVALID_ARGUMENT", err.Error())
	}
	s.resolverFail(c, err)
}

// resolverFail answers in JSON or, for browsers, as a short page.
func (s *Server) resolverFail(c *gin.Context, err error) {
	if wantsJSON(c) {
		s.fail(c, err)
		return
	}
	e, status := classify(err)
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
		template.HTMLEscapeString(title), template.HTMLEscapeString(title), template.HTMLEscapeString(e.Message), template.HTMLEscapeString(e.Code))))
	c.Abort()
}

// ResolvedItem is the JSON answer of the resolver.
type ResolvedItem struct {
	DigitalLink string                   `json:"digitalLink"`
	Trace       *contracts.TraceDocument `json:"trace,omitempty"`
	Product     *contracts.Product       `json:"product,omitempty"`
	Proof       *TransactionProof        `json:"proof,omitempty"`
	Scans       *ScanInfo                `json:"scans,omitempty"`
}

// ScanInfo is the off-ledger scan counter of a serialized item.
type ScanInfo struct {
	Count      int64  `json:"count"`
	FirstScan  string `json:"firstScan"`
	Suspicious bool   `json:"suspicious"`
}

func (s *Server) resolveKey(c *gin.Context, key gs1.Key) {
	if s.cfg.Resolver == nil {
		s.resolverFail(c, newError("LEDGER_UNAVAILABLE", "no public resolver identity is configured"))
		return
	}
	link := key.URL(s.publicBase(c))
	if key.Lot == "" {
		if key.Serial != "" {
			s.resolverFail(c, newError("NOT_FOUND", "serialized items are identified with their lot (AI 10) on this ledger"))
			return
		}
		p, err := resolverRead[contracts.Product](s, c, api.TxGetProduct, key.GTIN)
		if err != nil {
			s.resolverFail(c, err)
			return
		}
		res := ResolvedItem{DigitalLink: link, Product: p, Proof: s.cachedProof(c, p.TxID)}
		if wantsJSON(c) {
			c.JSON(http.StatusOK, res)
			return
		}
		s.renderPage(c, key, link, &contracts.TraceDocument{Product: *p}, nil)
		return
	}
	doc, err := resolverRead[contracts.TraceDocument](s, c, api.TxGetTrace, key.GTIN, key.Lot, key.Serial)
	if err != nil {
		s.resolverFail(c, err)
		return
	}
	var scans *ScanInfo
	if key.Serial != "" && s.cfg.Scans != nil {
		n, err := s.cfg.Scans.Scan(strings.TrimPrefix(key.Path(), "/"), time.Now())
		if err == nil {
			scans = &ScanInfo{Count: n.Count, FirstScan: n.First.In(shopperTZ).Format("2006-01-02 15:04"), Suspicious: n.Count > int64(s.cfg.ScanAlertThreshold)}
		}
	}
	c.Header("Cache-Control", "no-store")
	if wantsJSON(c) {
		txID := doc.Lot.TxID
		if doc.Item != nil {
			txID = doc.Item.TxID
		}
		c.JSON(http.StatusOK, ResolvedItem{DigitalLink: link, Trace: doc, Proof: s.cachedProof(c, txID), Scans: scans})
		return
	}
	s.renderPage(c, key, link, doc, scans)
}

// publicBase is the configured public URL.
func (s *Server) publicBase(*gin.Context) string { return s.cfg.PublicURL }

func (s *Server) renderPage(c *gin.Context, key gs1.Key, link string, doc *contracts.TraceDocument, scans *ScanInfo) {
	lang := tracepage.Lang(c.Query("lang"), c.GetHeader("Accept-Language"))
	other := map[string]string{"zh": "en", "en": "zh"}[lang]
	q := url.Values{"lang": {other}}
	p := &tracepage.Page{
		Lang: lang, OtherLang: other, OtherURL: c.Request.URL.EscapedPath() + "?" + q.Encode(),
		DigitalLink: link, QRPath: "/qr" + key.Path() + ".svg",
		Product: tracepage.Product{GTIN: doc.Product.GTIN, NameZh: doc.Product.NameZh, NameEn: doc.Product.NameEn, Category: doc.Product.Category,
			GI: doc.Product.GIStatus == "GI_REGISTERED", GIName: doc.Product.GIName},
		Lot: tracepage.Lot{Lot: doc.Lot.Lot, Quantity: doc.Lot.Quantity, Unit: doc.Lot.Unit, Date: doc.Lot.Date,
			PlaceZh: doc.Lot.Origin.Place, PlaceEn: doc.Lot.Origin.PlaceEn, Lat: doc.Lot.Origin.Latitude, Lon: doc.Lot.Origin.Longitude,
			ProducerZh: doc.Lot.Producer.Name, ProducerEn: s.enterpriseNameEn(c, doc.Lot.Producer.CreditCode)},
	}
	proofTx := doc.Lot.TxID
	if doc.Item != nil {
		p.Item = &tracepage.Item{Serial: doc.Item.Serial, CommissionedAt: localTime(doc.Item.CommissionedAt), Container: doc.Container}
		proofTx = doc.Item.TxID
	}
	if doc.Lot.Lot == "" {
		proofTx = doc.Product.TxID
	}
	if doc.Recalled && doc.Recall != nil {
		r := doc.Recall
		p.Recall = &tracepage.Recall{Lot: r.Lot, Reason: r.Reason, By: r.By.Name, At: localTime(r.RecallAt), Inherited: r.Lot != doc.Lot.Lot || r.GTIN != doc.Lot.GTIN}
	}
	var timeline []tracepage.Step
	for _, e := range doc.Events {
		st := tracepage.Step{Time: localTime(e.EventTime), BizStep: e.BizStep, Who: e.RecordedBy.Name, WhoEn: s.enterpriseNameEn(c, e.RecordedBy.CreditCode), TxID: e.TxID, Excursion: e.Excursion}
		if e.BizLocation != nil {
			st.Where, st.WhereEn = e.BizLocation.Name, e.BizLocation.NameEn
		}
		if st.BizStep == "" {
			st.BizStep = "transforming"
		}
		st.Upstream = !eventTouches(e, doc.Lot.GTIN, doc.Lot.Lot)
		if st.Upstream {
			st.Lot = eventLot(e)
		}
		timeline = append(timeline, st)
	}
	p.Timeline = collapseTimeline(timeline)
	p.NotShown = notShown(doc)
	today := time.Now().In(shopperTZ).Format("2006-01-02")
	for _, ct := range doc.Certificates {
		pc := tracepage.Cert{Type: ct.Type, Number: ct.Number, Issuer: ct.Issuer.Name, IssuerEn: s.enterpriseNameEn(c, ct.Issuer.CreditCode),
			ValidFrom: ct.ValidFrom, ValidUntil: ct.ValidUntil, Result: ct.Result, DocHash: ct.DocumentSHA256, TxID: ct.TxID, Expired: ct.ValidUntil != "" && ct.ValidUntil < today}
		if pr := s.cachedProof(c, ct.TxID); pr != nil && pr.Validation == "VALID" {
			pc.Verified, pc.BlockNumber = true, pr.BlockNumber
		}
		p.Certs = append(p.Certs, pc)
	}
	p.Chart = readingsChart(doc, lang)
	if pr := s.cachedProof(c, proofTx); pr != nil {
		p.Proof = &tracepage.Proof{TxID: pr.TxID, BlockNumber: pr.BlockNumber, BlockHash: pr.BlockHash, Timestamp: localTime(pr.Timestamp)}
	}
	if scans != nil {
		p.Scans = &tracepage.Scans{Count: scans.Count, First: scans.FirstScan, Suspicious: scans.Suspicious}
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Content-Language", map[string]string{"zh": "zh-CN", "en": "en"}[lang])
	c.Header("Vary", "Accept, Accept-Language")
	c.Status(http.StatusOK)
	if err := tracepage.Render(c.Writer, p); err != nil {
		s.log.Error("render trace page", "err", err)
	}
}

// enterpriseNameEn looks up an enterprise's English name (cached; names
// rarely change and the page only shows them).
func (s *Server) enterpriseNameEn(c *gin.Context, code string) string {
	if code == "" || s.cfg.Resolver == nil {
		return ""
	}
	if v, ok := s.names.Load(code); ok {
		return v.(string)
	}
	out, err := s.evaluate(c.Request.Context(), s.cfg.Resolver, api.TxGetEnterprise, code)
	if err != nil {
		return ""
	}
	var e contracts.Enterprise
	if json.Unmarshal(out, &e) != nil {
		return ""
	}
	s.names.Store(code, e.NameEn)
	return e.NameEn
}

func eventTouches(e contracts.TraceEvent, gtin, lot string) bool {
	for _, refs := range [][]contracts.LotRef{e.Lots, e.Outputs, e.ChildLots} {
		for _, r := range refs {
			if r.GTIN == gtin && r.Lot == lot {
				return true
			}
		}
	}
	for _, refs := range [][]contracts.ItemRef{e.Items, e.ChildItems} {
		for _, r := range refs {
			if r.GTIN == gtin && r.Lot == lot {
				return true
			}
		}
	}
	if e.Parent != nil && e.Parent.GTIN == gtin && e.Parent.Lot == lot {
		return true
	}
	return false
}

func eventLot(e contracts.TraceEvent) string {
	for _, refs := range [][]contracts.LotRef{e.Lots, e.Outputs, e.ChildLots} {
		if len(refs) > 0 {
			return refs[0].Lot
		}
	}
	return ""
}

func localTime(rfc string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc)
	if err != nil {
		return rfc
	}
	return t.In(shopperTZ).Format("2006-01-02 15:04")
}

// collapseTimeline shortens runs of like entries (same step, place,
// recorder and lot, no excursion): a run of more than three shows its
// first and last entries and, between them, how many more there are.
func collapseTimeline(steps []tracepage.Step) []tracepage.Step {
	like := func(a, b tracepage.Step) bool {
		return !a.Excursion && !b.Excursion && a.BizStep == b.BizStep && a.Where == b.Where && a.Who == b.Who && a.Upstream == b.Upstream && a.Lot == b.Lot
	}
	out := make([]tracepage.Step, 0, len(steps))
	for i := 0; i < len(steps); {
		j := i + 1
		for j < len(steps) && like(steps[i], steps[j]) {
			j++
		}
		if j-i > 3 {
			out = append(out, steps[i], tracepage.Step{Same: j - i - 2}, steps[j-1])
		} else {
			out = append(out, steps[i:j]...)
		}
		i = j
	}
	return out
}

// notShown lists what the trace document counted and did not list, per
// step, and the input lots and records it did not read.
func notShown(doc *contracts.TraceDocument) []tracepage.NotShown {
	var out []tracepage.NotShown
	at := map[string]int{}
	for _, st := range doc.Steps {
		if st.Omitted <= 0 {
			continue
		}
		step := st.BizStep
		if step == "" {
			step = "transforming"
		}
		if i, ok := at[step]; ok {
			out[i].Count += st.Omitted
			continue
		}
		at[step] = len(out)
		out = append(out, tracepage.NotShown{Kind: "step", BizStep: step, Count: st.Omitted})
	}
	if n := doc.Omitted.Unread; n > 0 {
		out = append(out, tracepage.NotShown{Kind: "unread", Count: n})
	}
	if n := doc.Omitted.Lots; n > 0 {
		out = append(out, tracepage.NotShown{Kind: "lots", Count: n})
	}
	return out
}

func readingsChart(doc *contracts.TraceDocument, lang string) *tracepage.Chart {
	var rs []tracepage.Reading
	unit := "°C"
	for _, r := range doc.SensorReadings {
		if r.Type != "" && !strings.EqualFold(r.Type, "temperature") {
			continue
		}
		from, err1 := time.Parse(time.RFC3339Nano, r.From)
		to, err2 := time.Parse(time.RFC3339Nano, r.To)
		lo, err3 := strconv.ParseFloat(r.MinValue, 64)
		hi, err4 := strconv.ParseFloat(r.MaxValue, 64)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			continue
		}
		rs = append(rs, tracepage.Reading{From: from.In(shopperTZ), To: to.In(shopperTZ), Min: lo, Max: hi, Excursion: r.Excursion})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].From.Before(rs[j].From) })
	var lo, hi *float64
	if v, err := strconv.ParseFloat(doc.Product.StorageMinC, 64); err == nil {
		lo = &v
	}
	if v, err := strconv.ParseFloat(doc.Product.StorageMaxC, 64); err == nil {
		hi = &v
	}
	excursions := 0
	for _, r := range rs {
		if r.Excursion {
			excursions++
		}
	}
	c := tracepage.NewChart(tracepage.Downsample(rs, tracepage.MaxBars), lo, hi, unit)
	if c == nil {
		return nil
	}
	c.Excursions, c.Count = excursions, len(rs)
	c.Hidden = doc.Omitted.Readings
	for _, ss := range doc.SensorSeries {
		if ss.Type != "" && !strings.EqualFold(ss.Type, "temperature") {
			continue
		}
		line := tracepage.SeriesLine{Where: ss.Lot, Readings: ss.Readings, Excursions: ss.Excursion, Min: ss.MinValue, Max: ss.MaxValue, Mean: ss.MeanValue}
		if l := ss.Location; l != nil {
			line.Where = l.ID
			if lang == "en" && l.NameEn != "" {
				line.Where = l.NameEn
			} else if l.Name != "" {
				line.Where = l.Name
			}
		}
		// The worst peak is the one farthest out of the product's range.
		pr := &doc.Product
		for i := range doc.Products {
			if doc.Products[i].GTIN == ss.GTIN {
				pr = &doc.Products[i]
			}
		}
		out := func(v float64) float64 {
			d := math.Inf(-1)
			if hi, err := strconv.ParseFloat(pr.StorageMaxC, 64); err == nil {
				d = v - hi
			}
			if lo, err := strconv.ParseFloat(pr.StorageMinC, 64); err == nil {
				d = math.Max(d, lo-v)
			}
			return d
		}
		worst := math.Inf(-1)
		var longest int64
		for _, x := range ss.Excursions {
			if v, err := strconv.ParseFloat(x.Peak, 64); err == nil && (line.Worst == "" || out(v) > worst) {
				worst, line.Worst = out(v), x.Peak
			}
			longest = max(longest, x.DurationSeconds)
		}
		if longest > 0 {
			line.Longest = (time.Duration(longest) * time.Second).String()
		}
		c.Series = append(c.Series, line)
	}
	if len(doc.SensorSeries) > 0 {
		c.Excursions = 0
		for _, ss := range doc.SensorSeries {
			c.Excursions += ss.Excursion
		}
	}
	return c
}

// qrImage serves /qr/01/...{.png,.svg}: the QR code of the canonical
// Digital Link URL on the public base URL.
func (s *Server) qrImage(c *gin.Context) {
	path, err := digitalLinkPath(c, "/qr/01")
	if err != nil {
		s.fail(c, err)
		return
	}
	var format qr.Format
	switch {
	case strings.HasSuffix(path, ".png"):
		format, path = qr.PNG, strings.TrimSuffix(path, ".png")
	case strings.HasSuffix(path, ".svg"):
		format, path = qr.SVG, strings.TrimSuffix(path, ".svg")
	default:
		s.fail(c, newError("NOT_FOUND", "QR images end in .png or .svg"))
		return
	}
	key, err := gs1.ParsePath(path)
	if err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return
	}
	size := 256
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 64 || n > 1024 {
			s.fail(c, newError("INVALID_ARGUMENT", "size must be an integer from 64 to 1024"))
			return
		}
		size = n
	}
	img, err := s.qrCache.Get(key.URL(s.cfg.PublicURL), format, size)
	if err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, format.ContentType(), img)
}
