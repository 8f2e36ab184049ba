// Package trade is trade verification (三流合一): it sets the four flows of
// one trade side by side — the goods shipped, the goods declared to and
// released by customs, the invoice, and the money received — and says
// whether they agree.
//
// match.go is the rules alone, a pure function of plain values: the
// contract reads the ledger, hands Match what it found, and records the
// verdict and the risk flags Match finds. Keeping the rules apart from the
// ledger is what lets them be tested exhaustively, to the fen and to the
// unit, without a ledger.
package trade

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// Tolerances are how far two flows may differ and still agree. Every
// bound is inclusive: a difference exactly at the tolerance agrees, one
// fen (or one smallest unit) more does not.
type Tolerances struct {
	// Value: declared value against the invoice amount, as a fraction of
	// the invoice amount. 5%: a declaration is valued FOB while an invoice
	// may be CIF, and the freight and insurance between them are rarely
	// more than that.
	Value decimal.Decimal
	// Quantity: declared against shipped (and invoiced against shipped)
	// quantity of goods counted by weight or volume, as a fraction of the
	// shipped quantity. 5% is the "more or less" UCP 600 art. 30(b)
	// allows for goods not counted in packing units or items. Goods
	// counted in units (boxes, cartons, pieces ...) must agree exactly.
	Quantity decimal.Decimal
	// Money: net money received against the invoice amount, either way,
	// as a fraction of the invoice amount. 1% covers the correspondent
	// banks' charges taken out of a remittance on its way.
	Money decimal.Decimal
	// Blocking: a declared value more than this multiple of the invoice
	// (the inflated-declaration pattern of fake exports for tax refunds
	// or capital inflow), or money more than this multiple of the
	// declared exports, makes the finding BLOCKING.
	Blocking decimal.Decimal
}

// DefaultTolerances are the tolerances the chaincode applies (see
// Tolerances for why each is what it is).
func DefaultTolerances() Tolerances {
	return Tolerances{
		Value:    decimal.New(5, -2),
		Quantity: decimal.New(5, -2),
		Money:    decimal.New(1, -2),
		Blocking: decimal.New(15, -1),
	}
}

// Invoice is the information flow: the invoice of the trade, from the
// receivable or insured shipment that carries it.
type Invoice struct {
	Number       string
	Seller       string
	Buyer        api.Buyer
	Amount       decimal.Decimal
	Currency     money.Currency
	Lots         []api.LotRef // with quantity and unit where the invoice states them
	ReceivableID string
	ShipmentID   string
}

// Shipped is the latest shipping event found on one lot of the invoice
// and the quantity it shipped (the lot's quantity where the event states
// none).
type Shipped struct {
	GTIN, Lot string
	EventID   string
	Quantity  decimal.Decimal
	Unit      string
}

// Declaration is an export declaration as Match reads it.
type Declaration struct {
	Number    string
	TradeMode string
	Status    string
	Currency  string
	Invoices  []string
	Lines     []Line
}

// Line is one line of a declaration. A lot with a zero quantity is
// declared whole.
type Line struct {
	Quantity decimal.Decimal
	Unit     string
	Value    decimal.Decimal
	Lots     []LotQuantity
}

// LotQuantity is a quantity of one lot's goods (zero: unstated).
type LotQuantity struct {
	GTIN, Lot string
	Quantity  decimal.Decimal
	Unit      string
}

// Receipt is the part of a foreign-exchange receipt or refund that
// settles this invoice.
type Receipt struct {
	ID       string
	Kind     string // api.FXKindReceipt or api.FXKindRefund
	Payer    api.Payer
	Currency string
	Amount   decimal.Decimal
}

// Claim is a declaration that does not cover this invoice but names one
// of its lots: the same goods may be declared twice.
type Claim struct {
	Declaration string
	LotQuantity
}

// Input is everything Match looks at for one trade.
type Input struct {
	Invoice      Invoice
	Shipped      []Shipped
	Declarations []Declaration // covering the invoice
	Receipts     []Receipt
	Claims       []Claim       // the invoice's lots on other declarations
	Stock        []LotQuantity // the lots' commissioned quantities
	Tolerances   Tolerances
}

