package trade

import (
	"fmt"
	"slices"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// Bounds of a declaration and a receipt: a China export declaration has
// at most 50 commodity lines (the single window's limit); the rest keep
// one entry small.
const (
	maxLines       = 50
	maxLineLots    = 50
	maxCovered     = 50 // invoices, shipments or settlements named
	maxName        = 200
	maxDescription = 200
	maxRef         = 64
)

// CheckDeclarationNo checks a China customs declaration number (报关单号):
// 18 digits (customs office 4, year 4, export flag 1, sequence 9).
func CheckDeclarationNo(field, s string) (string, error) {
	if len(s) != 18 || !digits(s) {
		return "", kit.Errf(api.CodeInvalidArgument, "%s: %q is not a customs declaration number (18 digits)", field, kit.ClipBytes(s))
	}
	return s, nil
}

// CheckHSCode checks a China tariff code: 10 digits, the first six the
// Harmonized System's (chapter 01 to 97; chapter 77 is reserved).
func CheckHSCode(field, s string) (string, error) {
	if len(s) != 10 || !digits(s) {
		return "", kit.Errf(api.CodeInvalidArgument, "%s: %q is not a 10-digit HS code (0902301000 is black tea)", field, kit.ClipBytes(s))
	}
	if ch := s[:2]; ch == "00" || ch == "77" || ch > "97" {
		return "", kit.Errf(api.CodeInvalidArgument, "%s: %s names no HS chapter (01 to 97, not 77)", field, s)
	}
	return s, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkBuyer checks a consignee: name, ISO country and registration number.
func checkBuyer(field string, in api.BuyerInput) (api.Buyer, error) {
	var b api.Buyer
	var err error
	if b.Name, err = kit.CleanText(field+".name", in.Name, true, maxName); err != nil {
		return b, err
	}
	if b.Country, err = kit.CheckCountry(field+".country", in.Country); err != nil {
		return b, err
	}
	if b.RegistrationID, err = kit.CleanText(field+".registrationId", in.RegistrationID, true, maxRef); err != nil {
		return b, err
	}
	return b, nil
}

// checkedDeclaration is a declaration input checked field by field (the
// ledger checks of exporter, lots and shipments come after).
type checkedDeclaration struct {
	api.Declaration
	cur money.Currency
}

// checkDeclaration checks the shape of a declaration: every field, the
// lines' amounts in the declaration's currency, quantities and units,
// lots, and the invoices or shipments it covers (at least one, none
// twice). The total value is the sum of the lines.
func checkDeclaration(in api.DeclarationInput) (*checkedDeclaration, error) {
	var d checkedDeclaration
	var err error
	if d.Number, err = CheckDeclarationNo("number", in.Number); err != nil {
		return nil, err
	}
	if d.TradeMode, err = kit.OneOf("tradeMode", in.TradeMode, api.TradeModes()...); err != nil {
		return nil, err
	}
	if d.Exporter, err = kit.CleanText("exporter", in.Exporter, true, 18); err != nil {
		return nil, err
	}
	if d.Consignee, err = checkBuyer("consignee", in.Consignee); err != nil {
		return nil, err
	}
	if d.Destination, err = kit.CheckCountry("destination", in.Destination); err != nil {
		return nil, err
	}
	if d.Destination == "CN" {
		return nil, kit.Errf(api.CodeInvalidArgument, "destination: an export declaration's destination is outside China")
	}
	if d.cur, err = money.LookupCurrency(in.Currency); err != nil {
		return nil, kit.Errf(api.CodeInvalidArgument, "currency: %v", err)
	}
	d.Currency = d.cur.Code
	if len(in.Lines) == 0 || len(in.Lines) > maxLines {
		return nil, kit.Errf(api.CodeInvalidArgument, "lines: 1 to %d lines", maxLines)
	}
	total := decimal.Zero
	for i, ln := range in.Lines {
		l, v, err := checkLine(fmt.Sprintf("lines[%d]", i), ln, d.cur)
		if err != nil {
			return nil, err
		}
		total = total.Add(v)
		d.Lines = append(d.Lines, l)
	}
	d.TotalValue = money.Format(total, d.cur)
	if d.Invoices, err = checkList("invoices", in.Invoices, func(f, s string) (string, error) { return kit.CleanText(f, s, true, maxRef) }); err != nil {
		return nil, err
	}
	if d.Shipments, err = checkList("shipments", in.Shipments, func(f, s string) (string, error) {
		if !api.PrefixShipment.Valid(s) {
			return "", kit.Errf(api.CodeInvalidArgument, "%s: %q is not a shipment id", f, kit.ClipBytes(s))
		}
		return s, nil
	}); err != nil {
		return nil, err
	}
	if len(d.Invoices) == 0 && len(d.Shipments) == 0 {
		return nil, kit.Errf(api.CodeInvalidArgument, "invoices, shipments: a declaration covers at least one invoice or insured shipment")
	}
	return &d, nil
}

func checkLine(field string, in api.DeclarationLine, cur money.Currency) (api.DeclarationLine, decimal.Decimal, error) {
	var l api.DeclarationLine
	var err error
	if l.HSCode, err = CheckHSCode(field+".hsCode", in.HSCode); err != nil {
		return l, decimal.Zero, err
	}
	if l.Description, err = kit.CleanText(field+".description", in.Description, true, maxDescription); err != nil {
		return l, decimal.Zero, err
	}
	if l.Quantity, err = kit.CheckQuantity(field+".quantity", in.Quantity); err != nil {
		return l, decimal.Zero, err
	}
	if l.Unit, err = kit.CheckUnit(field+".unit", in.Unit); err != nil {
		return l, decimal.Zero, err
	}
	v, err := money.ParsePositiveAmount(in.Value, cur)
	if err != nil {
		return l, decimal.Zero, kit.Errf(api.CodeInvalidArgument, "%s.value: %v", field, err)
	}
	l.Value = money.Format(v, cur)
	if len(in.Lots) == 0 || len(in.Lots) > maxLineLots {
		return l, decimal.Zero, kit.Errf(api.CodeInvalidArgument, "%s.lots: 1 to %d lots the line declares", field, maxLineLots)
	}
	for j, r := range in.Lots {
		f := fmt.Sprintf("%s.lots[%d]", field, j)
		ref, err := checkLotRef(f, r)
		if err != nil {
			return l, decimal.Zero, err
		}
		if slices.ContainsFunc(l.Lots, func(o api.LotRef) bool { return o.GTIN == ref.GTIN && o.Lot == ref.Lot }) {
			return l, decimal.Zero, kit.Errf(api.CodeInvalidArgument, "%s: lot %s is named twice", f, ref.Lot)
		}
		l.Lots = append(l.Lots, ref)
	}
	return l, v, nil
}

// checkLotRef checks a lot and, when given, its quantity and unit (both
// or neither).
func checkLotRef(field string, in api.LotRef) (api.LotRef, error) {
	var r api.LotRef
	var err error
	if r.GTIN, err = kit.CheckGTIN(field+".gtin", in.GTIN); err != nil {
		return r, err
	}
	if r.Lot, err = kit.CheckLot(field+".lot", in.Lot); err != nil {
		return r, err
	}
	if in.Quantity == "" && in.Unit == "" {
		return r, nil
	}
	if r.Quantity, err = kit.CheckQuantity(field+".quantity", in.Quantity); err != nil {
		return r, err
	}
	if r.Unit, err = kit.CheckUnit(field+".unit", in.Unit); err != nil {
		return r, err
	}
	return r, nil
}

// checkList checks each entry of a list of at most maxCovered, refusing
// repeats.
func checkList(field string, in []string, check func(field, s string) (string, error)) ([]string, error) {
	if len(in) > maxCovered {
		return nil, kit.Errf(api.CodeInvalidArgument, "%s: at most %d", field, maxCovered)
	}
	out := []string{}
	for i, s := range in {
		v, err := check(fmt.Sprintf("%s[%d]", field, i), s)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, v) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s[%d]: %s is named twice", field, i, kit.Clip(v))
		}
		out = append(out, v)
	}
	return out, nil
}

