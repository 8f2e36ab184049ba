package finance

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// Reads answers the receipt contract's due-diligence view about the
// encumbrance register and financings, with the rights GetEncumbrances and
// GetFinancing give the caller (receipts.Financings).
type Reads struct{}

// Encumbrances is the lot's register entry, nil when the caller is of no
// kind that may read the register.
func (Reads) Encumbrances(ctx contractapi.TransactionContextInterface, caller *api.Caller, gtin, lot string) (*api.Encumbrance, error) {
	if kit.MayAct(caller, reading, readers()...) != nil {
		return nil, nil
	}
	return lotEncumbrances(ctx, gtin, lot)
}

// Financing is the financing as of today, nil when the caller is neither
// its applicant nor its bank.
func (Reads) Financing(ctx contractapi.TransactionContextInterface, caller *api.Caller, financingID string) (*api.FinancingView, error) {
	f, err := Load(ctx, financingID)
	if err != nil {
		return nil, err
	}
	if !MayRead(caller, f) {
		return nil, nil
	}
	_, today, err := kit.Today(ctx)
	if err != nil {
		return nil, err
	}
	return view(f, today)
}