// Match sets the four flows side by side and gives the verdict:
//
//   - MISMATCH when two flows disagree beyond the tolerances: declared
//     value against the invoice, declared or invoiced quantity against
//     the shipped quantity, declared lots not on the invoice, quantities
//     in units that cannot be compared, a declaration or receipt in
//     another currency, money received beyond the invoice, refunds beyond
//     receipts, money from anyone but the buyer, the goods declared
//     twice, money far beyond the declared exports;
//   - else PARTIAL when a flow is missing or incomplete: a lot not
//     shipped, no declaration, a declaration not released, money short
//     of the invoice;
//   - else VERIFIED.
//
// Findings are the risk flags the trade raises (api.Risk* codes), each
// with its severity.
func Match(in Input) api.TradeVerification {
	m := matcher{in: in, tol: in.Tolerances, cur: in.Invoice.Currency}
	m.v = api.TradeVerification{
		Exporter: in.Invoice.Seller,
		Invoice: api.TradeInvoice{
			Number: in.Invoice.Number, Seller: in.Invoice.Seller, Buyer: in.Invoice.Buyer,
			Amount: m.fmt(in.Invoice.Amount), Currency: m.cur.Code,
			ReceivableID: in.Invoice.ReceivableID, ShipmentID: in.Invoice.ShipmentID,
		},
		Reasons: []api.TradeReason{}, Findings: []api.TradeFinding{},
	}
	m.goods()
	m.declared()
	m.duplicates()
	m.money()
	m.v.Verdict = verdict(m.v.Reasons)
	return m.v
}

// mismatchReasons are the reasons that make a trade MISMATCH; every other
// reason makes it PARTIAL.
func mismatchReasons() []string {
	return []string{api.ReasonCurrency, api.ReasonDeclaredValue, api.ReasonQuantity, api.ReasonUnit,
		api.ReasonLots, api.ReasonOverpaid, api.ReasonRefundExceeds, api.ReasonPayer,
		api.ReasonDeclaredTwice, api.ReasonExcessReceipts}
}

func verdict(reasons []api.TradeReason) string {
	out := api.TradeVerified
	for _, r := range reasons {
		if slices.Contains(mismatchReasons(), r.Code) {
			return api.TradeMismatch
		}
		out = api.TradePartial
	}
	return out
}

type matcher struct {
	in  Input
	tol Tolerances
	cur money.Currency
	v   api.TradeVerification
	// shipped quantities by dimension, and the declared value attributed
	// to the invoice in its currency (declaredOK: some line counted).
	shippedQty    quantities
	declaredValue decimal.Decimal
	declaredOK    bool
}

func (m *matcher) fmt(d decimal.Decimal) string { return money.Format(d, m.cur) }

func (m *matcher) reason(code, flow, format string, a ...any) {
	m.v.Reasons = append(m.v.Reasons, api.TradeReason{Code: code, Flow: flow, Detail: fmt.Sprintf(format, a...)})
}

// finding records a risk finding; a second finding of a code adds its
// refs to the first and keeps the stronger severity, so that a trade
// raises each flag once.
func (m *matcher) finding(code, severity string, refs []string, format string, a ...any) {
	for i := range m.v.Findings {
		f := &m.v.Findings[i]
		if f.Code != code {
			continue
		}
		for _, r := range refs {
			if !slices.Contains(f.Refs, r) {
				f.Refs = append(f.Refs, r)
			}
		}
		if severity == api.SeverityBlocking {
			f.Severity = severity
		}
		return
	}
	m.v.Findings = append(m.v.Findings, api.TradeFinding{Code: code, Severity: severity,
		Detail: fmt.Sprintf(format, a...), Refs: append([]string{}, refs...)})
}

func lotPath(gtin, lot string) string { return "/01/" + gtin + "/10/" + lot }

// goods: every lot of the invoice shipped; the shipped quantity; the
// invoiced quantity, where stated, against it.
func (m *matcher) goods() {
	g := api.TradeGoods{Lots: append([]api.LotRef{}, m.in.Invoice.Lots...), ShippingEvents: []string{}, NotShipped: []string{}}
	var invoiced quantities
	for _, l := range m.in.Invoice.Lots {
		i := slices.IndexFunc(m.in.Shipped, func(s Shipped) bool { return s.GTIN == l.GTIN && s.Lot == l.Lot })
		if i < 0 {
			g.NotShipped = append(g.NotShipped, lotPath(l.GTIN, l.Lot))
			continue
		}
		s := m.in.Shipped[i]
		if !slices.Contains(g.ShippingEvents, s.EventID) {
			g.ShippingEvents = append(g.ShippingEvents, s.EventID)
		}
		m.shippedQty.add(s.Quantity, s.Unit)
		if l.Quantity != "" {
			q, err := decimal.NewFromString(l.Quantity)
			if err == nil {
				invoiced.add(q, l.Unit)
			}
		}
	}
	if len(g.NotShipped) > 0 {
		m.reason(api.ReasonNotShipped, api.FlowGoods, "%d of %d lots have no shipping event (first %s)",
			len(g.NotShipped), len(m.in.Invoice.Lots), g.NotShipped[0])
	}
	g.Quantity, g.Unit = m.shippedQty.single()
	m.v.Goods = g
	if len(invoiced) > 0 && len(g.NotShipped) == 0 {
		m.compareQuantities(api.FlowInvoice, "invoiced", invoiced, m.shippedQty)
	}
}