// checkedReceipt is an FX receipt input checked field by field.
type checkedReceipt struct {
	api.FXReceipt
	cur       money.Currency
	amount    decimal.Decimal
	valueDate money.Date
}

// checkReceipt checks the shape of a receipt or refund: payer, amount in
// its currency, value date not after today, the bank's reference, and
// what it settles: each invoice once, each part positive, together no
// more than the amount.
func checkReceipt(in api.FXReceiptInput, today money.Date) (*checkedReceipt, error) {
	var r checkedReceipt
	var err error
	r.Kind = in.Kind
	if r.Kind == "" {
		r.Kind = api.FXKindReceipt
	}
	if r.Kind, err = kit.OneOf("kind", r.Kind, api.FXKindReceipt, api.FXKindRefund); err != nil {
		return nil, err
	}
	if r.Beneficiary, err = kit.CleanText("beneficiary", in.Beneficiary, true, 18); err != nil {
		return nil, err
	}
	switch {
	case r.Kind == api.FXKindRefund && !api.PrefixFXReceipt.Valid(in.RefundOf):
		return nil, kit.Errf(api.CodeInvalidArgument, "refundOf: a refund names the receipt it sends back (FX-YYYY-XXXXXXXXXXXXXXXX)")
	case r.Kind == api.FXKindReceipt && in.RefundOf != "":
		return nil, kit.Errf(api.CodeInvalidArgument, "refundOf: only a refund names a receipt")
	}
	r.RefundOf = in.RefundOf
	if r.Kind == api.FXKindReceipt || in.Payer != (api.Payer{}) {
		if r.Payer.Name, err = kit.CleanText("payer.name", in.Payer.Name, true, maxName); err != nil {
			return nil, err
		}
		if r.Payer.Country, err = kit.CheckCountry("payer.country", in.Payer.Country); err != nil {
			return nil, err
		}
	}
	if r.cur, err = money.LookupCurrency(in.Currency); err != nil {
		return nil, kit.Errf(api.CodeInvalidArgument, "currency: %v", err)
	}
	r.Currency = r.cur.Code
	if r.amount, err = money.ParsePositiveAmount(in.Amount, r.cur); err != nil {
		return nil, kit.Errf(api.CodeInvalidArgument, "amount: %v", err)
	}
	r.Amount = money.Format(r.amount, r.cur)
	if r.valueDate, err = kit.ParseValueDate(in.ValueDate, today); err != nil {
		return nil, err
	}
	r.ValueDate = r.valueDate.String()
	if r.Reference, err = kit.CleanText("reference", in.Reference, true, maxRef); err != nil {
		return nil, err
	}
	if len(in.Settles) > maxCovered {
		return nil, kit.Errf(api.CodeInvalidArgument, "settles: at most %d", maxCovered)
	}
	allocated := decimal.Zero
	r.Settles = []api.FXSettlement{}
	for i, s := range in.Settles {
		f := fmt.Sprintf("settles[%d]", i)
		var out api.FXSettlement
		if out.InvoiceNumber, err = kit.CleanText(f+".invoiceNumber", s.InvoiceNumber, true, maxRef); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(r.Settles, func(o api.FXSettlement) bool { return o.InvoiceNumber == out.InvoiceNumber }) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: invoice %s is named twice", f, out.InvoiceNumber)
		}
		if s.Declaration != "" {
			if out.Declaration, err = CheckDeclarationNo(f+".declaration", s.Declaration); err != nil {
				return nil, err
			}
		}
		v, err := money.ParsePositiveAmount(s.Amount, r.cur)
		if err != nil {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s.amount: %v", f, err)
		}
		out.Amount = money.Format(v, r.cur)
		allocated = allocated.Add(v)
		r.Settles = append(r.Settles, out)
	}
	if allocated.GreaterThan(r.amount) {
		return nil, kit.Errf(api.CodeInvalidArgument, "settles: %s %s allocated, more than the amount %s", money.Format(allocated, r.cur), r.Currency, r.Amount)
	}
	r.Unallocated = money.Format(r.amount.Sub(allocated), r.cur)
	return &r, nil
}
