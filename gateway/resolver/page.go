package resolver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/apps/tracepage"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/proof"
	"github.com/qingchain/qingchain/gateway/tracedoc"
)

// The shopper's page: a trace document turned into what apps/tracepage
// renders, and the pages for codes that cannot be shown.

func (r *Resolver) servePage(c *gin.Context, res *resolution) error {
	lang := langOf(c, "")
	today := time.Now().In(shopperTZ).Format("2006-01-02")
	var scans *tracepage.Scans
	if si := r.scan(c, res.found); si != nil {
		scans = &tracepage.Scans{Count: si.Count, Devices: si.Devices, First: si.FirstScan, Suspicious: si.Suspicious}
	}
	// The page but for its scan verdict is kept for as long as the answer
	// it was made from: rendering it was most of a page's cost.
	pk := pageKey{gen: res.gen, lang: lang, path: c.Request.URL.EscapedPath(), today: today, scans: scans != nil, suspicious: scans != nil && scans.Suspicious}
	parts, ok := r.pages.get(pk)
	if !ok {
		rd := &pageReads{r: r, c: c}
		p := r.page(rd, res, lang, today)
		p.Scans = scans
		var err error
		if parts, err = tracepage.RenderParts(p); err != nil {
			return err
		}
		// A page missing a proof or a name the ledger did not give this
		// time is shown, not kept.
		if !rd.failed {
			r.pages.put(pk, parts)
		}
	}
	body, err := parts.Append(nil, scans)
	if err != nil {
		return err
	}
	c.Header("Content-Language", map[string]string{"zh": "zh-CN", "en": "en"}[lang])
	send(c, http.StatusOK, "text/html; charset=utf-8", cachePage, body)
	return nil
}

// pageReads are the reads a page makes besides its trace (English names,
// proofs), noting whether any failed.
type pageReads struct {
	r      *Resolver
	c      *gin.Context
	failed bool
}

func (rd *pageReads) nameEn(code string) string {
	name, ok := rd.r.enterpriseNameEn(rd.c, code)
	rd.failed = rd.failed || !ok
	return name
}

func (rd *pageReads) proof(txID string) *proof.Transaction {
	pr := rd.r.proofs.Get(rd.c.Request.Context(), txID)
	rd.failed = rd.failed || (pr == nil && txID != "")
	return pr
}

