package contracttest

import (
	"encoding/json"
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
}

func newInsFix(t testing.TB) *insFix {
	t.Helper()
	f := &insFix{wrFix: newWRFix(t)}
	f.insurer = f.Enterprise(InsurerMSP, "中国出口信用保险公司广东分公司", api.KindInsurer)
	f.buyer = f.Enterprise(PlatformMSP, "广州茶叶连锁有限公司", api.KindProcessor)
	return f
}

type insBuyer struct {
	Name           string `json:"name"`
	Country        string `json:"country"`
	RegistrationID string `json:"registrationId"`
}

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

func insLimitInput(exporter string, b insBuyer, amount, currency, from, to string) string {
	in, _ := json.Marshal(map[string]any{"exporter": exporter, "buyer": b, "amount": amount, "currency": currency, "validFrom": from, "validTo": to})
	return string(in)
}

// limit sets the insurer's limit for the trader on a buyer, valid a year
// from 2026-04-01.
func (f *insFix) limit(b insBuyer, amount, currency string) api.CreditLimitView {
	f.T.Helper()
	var l api.CreditLimitView
	f.mustDo(&l, f.insurer.Identity, api.TxSetCreditLimit, insLimitInput(f.trader.CreditCode, b, amount, currency, "2026-04-01", "2027-03-31"))
	return l
}

type insPolicyOpts struct {
	currency, coverage, premium, maxLiability string
	waitingDays                               int
}

func insPolicyInput(insured string, o insPolicyOpts) string {
	m := map[string]any{
		"insured": insured, "currency": o.currency, "coverageRatio": o.coverage, "premiumRate": o.premium,
		"startDate": "2026-04-01", "endDate": "2027-03-31", "waitingPeriodDays": o.waitingDays, "maxCreditDays": 180,
	}
	if o.maxLiability != "" {
		m["maxLiability"] = o.maxLiability
	}
	in, _ := json.Marshal(m)
	return string(in)
}

func (f *insFix) policy(o insPolicyOpts) api.Policy {
	f.T.Helper()
	var p api.Policy
	f.mustDo(&p, f.insurer.Identity, api.TxIssuePolicy, insPolicyInput(f.trader.CreditCode, o))
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

func (f *insFix) shipmentInput(s insShip, invoice string) string {
	lots := make([]map[string]string, len(s.lots))
	for i, l := range s.lots {
		lots[i] = map[string]string{"gtin": f.gtin, "lot": l}
	}
	cv := s.customsValue
	if cv == "" {
		cv = s.amount
	}
	in, _ := json.Marshal(map[string]any{
		"policyId": s.policy, "limitId": s.limit, "invoiceNumber": invoice, "invoiceAmount": s.amount,
		"customsDeclarationNo": f.nextCustoms(), "customsValue": cv,
		"shipmentDate": s.shipDate, "paymentDueDate": s.dueDate, "lots": lots,
	})
	return string(in)
}

func (f *insFix) declare(s insShip) api.ShipmentView {
	f.T.Helper()
	var v api.ShipmentView
	f.mustDo(&v, f.trader.Identity, api.TxDeclareShipment, f.shipmentInput(s, f.nextInvoice()))
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

func insApply(typ, bank, principal, currency string, collateral ...string) string {
	in, _ := json.Marshal(map[string]any{
		"type": typ, "bank": bank, "collateral": collateral,
		"requestedPrincipal": principal, "currency": currency, "purpose": "出口备货",
	})
	return string(in)
}

// finance applies for a financing of a type, has the bank approve it and
// disburse it on the clock's day.
func (f *insFix) finance(typ string, bank *Member, principal, currency, terms string, collateral ...string) api.Financing {
	f.T.Helper()
	var fin api.Financing
	f.mustDo(&fin, f.trader.Identity, api.TxApplyForFinancing, insApply(typ, bank.CreditCode, principal, currency, collateral...))
	f.mustDo(&fin, bank.Identity, api.TxApproveFinancing, fin.ID, terms)
	Result(f.T, &fin)(f.C.DisburseFinancing(f.Ctx, bank.Identity, fin.ID, f.day()))
	return fin
}

type insRecvOpts struct {
	buyer           any // map for the JSON "buyer"
	invoice, amount string
	currency        string
	issue, due      string
	shipment        string
	lots            []string
}

func (f *insFix) receivableInput(o insRecvOpts) string {
	m := map[string]any{"buyer": o.buyer, "invoiceNumber": o.invoice, "amount": o.amount, "currency": o.currency, "issueDate": o.issue, "dueDate": o.due}
	if o.shipment != "" {
		m["shipmentId"] = o.shipment
	}
	if len(o.lots) > 0 {
		lots := make([]map[string]string, len(o.lots))
		for i, l := range o.lots {
			lots[i] = map[string]string{"gtin": f.gtin, "lot": l}
		}
		m["lots"] = lots
	}
	in, _ := json.Marshal(m)
	return string(in)
}

// receivable creates a receivable of the trader on the domestic buyer for
// shipped goods, due in 60 days; confirmed when confirm is set.
func (f *insFix) receivable(amount string, confirm bool) api.ReceivableView {
	f.T.Helper()
	lot := f.shippedLot("100")
	var v api.ReceivableView
	f.mustDo(&v, f.trader.Identity, api.TxCreateReceivable, f.receivableInput(insRecvOpts{
		buyer: map[string]string{"creditCode": f.buyer.CreditCode}, invoice: f.nextInvoice(), amount: amount, currency: "CNY",
		issue: f.day(), due: f.dayPlus(60), lots: []string{lot},
	}))
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