// declared: the declarations covering the invoice, released or not, their
// lines attributed to it, the declared value against the invoice and the
// declared quantity against the shipped one.
func (m *matcher) declared() {
	d := api.TradeDeclared{Declarations: []string{}, TradeModes: []string{}, Released: len(m.in.Declarations) > 0,
		Currency: m.cur.Code, Value: m.fmt(decimal.Zero)}
	if len(m.in.Declarations) == 0 {
		m.reason(api.ReasonNotDeclared, api.FlowDeclared, "no export declaration covers invoice %s", m.in.Invoice.Number)
		m.v.Declared = d
		return
	}
	var qty quantities
	var notReleased, foreignLots []string
	value := decimal.Zero
	for _, dc := range m.in.Declarations {
		d.Declarations = append(d.Declarations, dc.Number)
		if !slices.Contains(d.TradeModes, dc.TradeMode) {
			d.TradeModes = append(d.TradeModes, dc.TradeMode)
		}
		if dc.Status != api.DeclarationReleased {
			d.Released = false
			notReleased = append(notReleased, dc.Number)
		}
		if dc.Currency != m.cur.Code {
			m.reason(api.ReasonCurrency, api.FlowDeclared, "declaration %s is in %s, the invoice in %s", dc.Number, dc.Currency, m.cur.Code)
			continue
		}
		for _, ln := range m.linesFor(dc) {
			m.declaredOK = true
			value = value.Add(ln.Value)
			qty.add(ln.Quantity, ln.Unit)
			for _, l := range ln.Lots {
				if !m.onInvoice(l.GTIN, l.Lot) && !slices.Contains(foreignLots, lotPath(l.GTIN, l.Lot)) {
					foreignLots = append(foreignLots, lotPath(l.GTIN, l.Lot))
				}
			}
		}
	}
	slices.Sort(d.TradeModes)
	if len(notReleased) > 0 {
		m.reason(api.ReasonNotReleased, api.FlowDeclared, "declaration %s is not released by customs", strings.Join(notReleased, ", "))
	}
	if len(foreignLots) > 0 {
		m.reason(api.ReasonLots, api.FlowDeclared, "declared lots not on invoice %s: %s", m.in.Invoice.Number, strings.Join(foreignLots, ", "))
	}
	m.declaredValue = value
	d.Value = m.fmt(value)
	d.Quantity, d.Unit = qty.single()
	m.v.Declared = d
	if !m.declaredOK {
		return
	}
	m.compareValue(value, d.Declarations)
	if len(m.v.Goods.NotShipped) == 0 {
		m.compareQuantities(api.FlowDeclared, "declared", qty, m.shippedQty)
	}
}

// linesFor attributes a declaration's lines to the invoice: all of them
// when the declaration covers this invoice alone, else the lines naming
// one of the invoice's lots (a declaration of several invoices is split
// between them by the goods each line declares).
func (m *matcher) linesFor(dc Declaration) []Line {
	alone := len(dc.Invoices) == 0 || len(dc.Invoices) == 1 && dc.Invoices[0] == m.in.Invoice.Number
	if alone {
		return dc.Lines
	}
	var out []Line
	for _, ln := range dc.Lines {
		if slices.ContainsFunc(ln.Lots, func(l LotQuantity) bool { return m.onInvoice(l.GTIN, l.Lot) }) {
			out = append(out, ln)
		}
	}
	return out
}

func (m *matcher) onInvoice(gtin, lot string) bool {
	return slices.ContainsFunc(m.in.Invoice.Lots, func(l api.LotRef) bool { return l.GTIN == gtin && l.Lot == lot })
}

