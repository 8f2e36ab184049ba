// Package regulator is the zone regulator's portal: the dashboard of the
// zone's statistics drawn as server-side SVG charts, the enterprise
// register with grades, grants and sanctions, and the regulator's writes
// (record a sanction, recall a lot, approve a kind grant), every one
// through the typed client as the signed-in identity.
package regulator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/apps/pagekit"
	"github.com/qingchain/qingchain/apps/svgchart"
	"github.com/qingchain/qingchain/gateway/zonestats"
)

// Dashboard is the zone dashboard: sections of charts, each chart one
// figure grouped one way in one currency or unit.
type Dashboard struct {
	Through   int64
	Sections  []Section
	LossRatio []zonestats.LossRatioStats
	Trade     zonestats.TradeStats
}

// Section is a heading and its charts.
type Section struct {
	Title  string
	Charts []Figure
}

// Figure is a chart with what the test and a reader need to find its
// numbers in /api/v1/stats: which figure, grouped by which dimension, in
// which currency or unit.
type Figure struct {
	*svgchart.Chart
	Name     string // the statistic, as in the store (export.value)
	By       string // month, product, country, bank, instrument, insurer, verdict
	Currency string // empty for counts
	Label    string // what the table's first column holds
}

// Texts are the words the pages need, in the reader's language.
type Texts = pagekit.Texts

// Names turns a credit code or a GTIN into a readable name (itself when
// unknown).
type Names func(code string) string

// dim picks a row's value of one dimension.
type dim struct {
	name string
	of   func(zonestats.StatisticsRow) string
}

var (
	byMonth      = dim{"month", func(r zonestats.StatisticsRow) string { return r.Month }}
	byProduct    = dim{"product", func(r zonestats.StatisticsRow) string { return r.Product }}
	byCountry    = dim{"country", func(r zonestats.StatisticsRow) string { return r.Country }}
	byBank       = dim{"bank", func(r zonestats.StatisticsRow) string { return r.Bank }}
	byInstrument = dim{"instrument", func(r zonestats.StatisticsRow) string { return r.Instrument }}
	byInsurer    = dim{"insurer", func(r zonestats.StatisticsRow) string { return r.Insurer }}
	byVerdict    = dim{"verdict", func(r zonestats.StatisticsRow) string { return r.Verdict }}
	byTradeMode  = dim{"tradeMode", func(r zonestats.StatisticsRow) string { return r.TradeMode }}
)

// chartSpec is one chart of the dashboard.
type chartSpec struct {
	figure string
	rows   []zonestats.StatisticsRow
	by     dim
	count  bool // chart the counts, not the sums
}

// NewDashboard draws the statistics. Months are charted as lines in
// calendar order, everything else as bars by size; each figure gets a
// chart per currency (amounts in different currencies are never added).
func NewDashboard(st *zonestats.Statistics, t Texts, names Names) (*Dashboard, error) {
	d := &Dashboard{Through: st.Through, LossRatio: st.LossRatio, Trade: st.Trade}
	sections := []struct {
		title string
		specs []chartSpec
	}{
		{"sec.export", []chartSpec{
			{"export.value", st.Export.Value, byMonth, false},
			{"export.value", st.Export.Value, byProduct, false},
			{"export.value", st.Export.Value, byCountry, false},
			{"export.declared", st.Export.Declared, byTradeMode, false},
		}},
		{"sec.financing", []chartSpec{
			{"financing.outstanding", st.Financing.Outstanding, byBank, false},
			{"financing.outstanding", st.Financing.Outstanding, byInstrument, false},
			{"financing.disbursed", st.Financing.Disbursed, byMonth, false},
		}},
		{"sec.claims", []chartSpec{
			{"insurance.claimsPaid", st.Insurance.ClaimsPaid, byInsurer, false},
			{"insurance.claimsPaid", st.Insurance.ClaimsPaid, byMonth, false},
			{"insurance.premium", st.Insurance.Premiums, byInsurer, false},
		}},
		{"sec.risk", []chartSpec{
			{"recalls", st.Recalls, byProduct, true},
			{"excursions", st.Excursion, byMonth, true},
			{"trade.verdict", st.Trade.Verdicts, byVerdict, true},
		}},
	}
	n := 0
	for _, sec := range sections {
		s := Section{Title: t(sec.title)}
		for _, sp := range sec.specs {
			groups, err := group(sp)
			if err != nil {
				return nil, err
			}
			for _, g := range groups {
				n++
				title := t("fig."+sp.figure) + " · " + t("by."+sp.by.name)
				if g.currency != "" {
					title += " (" + g.currency + ")"
				}
				pts := g.points
				for i := range pts {
					pts[i].Label = label(sp.by, pts[i].Key, names, t)
				}
				kind := svgchart.Bar
				if sp.by.name == byMonth.name {
					kind = svgchart.Line
				}
				unit := g.currency
				if sp.count {
					unit = t("unit.count")
				}
				c := svgchart.New(svgchart.Spec{ID: fmt.Sprintf("chart-%d", n), Kind: kind, Title: title,
					Desc: t("desc." + sp.figure), Unit: unit}, pts)
				s.Charts = append(s.Charts, Figure{Chart: c, Name: sp.figure, By: sp.by.name, Currency: g.currency, Label: t("by." + sp.by.name)})
			}
		}
		d.Sections = append(d.Sections, s)
	}
	return d, nil
}

// label is what a reader sees for a dimension's value; the raw value
// stays in the row's data attribute.
func label(by dim, v string, names Names, t Texts) string {
	switch by.name {
	case byProduct.name, byBank.name, byInsurer.name:
		return names(v)
	case byInstrument.name, byVerdict.name:
		if s := t("val." + v); s != "val."+v {
			return s
		}
	}
	if v == "" {
		return "—"
	}
	return v
}

// grouped is one chart's points in one currency.
type grouped struct {
	currency string
	points   []svgchart.Point
}

// group sums a figure's rows by one dimension, per currency. The sums are
// exact; a figure's stored sum that is not a decimal is an error, not a
// zero.
func group(sp chartSpec) ([]grouped, error) {
	byCur := map[string]map[string]decimal.Decimal{}
	var curs []string
	for _, r := range sp.rows {
		cur := r.Currency
		if sp.count {
			cur = ""
		}
		v := decimal.NewFromInt(r.Count)
		if !sp.count {
			var err error
			if v, err = decimal.NewFromString(r.Sum); err != nil {
				return nil, fmt.Errorf("regulator: %s sum %q: %w", sp.figure, r.Sum, err)
			}
		}
		m, ok := byCur[cur]
		if !ok {
			m = map[string]decimal.Decimal{}
			byCur[cur] = m
			curs = append(curs, cur)
		}
		k := sp.by.of(r)
		m[k] = m[k].Add(v)
	}
	slices.Sort(curs)
	out := make([]grouped, 0, len(curs))
	for _, cur := range curs {
		m := byCur[cur]
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		if sp.by.name == byMonth.name {
			slices.Sort(keys)
		} else { // largest first, then by key, so the order is stable
			slices.SortFunc(keys, func(a, b string) int {
				if c := m[b].Cmp(m[a]); c != 0 {
					return c
				}
				return strings.Compare(a, b)
			})
		}
		g := grouped{currency: cur}
		for _, k := range keys {
			g.points = append(g.points, svgchart.Point{Key: k, Value: m[k]})
		}
		out = append(out, g)
	}
	return out, nil
}
