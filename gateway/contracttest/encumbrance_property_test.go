package contracttest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/shopspring/decimal"
)

// Random sequences of finance operations on two shared lots of chilled
// chicken — receipt splits and pledges, receivable and policy financings,
// closes, payoffs, recalls and excursions — by two banks. After every
// step, read from the ledger:
//   - no unit of goods backs two live financings: a lot's register entry is
//     one whole-lot claim, or quantity claims that add up to at most the
//     lot's 1,000 kg;
//   - the register and the financings agree both ways: every entry's
//     financing is live and holds that collateral, and every live
//     financing's collateral is in the register;
//   - every alert reached its financing: after a recall or an excursion on
//     a lot, each financing live on it carries an alert of that type.
func TestEncumbranceProperty(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { encProperty(t, seed, 60) })
	}
}

var encAllowedCodes = []string{"", "ALREADY_ENCUMBERED", "ALREADY_PLEDGED", "ALREADY_FINANCED", "RISK_BLOCKED", "LTV_EXCEEDED", "CONFLICT", "RULE_VIOLATION", "RECALLED", "MVCC_READ_CONFLICT"}

type encAlertRec struct {
	typ string
	at  time.Time
}

type encProp struct {
	*insFix
	t       *testing.T
	rng     *rand.Rand
	gtin    string
	lots    []string
	banks   []*Member
	ship    map[string]string        // lot -> shipment id (assigned to f.bank)
	live    map[string]bool          // financing ids approved and not ended
	alerted map[string][]encAlertRec // lot -> events that alert financings on it
	seq     int
	lastErr error
}

func encProperty(t *testing.T, seed uint64, steps int) {
	f := newInsFix(t)
	f.setDay("2026-04-01")
	p := &encProp{insFix: f, t: t, rng: rand.New(rand.NewPCG(seed, 0xE7C0)), ship: map[string]string{}, live: map[string]bool{}, alerted: map[string][]encAlertRec{}}
	p.banks = []*Member{f.bank, f.Enterprise(BankMSP, "第二银行", api.KindBank)}
	p.gtin = wrGTIN(t, 60)
	f.OK(f.C.CreateProduct(f.Ctx, f.producer.Identity, api.ProductInput{GTIN: p.gtin, NameZh: "清远鸡冰鲜", Category: "poultry", GIStatus: "NONE", StorageMinC: "0", StorageMaxC: "4"}))
	pol := f.policy(insPolicyOpts{currency: "CNY", coverage: "0.9", premium: "0.006", waitingDays: 90})
	lim := f.limit(f.overseasBuyer(), "1000000.00", "CNY")
	for i := 0; i < 2; i++ {
		lot := fmt.Sprintf("CK%d", i+1)
		f.OK(f.C.CommissionLot(f.Ctx, f.producer.Identity, api.LotInput{GTIN: p.gtin, Lot: lot, Date: "2026-03-31", Quantity: "1000", Unit: "kg",
			Origin: api.Origin{Place: "清远市清新区", Latitude: "23.7290", Longitude: "112.9830", Country: "CN"}}))
		// Everything goes into the warehouse under one receipt, later split;
		// the trader takes over a share and ships it (insured, invoiced).
		f.OK(f.C.HandOver(f.Ctx, f.producer.Identity, p.gtin, lot, f.wh.CreditCode))
		p.event(f.wh, "receiving", lot, "600", nil)
		f.OK(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(p.gtin, lot, "600", "60000.00", "CNY", f.trader.CreditCode)))
		f.OK(f.C.HandOver(f.Ctx, f.producer.Identity, p.gtin, lot, f.trader.CreditCode))
		if code := p.event(f.trader, "shipping", lot, "400", nil); code != "" {
			t.Fatalf("trader ships the unreceipted 400 kg: %s (%v)", code, p.lastErr)
		}
		var s api.ShipmentView
		sin, _ := json.Marshal(map[string]any{"policyId": pol.ID, "limitId": lim.ID, "invoiceNumber": f.nextInvoice(), "invoiceAmount": "20000.00",
			"customsDeclarationNo": f.nextCustoms(), "customsValue": "20000.00", "shipmentDate": f.day(), "paymentDueDate": f.dayPlus(90),
			"lots": []map[string]string{{"gtin": p.gtin, "lot": lot}}})
		f.mustDo(&s, f.trader.Identity, api.TxDeclareShipment, string(sin))
		f.customsRelease(s.Shipment)
		f.assign(s.ID, f.bank)
		p.lots, p.ship[lot] = append(p.lots, lot), s.ID
	}
	p.check(-1)
	tally := map[string]int{}
	for step := 0; step < steps; step++ {
		p.seq++
		var code, name string
		switch op := p.rng.IntN(20); {
		case op < 4:
			name, code = "split", p.split()
		case op < 9:
			name, code = "pledge", p.pledge()
		case op < 12:
			name, code = "receivable", p.receivable()
		case op < 14:
			name, code = "policy", p.policy()
		case op < 17:
			name, code = "end", p.end()
		case op < 18 && step > steps/2: // late, so that most pledges meet clean goods
			name, code = "recall", p.recall()
		default:
			name, code = "excursion", p.excursion()
		}
		tally[name+":"+code]++
		if code != "" && tally[name+":"+code] == 1 {
			t.Logf("step %d %s: %v", step, name, p.lastErr)
		}
		if !slices.Contains(encAllowedCodes, code) {
			t.Fatalf("step %d: unexpected code %q (%s)", step, code, p.lastErr)
		}
		p.check(step)
	}
	t.Logf("seed %d: %d steps, %d financings live at the end; outcomes %v", seed, steps, len(p.live), tally)
}

