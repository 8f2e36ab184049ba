package finance

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/encumbrance"
	"github.com/qingchain/qingchain/chaincode/insurance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/receivables"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/shopspring/decimal"
)

// claimsOf lists what the financing's collateral rests on.
func claimsOf(ctx contractapi.TransactionContextInterface, f *api.Financing) ([]encumbrance.Claim, error) {
	var out []encumbrance.Claim
	lotClaims := func(via string, refs []api.LotRef) error {
		for _, r := range refs {
			c := encumbrance.Claim{Kind: encumbrance.KindLot, Ref: []string{r.GTIN, r.Lot}, Via: via, Whole: true}
			if r.Quantity != "" {
				l, err := trace.LoadLot(ctx, r.GTIN, r.Lot)
				if err != nil {
					return err
				}
				if q, err := decimal.NewFromString(r.Quantity); err == nil && r.Unit == l.Unit && q.Sign() > 0 {
					c.Quantity, c.Unit, c.Whole = q, r.Unit, false
				}
			}
			out = append(out, c)
		}
		return nil
	}
	for _, col := range f.Collateral {
		if col.Status == api.CollateralReleased || col.Status == api.CollateralTaken {
			continue
		}
		switch {
		case col.ReceiptID != "":
			r, err := receipts.Load(ctx, col.ReceiptID)
			if err != nil {
				return nil, err
			}
			q, err := decimal.NewFromString(r.Quantity)
			if err != nil {
				return nil, kit.Errf(api.CodeInternal, "receipt %s: quantity %q", r.ID, r.Quantity)
			}
			out = append(out, encumbrance.Claim{Kind: encumbrance.KindLot, Ref: []string{r.GTIN, r.Lot}, Via: r.ID, Quantity: q, Unit: r.Unit})
		case col.ReceivableID != "":
			rv, err := receivables.Load(ctx, col.ReceivableID)
			if err != nil {
				return nil, err
			}
			out = append(out, encumbrance.Claim{Kind: encumbrance.KindInvoice, Ref: []string{rv.Seller, insurance.NormalizeInvoiceNumber(rv.InvoiceNumber)}, Via: rv.ID, Whole: true})
			if err := lotClaims(rv.ID, rv.Lots); err != nil {
				return nil, err
			}
		case col.ShipmentID != "":
			s, err := insurance.LoadShipment(ctx, col.ShipmentID)
			if err != nil {
				return nil, err
			}
			out = append(out,
				encumbrance.Claim{Kind: encumbrance.KindShipment, Ref: []string{s.ID}, Via: s.ID, Whole: true},
				encumbrance.Claim{Kind: encumbrance.KindInvoice, Ref: []string{s.Insured, insurance.NormalizeInvoiceNumber(s.InvoiceNumber)}, Via: s.ID, Whole: true})
			if s.CustomsDeclarationNo != "" {
				out = append(out, encumbrance.Claim{Kind: encumbrance.KindCustoms, Ref: []string{s.CustomsDeclarationNo}, Via: s.ID, Whole: true})
			}
			if err := lotClaims(s.ID, s.Lots); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// GetEncumbrances lists what a lot's goods back: each live financing and
// the quantity it holds. For banks and regulators doing due diligence.
func (c *Finance) GetEncumbrances(ctx contractapi.TransactionContextInterface, gtin, lot string) (string, error) {
	if _, err := registry.RequireKind(ctx, reading, readers()...); err != nil {
		return "", err
	}
	e, err := lotEncumbrances(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(e)
}

// reading is what reading the register is called in refusals.
const reading = "reading the encumbrance register"

// readers are the kinds that may read the register.
func readers() []string {
	return []string{api.KindBank, api.KindRegulator, api.KindInsurer, api.KindWarehouse}
}

// lotEncumbrances is the register's entry for a lot, entries never null.
func lotEncumbrances(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.Encumbrance, error) {
	l, err := trace.LotArgs(ctx, gtin, lot)
	if err != nil {
		return nil, err
	}
	e, err := encumbrance.OfLot(ctx, l.GTIN, l.Lot)
	if err != nil {
		return nil, err
	}
	if e.Entries == nil {
		e.Entries = []api.EncumbranceEntry{}
	}
	return e, nil
}

// encumber enters in the encumbrance register what the financing's
// collateral rests on, refusing it if any of it backs another financing.
func encumber(ctx contractapi.TransactionContextInterface, f *api.Financing) error {
	claims, err := claimsOf(ctx, f)
	if err != nil {
		return err
	}
	return encumbrance.Acquire(ctx, f.ID, f.Bank, claims, func(gtin, lot string) (*api.Lot, error) { return trace.LoadLot(ctx, gtin, lot) })
}
