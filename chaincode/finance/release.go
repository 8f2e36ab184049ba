package finance

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/registry"
)

// PledgeRelease is the receipt contract's one transaction that belongs to
// financing: the pledgee giving up its pledge, which changes the financing
// as much as the receipt.
type PledgeRelease struct{}

// ReleasePledge is the pledgee bank giving up its pledge on one receipt
// before the financing is closed; the financing records the release.
func (c *PledgeRelease) ReleasePledge(ctx contractapi.TransactionContextInterface, receiptID string) (string, error) {
	caller, err := registry.RequireKind(ctx, "releasing a pledge", api.KindBank)
	if err != nil {
		return "", err
	}
	r, err := receipts.Load(ctx, receiptID)
	if err != nil {
		return "", err
	}
	if r.Pledge == nil {
		return "", kit.Errf(api.CodeConflict, "receipt %s is not pledged", r.ID)
	}
	if r.Pledge.Pledgee != caller.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the pledgee %s releases receipt %s", r.Pledge.Pledgee, r.ID)
	}
	f, err := Load(ctx, r.Pledge.FinancingID)
	if err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	if err := release(ctx, f, r, now); err != nil {
		return "", err
	}
	if err := receipts.Save(ctx, r); err != nil {
		return "", err
	}
	if err := save(ctx, f, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ReceiptReleased", api.Event{Entity: "receipt", ID: r.ID, Action: "released", By: caller.Enterprise.CreditCode,
		Data: map[string]string{"financingId": f.ID}}); err != nil {
		return "", err
	}
	return kit.ToJSON(r)
}
