package receipts

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/lineage"
	"github.com/qingchain/qingchain/chaincode/registry"
)

// Financings is what the due-diligence view asks of financing, which sits
// above receipts. Each answer is what the caller may read: nil, without an
// error, when it may not read it at all.
type Financings interface {
	// Encumbrances is the encumbrance register's entry for a lot.
	Encumbrances(ctx contractapi.TransactionContextInterface, caller *api.Caller, gtin, lot string) (*api.Encumbrance, error)
	// Financing is a financing as of today.
	Financing(ctx contractapi.TransactionContextInterface, caller *api.Caller, financingID string) (*api.FinancingView, error)
}

// GetReceiptVerification is the due-diligence view a bank reads before
// lending against a receipt: the receipt and its history, the current
// pledge, the goods' recall status and certificates, the custody chain of
// the goods at the warehouse (the events the receipt's warehouse recorded
// that touch the lot), the lot's encumbrances and, from the financing the
// receipt is pledged to, its alerts, adjusted collateral value and margin
// call. One evaluation, so every part is read at the same state; the
// register and the financing are shown only to a caller who may read them.
func (c *Receipts) GetReceiptVerification(ctx contractapi.TransactionContextInterface, receiptID string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a receipt")
	if err != nil {
		return "", err
	}
	r, err := Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	hist, err := history(ctx, r)
	if err != nil {
		return "", err
	}
	doc, err := lineage.Document(ctx, r.GTIN, r.Lot)
	if err != nil {
		return "", err
	}
	v := api.ReceiptVerification{Receipt: *r, History: hist, Pledge: r.Pledge, Recalled: doc.Recalled, Recall: doc.Recall,
		Custody: []api.TraceEvent{}, Certificates: doc.Certificates, Alerts: []api.CollateralAlert{}}
	for _, e := range doc.Events {
		if e.RecordedBy.CreditCode == r.Warehouse && e.Touches(r.GTIN, r.Lot) {
			v.Custody = append(v.Custody, e)
		}
	}
	if v.Encumbrances, err = c.financings.Encumbrances(ctx, caller, r.GTIN, r.Lot); err != nil {
		return "", err
	}
	if r.Pledge != nil && r.Pledge.FinancingID != "" {
		f, err := c.financings.Financing(ctx, caller, r.Pledge.FinancingID)
		if err != nil {
			return "", err
		}
		if f != nil {
			if f.Alerts != nil {
				v.Alerts = f.Alerts
			}
			v.AdjustedCollateralValue, v.MarginCall = f.AdjustedCollateralValue, f.MarginCall
		}
	}
	return kit.ToJSON(v)
}
