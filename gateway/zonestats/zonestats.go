// Package zonestats computes the zone's statistics (统计监测) from the read
// model, for the API's /api/v1/stats and the regulator's portal alike.
package zonestats

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/gateway/readmodel"
)

// Statistics is the answer of /api/v1/stats. Every sum is an exact
// decimal string per currency (amounts) or unit (volumes, quantities); a
// count is how many rows or events contributed.
type Statistics struct {
	// Through is the last ledger event the figures include (its id).
	Through   int64           `json:"through"`
	Export    ExportStats     `json:"export"`
	Financing FinancingStats  `json:"financing"`
	Insurance InsuranceStats  `json:"insurance"`
	Custody   CustodyStats    `json:"custody"`
	Recalls   []StatisticsRow `json:"recalls"`
	Excursion []StatisticsRow `json:"excursions"`
	// Scans: shoppers' scans of serialized items by product, as counted
	// (the same device within the window once; crawlers, HEAD and API
	// reads never); off the ledger, summed from the items' records.
	Scans     []StatisticsRow  `json:"scans"`
	LossRatio []LossRatioStats `json:"lossRatio"`
	Trade     TradeStats       `json:"trade"`
}

// TradeStats: the trades (invoices) whose four flows were verified on the
// ledger (VerifyTrade), each counted once with its latest verdict, and the
// share VERIFIED of them all (VERIFIED, PARTIAL or MISMATCH), to six
// decimal places (rounded half away from zero; absent with none).
type TradeStats struct {
	Verdicts      []StatisticsRow `json:"verdicts"`
	Verified      int64           `json:"verified"`
	Evaluated     int64           `json:"evaluated"`
	VerifiedShare string          `json:"verifiedShare,omitempty"`
}

// ExportStats: shipments declared for export credit insurance, by product
// (GTIN of the first lot), destination country and shipment month.
//
// Declared: export declarations' total value by trade mode (9610, 9710,
// 9810, 0110), release (RELEASED by customs, or DECLARED), declaration
// month and currency.
type ExportStats struct {
	Value    []StatisticsRow `json:"value"`
	Volume   []StatisticsRow `json:"volume"`
	Declared []StatisticsRow `json:"declared"`
}

// FinancingStats: principal by bank and instrument (RECEIPT_PLEDGE,
// RECEIVABLE, POLICY); disbursed also by month.
type FinancingStats struct {
	Disbursed   []StatisticsRow `json:"disbursed"`
	Outstanding []StatisticsRow `json:"outstanding"`
	Repaid      []StatisticsRow `json:"repaid"`
	Defaulted   []StatisticsRow `json:"defaulted"`
}

// InsuranceStats: by insurer, product and month.
type InsuranceStats struct {
	Insured    []StatisticsRow `json:"insured"`
	Premiums   []StatisticsRow `json:"premiums"`
	ClaimsPaid []StatisticsRow `json:"claimsPaid"`
}

// CustodyStats: goods under live warehouse receipts, by warehouse and
// product.
type CustodyStats struct {
	Value    []StatisticsRow `json:"value"`
	Quantity []StatisticsRow `json:"quantity"`
}

// StatisticsRow is one group of a figure. Only the dimensions the figure
// is grouped by are present.
type StatisticsRow struct {
	Product    string `json:"product,omitempty"`
	Country    string `json:"country,omitempty"`
	Bank       string `json:"bank,omitempty"`
	Instrument string `json:"instrument,omitempty"`
	Insurer    string `json:"insurer,omitempty"`
	Warehouse  string `json:"warehouse,omitempty"`
	TradeMode  string `json:"tradeMode,omitempty"`
	Release    string `json:"release,omitempty"`
	Verdict    string `json:"verdict,omitempty"`
	Month      string `json:"month,omitempty"`
	// Currency (amounts) or unit (volumes, quantities); absent for counts.
	Currency string `json:"currency,omitempty"`
	Sum      string `json:"sum,omitempty"`
	Count    int64  `json:"count"`
}

// LossRatioStats is claims paid over premiums, per insurer and currency,
// to six decimal places (rounded half away from zero).
type LossRatioStats struct {
	Insurer    string `json:"insurer"`
	Currency   string `json:"currency"`
	Premiums   string `json:"premiums"`
	ClaimsPaid string `json:"claimsPaid"`
	LossRatio  string `json:"lossRatio,omitempty"`
}

// figureSpec names a figure's store name and what its dimensions mean.
type figureSpec struct {
	name       string
	dim1, dim2 func(*StatisticsRow) *string
	byMonth    bool
	events     bool
	into       *[]StatisticsRow
}

