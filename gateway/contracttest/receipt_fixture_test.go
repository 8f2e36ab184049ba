package contracttest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// wrCST is the business time zone of value dates.
var wrCST = time.FixedZone("CST", 8*3600)

// wrFix is a network with the parties of warehouse-receipt financing: a
// tea producer, a warehouse, a trader holding receipts, a bank and a
// regulator. Goods reach the warehouse through the real trace contract.
type wrFix struct {
	*Net
	producer, wh, trader, bank, reg *Member
	gtin                            string
	lots                            int
}

func newWRFix(t testing.TB) *wrFix {
	t.Helper()
	f := &wrFix{Net: New(t)}
	f.producer = f.Enterprise(PlatformMSP, "英德红茶合作社", api.KindProducer, api.KindProcessor)
	f.wh = f.Enterprise(WarehouseMSP, "清远保税仓", api.KindWarehouse)
	f.trader = f.Enterprise(PlatformMSP, "清远茶叶贸易公司", api.KindExporter)
	f.bank = f.Enterprise(BankMSP, "清远农商银行", api.KindBank)
	f.reg = f.Enterprise(RegulatorMSP, "清远市场监管局", api.KindRegulator)
	f.gtin = wrGTIN(t, 1)
	f.product(f.producer, f.gtin)
	return f
}

