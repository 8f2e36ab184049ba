package trade

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// maxMismatches bounds the regulator's list in one answer.
const maxMismatches = 1000

// paper is the invoice a receivable or insured shipment carries, with the
// entities its risk flags go on.
type paper struct {
	entity, id string
	invoice    Invoice
	customsNo  string // the declaration number an insured shipment names
	insurer    string
	flagOn     [][2]string // [entity, id] of each paper of the invoice
}

// loadPaper reads a receivable (RV-…) or an insured shipment (SH-…). A
// receivable of an insured shipment carries the same invoice: the flags go
// on both.
func (t *Trade) loadPaper(ctx contractapi.TransactionContextInterface, id string) (*paper, error) {
	switch {
	case api.PrefixReceivable.Valid(id):
		rv, err := t.deps.Papers.Receivable(ctx, id)
		if err != nil {
			return nil, err
		}
		amount, cur, err := storedAmount(rv.Amount, rv.Currency)
		if err != nil {
			return nil, err
		}
		p := &paper{entity: api.RiskEntityReceivable, id: rv.ID, flagOn: [][2]string{{api.RiskEntityReceivable, rv.ID}},
			invoice: Invoice{Number: rv.InvoiceNumber, Seller: rv.Seller, Buyer: rv.Buyer, Amount: amount, Currency: cur,
				Lots: rv.Lots, ReceivableID: rv.ID, ShipmentID: rv.ShipmentID}}
		if rv.ShipmentID != "" {
			s, err := t.deps.Papers.Shipment(ctx, rv.ShipmentID)
			if err != nil {
				return nil, err
			}
			p.customsNo, p.insurer = s.CustomsDeclarationNo, s.Insurer
			p.flagOn = append(p.flagOn, [2]string{api.RiskEntityShipment, s.ID})
		}
		return p, nil
	case api.PrefixShipment.Valid(id):
		s, err := t.deps.Papers.Shipment(ctx, id)
		if err != nil {
			return nil, err
		}
		amount, cur, err := storedAmount(s.InvoiceAmount, s.Currency)
		if err != nil {
			return nil, err
		}
		return &paper{entity: api.RiskEntityShipment, id: s.ID, customsNo: s.CustomsDeclarationNo, insurer: s.Insurer,
			flagOn:  [][2]string{{api.RiskEntityShipment, s.ID}},
			invoice: Invoice{Number: s.InvoiceNumber, Seller: s.Insured, Buyer: s.Buyer, Amount: amount, Currency: cur, Lots: s.Lots, ShipmentID: s.ID}}, nil
	}
	return nil, kit.Errf(api.CodeInvalidArgument, "%q is neither a receivable (RV-…) nor an insured shipment (SH-…)", kit.ClipBytes(id))
}

// storedAmount reads an amount and its currency that the ledger wrote;
// failure is corruption.
func storedAmount(amount, currency string) (decimal.Decimal, money.Currency, error) {
	cur, err := money.LookupCurrency(currency)
	if err != nil {
		return decimal.Zero, cur, kit.Errf(api.CodeInternal, "stored currency: %v", err)
	}
	v, err := kit.ParseStored(amount, cur)
	return v, cur, err
}

// mayView: the seller, the insurer of its shipment, banks (due
// diligence), customs and regulators see a trade's four flows.
func mayView(c *api.Caller, p *paper) bool {
	return c.HasKind(api.KindBank) || c.HasKind(api.KindCustoms) || kit.MayRead(c, p.invoice.Seller, p.insurer)
}

// declarations are the declarations covering the paper's invoice: by
// invoice number, by insured shipment, and the one an insured shipment
// names if it is recorded for the same exporter; in number order.
func (t *Trade) declarations(ctx contractapi.TransactionContextInterface, p *paper) ([]api.Declaration, error) {
	numbers, err := kit.TailIDs(ctx, idxDeclInvoice, p.invoice.Seller, t.deps.Papers.InvoiceKey(p.invoice.Number))
	if err != nil {
		return nil, err
	}
	if p.invoice.ShipmentID != "" {
		more, err := kit.TailIDs(ctx, idxDeclShipment, p.invoice.ShipmentID)
		if err != nil {
			return nil, err
		}
		numbers = append(numbers, more...)
	}
	if p.customsNo != "" {
		numbers = append(numbers, p.customsNo)
	}
	slices.Sort(numbers)
	numbers = slices.Compact(numbers)
	out := []api.Declaration{}
	for _, n := range numbers {
		k, err := kit.Key(ctx, objDeclaration, n)
		if err != nil {
			return nil, err
		}
		var d api.Declaration
		found, err := kit.GetJSON(ctx, k, &d)
		if err != nil {
			return nil, err
		}
		if found && d.Exporter == p.invoice.Seller {
			out = append(out, d)
		}
	}
	return out, nil
}

