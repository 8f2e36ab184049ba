package contracttest

import (
	"fmt"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/gateway/identity"
)

// insFix is the receipt fixture (producer, warehouse, trader — an
// exporter —, bank, regulator) plus an export credit insurer and a
// domestic buyer on the network. Overseas buyers are made up per test.
type insFix struct {
	*wrFix
	insurer *Member
	buyer   *Member // a domestic buyer on the network
	buyers  int
	invoice int
	customs int
	broker  *Member // a customs broker, made when first needed (customsRelease)
}

func newInsFix(t testing.TB) *insFix {
	t.Helper()
	f := &insFix{wrFix: newWRFix(t)}
	f.insurer = f.Enterprise(InsurerMSP, "中国出口信用保险公司广东分公司", api.KindInsurer)
	f.buyer = f.Enterprise(PlatformMSP, "广州茶叶连锁有限公司", api.KindProcessor)
	return f
}

type insBuyer = api.BuyerInput

// overseasBuyer makes up a German buyer with a fresh register number.
func (f *insFix) overseasBuyer() insBuyer {
	f.buyers++
	return insBuyer{Name: fmt.Sprintf("Hamburger Teehandel %d GmbH", f.buyers), Country: "DE", RegistrationID: fmt.Sprintf("HRB-%05d", 10000+f.buyers)}
}

func (f *insFix) day() string { return f.today().Format("2006-01-02") }

// dayPlus is the Shanghai date n days after the clock's.
func (f *insFix) dayPlus(n int) string { return f.today().AddDate(0, 0, n).Format("2006-01-02") }

// toTrader hands a lot over to the trader, who records receiving it.
func (f *wrFix) toTrader(lot string) {
	f.T.Helper()
	f.handOver(f.trader, lot)
	if _, err := f.event(f.trader, "receiving", lot, ""); err != nil {
		f.T.Fatalf("receiving %s: %v", lot, err)
	}
}

// shippedLot commissions a lot, hands it to the trader and has the trader
// record it shipped.
func (f *insFix) shippedLot(qty string) string {
	f.T.Helper()
	lot := f.lot(qty)
	f.toTrader(lot)
	if _, err := f.event(f.trader, "shipping", lot, qty); err != nil {
		f.T.Fatalf("shipping %s: %v", lot, err)
	}
	return lot
}

func insLimitInput(exporter string, b insBuyer, amount, currency, from, to string) api.CreditLimitInput {
	return api.CreditLimitInput{Exporter: exporter, Buyer: b, Amount: amount, Currency: currency, ValidFrom: from, ValidTo: to}
}

// limit sets the insurer's limit for the trader on a buyer, valid a year
// from 2026-04-01.
func (f *insFix) limit(b insBuyer, amount, currency string) api.CreditLimitView {
	f.T.Helper()
	var l api.CreditLimitView
	Result(f.T, &l)(f.C.SetCreditLimit(f.Ctx, f.insurer.Identity, insLimitInput(f.trader.CreditCode, b, amount, currency, "2026-04-01", "2027-03-31")))
	return l
}

type insPolicyOpts struct {
	currency, coverage, premium, maxLiability string
	waitingDays                               int
}

func insPolicyInput(insured string, o insPolicyOpts) api.PolicyInput {
	return api.PolicyInput{Insured: insured, Currency: o.currency, CoverageRatio: o.coverage, PremiumRate: o.premium,
		StartDate: "2026-04-01", EndDate: "2027-03-31", WaitingPeriodDays: o.waitingDays, MaxCreditDays: 180, MaxLiability: o.maxLiability}
}

func (f *insFix) policy(o insPolicyOpts) api.Policy {
	f.T.Helper()
	var p api.Policy
	Result(f.T, &p)(f.C.IssuePolicy(f.Ctx, f.insurer.Identity, insPolicyInput(f.trader.CreditCode, o)))
	return p
}

type insShip struct {
	policy, limit, amount, customsValue, shipDate, dueDate string
	lots                                                   []string
}

func (f *insFix) nextInvoice() string {
	f.invoice++
	return fmt.Sprintf("QY-INV-%04d", f.invoice)
}

func (f *insFix) nextCustoms() string {
	f.customs++
	return fmt.Sprintf("5168%04d1%09d", 2026, f.customs)
}

func (f *insFix) shipmentInput(s insShip, invoice string) api.ShipmentInput {
	lots := make([]api.LotRef, len(s.lots))
	for i, l := range s.lots {
		lots[i] = api.LotRef{GTIN: f.gtin, Lot: l}
	}
	cv := s.customsValue
	if cv == "" {
		cv = s.amount
	}
	return api.ShipmentInput{PolicyID: s.policy, LimitID: s.limit, InvoiceNumber: invoice, InvoiceAmount: s.amount,
		CustomsDeclarationNo: f.nextCustoms(), CustomsValue: cv,
		ShipmentDate: s.shipDate, PaymentDueDate: s.dueDate, Lots: lots}
}

