package trade

import (
	"slices"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// State of the trade domain. Every lookup other than by primary key is a
// composite-key index this contract maintains (DESIGN.md §4).
const (
	objDeclaration  = "trade~decl"         // [number] -> api.Declaration
	idxDeclInvoice  = "trade~decl~inv"     // [exporter, invoiceKey, number]
	idxDeclShipment = "trade~decl~ship"    // [shipmentID, number]
	idxDeclLot      = "trade~decl~lot"     // [gtin, lot, number]
	objFX           = "trade~fx"           // [id] -> api.FXReceipt
	idxFXInvoice    = "trade~fx~inv"       // [beneficiary, invoiceKey, id]
	idxFXRef        = "trade~fx~ref"       // [bank, reference, id]: one entry per remittance
	objVerification = "trade~verification" // [entity, paperID] -> api.TradeVerification
	idxMismatch     = "trade~mismatch"     // [entity, paperID] while the last verdict is MISMATCH
)

// Trade is the trade contract, "trade" (三流合一):
//
//   - A customs broker or customs records an export declaration
//     (RecordDeclaration) for a registered exporter: its lines (HS code,
//     goods, quantity and unit, value, the lots declared) and the
//     invoices and insured shipments it covers. The number is unique.
//     Customs, or the declaring broker relaying customs' notice, releases
//     it (ReleaseDeclaration, 放行).
//   - The bank that received money for an exporter records the receipt
//     (RecordFXReceipt): payer, amount, currency, value date, its
//     remittance reference (once per bank), and the invoices (and
//     declarations) it settles, in parts; a refund (退汇) names the receipt
//     it sends back and settles negative parts of the same invoices.
//   - VerifyTrade sets the four flows of a receivable's or insured
//     shipment's invoice side by side (Match), records the verdict, and
//     raises the findings as risk flags on the receivable and its insured
//     shipment, where the collateral rules act on them: a BLOCKING flag
//     refuses a financing's approval unless the bank overrides it.
//     GetTradeVerification answers the same without writing (due
//     diligence); ListTradeMismatches is the regulator's list.
//   - RequireReleased (the financing domain's hook): receivable and
//     policy financing of an export rest on a released declaration.
type Trade struct {
	deps Deps
}

// New is the trade contract over the domains it asks.
func New(deps Deps) *Trade { return &Trade{deps: deps} }

// caller resolves the caller and insists on one of kinds.
func (t *Trade) caller(ctx contractapi.TransactionContextInterface, action string, kinds ...string) (*api.Caller, error) {
	return t.deps.Registry.RequireKind(ctx, action, kinds...)
}

// anyKind is every kind an enterprise may do: for reads whose access
// depends on what the caller is party to.
func anyKind() []string {
	return []string{api.KindBank, api.KindCustoms, api.KindCustomsBroker, api.KindExporter, api.KindInspector, api.KindInsurer,
		api.KindLogistics, api.KindProcessor, api.KindProducer, api.KindRegulator, api.KindWarehouse}
}

// RecordDeclaration records an export declaration. Input: {"number" (18
// digits), "tradeMode" (9610, 9710, 9810, 0110), "exporter" (credit code),
// "consignee":{"name","country","registrationId"}, "destination",
// "currency", "lines":[{"hsCode","description","quantity","unit","value",
// "lots":[{"gtin","lot"[,"quantity","unit"]}]}], "invoices":[...],
// "shipments":[SH-…]}. Only a customs broker or customs records one; the
// lots must be commissioned, the shipments the exporter's.
func (t *Trade) RecordDeclaration(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	c, err := t.caller(ctx, "recording an export declaration", api.KindCustomsBroker, api.KindCustoms)
	if err != nil {
		return "", err
	}
	var in api.DeclarationInput
	if err := kit.DecodeArg("input", input, &in); err != nil {
		return "", err
	}
	d, err := checkDeclaration(in)
	if err != nil {
		return "", err
	}
	exporter, err := t.deps.Registry.Enterprise(ctx, d.Exporter)
	if err != nil {
		return "", err
	}
	if exporter.Status != api.EnterpriseActive {
		return "", kit.Errf(api.CodeRuleViolation, "exporter %s is %s", exporter.CreditCode, exporter.Status)
	}
	for _, ln := range d.Lines {
		for _, r := range ln.Lots {
			if _, err := t.deps.Goods.Lot(ctx, r.GTIN, r.Lot); err != nil {
				return "", err
			}
		}
	}
	for _, id := range d.Shipments {
		s, err := t.deps.Papers.Shipment(ctx, id)
		if err != nil {
			return "", err
		}
		if s.Insured != d.Exporter {
			return "", kit.Errf(api.CodeRuleViolation, "shipment %s is insured for %s, not the exporter %s", id, s.Insured, d.Exporter)
		}
	}
	k, err := kit.Key(ctx, objDeclaration, d.Number)
	if err != nil {
		return "", err
	}
	var old api.Declaration
	if found, err := kit.GetJSON(ctx, k, &old); err != nil {
		return "", err
	} else if found {
		return "", kit.Errf(api.CodeAlreadyExists, "declaration %s is already recorded (%s)", d.Number, old.Status)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	decl := d.Declaration
	decl.Declarant, decl.Status, decl.DeclaredAt = c.Enterprise.CreditCode, api.DeclarationDeclared, now.Format(kit.TimeLayout)
	if err := kit.Save(ctx, objDeclaration, decl.Number, &decl, &decl.UpdatedAt, &decl.TxID, now); err != nil {
		return "", err
	}
	for _, inv := range decl.Invoices {
		if err := kit.PutIndex(ctx, idxDeclInvoice, decl.Exporter, t.deps.Papers.InvoiceKey(inv), decl.Number); err != nil {
			return "", err
		}
	}
	for _, id := range decl.Shipments {
		if err := kit.PutIndex(ctx, idxDeclShipment, id, decl.Number); err != nil {
			return "", err
		}
	}
	for _, ln := range decl.Lines {
		for _, r := range ln.Lots {
			if err := kit.PutIndex(ctx, idxDeclLot, r.GTIN, r.Lot, decl.Number); err != nil {
				return "", err
			}
		}
	}
	if err := kit.Emit(ctx, "DeclarationRecorded", api.Event{Entity: "declaration", ID: decl.Number, Action: "recorded", By: decl.Declarant,
		Data: map[string]string{"exporter": decl.Exporter, "tradeMode": decl.TradeMode, "totalValue": decl.TotalValue, "currency": decl.Currency}}); err != nil {
		return "", err
	}
	return kit.ToJSON(decl)
}

// ReleaseDeclaration records customs' release of a declaration. Input:
// {"releaseDate": "YYYY-MM-DD"} (not after today). Customs releases any;
// a customs broker relays the release of its own declarations only.
func (t *Trade) ReleaseDeclaration(ctx contractapi.TransactionContextInterface, number, input string) (string, error) {
	c, err := t.caller(ctx, "releasing an export declaration", api.KindCustoms, api.KindCustomsBroker)
	if err != nil {
		return "", err
	}
	var in api.DeclarationReleaseInput
	if err := kit.DecodeArg("input", input, &in); err != nil {
		return "", err
	}
	d, err := t.declaration(ctx, number)
	if err != nil {
		return "", err
	}
	if !c.HasKind(api.KindCustoms) && d.Declarant != c.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "declaration %s was recorded by %s; only customs or its declarant releases it", d.Number, d.Declarant)
	}
	if d.Status != api.DeclarationDeclared {
		return "", kit.Errf(api.CodeConflict, "declaration %s is %s", d.Number, d.Status)
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	rd, err := kit.ParseValueDate(in.ReleaseDate, today)
	if err != nil {
		return "", err
	}
	if dd := recordedDate(d.DeclaredAt); !dd.IsZero() && rd.Before(dd) {
		return "", kit.Errf(api.CodeRuleViolation, "releaseDate %s is before the declaration was recorded (%s)", rd, dd)
	}
	d.Status, d.ReleasedBy, d.ReleasedAt, d.ReleaseDate = api.DeclarationReleased, c.Enterprise.CreditCode, now.Format(kit.TimeLayout), rd.String()
	if err := kit.Save(ctx, objDeclaration, d.Number, d, &d.UpdatedAt, &d.TxID, now); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "DeclarationReleased", api.Event{Entity: "declaration", ID: d.Number, Action: "released", By: d.ReleasedBy,
		Data: map[string]string{"exporter": d.Exporter, "releaseDate": d.ReleaseDate}}); err != nil {
		return "", err
	}
	return kit.ToJSON(d)
}

