package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"time"
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

	submit := func(at time.Time, user string, fn api.Tx, args ...string) (json.RawMessage, error) {
		e.Clock.At(at)
		c, err := e.Submit(ctx, user, fn, args...)
		if err != nil {
			return nil, err
		}
		return c.Payload, nil
	}
	var receipt struct {
		ID string `json:"id"`
	}
	out, err := submit(day(8, 10), "warehouse", api.TxIssueReceipt, js(obj{"gtin": GTINBlackTea, "lot": LotTeaBonded, "quantity": "400", "unit": "tin", "grade": "特级 Premium",
		"valuation": obj{"amount": "480000.00", "currency": "CNY"}, "holder": coop}))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, &receipt); err != nil {
		return err
	}
	var parts []struct {
		ID string `json:"id"`
	}
	out, err = submit(day(9, 9), "tea-coop", api.TxSplitReceipt, receipt.ID, js(obj{"parts": []obj{{"quantity": "250", "valuation": "300000.00"}, {"quantity": "150", "valuation": "180000.00"}}}))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, &parts); err != nil || len(parts) != 2 {
		return fmt.Errorf("split answered %s", out)
	}
	var fin struct {
		ID string `json:"id"`
	}
	out, err = submit(day(9, 10), "tea-coop", api.TxApplyForFinancing, js(obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": bank, "collateral": []string{parts[0].ID},
		"requestedPrincipal": "200000.00", "currency": "CNY", "purpose": "收购夏茶鲜叶 purchase of summer tea leaf"}))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, &fin); err != nil {
		return err
	}
	steps := []struct {
		at   time.Time
		user string
		fn   api.Tx
		args []string
	}{
		{day(10, 11), "bank", api.TxApproveFinancing, []string{fin.ID, js(obj{"principal": "200000.00", "annualRate": "0.0435", "termDays": 180, "maxLtv": "0.70"})}},
		{day(10, 15), "bank", api.TxDisburseFinancing, []string{fin.ID, date(10)}},
		{day(25, 10), "tea-coop", api.TxRecordRepayment, []string{fin.ID, "50000.00", date(25)}},
		{day(38, 10), "tea-coop", api.TxRecordRepayment, []string{fin.ID, "30000.00", date(38)}},
	}
	for _, st := range steps {
		if _, err := submit(st.at, st.user, st.fn, st.args...); err != nil {
			return err
		}
	}
	e.Entities["finance"] = obj{
		"issuedReceipt":    receipt.ID,
		"pledgedReceipt":   parts[0].ID,
		"unpledgedReceipt": parts[1].ID,
		"financing":        fin.ID,
		"verification":     e.PublicURL + "/api/v1/receipts/" + parts[0].ID + "/verification",
		"financingUrl":     e.PublicURL + "/api/v1/financings/" + fin.ID,
	}
	return nil
}
