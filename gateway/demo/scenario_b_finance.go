package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// ReceiptPledge finances the tea in the bonded warehouse against its
// warehouse receipt (after Tea).
var ReceiptPledge = Scenario{Name: "tea-receipt-pledge", Run: financeScenario}

// financeScenario: the bonded warehouse issues a receipt for the tea lot it
// holds; the cooperative splits it, pledges one part to the bank for a
// 180-day loan and keeps the other part free; two repayments follow.
func financeScenario(ctx context.Context, e *Env) error {
	cst := time.FixedZone("CST", 8*3600)
	base := time.Now().In(cst).AddDate(0, 0, -40).Truncate(24 * time.Hour)
	day := func(n, hour int) time.Time { return base.AddDate(0, 0, n).Add(time.Duration(hour) * time.Hour) }
	date := func(n int) string { return day(n, 12).Format("2006-01-02") }
	coop := e.Users["tea-coop"].Enterprise
	bank := e.Users["bank"].Enterprise
	c := e.Client

	receipt, err := c.IssueReceipt(ctx, e.As(day(8, 10), "warehouse"), api.ReceiptInput{GTIN: GTINBlackTea, Lot: LotTeaBonded, Quantity: "400", Unit: "tin", Grade: "特级 Premium",
		Valuation: api.Money{Amount: "480000.00", Currency: "CNY"}, Holder: coop})
	if err != nil {
		return err
	}
	split, err := c.SplitReceipt(ctx, e.As(day(9, 9), "tea-coop"), receipt.Result.ID, api.SplitInput{Parts: []api.SplitPart{{Quantity: "250", Valuation: "300000.00"}, {Quantity: "150", Valuation: "180000.00"}}})
	if err != nil {
		return err
	}
	parts := split.Result
	if len(parts) != 2 {
		return fmt.Errorf("split answered %d parts", len(parts))
	}
	fin, err := c.ApplyForFinancing(ctx, e.As(day(9, 10), "tea-coop"), api.FinancingApplication{Type: "WAREHOUSE_RECEIPT_PLEDGE", Bank: bank, Collateral: []string{parts[0].ID},
		RequestedPrincipal: "200000.00", Currency: "CNY", Purpose: "收购夏茶鲜叶 purchase of summer tea leaf"})
	if err != nil {
		return err
	}
	id := fin.Result.ID
	if _, err := c.ApproveFinancing(ctx, e.As(day(10, 11), "bank"), id, api.FinancingTerms{Principal: "200000.00", AnnualRate: "0.0435", TermDays: 180, MaxLTV: "0.70"}); err != nil {
		return err
	}
	if _, err := c.DisburseFinancing(ctx, e.As(day(10, 15), "bank"), id, date(10)); err != nil {
		return err
	}
	if _, err := c.RecordRepayment(ctx, e.As(day(25, 10), "tea-coop"), id, "50000.00", date(25)); err != nil {
		return err
	}
	if _, err := c.RecordRepayment(ctx, e.As(day(38, 10), "tea-coop"), id, "30000.00", date(38)); err != nil {
		return err
	}
	e.Entities["finance"] = obj{
		"issuedReceipt":    receipt.Result.ID,
		"pledgedReceipt":   parts[0].ID,
		"unpledgedReceipt": parts[1].ID,
		"financing":        id,
		"verification":     e.PublicURL + "/api/v1/receipts/" + parts[0].ID + "/verification",
		"financingUrl":     e.PublicURL + "/api/v1/financings/" + id,
	}
	return nil
}