// compareValue: |declared − invoice| ≤ Value × invoice agrees. Beyond,
// the finding is BLOCKING when declared > Blocking × invoice.
func (m *matcher) compareValue(declared decimal.Decimal, refs []string) {
	inv := m.in.Invoice.Amount
	if withinFraction(declared, inv, m.tol.Value) {
		return
	}
	ratio := "∞"
	if inv.Sign() > 0 {
		ratio = declared.DivRound(inv, 4).String()
	}
	m.reason(api.ReasonDeclaredValue, api.FlowDeclared, "declared value %s %s is %s × the invoice %s %s (tolerance ±%s)",
		m.fmt(declared), m.cur.Code, ratio, m.fmt(inv), m.cur.Code, m.tol.Value)
	sev := api.SeverityWarning
	if declared.GreaterThan(inv.Mul(m.tol.Blocking)) {
		sev = api.SeverityBlocking
	}
	m.finding(api.RiskDeclaredValue, sev, refs, "declared value %s %s is %s × the invoice %s %s",
		m.fmt(declared), m.cur.Code, ratio, m.fmt(inv), m.cur.Code)
}

// withinFraction reports |a − b| ≤ tol × b.
func withinFraction(a, b, tol decimal.Decimal) bool {
	return a.Sub(b).Abs().LessThanOrEqual(b.Mul(tol))
}

// compareQuantities compares quantities against the shipped ones, per
// dimension: measured goods within Quantity × shipped, counted goods
// exactly.
func (m *matcher) compareQuantities(flow, what string, got, shipped quantities) {
	if len(got) == 0 || len(shipped) == 0 {
		return
	}
	for _, dim := range unionDims(got, shipped) {
		g, okG := got.get(dim)
		s, okS := shipped.get(dim)
		if !okG || !okS {
			m.reason(api.ReasonUnit, flow, "%s goods in %s, shipped goods in %s: not comparable", what, got.units(), shipped.units())
			return
		}
		tol := decimal.Zero
		if dimMeasured(dim) {
			tol = m.tol.Quantity
		}
		if withinFraction(g.base, s.base, tol) {
			continue
		}
		gq, su := g.in(s.unit), s.unit
		m.reason(api.ReasonQuantity, flow, "%s quantity %s %s, shipped %s %s (tolerance ±%s)",
			what, gq, su, s.in(su), su, tol)
		m.finding(api.RiskQuantityMismatch, api.SeverityBlocking, m.v.Goods.ShippingEvents,
			"%s quantity %s %s against %s %s shipped", what, gq, su, s.in(su), su)
	}
}

// duplicates: the invoice's lots declared on more than their quantity,
// across the declarations covering it and any other declaration naming
// them. A lot named without a quantity is declared whole; without a known
// commissioned quantity, any second declaration is one too many.
func (m *matcher) duplicates() {
	var refs []string
	for _, l := range m.in.Invoice.Lots {
		var decls []string
		declared := quantities{}
		whole := 0
		count := func(number string, q LotQuantity) {
			if !slices.Contains(decls, number) {
				decls = append(decls, number)
			}
			if q.Quantity.Sign() == 0 {
				whole++
				return
			}
			declared.add(q.Quantity, q.Unit)
		}
		for _, dc := range m.in.Declarations {
			for _, ln := range dc.Lines {
				for _, q := range ln.Lots {
					if q.GTIN == l.GTIN && q.Lot == l.Lot {
						count(dc.Number, q)
					}
				}
			}
		}
		for _, c := range m.in.Claims {
			if c.GTIN == l.GTIN && c.Lot == l.Lot {
				count(c.Declaration, c.LotQuantity)
			}
		}
		if len(decls) < 2 {
			continue
		}
		si := slices.IndexFunc(m.in.Stock, func(s LotQuantity) bool { return s.GTIN == l.GTIN && s.Lot == l.Lot })
		twice := whole > 0 || si < 0
		if !twice {
			var stock quantities
			stock.add(m.in.Stock[si].Quantity, m.in.Stock[si].Unit)
			twice = declared.exceeds(stock)
		}
		if twice {
			p := lotPath(l.GTIN, l.Lot)
			refs = append(refs, p)
			for _, d := range decls {
				if !slices.Contains(refs, d) {
					refs = append(refs, d)
				}
			}
			m.reason(api.ReasonDeclaredTwice, api.FlowDeclared, "lot %s is declared on %s, beyond its quantity", p, strings.Join(decls, ", "))
		}
	}
	if len(refs) > 0 {
		m.finding(api.RiskDuplicateDeclared, api.SeverityBlocking, refs, "the same goods are declared twice (%s)", refs[0])
	}
}