// gather reads the four flows of the paper's invoice from the ledger into
// Match's input.
func (t *Trade) gather(ctx contractapi.TransactionContextInterface, p *paper) (Input, error) {
	in := Input{Invoice: p.invoice, Tolerances: DefaultTolerances()}
	for _, r := range p.invoice.Lots {
		l, err := t.deps.Goods.Lot(ctx, r.GTIN, r.Lot)
		if err != nil {
			return in, err
		}
		in.Stock = append(in.Stock, LotQuantity{GTIN: l.GTIN, Lot: l.Lot, Quantity: kit.Decimal(l.Quantity), Unit: l.Unit})
		ev, err := t.deps.Goods.LatestShipping(ctx, r.GTIN, r.Lot)
		if err != nil {
			return in, err
		}
		if ev == nil {
			continue
		}
		s := Shipped{GTIN: l.GTIN, Lot: l.Lot, EventID: ev.ID, Quantity: kit.Decimal(l.Quantity), Unit: l.Unit}
		if i := slices.IndexFunc(ev.Lots, func(e api.LotRef) bool { return e.GTIN == l.GTIN && e.Lot == l.Lot }); i >= 0 && ev.Lots[i].Quantity != "" {
			s.Quantity, s.Unit = kit.Decimal(ev.Lots[i].Quantity), ev.Lots[i].Unit
			if s.Unit == "" {
				s.Unit = l.Unit
			}
		}
		in.Shipped = append(in.Shipped, s)
	}
	decls, err := t.declarations(ctx, p)
	if err != nil {
		return in, err
	}
	covering := []string{}
	for _, d := range decls {
		covering = append(covering, d.Number)
		in.Declarations = append(in.Declarations, matchDeclaration(d))
	}
	// The same lots on declarations that do not cover this invoice.
	for _, r := range p.invoice.Lots {
		numbers, err := kit.TailIDs(ctx, idxDeclLot, r.GTIN, r.Lot)
		if err != nil {
			return in, err
		}
		for _, n := range numbers {
			if slices.Contains(covering, n) {
				continue
			}
			d, err := t.declaration(ctx, n)
			if err != nil {
				return in, err
			}
			for _, ln := range d.Lines {
				for _, q := range ln.Lots {
					if q.GTIN == r.GTIN && q.Lot == r.Lot {
						in.Claims = append(in.Claims, Claim{Declaration: n, LotQuantity: lotQuantity(q)})
					}
				}
			}
		}
	}
	key := t.deps.Papers.InvoiceKey(p.invoice.Number)
	ids, err := kit.TailIDs(ctx, idxFXInvoice, p.invoice.Seller, key)
	if err != nil {
		return in, err
	}
	for _, id := range ids {
		var fx api.FXReceipt
		if err := kit.Load(ctx, objFX, string(api.PrefixFXReceipt), "receipt", id, &fx); err != nil {
			return in, err
		}
		for _, s := range fx.Settles {
			if t.deps.Papers.InvoiceKey(s.InvoiceNumber) != key {
				continue
			}
			v, _, err := storedAmount(s.Amount, fx.Currency)
			if err != nil {
				return in, err
			}
			in.Receipts = append(in.Receipts, Receipt{ID: fx.ID, Kind: fx.Kind, Payer: fx.Payer, Currency: fx.Currency, Amount: v})
		}
	}
	return in, nil
}

func lotQuantity(r api.LotRef) LotQuantity {
	return LotQuantity{GTIN: r.GTIN, Lot: r.Lot, Quantity: kit.Decimal(r.Quantity), Unit: r.Unit}
}

// matchDeclaration is a stored declaration as Match reads it (values in
// its own currency, which it wrote).
func matchDeclaration(d api.Declaration) Declaration {
	out := Declaration{Number: d.Number, TradeMode: d.TradeMode, Status: d.Status, Currency: d.Currency, Invoices: d.Invoices}
	for _, ln := range d.Lines {
		l := Line{Quantity: kit.Decimal(ln.Quantity), Unit: ln.Unit, Value: kit.Decimal(ln.Value)}
		for _, r := range ln.Lots {
			l.Lots = append(l.Lots, lotQuantity(r))
		}
		out.Lines = append(out.Lines, l)
	}
	return out
}

// evaluate reads the paper and matches its flows, for a caller who may
// see them.
func (t *Trade) evaluate(ctx contractapi.TransactionContextInterface, paperID, action string) (*paper, api.TradeVerification, error) {
	c, err := t.caller(ctx, action, anyKind()...)
	if err != nil {
		return nil, api.TradeVerification{}, err
	}
	p, err := t.loadPaper(ctx, paperID)
	if err != nil {
		return nil, api.TradeVerification{}, err
	}
	if !mayView(c, p) {
		return nil, api.TradeVerification{}, kit.Errf(api.CodeForbidden, "only the seller, its insurer, banks, customs and regulators see the trade of %s %s", p.entity, p.id)
	}
	in, err := t.gather(ctx, p)
	if err != nil {
		return nil, api.TradeVerification{}, err
	}
	return p, Match(in), nil
}