func (p *encProp) event(m *Member, step, lot, qty string, readings []map[string]string) string {
	p.t.Helper()
	code, _ := p.eventTx(m, step, lot, qty, readings)
	return code
}

// txTime is when a committed transaction was stamped.
func (p *encProp) txTime(txID string) time.Time {
	p.t.Helper()
	tx, err := p.Ledger.Transaction(context.Background(), txID)
	if err != nil {
		p.t.Fatal(err)
	}
	return tx.Timestamp
}

func (p *encProp) eventTx(m *Member, step, lot, qty string, readings []map[string]string) (string, string) {
	p.t.Helper()
	ref := map[string]string{"gtin": p.gtin, "lot": lot}
	if qty != "" {
		ref["quantity"], ref["unit"] = qty, "kg"
	}
	ev := map[string]any{"type": "ObjectEvent", "bizStep": step, "eventTime": p.today().Add(-time.Duration(p.seq+1) * time.Second).Format(time.RFC3339), "lots": []any{ref}}
	if readings != nil {
		ev["sensorReadings"] = readings
	}
	b, _ := json.Marshal(ev)
	c, err := p.Submit(m.Identity, api.TxRecordEvent, string(b))
	if err != nil {
		p.lastErr = err
		return Code(err), ""
	}
	return "", c.TxID
}

func (p *encProp) receipts() []api.Receipt {
	var out []api.Receipt
	for _, lot := range p.lots {
		var rs []api.Receipt
		Into(p.T, &rs)(p.C.ListReceiptsByHolder(p.Ctx, p.trader.Identity, p.trader.CreditCode))
		for _, r := range rs {
			if r.Lot == lot && r.GTIN == p.gtin && r.Status == "ISSUED" {
				out = append(out, r)
			}
		}
	}
	return out
}

func (p *encProp) split() string {
	rs := p.receipts()
	if len(rs) == 0 {
		return ""
	}
	r := rs[p.rng.IntN(len(rs))]
	q, _ := decimal.NewFromString(r.Quantity)
	if q.LessThan(decimal.NewFromInt(2)) {
		return ""
	}
	q1 := decimal.NewFromInt(1 + p.rng.Int64N(q.IntPart()-1))
	v, _ := decimal.NewFromString(r.Valuation.Amount)
	v1 := v.Mul(q1).Div(q).Round(2)
	in, _ := json.Marshal(map[string]any{"parts": []map[string]string{
		{"quantity": q1.String(), "valuation": v1.StringFixed(2)}, {"quantity": q.Sub(q1).String(), "valuation": v.Sub(v1).StringFixed(2)}}})
	_, err := p.Submit(p.trader.Identity, api.TxSplitReceipt, r.ID, string(in))
	p.lastErr = err
	return Code(err)
}