// money: receipts less refunds in the invoice's currency against the
// invoice, the payers against the buyer, and the money against the
// declared exports.
func (m *matcher) money() {
	mo := api.TradeMoney{Receipts: []string{}, Payers: []api.Payer{}, Currency: m.cur.Code}
	received, refunded := decimal.Zero, decimal.Zero
	buyer := m.in.Invoice.Buyer
	for _, r := range m.in.Receipts {
		if !slices.Contains(mo.Receipts, r.ID) {
			mo.Receipts = append(mo.Receipts, r.ID)
		}
		if r.Currency != m.cur.Code {
			m.reason(api.ReasonCurrency, api.FlowMoney, "%s is in %s, the invoice in %s", r.ID, r.Currency, m.cur.Code)
			continue
		}
		if r.Kind == api.FXKindRefund {
			refunded = refunded.Add(r.Amount)
			continue
		}
		received = received.Add(r.Amount)
		if !slices.Contains(mo.Payers, r.Payer) {
			mo.Payers = append(mo.Payers, r.Payer)
		}
		switch {
		case r.Payer.Country != buyer.Country:
			m.reason(api.ReasonPayer, api.FlowMoney, "%s is from %s in %s, the buyer %s is in %s", r.ID, r.Payer.Name, r.Payer.Country, buyer.Name, buyer.Country)
			m.finding(api.RiskPayerCountry, api.SeverityBlocking, []string{r.ID}, "money from %s (%s), the buyer is in %s", r.Payer.Country, r.Payer.Name, buyer.Country)
		case !SameParty(r.Payer.Name, buyer.Name):
			m.reason(api.ReasonPayer, api.FlowMoney, "%s is from %s, not the buyer %s", r.ID, r.Payer.Name, buyer.Name)
			m.finding(api.RiskThirdPartyPayment, api.SeverityWarning, []string{r.ID}, "money from %s, not the buyer %s", r.Payer.Name, buyer.Name)
		}
	}
	net := received.Sub(refunded)
	mo.Received, mo.Refunded, mo.Net = m.fmt(received), m.fmt(refunded), m.fmt(net)
	m.v.Money = mo
	inv := m.in.Invoice.Amount
	band := inv.Mul(m.tol.Money)
	switch {
	case net.Sign() < 0:
		m.reason(api.ReasonRefundExceeds, api.FlowMoney, "refunded %s %s, received %s %s", mo.Refunded, m.cur.Code, mo.Received, m.cur.Code)
	case net.LessThan(inv.Sub(band)):
		m.reason(api.ReasonUnderpaid, api.FlowMoney, "received %s of %s %s (tolerance -%s)", mo.Net, m.fmt(inv), m.cur.Code, m.tol.Money)
	case net.GreaterThan(inv.Add(band)):
		m.reason(api.ReasonOverpaid, api.FlowMoney, "received %s %s for an invoice of %s (tolerance +%s)", mo.Net, m.cur.Code, m.fmt(inv), m.tol.Money)
	}
	if net.Sign() <= 0 {
		return
	}
	// Receipts far beyond the declared exports: the money is not paying
	// for these goods. With nothing declared yet it may be an advance
	// payment, so it only warns.
	switch {
	case !m.declaredOK:
		m.finding(api.RiskExcessReceipts, api.SeverityWarning, mo.Receipts, "%s %s received and no goods declared for invoice %s", mo.Net, m.cur.Code, m.in.Invoice.Number)
	case net.GreaterThan(m.declaredValue.Mul(m.tol.Blocking)):
		m.reason(api.ReasonExcessReceipts, api.FlowMoney, "received %s %s, more than %s × the declared %s %s", mo.Net, m.cur.Code, m.tol.Blocking, m.fmt(m.declaredValue), m.cur.Code)
		m.finding(api.RiskExcessReceipts, api.SeverityBlocking, mo.Receipts, "received %s %s against declared exports of %s %s", mo.Net, m.cur.Code, m.fmt(m.declaredValue), m.cur.Code)
	}
}

// SameParty reports whether two names are one party's: compared in upper
// case on letters and digits alone, without the usual company-form words
// (LTD, LIMITED, INC, LLC, CO, CORP, GMBH, ...), so that "Acme Trading
// Co., Ltd." is "ACME TRADING LIMITED". Anything more lenient would let a
// third party's money pass as the buyer's.
func SameParty(a, b string) bool {
	na, nb := normaliseName(a), normaliseName(b)
	return na != "" && na == nb
}

func normaliseName(s string) string {
	forms := []string{"LTD", "LIMITED", "INC", "INCORPORATED", "LLC", "CO", "COMPANY", "CORP", "CORPORATION",
		"GMBH", "AG", "SA", "SAS", "SARL", "BV", "NV", "PLC", "PTE", "PTY", "SDN", "BHD", "KK", "SRL", "SPA"}
	words := strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	for _, w := range words {
		if !slices.Contains(forms, w) {
			b.WriteString(w)
		}
	}
	return b.String()
}