// page is what the shopper's page shows of res, but for the scans.
func (r *Resolver) page(rd *pageReads, res *resolution, lang, today string) *tracepage.Page {
	c := rd.c
	key, doc := res.found, res.doc
	other := map[string]string{"zh": "en", "en": "zh"}[lang]
	q := url.Values{"lang": {other}}
	p := &tracepage.Page{
		Lang: lang, OtherLang: other, OtherURL: c.Request.URL.EscapedPath() + "?" + q.Encode(),
		DigitalLink: key.URL(r.cfg.PublicURL), QRPath: "/qr" + key.Path() + ".svg", TZ: "UTC+8",
		Product: tracepage.Product{GTIN: doc.Product.GTIN, NameZh: doc.Product.NameZh, NameEn: doc.Product.NameEn, Category: doc.Product.Category,
			GI: doc.Product.GIStatus == "GI_REGISTERED", GIName: doc.Product.GIName},
		Lot: tracepage.Lot{Lot: doc.Lot.Lot, Quantity: doc.Lot.Quantity, Unit: doc.Lot.Unit, Date: doc.Lot.Date,
			PlaceZh: doc.Lot.Origin.Place, PlaceEn: doc.Lot.Origin.PlaceEn, Lat: doc.Lot.Origin.Latitude, Lon: doc.Lot.Origin.Longitude,
			ProducerZh: doc.Lot.Producer.Name, ProducerEn: rd.nameEn(doc.Lot.Producer.CreditCode)},
		Storage: storageRange(doc.Product.StorageMinC, doc.Product.StorageMaxC),
	}
	switch res.missing {
	case "serial":
		p.Notice, p.NoticeValue = "serial", res.asked.Serial
	case "lot":
		p.Notice, p.NoticeValue = "lot", res.asked.Lot
	}
	if r.cfg.Reports != nil {
		p.Report = &tracepage.ReportForm{Action: "/reports", Link: res.asked.Path()}
	}
	proofTx := doc.Lot.TxID
	if doc.Item != nil {
		p.Item = &tracepage.Item{Serial: doc.Item.Serial, CommissionedAt: localTime(doc.Item.CommissionedAt)}
		p.Item.Container, p.Item.ContainerURL = r.container(doc)
		proofTx = doc.Item.TxID
	}
	if doc.Lot.Lot == "" {
		proofTx = doc.Product.TxID
	}
	if doc.Recalled && doc.Recall != nil {
		rc := doc.Recall
		p.Recall = &tracepage.Recall{Lot: rc.Lot, Reason: rc.Reason, By: rc.By.Name, ByEn: rd.nameEn(rc.By.CreditCode), At: localTime(rc.RecallAt),
			Inherited: rc.Lot != doc.Lot.Lot || rc.GTIN != doc.Lot.GTIN}
	}
	var timeline []tracepage.Step
	for _, e := range doc.Events {
		st := tracepage.Step{Time: localTime(e.EventTime), BizStep: e.BizStep, Who: e.RecordedBy.Name, WhoEn: rd.nameEn(e.RecordedBy.CreditCode), TxID: e.TxID, Excursion: e.Excursion}
		if e.BizLocation != nil {
			st.Where, st.WhereEn = e.BizLocation.Name, e.BizLocation.NameEn
		}
		if st.BizStep == "" {
			st.BizStep = "transforming"
		}
		st.Upstream = !tracedoc.Touches(e, doc.Lot.GTIN, doc.Lot.Lot)
		if st.Upstream {
			st.Lot = tracedoc.FirstLot(e)
		}
		timeline = append(timeline, st)
	}
	p.Timeline = collapseTimeline(timeline)
	p.NotShown = notShown(doc)
	for _, ct := range doc.Certificates {
		pc := tracepage.Cert{Type: ct.Type, Number: ct.Number, Issuer: ct.Issuer.Name, IssuerEn: rd.nameEn(ct.Issuer.CreditCode),
			ValidFrom: ct.ValidFrom, ValidUntil: ct.ValidUntil, Result: ct.Result, DocHash: ct.DocumentSHA256, TxID: ct.TxID}
		// A certificate is judged at the inspection it records: in force
		// on the day it was issued. Its validity ending since is normal for
		// goods on sale (a bird's quarantine certificate runs for days).
		if on := localDate(ct.IssuedAt); on != "" {
			pc.InspectedOn = on
			pc.ValidThen = (ct.ValidFrom == "" || ct.ValidFrom <= on) && (ct.ValidUntil == "" || on <= ct.ValidUntil)
			pc.Lapsed = pc.ValidThen && ct.ValidUntil != "" && ct.ValidUntil < today
		}
		if pr := rd.proof(ct.TxID); pr != nil && pr.Validation == "VALID" {
			pc.Verified, pc.BlockNumber = true, pr.BlockNumber
		}
		p.Certs = append(p.Certs, pc)
	}
	p.Chart = readingsChart(doc, lang)
	if pr := rd.proof(proofTx); pr != nil {
		p.Proof = &tracepage.Proof{TxID: pr.TxID, BlockNumber: pr.BlockNumber, BlockHash: pr.BlockHash, Timestamp: localTime(pr.Timestamp)}
	}
	return p
}

// container names the case or pallet an item is packed in, with its page
// on this resolver when it is a serialized item of a known lot (the
// packing event names the lot); a logistic unit (SSCC) is named by its
// code.
func (r *Resolver) container(doc *api.TraceDocument) (name, link string) {
	if doc.Container == "" {
		return "", ""
	}
	name = doc.Container
	for _, e := range doc.Events {
		pa := e.Parent
		if pa == nil || pa.ID != doc.Container {
			continue
		}
		if pa.SSCC != "" {
			return "SSCC " + pa.SSCC, ""
		}
		if k, err := gs1.NewKey(pa.GTIN, pa.Lot, pa.Serial); err == nil && pa.Lot != "" {
			return k.Path(), k.Path()
		}
	}
	if _, sscc, ok := strings.Cut(doc.Container, "/00/"); ok {
		return "SSCC " + sscc, ""
	}
	return name, ""
}

// storageRange is "0–4 °C", "≤ 25 °C" or "" from a product's range.
func storageRange(lo, hi string) string {
	switch {
	case lo != "" && hi != "":
		return lo + "–" + hi + " °C"
	case hi != "":
		return "≤ " + hi + " °C"
	case lo != "":
		return "≥ " + lo + " °C"
	}
	return ""
}

