package finance

import (
	"slices"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/encumbrance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/risk"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/shopspring/decimal"
)

// Collateral that reacts: a recall of, or a cold-chain excursion on, goods
// under a live financing raises an alert on the financing in the same
// transaction, re-values the collateral resting on those goods by the
// haircut the bank set at approval, and when the loan-to-value then
// exceeds the approved maximum puts the financing into MARGIN_CALL with a
// deadline. The borrower answers by repaying (or pledging more receipts,
// AddCollateral); after the deadline the bank may declare a default.

const (
	defaultMarginCallDays = 10
	defaultRecallHaircut  = "0.5"
	defaultExcursionCut   = "0.2"
)

func checkHaircuts(in *api.Haircuts) (api.Haircuts, error) {
	h := api.Haircuts{Recall: defaultRecallHaircut, Excursion: defaultExcursionCut}
	if in == nil {
		return h, nil
	}
	for _, p := range []struct {
		field string
		in    string
		out   *string
	}{{"haircuts.recall", in.Recall, &h.Recall}, {"haircuts.excursion", in.Excursion, &h.Excursion}} {
		if p.in == "" {
			continue
		}
		d, err := money.ParseRate(p.in)
		if err != nil || d.GreaterThan(decimal.NewFromInt(1)) {
			return h, kit.Errf(api.CodeInvalidArgument, "%s must be a fraction from 0 to 1", p.field)
		}
		*p.out = d.String()
	}
	return h, nil
}

// live reports whether a financing holds collateral that alerts reach.
func live(f *api.Financing) bool {
	return f.Status == api.FinancingApproved || f.Status == api.FinancingActive || f.Status == api.FinancingMarginCall
}

// disbursed reports whether money is out: active, or in a margin call
// raised while active.
func disbursed(f *api.Financing) bool {
	return f.Status == api.FinancingActive || f.Status == api.FinancingMarginCall && f.MarginCall != nil && f.MarginCall.PriorStatus == api.FinancingActive
}

// collateralAlerts raises alerts for an event on the goods of these lots
// (a recall reaches the lots made from them, which the caller includes).
// A financing met through several lots or several entries is loaded once,
// alerted for each, re-valued and saved once: a transaction does not read
// its own writes, so saving per entry would keep only the last alert.
// Alerts of one type on one collateral and lot are one entry with a count
// (haircuts do not compound), so a flood of small events cannot push a
// later recall out. It returns the financings it reached.
func collateralAlerts(ctx contractapi.TransactionContextInterface, typ string, lots []trace.LotKey, source string, now time.Time) ([]string, error) {
	var reached []string
	loaded := map[string]*api.Financing{}
	for _, lk := range lots {
		e, err := encumbrance.OfLot(ctx, lk.GTIN, lk.Lot)
		if err != nil {
			return nil, err
		}
		for _, en := range e.Entries {
			f := loaded[en.FinancingID]
			if f == nil {
				if f, err = Load(ctx, en.FinancingID); err != nil {
					return nil, err
				}
				loaded[f.ID] = f
			}
			if !live(f) || f.Terms == nil {
				continue
			}
			cut := f.Terms.Haircuts.Excursion
			if typ == api.AlertRecall {
				cut = f.Terms.Haircuts.Recall
			}
			stamp := now.Format(kit.TimeLayout)
			i := slices.IndexFunc(f.Alerts, func(a api.CollateralAlert) bool {
				return a.Type == typ && a.GTIN == lk.GTIN && a.Lot == lk.Lot && a.Collateral == en.Via
			})
			switch {
			case i < 0:
				f.Alerts = append(f.Alerts, api.CollateralAlert{Type: typ, GTIN: lk.GTIN, Lot: lk.Lot, Collateral: en.Via, Haircut: cut,
					Source: source, At: stamp, TxID: ctx.GetStub().GetTxID(), Count: 1})
			case f.Alerts[i].LastSource == source || f.Alerts[i].LastSource == "" && f.Alerts[i].Source == source:
				continue // the same event again
			default:
				a := &f.Alerts[i]
				if a.Count == 0 {
					a.Count = 1
				}
				a.Count++
				a.LastSource, a.LastAt, a.LastTxID = source, stamp, ctx.GetStub().GetTxID()
			}
			if !slices.Contains(reached, f.ID) {
				reached = append(reached, f.ID)
			}
		}
	}
	for _, id := range reached {
		f := loaded[id]
		if err := revalue(ctx, f, now); err != nil {
			return nil, err
		}
		if err := save(ctx, f, now); err != nil {
			return nil, err
		}
	}
	return reached, nil
}