// GetDeclaration reads a declaration: for its exporter and declarant,
// customs, banks and insurers (due diligence) and regulators.
func (t *Trade) GetDeclaration(ctx contractapi.TransactionContextInterface, number string) (string, error) {
	c, err := t.caller(ctx, "reading an export declaration", anyKind()...)
	if err != nil {
		return "", err
	}
	d, err := t.declaration(ctx, number)
	if err != nil {
		return "", err
	}
	if !c.HasKind(api.KindCustoms) && !c.HasKind(api.KindBank) && !c.HasKind(api.KindInsurer) && !kit.MayRead(c, d.Exporter, d.Declarant) {
		return "", kit.Errf(api.CodeForbidden, "only the exporter, the declarant, customs, banks, insurers and regulators read declaration %s", d.Number)
	}
	return kit.ToJSON(d)
}

func (t *Trade) declaration(ctx contractapi.TransactionContextInterface, number string) (*api.Declaration, error) {
	if _, err := CheckDeclarationNo("number", number); err != nil {
		return nil, err
	}
	k, err := kit.Key(ctx, objDeclaration, number)
	if err != nil {
		return nil, err
	}
	var d api.Declaration
	if found, err := kit.GetJSON(ctx, k, &d); err != nil {
		return nil, err
	} else if !found {
		return nil, kit.Errf(api.CodeNotFound, "declaration %s is not recorded", number)
	}
	return &d, nil
}

