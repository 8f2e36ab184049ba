package contracts

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/shopspring/decimal"
)

// encClaimsOf lists what the financing's collateral rests on.
func encClaimsOf(ctx contractapi.TransactionContextInterface, f *api.Financing) ([]encClaim, error) {
	var out []encClaim
	lotClaims := func(via string, refs []api.LotRef) error {
		for _, r := range refs {
			c := encClaim{kind: encLot, ref: []string{r.GTIN, r.Lot}, via: via, whole: true}
			if r.Quantity != "" {
				l, err := loadLot(ctx, r.GTIN, r.Lot)
				if err != nil {
					return err
				}
				if q, err := decimal.NewFromString(r.Quantity); err == nil && r.Unit == l.Unit && q.Sign() > 0 {
					c.quantity, c.unit, c.whole = q, r.Unit, false
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
			r, err := wrLoad(ctx, col.ReceiptID)
			if err != nil {
				return nil, err
			}
			q, err := decimal.NewFromString(r.Quantity)
			if err != nil {
				return nil, kit.Errf(api.CodeInternal, "receipt %s: quantity %q", r.ID, r.Quantity)
			}
			out = append(out, encClaim{kind: encLot, ref: []string{r.GTIN, r.Lot}, via: r.ID, quantity: q, unit: r.Unit})
		case col.ReceivableID != "":
			rv, err := rvLoad(ctx, col.ReceivableID)
			if err != nil {
				return nil, err
			}
			out = append(out, encClaim{kind: encInvoice, ref: []string{rv.Seller, NormalizeInvoiceNumber(rv.InvoiceNumber)}, via: rv.ID, whole: true})
			if err := lotClaims(rv.ID, rv.Lots); err != nil {
				return nil, err
			}
		case col.ShipmentID != "":
			s, err := insLoadShipment(ctx, col.ShipmentID)
			if err != nil {
				return nil, err
			}
			out = append(out,
				encClaim{kind: encShipment, ref: []string{s.ID}, via: s.ID, whole: true},
				encClaim{kind: encInvoice, ref: []string{s.Insured, NormalizeInvoiceNumber(s.InvoiceNumber)}, via: s.ID, whole: true})
			if s.CustomsDeclarationNo != "" {
				out = append(out, encClaim{kind: encCustoms, ref: []string{s.CustomsDeclarationNo}, via: s.ID, whole: true})
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
	if _, err := requireKind(ctx, "reading the encumbrance register", api.KindBank, api.KindRegulator, api.KindInsurer, api.KindWarehouse); err != nil {
		return "", err
	}
	l, err := lotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	e, err := encOfLot(ctx, l.GTIN, l.Lot)
	if err != nil {
		return "", err
	}
	if e.Entries == nil {
		e.Entries = []api.EncumbranceEntry{}
	}
	return kit.ToJSON(e)
}

// finEncumber enters in the encumbrance register what the financing's
// collateral rests on, refusing it if any of it backs another financing.
func finEncumber(ctx contractapi.TransactionContextInterface, f *api.Financing) error {
	claims, err := encClaimsOf(ctx, f)
	if err != nil {
		return err
	}
	return encAcquire(ctx, f.ID, f.Bank, claims, func(gtin, lot string) (*api.Lot, error) { return loadLot(ctx, gtin, lot) })
}