func (p *encProp) approve(bank *Member, typ, col, terms string) string {
	var fin api.Financing
	c, err := p.Submit(p.trader.Identity, api.TxApplyForFinancing, trJSON(insApply(typ, bank.CreditCode, "10000.00", "CNY", col)))
	if err != nil {
		p.lastErr = err
		return Code(err)
	}
	json.Unmarshal(c.Payload, &fin)
	terms = strings.Replace(terms, `"principal":"10000.00"`, `"principal":"1000.00"`, 1)
	if _, err := p.Submit(bank.Identity, api.TxApproveFinancing, fin.ID, terms); err != nil {
		p.lastErr = err
		return Code(err)
	}
	p.live[fin.ID] = true
	if p.rng.IntN(2) == 0 { // some are disbursed
		if _, err := p.C.DisburseFinancing(p.Ctx, bank.Identity, fin.ID, p.day()); err != nil {
			p.lastErr = err
			return Code(err)
		}
	}
	return ""
}

func (p *encProp) pledge() string {
	rs := p.receipts()
	if len(rs) == 0 {
		return ""
	}
	r := rs[p.rng.IntN(len(rs))]
	return p.approve(p.banks[p.rng.IntN(len(p.banks))], "WAREHOUSE_RECEIPT_PLEDGE", r.ID, `{"principal":"1000.00","annualRate":"0.05","termDays":90,"maxLtv":"0.9","haircuts":{"recall":"0.9","excursion":"0.5"}}`)
}

func (p *encProp) receivable() string {
	lot := p.lots[p.rng.IntN(len(p.lots))]
	var rv api.ReceivableView
	rin, _ := json.Marshal(map[string]any{"buyer": map[string]string{"creditCode": p.buyer.CreditCode}, "invoiceNumber": p.nextInvoice(),
		"amount": fmt.Sprintf("%d.00", 5000+p.seq), "currency": "CNY", "issueDate": p.day(), "dueDate": p.dayPlus(60),
		"lots": []map[string]string{{"gtin": p.gtin, "lot": lot}}})
	c, err := p.Submit(p.trader.Identity, api.TxCreateReceivable, string(rin))
	if err != nil {
		p.lastErr = err
		return Code(err)
	}
	json.Unmarshal(c.Payload, &rv)
	if _, err := p.C.ConfirmReceivable(p.Ctx, p.buyer.Identity, rv.ID); err != nil {
		p.lastErr = err
		return Code(err)
	}
	bank := p.banks[p.rng.IntN(len(p.banks))]
	return p.approve(bank, "RECEIVABLE", rv.ID, p.encTerms(p.t, bank, encPapers{rv: rv.ID}, "receivable"))
}

func (p *encProp) policy() string {
	lot := p.lots[p.rng.IntN(len(p.lots))]
	return p.approve(p.bank, "POLICY", p.ship[lot], p.encTerms(p.t, p.bank, encPapers{shipment: p.ship[lot]}, "policy"))
}

// end closes an approved financing, or pays off a disbursed one.
func (p *encProp) end() string {
	ids := p.liveIDs()
	if len(ids) == 0 {
		return ""
	}
	id := ids[p.rng.IntN(len(ids))]
	v := p.fin(id)
	bank := p.banks[0]
	if v.Bank != bank.CreditCode {
		bank = p.banks[1]
	}
	var err error
	if v.Status == "APPROVED" || v.Status == "MARGIN_CALL" && v.MarginCall.PriorStatus == "APPROVED" {
		_, err = p.C.CloseFinancing(p.Ctx, bank.Identity, id)
	} else {
		_, err = p.C.RecordRepayment(p.Ctx, p.trader.Identity, id, v.AsOf.Payoff, p.day())
	}
	if err == nil {
		delete(p.live, id)
	}
	p.lastErr = err
	return Code(err)
}

func (p *encProp) recall() string {
	lot := p.lots[p.rng.IntN(len(p.lots))]
	if slices.ContainsFunc(p.alerted[lot], func(a encAlertRec) bool { return a.typ == "RECALL" }) {
		return ""
	}
	c, err := p.Submit(p.reg.Identity, api.TxRecallLot, p.gtin, lot, "property test")
	if err == nil {
		p.alerted[lot] = append(p.alerted[lot], encAlertRec{"RECALL", p.txTime(c.TxID)})
	}
	p.lastErr = err
	return Code(err)
}