// RecordFXReceipt records money received for an exporter (kind RECEIPT)
// or sent back to the payer (kind REFUND). Input: {"kind", "beneficiary"
// (credit code), "payer":{"name","country"}, "amount", "currency",
// "valueDate", "reference", "settles":[{"invoiceNumber"[,"declaration"],
// "amount"}], "refundOf"}. Only a bank records one, as the receiving
// bank; a reference is recorded once per bank. A refund sends back at
// most what is left of the receipt it names (same bank, beneficiary and
// currency), to its payer, and may settle only invoices that receipt
// settled, by no more than is left of each part.
func (t *Trade) RecordFXReceipt(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	c, err := t.caller(ctx, "recording a foreign-exchange receipt", api.KindBank)
	if err != nil {
		return "", err
	}
	var in api.FXReceiptInput
	if err := kit.DecodeArg("input", input, &in); err != nil {
		return "", err
	}
	now, today, err := kit.Today(ctx)
	if err != nil {
		return "", err
	}
	r, err := checkReceipt(in, today)
	if err != nil {
		return "", err
	}
	bank := c.Enterprise.CreditCode
	if _, err := t.deps.Registry.Enterprise(ctx, r.Beneficiary); err != nil {
		return "", err
	}
	for _, s := range r.Settles {
		if s.Declaration == "" {
			continue
		}
		d, err := t.declaration(ctx, s.Declaration)
		if err != nil {
			return "", err
		}
		if d.Exporter != r.Beneficiary {
			return "", kit.Errf(api.CodeRuleViolation, "declaration %s is of exporter %s, not the beneficiary %s", d.Number, d.Exporter, r.Beneficiary)
		}
	}
	refs, err := kit.TailIDs(ctx, idxFXRef, bank, r.Reference)
	if err != nil {
		return "", err
	}
	if len(refs) > 0 {
		return "", kit.Errf(api.CodeAlreadyExists, "remittance %s is already recorded by %s as %s", r.Reference, bank, refs[0])
	}
	fx := r.FXReceipt
	fx.Bank, fx.RecordedAt = bank, now.Format(kit.TimeLayout)
	fx.ID = kit.DeriveID(string(api.PrefixFXReceipt), ctx.GetStub().GetTxID(), now, 0)
	if err := kit.PutNew(ctx, objFX, fx.ID); err != nil {
		return "", err
	}
	if fx.Kind == api.FXKindRefund {
		if err := t.refund(ctx, &fx, r.amount); err != nil {
			return "", err
		}
	}
	if err := kit.Save(ctx, objFX, fx.ID, &fx, &fx.RecordedAt, &fx.TxID, now); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxFXRef, bank, fx.Reference, fx.ID); err != nil {
		return "", err
	}
	for _, s := range fx.Settles {
		if err := kit.PutIndex(ctx, idxFXInvoice, fx.Beneficiary, t.deps.Papers.InvoiceKey(s.InvoiceNumber), fx.ID); err != nil {
			return "", err
		}
	}
	action := "received"
	if fx.Kind == api.FXKindRefund {
		action = "refunded"
	}
	if err := kit.Emit(ctx, "FXReceiptRecorded", api.Event{Entity: "fxReceipt", ID: fx.ID, Action: action, By: bank,
		Data: map[string]string{"beneficiary": fx.Beneficiary, "amount": fx.Amount, "currency": fx.Currency, "payerCountry": fx.Payer.Country}}); err != nil {
		return "", err
	}
	return kit.ToJSON(fx)
}