// wrGTIN makes a valid GTIN-14 from a sequence number.
func wrGTIN(t testing.TB, seq int) string {
	t.Helper()
	body := fmt.Sprintf("0690123%06d", seq)
	c, err := gs1.GTINCheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

func (f *wrFix) product(owner *Member, gtin string) {
	f.T.Helper()
	f.OK(f.C.CreateProduct(f.Ctx, owner.Identity, api.ProductInput{GTIN: gtin, NameZh: "英德红茶", NameEn: "Yingde black tea", Category: "tea", GIStatus: "NONE"}))
}

// today is the date of the next transaction in Asia/Shanghai.
func (f *wrFix) today() time.Time {
	return f.Clock.Now().In(wrCST)
}

// lot commissions a new lot of qty kg of the fixture's product.
func (f *wrFix) lot(qty string) string {
	f.T.Helper()
	f.lots++
	lot := fmt.Sprintf("YD%04d", f.lots)
	f.OK(f.C.CommissionLot(f.Ctx, f.producer.Identity, api.LotInput{
		GTIN: f.gtin, Lot: lot, Date: f.today().AddDate(0, 0, -1).Format("2006-01-02"),
		Quantity: qty, Unit: "kg",
		Origin: api.Origin{Place: "英德市英红镇", Latitude: "24.1856", Longitude: "113.4049", Country: "CN"},
	}))
	return lot
}

// event records an ObjectEvent with bizStep for a lot by an enterprise.
func (f *wrFix) event(by *Member, bizStep, lot, qty string) (*gateway.Commit, error) {
	ref := api.LotRef{GTIN: f.gtin, Lot: lot}
	if qty != "" {
		ref.Quantity, ref.Unit = qty, "kg"
	}
	w, err := f.C.RecordEvent(f.Ctx, by.Identity, api.EventInput{Type: api.ObjectEvent, BizStep: bizStep,
		EventTime: f.today().Format(time.RFC3339Nano), Lots: []api.LotRef{ref}})
	return w.Commit, err
}

// handOver has the lot's producer hand its goods over to an enterprise.
func (f *wrFix) handOver(to *Member, lot string) {
	f.T.Helper()
	f.OK(f.C.HandOver(f.Ctx, f.producer.Identity, f.gtin, lot, to.CreditCode))
}

// receive records the warehouse receiving qty kg of a lot, handed over to
// it by the producer.
func (f *wrFix) receive(wh *Member, lot, qty string) {
	f.T.Helper()
	f.handOver(wh, lot)
	if _, err := f.event(wh, "receiving", lot, qty); err != nil {
		f.T.Fatalf("receiving %s at %s: %v", lot, wh.CreditCode, err)
	}
}

func wrIssueInput(gtin, lot, qty, amount, currency, holder string) api.ReceiptInput {
	return api.ReceiptInput{GTIN: gtin, Lot: lot, Quantity: qty, Unit: "kg", Grade: "特级",
		Valuation: api.Money{Amount: amount, Currency: currency}, Holder: holder}
}

// receipt commissions a lot, has the warehouse receive it and issue a
// receipt for all of it to holder.
func (f *wrFix) receipt(holder *Member, qty, amount, currency string) api.Receipt {
	f.T.Helper()
	lot := f.lot(qty)
	f.receive(f.wh, lot, qty)
	var r api.Receipt
	Result(f.T, &r)(f.C.IssueReceipt(f.Ctx, f.wh.Identity, wrIssueInput(f.gtin, lot, qty, amount, currency, holder.CreditCode)))
	return r
}

// do submits and decodes the answer into v.
func (f *wrFix) do(v any, id *identity.Identity, fn api.Tx, args ...string) (*gateway.Commit, error) {
	c, err := f.Submit(id, fn, args...)
	if err != nil {
		return nil, err
	}
	if v != nil {
		if err := json.Unmarshal(c.Payload, v); err != nil {
			f.T.Fatalf("%s: decode %s: %v", fn, c.Payload, err)
		}
	}
	return c, nil
}

func (f *wrFix) mustDo(v any, id *identity.Identity, fn api.Tx, args ...string) *gateway.Commit {
	f.T.Helper()
	c, err := f.do(v, id, fn, args...)
	if err != nil {
		f.T.Fatalf("%s %v: %v", fn, args, err)
	}
	return c
}

// getReceipt reads a receipt as the regulator.
func (f *wrFix) getReceipt(id string) api.Receipt {
	f.T.Helper()
	var r api.Receipt
	Into(f.T, &r)(f.C.GetReceipt(f.Ctx, f.reg.Identity, id))
	return r
}

func (f *wrFix) history(id string) []api.ReceiptChange {
	f.T.Helper()
	var h []api.ReceiptChange
	Into(f.T, &h)(f.C.GetReceiptHistory(f.Ctx, f.reg.Identity, id))
	return h
}

func wrApplyInput(bank, principal, currency string, receipts ...string) api.FinancingApplication {
	return api.FinancingApplication{Type: "WAREHOUSE_RECEIPT_PLEDGE", Bank: bank, Collateral: receipts,
		RequestedPrincipal: principal, Currency: currency, Purpose: "收购春茶"}
}

func wrTerms(principal, rate string, termDays int, maxLTV string) api.FinancingTerms {
	return api.FinancingTerms{Principal: principal, AnnualRate: rate, TermDays: termDays, MaxLTV: maxLTV}
}

func (f *wrFix) apply(applicant, bank *Member, principal, currency string, receipts ...string) api.Financing {
	f.T.Helper()
	var fin api.Financing
	Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, applicant.Identity, wrApplyInput(bank.CreditCode, principal, currency, receipts...)))
	return fin
}

func (f *wrFix) getFinancing(as *Member, id, asOf string) api.FinancingView {
	f.T.Helper()
	var v api.FinancingView
	Into(f.T, &v)(f.C.GetFinancing(f.Ctx, as.Identity, id, asOf))
	return v
}

// setDay moves the clock to 10:00 in Shanghai on a date.
func (f *wrFix) setDay(date string) {
	f.T.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", date+" 10:00", wrCST)
	if err != nil {
		f.T.Fatal(err)
	}
	f.Clock.Set(d.UTC())
}

// wantCode checks the chaincode or validation code of err.
func wantCode(t testing.TB, err error, want string) {
	t.Helper()
	if got := Code(err); got != want {
		t.Fatalf("code = %q, want %q (%v)", got, want, err)
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
