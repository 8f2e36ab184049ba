package readmodel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
)

// ledgerEntities reads the ledger's event stream directly and returns the
// ids of every entity of the kinds given, and the recalled lots' GTINs.
func ledgerEntities(t testing.TB, z *readmodeltest.Zone) (map[string][]string, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ch, err := z.Ledger.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{}
	seen := map[string]bool{}
	var recalled []string
	for ev := range ch {
		var e struct{ Entity, ID, Action string }
		if err := json.Unmarshal(ev.Payload, &e); err != nil {
			t.Fatal(err)
		}
		if !seen[e.Entity+" "+e.ID] {
			seen[e.Entity+" "+e.ID] = true
			ids[e.Entity] = append(ids[e.Entity], e.ID)
		}
		if e.Entity == "lot" && e.Action == "recalled" {
			recalled = append(recalled, e.ID)
		}
		if ev.TxID == z.Last.TxID {
			break
		}
	}
	return ids, recalled
}

// readAsAnyone evaluates a Get* as the first demo user allowed to.
func readAsAnyone(t testing.TB, z *readmodeltest.Zone, fn api.Tx, args ...string) map[string]any {
	t.Helper()
	names := make([]string, 0, len(z.Identities))
	for n := range z.Identities {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out, err := z.Ledger.Evaluate(context.Background(), z.Identities[n], gateway.Request{Function: string(fn), Args: args})
		if err != nil {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Fatalf("no demo user may %s %v", fn, args)
	return nil
}

func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}

type sums map[string]map[string]decimal.Decimal // figure -> dim1|dim2|month|currency -> sum

func (s sums) add(fig, amount, currency, dim1, dim2, month string) {
	if amount == "" {
		return
	}
	a := decimal.RequireFromString(amount)
	if a.IsZero() {
		return
	}
	if s[fig] == nil {
		s[fig] = map[string]decimal.Decimal{}
	}
	k := dim1 + "|" + dim2 + "|" + month + "|" + currency
	s[fig][k] = s[fig][k].Add(a)
}

func firstLot(m map[string]any) (gtin string, lots []any) {
	lots, _ = m["lots"].([]any)
	if len(lots) > 0 {
		gtin = str(lots[0].(map[string]any), "gtin")
	}
	return gtin, lots
}

func ym(s string) string {
	if len(s) < 7 {
		return ""
	}
	return s[:7]
}

// testStats recomputes every figure from the ledger's own reads and
// compares it with the projection's statistics, as the regulator sees them.
func testStats(t *testing.T, z *readmodeltest.Zone, s readmodel.Store) {
	ids, recalled := ledgerEntities(t, z)
	want := sums{}
	for _, id := range ids["financing"] {
		f := readAsAnyone(t, z, api.TxGetFinancing, id, "")
		bank, typ, cur := str(f, "bank"), str(f, "type"), str(f, "currency")
		if d := str(f, "disbursementDate"); d != "" {
			want.add("financing.disbursed", str(f, "terms", "principal"), cur, bank, typ, ym(d))
		}
		switch str(f, "status") {
		case "ACTIVE", "MARGIN_CALL":
			want.add("financing.outstanding", str(f, "principalOutstanding"), cur, bank, typ, "")
		case "DEFAULTED":
			want.add("financing.defaulted", str(f, "principalOutstanding"), cur, bank, typ, "")
		}
		want.add("financing.repaid", str(f, "principalRepaid"), cur, bank, typ, "")
	}
	shipmentProduct := map[string]string{}
	for _, id := range ids["shipment"] {
		sh := readAsAnyone(t, z, api.TxGetShipment, id)
		gtin, lots := firstLot(sh)
		shipmentProduct[id] = gtin
		m, country, cur := ym(str(sh, "shipmentDate")), str(sh, "buyer", "country"), str(sh, "currency")
		want.add("export.value", str(sh, "invoiceAmount"), cur, gtin, country, m)
		for _, l := range lots {
			lm := l.(map[string]any)
			want.add("export.volume", str(lm, "quantity"), str(lm, "unit"), str(lm, "gtin"), country, m)
		}
		want.add("insurance.insured", str(sh, "invoiceAmount"), cur, str(sh, "insurer"), gtin, m)
		want.add("insurance.premium", str(sh, "premium"), cur, str(sh, "insurer"), gtin, m)
	}
	for _, id := range ids["claim"] {
		c := readAsAnyone(t, z, api.TxGetClaim, id)
		if str(c, "status") == "PAID" {
			want.add("insurance.claimsPaid", str(c, "indemnity"), str(c, "currency"), str(c, "insurer"), shipmentProduct[str(c, "shipmentId")], ym(str(c, "paidAt")))
		}
	}
	var receipts []string
	receipts = append(receipts, ids["receipt"]...)
	for i := 0; i < len(receipts); i++ { // split receipts' children appear only in their parent's data
		r := readAsAnyone(t, z, api.TxGetReceipt, receipts[i])
		if ch, ok := r["children"].([]any); ok {
			for _, c := range ch {
				receipts = append(receipts, c.(string))
			}
		}
		switch str(r, "status") {
		case "ISSUED", "PLEDGED", "REDEEMING":
			want.add("custody.value", str(r, "valuation", "amount"), str(r, "valuation", "currency"), str(r, "warehouse"), str(r, "gtin"), "")
			want.add("custody.quantity", str(r, "quantity"), str(r, "unit"), str(r, "warehouse"), str(r, "gtin"), "")
		}
	}
	for _, id := range ids["declaration"] {
		d := readAsAnyone(t, z, api.TxGetDeclaration, id)
		release := "DECLARED"
		if str(d, "status") == "RELEASED" {
			release = "RELEASED"
		}
		want.add("export.declared", str(d, "totalValue"), str(d, "currency"), str(d, "tradeMode"), release, ym(str(d, "declaredAt")))
	}
	// A trade's verdict is the last TradeVerified event of its invoice.
	for _, v := range lastVerdicts(t, z) {
		want.add("trade.verdict", "1", "", v, "", "")
	}
	if len(want["export.declared"]) == 0 || want["trade.verdict"]["VERIFIED|||"].IsZero() || want["trade.verdict"]["MISMATCH|||"].IsZero() {
		t.Fatalf("the demo should declare exports and verify and mismatch trades: %v", want)
	}
	if len(want["financing.disbursed"]) == 0 || len(want["export.value"]) == 0 || len(want["insurance.claimsPaid"]) == 0 || len(want["custody.value"]) == 0 {
		t.Fatalf("the demo should give every kind of figure: %v", want)
	}
	regulator, err := readmodel.ViewerOf(context.Background(), s, z.Users["regulator"].Enterprise)
	if err != nil {
		t.Fatal(err)
	}
	for _, fig := range []string{"financing.disbursed", "financing.outstanding", "financing.repaid", "financing.defaulted", "export.value", "export.volume", "insurance.insured", "insurance.premium", "insurance.claimsPaid", "custody.value", "custody.quantity", "export.declared", "trade.verdict"} {
		rows, err := s.Stats(context.Background(), regulator, readmodel.StatsQuery{Figure: fig, ByDim1: true, ByDim2: true, ByMonth: true})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]decimal.Decimal{}
		for _, r := range rows {
			got[r.Dim1+"|"+r.Dim2+"|"+r.Month+"|"+r.Currency] = r.Sum
		}
		if g, w := fmt.Sprint(got), fmt.Sprint(want[fig]); g != w {
			t.Errorf("%s: projection %s, ledger %s", fig, g, w)
		}
	}
	rows, err := s.Stats(context.Background(), regulator, readmodel.StatsQuery{Figure: "recalls", Events: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		n += r.Count
	}
	if n != int64(len(recalled)) {
		t.Errorf("recalls: projection %d, ledger %d", n, len(recalled))
	}
}

// lastVerdicts reads the ledger's TradeVerified events: the latest
// verdict per exporter and invoice.
func lastVerdicts(t testing.TB, z *readmodeltest.Zone) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ch, err := z.Ledger.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for ev := range ch {
		var e struct {
			Action string
			Data   struct{ Verdict, Exporter, Invoice string }
		}
		if err := json.Unmarshal(ev.Payload, &e); err != nil {
			t.Fatal(err)
		}
		if e.Action == "trade-verified" {
			out[e.Data.Exporter+" "+e.Data.Invoice] = e.Data.Verdict
		}
		if ev.TxID == z.Last.TxID {
			break
		}
	}
	return out
}