func (f *insFix) declare(s insShip) api.ShipmentView {
	f.T.Helper()
	var v api.ShipmentView
	Result(f.T, &v)(f.C.DeclareShipment(f.Ctx, f.trader.Identity, f.shipmentInput(s, f.nextInvoice())))
	f.customsRelease(v.Shipment)
	return v
}

// assign has the trader assign a shipment's proceeds to bank and the
// insurer accept.
func (f *insFix) assign(shipmentID string, bank *Member) api.Assignment {
	f.T.Helper()
	var a api.Assignment
	Result(f.T, &a)(f.C.RequestAssignment(f.Ctx, f.trader.Identity, shipmentID, bank.CreditCode, f.shipment(f.trader.Identity, shipmentID).PolicyID))
	Result(f.T, &a)(f.C.AcceptAssignment(f.Ctx, f.insurer.Identity, a.ID))
	return a
}

func (f *insFix) shipment(as *identity.Identity, id string) api.ShipmentView {
	f.T.Helper()
	var v api.ShipmentView
	Into(f.T, &v)(f.C.GetShipment(f.Ctx, as, id))
	return v
}

func (f *insFix) creditLimit(id string) api.CreditLimitView {
	f.T.Helper()
	var l api.CreditLimitView
	Into(f.T, &l)(f.C.GetCreditLimit(f.Ctx, f.insurer.Identity, id))
	return l
}

func insApply(typ, bank, principal, currency string, collateral ...string) api.FinancingApplication {
	return api.FinancingApplication{Type: typ, Bank: bank, Collateral: collateral,
		RequestedPrincipal: principal, Currency: currency, Purpose: "出口备货"}
}

// finance applies for a financing of a type, has the bank approve it and
// disburse it on the clock's day.
func (f *insFix) finance(typ string, bank *Member, principal, currency, terms string, collateral ...string) api.Financing {
	f.T.Helper()
	var fin api.Financing
	Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply(typ, bank.CreditCode, principal, currency, collateral...)))
	f.mustDo(&fin, bank.Identity, api.TxApproveFinancing, fin.ID, terms)
	Result(f.T, &fin)(f.C.DisburseFinancing(f.Ctx, bank.Identity, fin.ID, f.day()))
	return fin
}

// rvBuyerOf is a receivable's buyer named by name, country and
// registration number (an overseas buyer, or one the ledger does not know).
func rvBuyerOf(b insBuyer) api.ReceivableBuyerInput {
	return api.ReceivableBuyerInput{Name: b.Name, Country: b.Country, RegistrationID: b.RegistrationID}
}

type insRecvOpts struct {
	buyer           api.ReceivableBuyerInput
	invoice, amount string
	currency        string
	issue, due      string
	shipment        string
	lots            []string
}

func (f *insFix) receivableInput(o insRecvOpts) api.ReceivableInput {
	in := api.ReceivableInput{Buyer: o.buyer, InvoiceNumber: o.invoice, Amount: o.amount, Currency: o.currency, IssueDate: o.issue, DueDate: o.due, ShipmentID: o.shipment}
	for _, l := range o.lots {
		in.Lots = append(in.Lots, api.LotRef{GTIN: f.gtin, Lot: l})
	}
	return in
}

// receivable creates a receivable of the trader on the domestic buyer for
// shipped goods, due in 60 days; confirmed when confirm is set.
func (f *insFix) receivable(amount string, confirm bool) api.ReceivableView {
	f.T.Helper()
	lot := f.shippedLot("100")
	var v api.ReceivableView
	Result(f.T, &v)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: f.nextInvoice(), amount: amount, currency: "CNY",
		issue: f.day(), due: f.dayPlus(60), lots: []string{lot},
	})))
	if confirm {
		Result(f.T, &v)(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, v.ID))
	}
	return v
}

func (f *insFix) getReceivable(id string) api.ReceivableView {
	f.T.Helper()
	var v api.ReceivableView
	Into(f.T, &v)(f.C.GetReceivable(f.Ctx, f.reg.Identity, id))
	return v
}

func (f *insFix) grade(code string) api.CreditGrade {
	f.T.Helper()
	var g api.CreditGrade
	Into(f.T, &g)(f.C.GetCreditGrade(f.Ctx, f.reg.Identity, code))
	return g
}

// insFlagCodes lists the codes of flags.
func insFlagCodes(flags []api.RiskFlag) []string {
	out := []string{}
	for _, fl := range flags {
		out = append(out, fl.Code)
	}
	return out
}
