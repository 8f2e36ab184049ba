package contracttest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

// encPapers are the three instruments' papers on one lot: a warehouse
// receipt for 400 of its 1,000 kg, a confirmed receivable on the lot and
// an insured shipment of it, each with its (unapproved) application.
type encPapers struct {
	lot                   string
	receipt, rv, shipment string
	apps                  map[string]string // instrument -> financing id
}

var encInstruments = []string{"receipt", "receivable", "policy"}

// encRegistration numbers the movable-property registry's certificates.
func (f *insFix) encRegistration() string {
	f.customs++
	return fmt.Sprintf("0466%016d", 7000000+f.customs)
}

func (f *insFix) encPapers(t *testing.T, bank *Member) encPapers {
	t.Helper()
	p := encPapers{apps: map[string]string{}}
	p.lot = f.lot("1000")
	// 400 kg go into the warehouse under a receipt held by the trader.
	f.handOver(f.wh, p.lot)
	if _, err := f.event(f.wh, "receiving", p.lot, "400"); err != nil {
		t.Fatal(err)
	}
	var r api.Receipt
	Result(f.T, &r)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, p.lot, "400", "40000.00", "USD", f.trader.CreditCode)))
	p.receipt = r.ID
	// The rest is handed to the trader, who ships it.
	f.toTrader(p.lot)
	if _, err := f.event(f.trader, "shipping", p.lot, "600"); err != nil {
		t.Fatal(err)
	}
	var rv api.ReceivableView
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: f.nextInvoice(), amount: "30000.00", currency: "USD",
		issue: f.day(), due: f.dayPlus(60), lots: []string{p.lot},
	})))
	f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, rv.ID))
	p.rv = rv.ID
	pol := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.006", waitingDays: 90})
	lim := f.limit(f.overseasBuyer(), "100000.00", "USD")
	s := f.declare(insShip{policy: pol.ID, limit: lim.ID, amount: "30000.00", shipDate: f.day(), dueDate: f.dayPlus(90), lots: []string{p.lot}})
	f.assign(s.ID, bank)
	p.shipment = s.ID
	apply := func(typ, col string) string {
		var fin api.Financing
		Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply(typ, bank.CreditCode, "10000.00", "USD", col)))
		return fin.ID
	}
	p.apps["receipt"] = apply("WAREHOUSE_RECEIPT_PLEDGE", p.receipt)
	p.apps["receivable"] = apply("RECEIVABLE", p.rv)
	p.apps["policy"] = apply("POLICY", p.shipment)
	return p
}