// testLists checks filters, sorting and cursors against the full list.
func testLists(t *testing.T, s readmodel.Store) {
	all := listAll(t, s, readmodel.Query{Kind: readmodel.KindEnterprise, Sort: "id", Limit: 500})
	paged := listAll(t, s, readmodel.Query{Kind: readmodel.KindEnterprise, Sort: "id", Limit: 3})
	if fmt.Sprint(docIDs(t, "enterprise", all)) != fmt.Sprint(docIDs(t, "enterprise", paged)) || len(all) < 30 {
		t.Errorf("paging by 3 gives %d enterprises, one page %d", len(paged), len(all))
	}
	desc := listAll(t, s, readmodel.Query{Kind: readmodel.KindEnterprise, Sort: "id", Desc: true, Limit: 4})
	for i := range desc {
		if rowID(t, "enterprise", desc[i]) != rowID(t, "enterprise", all[len(all)-1-i]) {
			t.Fatalf("descending order differs at %d", i)
		}
	}
	tests := []struct {
		name string
		q    readmodel.Query
		keep func(map[string]any) bool
	}{
		{"status", readmodel.Query{Kind: readmodel.KindEnterprise, Status: "ACTIVE"}, func(d map[string]any) bool { return d["status"] == "ACTIVE" }},
		{"dates", readmodel.Query{Kind: readmodel.KindEnterprise, From: "2000-01-01", To: "2999-12-31"}, func(map[string]any) bool { return true }},
		{"no dates", readmodel.Query{Kind: readmodel.KindEnterprise, From: "1999-01-01", To: "1999-12-31"}, func(map[string]any) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = 5
			got := docIDs(t, "enterprise", listAll(t, s, tc.q))
			var want []string
			for _, it := range all {
				var d map[string]any
				json.Unmarshal(it, &d)
				if tc.keep(d) {
					want = append(want, idOf("enterprise", d))
				}
			}
			sort.Strings(want)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