// problem answers a code that cannot be shown with a page in the
// shopper's language saying what to do.
func (r *Resolver) problem(c *gin.Context, lang string, status int, kind, value, detail string) {
	other := map[string]string{"zh": "en", "en": "zh"}[lang]
	p := &tracepage.Problem{Lang: lang, OtherLang: other, Kind: kind, Value: value, Detail: detail}
	if c.Request.Method != http.MethodPost {
		p.OtherURL = c.Request.URL.EscapedPath() + "?" + url.Values{"lang": {other}}.Encode()
	}
	var buf bytes.Buffer
	if err := tracepage.RenderProblem(&buf, p); err != nil {
		r.log.ErrorContext(c.Request.Context(), "render problem page", "err", err)
		c.Status(http.StatusInternalServerError)
		return
	}
	cache := cacheError
	if status >= 500 || c.Request.Method == http.MethodPost {
		cache = "no-store"
	}
	c.Header("Content-Language", map[string]string{"zh": "zh-CN", "en": "en"}[lang])
	send(c, status, "text/html; charset=utf-8", cache, buf.Bytes())
}

// ErrorPage answers a browser's failed lookup that the resolver did not
// turn into a page itself (the ledger unreachable, a timeout) with a page
// in its language; a client that asked for JSON gets the JSON error body.
func (r *Resolver) ErrorPage(c *gin.Context, status int, code api.Code, message string) bool {
	if wantsJSON(c) || wantsLinkset(c) || c.Request.Method == http.MethodPost && c.ContentType() == "application/json" {
		return false
	}
	kind := "unavailable"
	switch {
	case status == http.StatusNotFound:
		kind = "unknown"
	case status < 500:
		kind = "invalid"
	}
	r.problem(c, langOf(c, ""), status, kind, "", string(code))
	return true
}

// invalidPart says which part of a malformed Digital Link path is wrong,
// in the path's own terms, for the shopper to compare with the pack.
func invalidPart(path string, err error) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	want := map[string]string{"01": "GTIN", "10": "LOT", "21": "SERIAL"}
	for i := 0; i+1 < len(segs); i += 2 {
		name := want[segs[i]]
		if name == "" {
			continue
		}
		if v, e := url.PathUnescape(segs[i+1]); e == nil {
			switch {
			case name == "GTIN" && errors.Is(err, gs1.ErrBadGTIN),
				name == "LOT" && errors.Is(err, gs1.ErrBadLot),
				name == "SERIAL" && errors.Is(err, gs1.ErrBadSerial):
				return name + " " + clip(v, 40)
			}
		}
	}
	return clip(path, 60)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// langOf is the page's language: an explicit choice (the form's field,
// else ?lang=), else Accept-Language.
func langOf(c *gin.Context, explicit string) string {
	if explicit == "" {
		explicit = c.Query("lang")
	}
	return tracepage.Lang(explicit, c.GetHeader("Accept-Language"))
}

func jsonBytes(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("resolver: encode answer: %w", err)
	}
	return b, nil
}

func localDate(rfc string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc)
	if err != nil {
		return ""
	}
	return t.In(shopperTZ).Format("2006-01-02")
}

// enterpriseNameEn looks up an enterprise's English name (cached; names
// rarely change and the page only shows them).
// It says false when the ledger did not answer.
func (r *Resolver) enterpriseNameEn(c *gin.Context, code string) (string, bool) {
	if code == "" || r.cfg.Identity == nil {
		return "", true
	}
	if v, ok := r.names.Load(code); ok {
		return v.(string), true
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), r.cfg.LedgerTimeout)
	defer cancel()
	e, err := r.client.GetEnterprise(ctx, r.cfg.Identity, code)
	if err != nil {
		return "", false
	}
	r.names.Store(code, e.NameEn)
	return e.NameEn, true
}

// humanDuration writes a duration as people read it: "1 h 5 min",
// "25 min", "40 s"; in Chinese "1小时5分钟".
func humanDuration(d time.Duration, lang string) string {
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	unit := map[string][3]string{"zh": {"小时", "分钟", "秒"}, "en": {" h", " min", " s"}}[lang]
	if unit[0] == "" {
		unit = [3]string{"小时", "分钟", "秒"}
	}
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.Itoa(h)+unit[0])
	}
	if m > 0 {
		parts = append(parts, strconv.Itoa(m)+unit[1])
	}
	if h == 0 && (sec > 0 || m == 0) {
		parts = append(parts, strconv.Itoa(sec)+unit[2])
	}
	sep := " "
	if lang != "en" {
		sep = ""
	}
	return strings.Join(parts, sep)
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
func notShown(doc *api.TraceDocument) []tracepage.NotShown {
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

func readingsChart(doc *api.TraceDocument, lang string) *tracepage.Chart {
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
			line.Longest = humanDuration(time.Duration(longest)*time.Second, lang)
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