// GetTradeVerification answers the four flows of a receivable's or
// insured shipment's invoice and their verdict as they stand, writing
// nothing: the bank's due diligence view.
func (t *Trade) GetTradeVerification(ctx contractapi.TransactionContextInterface, paperID string) (string, error) {
	_, v, err := t.evaluate(ctx, paperID, "reading a trade's verification")
	if err != nil {
		return "", err
	}
	return kit.ToJSON(v)
}

// VerifyTrade matches the four flows of a receivable's or insured
// shipment's invoice, records the verdict (a MISMATCH goes on the
// regulator's list until a later verification clears it) and raises each
// finding as a risk flag on the receivable and its insured shipment, once
// per code, with the finding's severity.
func (t *Trade) VerifyTrade(ctx contractapi.TransactionContextInterface, paperID string) (string, error) {
	p, v, err := t.evaluate(ctx, paperID, "verifying a trade")
	if err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	v.EvaluatedAt, v.TxID = now.Format(kit.TimeLayout), ctx.GetStub().GetTxID()
	k, err := kit.Key(ctx, objVerification, p.entity, p.id)
	if err != nil {
		return "", err
	}
	if err := kit.PutJSON(ctx, k, &v); err != nil {
		return "", err
	}
	if v.Verdict == api.TradeMismatch {
		err = kit.PutIndex(ctx, idxMismatch, p.entity, p.id)
	} else {
		err = kit.DelIndex(ctx, idxMismatch, p.entity, p.id)
	}
	if err != nil {
		return "", err
	}
	for _, f := range v.Findings {
		for _, on := range p.flagOn {
			flag := &api.RiskFlag{Code: f.Code, Severity: f.Severity, Detail: "trade verification of invoice " + v.Invoice.Number + ": " + f.Detail,
				Refs: append([]string{}, f.Refs...)}
			if _, err := t.deps.Flags.Raise(ctx, on[0], on[1], flag, now); err != nil {
				return "", err
			}
		}
	}
	codes := make([]string, len(v.Findings))
	for i, f := range v.Findings {
		codes[i] = f.Code
	}
	if err := kit.Emit(ctx, "TradeVerified", api.Event{Entity: p.entity, ID: p.id, Action: "trade-verified",
		Data: map[string]string{"verdict": v.Verdict, "exporter": v.Exporter, "invoice": v.Invoice.Number, "findings": strings.Join(codes, ",")}}); err != nil {
		return "", err
	}
	return kit.ToJSON(v)
}

// ListTradeMismatches lists the trades whose last verification was a
// MISMATCH, as recorded then (at most 1000): for regulators and customs.
func (t *Trade) ListTradeMismatches(ctx contractapi.TransactionContextInterface) (string, error) {
	if _, err := t.caller(ctx, "listing trade mismatches", api.KindRegulator, api.KindCustoms); err != nil {
		return "", err
	}
	tails, err := kit.IndexTails(ctx, idxMismatch, nil)
	if err != nil {
		return "", err
	}
	out := []api.TradeVerification{}
	for _, tl := range tails {
		if len(out) == maxMismatches {
			break
		}
		k, err := kit.Key(ctx, objVerification, tl...)
		if err != nil {
			return "", err
		}
		var v api.TradeVerification
		if found, err := kit.GetJSON(ctx, k, &v); err != nil {
			return "", err
		} else if found {
			out = append(out, v)
		}
	}
	return kit.ToJSON(out)
}

// Gate is the trade domain's hook for financing: receivable and policy
// financing of an export rest on a released declaration. It is not a
// contract (its methods are not transactions).
type Gate struct {
	t *Trade
}

// NewGate is the hook over the same domains as the contract.
func NewGate(deps Deps) Gate { return Gate{t: New(deps)} }

// RequireReleased refuses (DECLARATION_NOT_RELEASED) a receivable of an
// overseas buyer, or an insured shipment, whose invoice no released
// export declaration covers. A receivable of a buyer in China is
// domestic trade: no declaration exists for it.
func (g Gate) RequireReleased(ctx contractapi.TransactionContextInterface, paperID string) error {
	p, err := g.t.loadPaper(ctx, paperID)
	if err != nil {
		return err
	}
	if p.entity == api.RiskEntityReceivable && p.invoice.Buyer.Country == "CN" && p.invoice.ShipmentID == "" {
		return nil
	}
	decls, err := g.t.declarations(ctx, p)
	if err != nil {
		return err
	}
	var pending []string
	for _, d := range decls {
		if d.Status == api.DeclarationReleased {
			return nil
		}
		pending = append(pending, d.Number)
	}
	why := "none is recorded"
	if len(pending) > 0 {
		why = fmt.Sprintf("%s not released yet", strings.Join(pending, ", "))
	}
	return kit.Errf(api.CodeNotReleased, "%s %s: financing an export rests on a released customs declaration of invoice %s; %s",
		p.entity, p.id, p.invoice.Number, why)
}