// revalue recomputes the collateral's value after haircuts and the
// loan-to-value on what is owed (principal outstanding once disbursed,
// the approved principal before), and opens or ends a margin call.
func revalue(ctx contractapi.TransactionContextInterface, f *api.Financing, now time.Time) error {
	if f.Terms == nil {
		return nil
	}
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	adjusted := decimal.Zero
	for _, col := range f.Collateral {
		if col.Status != api.CollateralPledged {
			continue
		}
		v, err := kit.ParseStored(col.Valuation, cur)
		if err != nil {
			return err
		}
		id := col.ReceiptID + col.ReceivableID + col.ShipmentID
		cut := decimal.Zero
		for _, a := range f.Alerts {
			if a.Collateral == id {
				if h, err := decimal.NewFromString(a.Haircut); err == nil && h.GreaterThan(cut) {
					cut = h
				}
			}
		}
		adjusted = adjusted.Add(money.Round(v.Mul(decimal.NewFromInt(1).Sub(cut)), cur))
	}
	owed, err := kit.ParseStored(f.Terms.Principal, cur)
	if err != nil {
		return err
	}
	if disbursed(f) {
		if owed, err = kit.ParseStored(f.PrincipalOutstanding, cur); err != nil {
			return err
		}
	}
	f.AdjustedCollateralValue = money.Format(adjusted, cur)
	maxLTV, err := decimal.NewFromString(f.Terms.EffectiveMaxLTV)
	if err != nil || f.Terms.EffectiveMaxLTV == "" {
		if maxLTV, err = decimal.NewFromString(f.Terms.MaxLTV); err != nil {
			return kit.Errf(api.CodeInternal, "financing %s: maxLtv %q", f.ID, f.Terms.MaxLTV)
		}
	}
	// Over the maximum when owed > maxLtv × adjusted (no division by zero).
	allowed := money.Round(maxLTV.Mul(adjusted), cur)
	over := owed.GreaterThan(allowed)
	ltv := "∞"
	if adjusted.Sign() > 0 {
		ltv = owed.DivRound(adjusted, 6).String()
	}
	switch {
	case over && f.Status != api.FinancingMarginCall:
		_, today, err := kit.Today(ctx)
		if err != nil {
			return err
		}
		days := f.Terms.MarginCallDays
		if days == 0 {
			days = defaultMarginCallDays
		}
		f.MarginCall = &api.MarginCall{Since: now.Format(kit.TimeLayout), Deadline: today.AddDays(days).String(), AdjustedValue: f.AdjustedCollateralValue,
			LTV: ltv, MaxLTV: maxLTV.String(), Shortfall: money.Format(owed.Sub(allowed), cur), PriorStatus: f.Status, TxID: ctx.GetStub().GetTxID()}
		if err := financingLife().Apply("call", f.ID, &f.Status); err != nil {
			return err
		}
	case over:
		f.MarginCall.AdjustedValue, f.MarginCall.LTV, f.MarginCall.Shortfall = f.AdjustedCollateralValue, ltv, money.Format(owed.Sub(allowed), cur)
	case f.Status == api.FinancingMarginCall:
		if err := financingLife().MoveTo(f.ID, &f.Status, f.MarginCall.PriorStatus); err != nil {
			return err
		}
		f.MarginCall.MetAt, f.MarginCall.AdjustedValue, f.MarginCall.LTV, f.MarginCall.Shortfall = now.Format(kit.TimeLayout), f.AdjustedCollateralValue, ltv, money.Format(decimal.Zero, cur)
	}
	return nil
}

// AddCollateral is the borrower pledging one more warehouse receipt to a
// receipt-pledge financing, typically to answer a margin call. The receipt
// is read and written (so it cannot be pledged twice), its goods enter the
// encumbrance register, and the collateral is re-valued: a margin call
// whose shortfall is covered ends in this transaction.
func (c *Finance) AddCollateral(ctx contractapi.TransactionContextInterface, financingID, receiptID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "adding collateral")
	if err != nil {
		return "", err
	}
	f, err := Load(ctx, financingID)
	if err != nil {
		return "", err
	}
	if caller.Enterprise.CreditCode != f.Applicant {
		return "", kit.Errf(api.CodeForbidden, "only the borrower of financing %s adds collateral", f.ID)
	}
	if f.Type != api.FinancingWarehouseReceiptPledge {
		return "", kit.Errf(api.CodeRuleViolation, "financing %s is %s; only receipt pledges take more receipts", f.ID, f.Type)
	}
	if !live(f) || f.Status == api.FinancingApplied {
		return "", kit.Errf(api.CodeConflict, "financing %s is %s", f.ID, f.Status)
	}
	if len(f.Collateral) >= maxCollateral {
		return "", kit.Errf(api.CodeRuleViolation, "financing %s has %d collateral items, the most allowed", f.ID, maxCollateral)
	}
	cur, err := money.LookupCurrency(f.Currency)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "financing %s: %v", f.ID, err)
	}
	r, err := receipts.Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	if err := checkPledgeable(r, f.Applicant, cur); err != nil {
		return "", err
	}
	// Recalled goods do not answer a margin call: no override on this path.
	flag, err := risk.RecalledGoodsFlag(ctx, []api.LotRef{{GTIN: r.GTIN, Lot: r.Lot}}, receipts.ClearedRecalls(r))
	if err != nil {
		return "", err
	}
	if flag != nil {
		return "", kit.Errf(api.CodeRiskBlocked, "receipt %s: %s", r.ID, flag.Detail)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	stamp := now.Format(kit.TimeLayout)
	f.Collateral = append(f.Collateral, api.Collateral{ReceiptID: r.ID, Valuation: r.Valuation.Amount, Status: api.CollateralPledged, PledgedAt: stamp})
	if err := encumber(ctx, f); err != nil {
		return "", err
	}
	if err := receipts.Life().Apply("pledge", r.ID, &r.Status); err != nil {
		return "", err
	}
	r.Pledge = &api.Pledge{FinancingID: f.ID, Pledgee: f.Bank, Since: stamp, TxID: ctx.GetStub().GetTxID()}
	if err := receipts.Save(ctx, r); err != nil {
		return "", err
	}
	if err := revalue(ctx, f, now); err != nil {
		return "", err
	}
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "CollateralAdded", api.Event{Entity: "financing", ID: f.ID, Action: "collateral-added", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"receipt": r.ID, "status": f.Status}}); err != nil {
		return "", err
	}
	return kit.ToJSON(f)
}

// Watch alerts the financings whose collateral rests on goods an
// event reaches.
type Watch struct{}

// Alert raises alerts of typ on the financings backed by these lots.
func (Watch) Alert(ctx contractapi.TransactionContextInterface, typ string, lots []trace.LotKey, source string, now time.Time) ([]string, error) {
	return collateralAlerts(ctx, typ, lots, source, now)
}