// refund checks a refund against the receipt it sends back and records
// how much of that receipt is refunded.
func (t *Trade) refund(ctx contractapi.TransactionContextInterface, fx *api.FXReceipt, amount decimal.Decimal) error {
	var orig api.FXReceipt
	if err := kit.Load(ctx, objFX, string(api.PrefixFXReceipt), "receipt", fx.RefundOf, &orig); err != nil {
		return err
	}
	switch {
	case orig.Kind != api.FXKindReceipt:
		return kit.Errf(api.CodeRuleViolation, "%s is a refund; a refund sends back a receipt", orig.ID)
	case orig.Bank != fx.Bank:
		return kit.Errf(api.CodeForbidden, "receipt %s was received by %s; only that bank refunds it", orig.ID, orig.Bank)
	case orig.Beneficiary != fx.Beneficiary || orig.Currency != fx.Currency:
		return kit.Errf(api.CodeRuleViolation, "a refund of %s is for %s in %s", orig.ID, orig.Beneficiary, orig.Currency)
	case fx.Payer != (api.Payer{}) && fx.Payer != orig.Payer:
		return kit.Errf(api.CodeRuleViolation, "a refund of %s goes back to its payer %s (%s)", orig.ID, orig.Payer.Name, orig.Payer.Country)
	}
	fx.Payer = orig.Payer
	cur, err := money.LookupCurrency(orig.Currency)
	if err != nil {
		return kit.Errf(api.CodeInternal, "stored currency: %v", err)
	}
	origAmount, refunded, err := kit.ParseStoredPair(orig.Amount, zeroIfEmpty(orig.Refunded, cur), cur)
	if err != nil {
		return err
	}
	if left := origAmount.Sub(refunded); amount.GreaterThan(left) {
		return kit.Errf(api.CodeRuleViolation, "receipt %s has %s %s left to refund, not %s", orig.ID, money.Format(left, cur), cur.Code, fx.Amount)
	}
	for _, s := range fx.Settles {
		i := slices.IndexFunc(orig.Settles, func(o api.FXSettlement) bool { return o.InvoiceNumber == s.InvoiceNumber })
		if i < 0 {
			return kit.Errf(api.CodeRuleViolation, "receipt %s settles no invoice %s", orig.ID, s.InvoiceNumber)
		}
		// What earlier refunds sent back of this part is netted, so that
		// refunds of an invoice never exceed what the receipt paid on it.
		part, done, err := kit.ParseStoredPair(orig.Settles[i].Amount, zeroIfEmpty(orig.Settles[i].Refunded, cur), cur)
		if err != nil {
			return err
		}
		v, err := kit.ParseStored(s.Amount, cur)
		if err != nil {
			return err
		}
		if left := part.Sub(done); v.GreaterThan(left) {
			return kit.Errf(api.CodeRuleViolation, "receipt %s has %s %s of invoice %s left to refund, not %s", orig.ID, money.Format(left, cur), cur.Code, s.InvoiceNumber, s.Amount)
		}
		orig.Settles[i].Refunded = money.Format(done.Add(v), cur)
	}
	orig.Refunded = money.Format(refunded.Add(amount), cur)
	k, err := kit.Key(ctx, objFX, orig.ID)
	if err != nil {
		return err
	}
	return kit.PutJSON(ctx, k, &orig)
}

// recordedDate is the business date of a timestamp this contract wrote
// (the zero Date if it cannot be read).
func recordedDate(s string) money.Date {
	t, err := time.Parse(kit.TimeLayout, s)
	if err != nil {
		return money.Date{}
	}
	return kit.DateOf(t)
}

func zeroIfEmpty(s string, cur money.Currency) string {
	if s == "" {
		return money.Format(decimal.Zero, cur)
	}
	return s
}

// GetFXReceipt reads a receipt or refund: for the bank that recorded it,
// its beneficiary and regulators.
func (t *Trade) GetFXReceipt(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	c, err := t.caller(ctx, "reading a foreign-exchange receipt", anyKind()...)
	if err != nil {
		return "", err
	}
	var fx api.FXReceipt
	if err := kit.Load(ctx, objFX, string(api.PrefixFXReceipt), "receipt", id, &fx); err != nil {
		return "", err
	}
	if !kit.MayRead(c, fx.Bank, fx.Beneficiary) {
		return "", kit.Errf(api.CodeForbidden, "only the receiving bank, the beneficiary and regulators read receipt %s", fx.ID)
	}
	return kit.ToJSON(fx)
}