func (p *encProp) excursion() string {
	lot := p.lots[p.rng.IntN(len(p.lots))]
	from := p.today().Add(-time.Duration(2*p.seq+10) * time.Minute)
	code, txID := p.eventTx(p.wh, "sensor_reporting", lot, "", []map[string]string{{"from": from.Format(time.RFC3339), "to": from.Add(time.Minute).Format(time.RFC3339),
		"type": "temperature", "minValue": "3", "maxValue": "7.5", "uom": "CEL"}})
	if code == "" {
		p.alerted[lot] = append(p.alerted[lot], encAlertRec{"EXCURSION", p.txTime(txID)})
	}
	return code
}

func (p *encProp) liveIDs() []string {
	ids := make([]string, 0, len(p.live))
	for id := range p.live {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (p *encProp) fin(id string) api.FinancingView {
	p.t.Helper()
	var v api.FinancingView
	Into(p.T, &v)(p.C.GetFinancing(p.Ctx, p.trader.Identity, id, p.day()))
	return v
}

func (p *encProp) check(step int) {
	p.t.Helper()
	kg := decimal.NewFromInt(1000)
	registered := map[string]bool{} // financing|lot
	for _, lot := range p.lots {
		var e api.Encumbrance
		Into(p.T, &e)(p.C.GetEncumbrances(p.Ctx, p.bank.Identity, p.gtin, lot))
		sum := decimal.Zero
		for _, en := range e.Entries {
			if en.Quantity == "" && len(e.Entries) > 1 {
				p.t.Fatalf("step %d: lot %s has a whole-lot claim beside others: %+v", step, lot, e.Entries)
			}
			q, _ := decimal.NewFromString(en.Quantity)
			sum = sum.Add(q)
			v := p.fin(en.FinancingID)
			if v.Status != "APPROVED" && v.Status != "ACTIVE" && v.Status != "MARGIN_CALL" {
				p.t.Fatalf("step %d: lot %s registers %s, which is %s", step, lot, en.FinancingID, v.Status)
			}
			held := slices.ContainsFunc(v.Collateral, func(c api.Collateral) bool {
				return c.Status == "PLEDGED" && c.ReceiptID+c.ReceivableID+c.ShipmentID == en.Via
			})
			if !held {
				p.t.Fatalf("step %d: lot %s registers %s via %s, which it does not hold", step, lot, en.FinancingID, en.Via)
			}
			registered[en.FinancingID+"|"+lot] = true
		}
		if sum.GreaterThan(kg) {
			p.t.Fatalf("step %d: lot %s encumbered %s kg of 1000", step, lot, sum)
		}
	}
	for _, id := range p.liveIDs() {
		v := p.fin(id)
		if v.Status == "CLOSED" || v.Status == "DEFAULTED" {
			delete(p.live, id)
			continue
		}
		lot := p.lotOf(v)
		if !registered[id+"|"+lot] {
			p.t.Fatalf("step %d: live financing %s (%s) is not in lot %s's register", step, id, v.Type, lot)
		}
		decided, err := time.Parse("2006-01-02T15:04:05.000Z07:00", v.DecidedAt)
		if err != nil {
			p.t.Fatal(err)
		}
		for _, ar := range p.alerted[lot] {
			// Financings approved before the event must carry its alert.
			if decided.Before(ar.at) && !slices.ContainsFunc(v.Alerts, func(a api.CollateralAlert) bool { return a.Type == ar.typ && a.Lot == lot }) {
				p.t.Fatalf("step %d: financing %s on lot %s, approved %s, lacks the %s alert of %s", step, id, lot, v.DecidedAt, ar.typ, ar.at)
			}
		}
	}
}

// lotOf is the lot a financing's single collateral rests on.
func (p *encProp) lotOf(v api.FinancingView) string {
	c := v.Collateral[0]
	switch {
	case c.ReceiptID != "":
		var r api.Receipt
		Into(p.T, &r)(p.C.GetReceipt(p.Ctx, p.reg.Identity, c.ReceiptID))
		return r.Lot
	case c.ReceivableID != "":
		return p.getReceivable(c.ReceivableID).Lots[0].Lot
	}
	for lot, s := range p.ship {
		if s == c.ShipmentID {
			return lot
		}
	}
	return ""
}
