package resolver

import (
	"encoding/json"
	"errors"
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
	"github.com/qingchain/qingchain/gateway/tracedoc"
)

// The shopper's page: a trace document turned into what apps/tracepage
// renders.

func (r *Resolver) renderPage(c *gin.Context, key gs1.Key, link string, doc *api.TraceDocument, scans *ScanInfo) {
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
			ProducerZh: doc.Lot.Producer.Name, ProducerEn: r.enterpriseNameEn(c, doc.Lot.Producer.CreditCode)},
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
		rc := doc.Recall
		p.Recall = &tracepage.Recall{Lot: rc.Lot, Reason: rc.Reason, By: rc.By.Name, At: localTime(rc.RecallAt), Inherited: rc.Lot != doc.Lot.Lot || rc.GTIN != doc.Lot.GTIN}
	}
	var timeline []tracepage.Step
	for _, e := range doc.Events {
		st := tracepage.Step{Time: localTime(e.EventTime), BizStep: e.BizStep, Who: e.RecordedBy.Name, WhoEn: r.enterpriseNameEn(c, e.RecordedBy.CreditCode), TxID: e.TxID, Excursion: e.Excursion}
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
	today := time.Now().In(shopperTZ).Format("2006-01-02")
	for _, ct := range doc.Certificates {
		pc := tracepage.Cert{Type: ct.Type, Number: ct.Number, Issuer: ct.Issuer.Name, IssuerEn: r.enterpriseNameEn(c, ct.Issuer.CreditCode),
			ValidFrom: ct.ValidFrom, ValidUntil: ct.ValidUntil, Result: ct.Result, DocHash: ct.DocumentSHA256, TxID: ct.TxID, Expired: ct.ValidUntil != "" && ct.ValidUntil < today}
		if pr := r.proofs.Get(c.Request.Context(), ct.TxID); pr != nil && pr.Validation == "VALID" {
			pc.Verified, pc.BlockNumber = true, pr.BlockNumber
		}
		p.Certs = append(p.Certs, pc)
	}
	p.Chart = readingsChart(doc, lang)
	if pr := r.proofs.Get(c.Request.Context(), proofTx); pr != nil {
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
		r.log.ErrorContext(c.Request.Context(), "render trace page", "err", err)
	}
}

// enterpriseNameEn looks up an enterprise's English name (cached; names
// rarely change and the page only shows them).
func (r *Resolver) enterpriseNameEn(c *gin.Context, code string) string {
	if code == "" || r.cfg.Identity == nil {
		return ""
	}
	if v, ok := r.names.Load(code); ok {
		return v.(string)
	}
	out, err := r.evaluate(c.Request.Context(), api.TxGetEnterprise, code)
	if err != nil {
		return ""
	}
	var e api.Enterprise
	if json.Unmarshal(out, &e) != nil {
		return ""
	}
	r.names.Store(code, e.NameEn)
	return e.NameEn
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