// Compute reads every statistic v may see from the store: what
// /api/v1/stats answers and the regulator's dashboard draws, so the two
// cannot differ.
func Compute(ctx context.Context, store readmodel.Store, v readmodel.Viewer) (*Statistics, error) {
	out := &Statistics{}
	product := func(r *StatisticsRow) *string { return &r.Product }
	country := func(r *StatisticsRow) *string { return &r.Country }
	bank := func(r *StatisticsRow) *string { return &r.Bank }
	instrument := func(r *StatisticsRow) *string { return &r.Instrument }
	insurer := func(r *StatisticsRow) *string { return &r.Insurer }
	warehouse := func(r *StatisticsRow) *string { return &r.Warehouse }
	tradeMode := func(r *StatisticsRow) *string { return &r.TradeMode }
	release := func(r *StatisticsRow) *string { return &r.Release }
	verdict := func(r *StatisticsRow) *string { return &r.Verdict }
	specs := []figureSpec{
		{"export.value", product, country, true, false, &out.Export.Value},
		{"export.declared", tradeMode, release, true, false, &out.Export.Declared},
		{"trade.verdict", verdict, nil, false, false, &out.Trade.Verdicts},
		{"export.volume", product, country, true, false, &out.Export.Volume},
		{"financing.disbursed", bank, instrument, true, false, &out.Financing.Disbursed},
		{"financing.outstanding", bank, instrument, false, false, &out.Financing.Outstanding},
		{"financing.repaid", bank, instrument, false, false, &out.Financing.Repaid},
		{"financing.defaulted", bank, instrument, false, false, &out.Financing.Defaulted},
		{"insurance.insured", insurer, product, true, false, &out.Insurance.Insured},
		{"insurance.premium", insurer, product, true, false, &out.Insurance.Premiums},
		{"insurance.claimsPaid", insurer, product, true, false, &out.Insurance.ClaimsPaid},
		{"custody.value", warehouse, product, false, false, &out.Custody.Value},
		{"custody.quantity", warehouse, product, false, false, &out.Custody.Quantity},
		{"recalls", product, nil, false, true, &out.Recalls},
		{"excursions", product, nil, true, true, &out.Excursion},
		{readmodel.FigureScans, product, nil, false, true, &out.Scans},
	}
	for _, sp := range specs {
		rows, err := store.Stats(ctx, v, readmodel.StatsQuery{Figure: sp.name, ByDim1: true, ByDim2: sp.dim2 != nil, ByMonth: sp.byMonth, Events: sp.events})
		if err != nil {
			return nil, err
		}
		list := make([]StatisticsRow, 0, len(rows))
		for _, r := range rows {
			row := StatisticsRow{Month: r.Month, Currency: r.Currency, Count: r.Count}
			*sp.dim1(&row) = r.Dim1
			if sp.dim2 != nil {
				*sp.dim2(&row) = r.Dim2
			}
			if !sp.events && sp.name != "trade.verdict" { // a verdict counts trades
				row.Sum = r.Sum.String()
			}
			list = append(list, row)
		}
		*sp.into = list
	}
	out.LossRatio = lossRatios(out.Insurance.Premiums, out.Insurance.ClaimsPaid)
	out.Trade.Verified, out.Trade.Evaluated, out.Trade.VerifiedShare = verifiedShare(out.Trade.Verdicts)
	return out, nil
}

// lossRatios sums premiums and claims paid per insurer and currency.
func lossRatios(premiums, claims []StatisticsRow) []LossRatioStats {
	type key struct{ insurer, currency string }
	sum := func(rows []StatisticsRow) (map[key]decimal.Decimal, []key) {
		m := map[key]decimal.Decimal{}
		var order []key
		for _, r := range rows {
			k := key{r.Insurer, r.Currency}
			if _, ok := m[k]; !ok {
				order = append(order, k)
			}
			m[k] = m[k].Add(decimal.RequireFromString(r.Sum))
		}
		return m, order
	}
	p, order := sum(premiums)
	cl, _ := sum(claims)
	out := make([]LossRatioStats, 0, len(order))
	for _, k := range order {
		lr := LossRatioStats{Insurer: k.insurer, Currency: k.currency, Premiums: p[k].String(), ClaimsPaid: cl[k].String()}
		if !p[k].IsZero() {
			lr.LossRatio = cl[k].DivRound(p[k], 6).String()
		}
		out = append(out, lr)
	}
	return out
}

// verifiedShare counts the VERIFIED trades among all verified ones.
func verifiedShare(verdicts []StatisticsRow) (verified, evaluated int64, share string) {
	for _, r := range verdicts {
		evaluated += r.Count
		if r.Verdict == "VERIFIED" {
			verified += r.Count
		}
	}
	if evaluated > 0 {
		share = decimal.NewFromInt(verified).DivRound(decimal.NewFromInt(evaluated), 6).String()
	}
	return verified, evaluated, share
}
