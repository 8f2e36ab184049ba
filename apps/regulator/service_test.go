package regulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/apps/pagekit"
	"github.com/qingchain/qingchain/apps/regulator"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
	"github.com/qingchain/qingchain/gateway/zonestats"
)

type env struct {
	z     *readmodeltest.Zone
	store readmodel.Store
	svc   *regulator.Service
	pages *pagekit.Pages
}

func newEnv(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	z := readmodeltest.Seed(t)
	store, err := sqlite.OpenDir(context.Background(), t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	z.Project(t, store)
	pages, err := regulator.ParsePages()
	if err != nil {
		t.Fatal(err)
	}
	return &env{z: z, store: store, pages: pages,
		svc: &regulator.Service{Deps: pagekit.Deps{Client: client.New(z.Ledger, client.Strict()), Store: store, Log: slog.New(slog.DiscardHandler)}}}
}

func (e *env) session(t *testing.T, user string) regulator.Session {
	t.Helper()
	se, err := e.svc.Resolve(context.Background(), e.z.Identities[user])
	if err != nil {
		t.Fatal(err)
	}
	return se
}

func code(err error) api.Code { return pagekit.CodeOf(err) }

// shown parses the dashboard's tables: figure/by/currency/key -> value.
func shown(t *testing.T, html string) map[string]string {
	t.Helper()
	fig := regexp.MustCompile(`(?s)<figure class="figure" data-figure="([^"]*)" data-by="([^"]*)" data-currency="([^"]*)">(.*?)</figure>`)
	row := regexp.MustCompile(`<tr data-key="([^"]*)"><td>[^<]*</td><td class="num" data-value="([^"]*)">`)
	out := map[string]string{}
	for _, f := range fig.FindAllStringSubmatch(html, -1) {
		for _, r := range row.FindAllStringSubmatch(f[4], -1) {
			out[f[1]+"/"+f[2]+"/"+f[3]+"/"+r[1]] = r[2]
		}
	}
	return out
}

// expected sums the statistics' rows the way a reader of /api/v1/stats
// would, for every figure the dashboard draws.
func expected(t *testing.T, st *zonestats.Statistics) map[string]string {
	t.Helper()
	sums := map[string]decimal.Decimal{}
	add := func(fig, by string, rows []zonestats.StatisticsRow, key func(zonestats.StatisticsRow) string, count bool) {
		for _, r := range rows {
			v, cur := decimal.NewFromInt(r.Count), ""
			if !count {
				v, cur = decimal.RequireFromString(r.Sum), r.Currency
			}
			k := fig + "/" + by + "/" + cur + "/" + key(r)
			sums[k] = sums[k].Add(v)
		}
	}
	month := func(r zonestats.StatisticsRow) string { return r.Month }
	add("export.value", "month", st.Export.Value, month, false)
	add("export.value", "product", st.Export.Value, func(r zonestats.StatisticsRow) string { return r.Product }, false)
	add("export.value", "country", st.Export.Value, func(r zonestats.StatisticsRow) string { return r.Country }, false)
	add("export.declared", "tradeMode", st.Export.Declared, func(r zonestats.StatisticsRow) string { return r.TradeMode }, false)
	add("financing.outstanding", "bank", st.Financing.Outstanding, func(r zonestats.StatisticsRow) string { return r.Bank }, false)
	add("financing.outstanding", "instrument", st.Financing.Outstanding, func(r zonestats.StatisticsRow) string { return r.Instrument }, false)
	add("financing.disbursed", "month", st.Financing.Disbursed, month, false)
	add("insurance.claimsPaid", "insurer", st.Insurance.ClaimsPaid, func(r zonestats.StatisticsRow) string { return r.Insurer }, false)
	add("insurance.claimsPaid", "month", st.Insurance.ClaimsPaid, month, false)
	add("insurance.premium", "insurer", st.Insurance.Premiums, func(r zonestats.StatisticsRow) string { return r.Insurer }, false)
	add("recalls", "product", st.Recalls, func(r zonestats.StatisticsRow) string { return r.Product }, true)
	add("excursions", "month", st.Excursion, month, true)
	add("trade.verdict", "verdict", st.Trade.Verdicts, func(r zonestats.StatisticsRow) string { return r.Verdict }, true)
	out := map[string]string{}
	for k, v := range sums {
		out[k] = v.String()
	}
	return out
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestDashboardShowsTheStatistics(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := e.session(t, "regulator")
	d, err := e.svc.Dashboard(ctx, reg, regulator.Translator("en"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := regulator.Render(e.pages, &b, "regulator-dashboard", regulator.View{Base: "/regulator", D: d, Texts: regulator.Translator("zh")}); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 150<<10 {
		t.Errorf("dashboard is %d bytes, over 150 KB", b.Len())
	}
	st, err := zonestats.Compute(ctx, e.store, readmodel.ViewerOfCaller(reg.Me))
	if err != nil {
		t.Fatal(err)
	}
	got, want := shown(t, b.String()), expected(t, st)
	if len(want) < 10 {
		t.Fatalf("the demo gives only %d figures: %v", len(want), want)
	}
	for _, k := range keys(want) {
		if got[k] != want[k] {
			t.Errorf("%s: shown %q, stats %q", k, got[k], want[k])
		}
	}
	for _, k := range keys(got) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: shown %q, not in the stats", k, got[k])
		}
	}
	if strings.Count(b.String(), "<svg") < 10 {
		t.Errorf("only %d charts", strings.Count(b.String(), "<svg"))
	}
}

func TestRegulatorOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, user := range []string{"bank", "insurer", "exporter"} {
		se := e.session(t, user)
		_, err := e.svc.Dashboard(ctx, se, regulator.Translator("en"))
		if code(err) != api.CodeForbidden {
			t.Errorf("%s: dashboard: %v, want FORBIDDEN", user, err)
		}
		if _, err := e.svc.Register(ctx, se, ""); code(err) != api.CodeForbidden {
			t.Errorf("%s: register: %v, want FORBIDDEN", user, err)
		}
		if _, err := e.svc.RecordSanction(ctx, se, e.z.Users["exporter"].Enterprise, "r", "b"); code(err) != api.CodeForbidden {
			t.Errorf("%s: sanction: %v, want FORBIDDEN", user, err)
		}
	}
}

func TestSanctionAndRecall(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := e.session(t, "regulator")
	target := e.z.Users["exporter"].Enterprise
	height := func() uint64 {
		h, err := e.z.Ledger.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	before := height()
	for _, tc := range []struct {
		name                string
		code, reason, basis string
	}{
		{"bad credit code", "91441800QC00000011X", "r", "b"},
		{"no reason", target, " ", "b"},
		{"no basis", target, "r", ""},
		{"long reason", target, strings.Repeat("理", 501), "b"},
	} {
		if _, err := e.svc.RecordSanction(ctx, reg, tc.code, tc.reason, tc.basis); code(err) != api.CodeInvalidArgument {
			t.Errorf("%s: %v, want INVALID_ARGUMENT", tc.name, err)
		}
	}
	if _, err := e.svc.RecallLot(ctx, reg, "06901234500029", "A1", "x"); code(err) != api.CodeInvalidArgument {
		t.Errorf("bad check digit: %v, want INVALID_ARGUMENT", err)
	}
	if h := height(); h != before {
		t.Fatalf("refused input wrote blocks: %d -> %d", before, h)
	}
	s, err := e.svc.RecordSanction(ctx, reg, target, "逃废债 evasion", "QY-REG-2026-017")
	if err != nil {
		t.Fatal(err)
	}
	en, err := e.svc.Enterprise(ctx, reg, target)
	if err != nil {
		t.Fatal(err)
	}
	if en.Active != 1 || en.Sanctions[len(en.Sanctions)-1].ID != s.ID {
		t.Errorf("sanctions after recording: %+v", en.Sanctions)
	}
	var b bytes.Buffer
	if err := regulator.Render(e.pages, &b, "regulator-enterprise", regulator.View{Base: "/regulator", E: en, Texts: regulator.Translator("en"), CSRF: `<input type="hidden" name="csrf" value="tok">`}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), s.ID) || !strings.Contains(b.String(), `name="csrf" value="tok"`) {
		t.Errorf("enterprise page lacks the sanction or the CSRF field:\n%s", b.String())
	}

	page, err := e.store.List(ctx, readmodel.Query{Kind: readmodel.KindLot, Viewer: readmodel.ViewerOfCaller(reg.Me), Limit: 1})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("no lot to recall: %v", err)
	}
	var lot struct{ GTIN, Lot string }
	if err := json.Unmarshal(page.Items[0], &lot); err != nil {
		t.Fatal(err)
	}
	rc, err := e.svc.RecallLot(ctx, reg, lot.GTIN, lot.Lot, "抽检不合格 failed a sample test")
	if err != nil {
		t.Fatal(err)
	}
	if rc.GTIN != lot.GTIN || rc.Lot != lot.Lot || rc.TxID == "" {
		t.Errorf("recall = %+v, want %s/%s", rc, lot.GTIN, lot.Lot)
	}
}