// encTerms are approval terms for an instrument: a registration number
// for a receivable, and overrides of the blocking risk flags standing on
// the collateral (the register refuses double financing whatever the bank
// overrides; here overrides are given so that only the register decides).
func (f *insFix) encTerms(t *testing.T, as *Member, p encPapers, inst string) string {
	t.Helper()
	m := map[string]any{"principal": "10000.00", "annualRate": "0.05", "termDays": 90, "maxLtv": "0.8"}
	if inst == "receivable" {
		m["registrationNo"] = f.encRegistration()
	}
	entity, id := "", ""
	switch inst {
	case "receivable":
		entity, id = "receivable", p.rv
	case "policy":
		entity, id = "shipment", p.shipment
	}
	if entity != "" {
		var flags []api.RiskFlag
		Into(f.T, &flags)(f.C.GetRiskFlags(f.Ctx, as.Identity, entity, id))
		var ov []map[string]string
		for _, fl := range flags {
			if !fl.Resolved && fl.Severity == "BLOCKING" {
				ov = append(ov, map[string]string{"code": fl.Code, "reason": "encumbrance test: the register decides"})
			}
		}
		if len(ov) > 0 {
			m["overrides"] = ov
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// Every pair of instruments in both orders, on the same goods: the second
// approval is refused with ALREADY_ENCUMBERED naming the first financing;
// once the first closes, the second goes through.
func TestEncumbranceAcrossInstruments(t *testing.T) {
	for _, first := range encInstruments {
		for _, second := range encInstruments {
			if first == second {
				continue
			}
			t.Run(first+"_then_"+second, func(t *testing.T) {
				f := newInsFix(t)
				p := f.encPapers(t, f.bank)
				a, b := p.apps[first], p.apps[second]
				f.mustDo(nil, f.bank.Identity, api.TxApproveFinancing, a, f.encTerms(t, f.bank, p, first))
				h := f.height()
				_, err := f.Submit(f.bank.Identity, api.TxApproveFinancing, b, f.encTerms(t, f.bank, p, second))
				wantCode(t, err, "ALREADY_ENCUMBERED")
				if err == nil || !strings.Contains(err.Error(), a) {
					t.Errorf("refusal does not name the first financing %s: %v", a, err)
				}
				if f.height() != h {
					t.Error("a refused approval wrote a block")
				}
				// The register shows the first financing on the lot.
				var enc api.Encumbrance
				Into(f.T, &enc)(f.C.GetEncumbrances(f.Ctx, f.bank.Identity, f.gtin, p.lot))
				if len(enc.Entries) != 1 || enc.Entries[0].FinancingID != a {
					t.Errorf("register %+v, want only %s", enc, a)
				}
				// Approved and never disbursed, the first closes and frees it all.
				f.OK(f.C.CloseFinancing(f.Ctx, f.bank.Identity, a))
				Into(f.T, &enc)(f.C.GetEncumbrances(f.Ctx, f.bank.Identity, f.gtin, p.lot))
				if len(enc.Entries) != 0 {
					t.Errorf("register after close %+v", enc)
				}
				f.mustDo(nil, f.bank.Identity, api.TxApproveFinancing, b, f.encTerms(t, f.bank, p, second))
			})
		}
	}
}

func (f *wrFix) height() uint64 {
	f.T.Helper()
	h, err := f.Ledger.Height(context.Background())
	if err != nil {
		f.T.Fatal(err)
	}
	return h
}

// Two receipts of one lot back two financings as long as the quantities
// fit; a receivable naming the lot without a quantity cannot join them,
// and a transformation may consume only the unencumbered part.
func TestEncumbranceQuantities(t *testing.T) {
	f := newInsFix(t)
	lot := f.lot("1000")
	f.handOver(f.wh, lot)
	if _, err := f.event(f.wh, "receiving", lot, "1000"); err != nil {
		t.Fatal(err)
	}
	var whole api.Receipt
	Result(f.T, &whole)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, "1000", "100000.00", "CNY", f.trader.CreditCode)))
	var parts []api.Receipt
	Result(f.T, &parts)(f.C.SplitReceipt(f.Ctx, f.trader.Identity, whole.ID, api.SplitInput{Parts: []api.SplitPart{{Quantity: "400", Valuation: "40000.00"}, {Quantity: "600", Valuation: "60000.00"}}}))
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)
	a := f.apply(f.trader, f.bank, "20000.00", "CNY", parts[0].ID)
	b := f.apply(f.trader, bank2, "30000.00", "CNY", parts[1].ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, a.ID, wrTerms("20000.00", "0.05", 90, "0.6")))
	f.OK(f.C.ApproveFinancing(f.Ctx, bank2.Identity, b.ID, wrTerms("30000.00", "0.05", 90, "0.6")))
	var enc api.Encumbrance
	Into(f.T, &enc)(f.C.GetEncumbrances(f.Ctx, f.bank.Identity, f.gtin, lot))
	if len(enc.Entries) != 2 || enc.Entries[0].Quantity != "400" || enc.Entries[1].Quantity != "600" || enc.Unit != "kg" {
		t.Fatalf("register %+v", enc)
	}
	// The producer may not turn the pledged tea into another product.
	out := f.lot("10")
	in, _ := json.Marshal(map[string]any{"type": "TransformationEvent", "bizStep": "processing", "eventTime": f.today().Format("2006-01-02T15:04:05Z07:00"),
		"inputs": []map[string]string{{"gtin": f.gtin, "lot": lot, "quantity": "1", "unit": "kg"}}, "outputs": []map[string]string{{"gtin": f.gtin, "lot": out}}})
	_, err := f.Submit(f.producer.Identity, api.TxRecordEvent, string(in))
	wantCode(t, err, "ALREADY_ENCUMBERED")
}

// Concurrent approvals across instrument types against the same goods:
// exactly one wins; the others are refused by the register or lose the
// MVCC race (and, resubmitted, are refused by the register).
func TestEncumbranceConcurrentApprovals(t *testing.T) {
	f := newInsFix(t)
	p := f.encPapers(t, f.bank)
	terms := map[string]string{}
	for _, inst := range encInstruments {
		terms[inst] = f.encTerms(t, f.bank, p, inst)
	}
	var wg sync.WaitGroup
	codes := make([]string, len(encInstruments))
	for i, inst := range encInstruments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.Submit(f.bank.Identity, api.TxApproveFinancing, p.apps[inst], terms[inst])
			codes[i] = Code(err)
		}()
	}
	wg.Wait()
	wins := 0
	for i, c := range codes {
		switch c {
		case "":
			wins++
		case "ALREADY_ENCUMBERED", "MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT":
		default:
			t.Errorf("%s: code %q", encInstruments[i], c)
		}
	}
	if wins != 1 {
		t.Fatalf("%d approvals won (%v), want exactly 1", wins, codes)
	}
	// A loser resubmitted is refused by the register.
	for i, c := range codes {
		if c != "" {
			_, err := f.Submit(f.bank.Identity, api.TxApproveFinancing, p.apps[encInstruments[i]], terms[encInstruments[i]])
			wantCode(t, err, "ALREADY_ENCUMBERED")
		}
	}
}
