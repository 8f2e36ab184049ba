package contracttest

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/chaincode/insurance"
)

// The identity of papers (issue 11): invoice numbers compared normalised,
// a second invoice for one sale refused as a likely duplicate, and the
// public registration number of a receivable pledge.

var rvRegistrationSeq atomic.Int64

// nextRegistrationNo is a fresh registration number of the movable-property
// financing registry, in the registry's 20-digit form.
func nextRegistrationNo() string {
	return fmt.Sprintf("0436%016d", rvRegistrationSeq.Add(1))
}

// rvTerms are approval terms for a RECEIVABLE financing: wrTerms and a
// fresh registration number.
func rvTerms(principal, rate string, termDays int, maxLTV string) api.FinancingTerms {
	return rvTermsWith(principal, rate, termDays, maxLTV, nextRegistrationNo())
}

func rvTermsWith(principal, rate string, termDays int, maxLTV, registrationNo string) api.FinancingTerms {
	t := wrTerms(principal, rate, termDays, maxLTV)
	t.RegistrationNo = registrationNo
	return t
}

// rvSub runs a subtest with the fixture reporting to the subtest.
func rvSub(t *testing.T, f *insFix, name string, body func(t *testing.T)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		parent := f.T
		f.T = t
		defer func() { f.T = parent }()
		body(t)
	})
}

// rvCreate submits a receivable of seller on the domestic buyer.
func (f *insFix) rvCreate(seller *Member, invoice, amount string, lots ...string) (api.ReceivableView, error) {
	f.T.Helper()
	var v api.ReceivableView
	_, err := f.do(&v, seller.Identity, api.TxCreateReceivable, trJSON(f.receivableInput(insRecvOpts{
		buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: invoice, amount: amount, currency: "CNY",
		issue: f.day(), due: f.dayPlus(60), lots: lots,
	})))
	return v, err
}

// An invoice number is one invoice whatever its case, width or padding:
// of every spelling of HY-2026-0611 exactly one receivable is created, and
// it keeps the number as the seller first wrote it.
func TestInvoiceNumberVariants(t *testing.T) {
	f := newInsFix(t)
	lot := f.shippedLot("100")
	amount := 1000
	next := func() string { amount++; return fmt.Sprintf("%d.00", amount) } // never a likely duplicate

	first, err := f.rvCreate(f.trader, "HY-2026-0611", next(), lot)
	if err != nil {
		t.Fatal(err)
	}
	if first.InvoiceNumber != "HY-2026-0611" {
		t.Fatalf("stored %q", first.InvoiceNumber)
	}
	// Compatibility forms that NFKC maps onto the ASCII of an earlier number.
	for _, base := range []string{"INV-1", "FI-7", "XII-3", "K-5", "STRASSE-9"} {
		if _, err := f.rvCreate(f.trader, base, next(), lot); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ name, invoice, want string }{
		{"lower case", "hy-2026-0611", "DUPLICATE_INVOICE"},
		{"mixed case", "Hy-2026-0611", "DUPLICATE_INVOICE"},
		{"full-width", "ＨＹ－２０２６－０６１１", "DUPLICATE_INVOICE"},
		{"full-width lower case", "ｈｙ－２０２６－０６１１", "DUPLICATE_INVOICE"},
		{"padded with spaces", "  HY-2026-0611  ", "DUPLICATE_INVOICE"},
		{"padded with tabs and a newline", "\tHY-2026-0611\n", "DUPLICATE_INVOICE"},
		{"padded with ideographic spaces", "\u3000HY-2026-0611\u3000", "DUPLICATE_INVOICE"},
		{"circled digit", "INV-①", "DUPLICATE_INVOICE"},
		{"ligature", "ﬁ-7", "DUPLICATE_INVOICE"},
		{"roman numeral", "Ⅻ-3", "DUPLICATE_INVOICE"},
		{"kelvin sign", "\u212a-5", "DUPLICATE_INVOICE"},
		{"sharp s folds to ss", "straße-9", "DUPLICATE_INVOICE"},
		{"a space inside", "HY 2026-0611", "INVALID_ARGUMENT"},
		{"ideographic space inside", "HY\u30002026-0611", "INVALID_ARGUMENT"},
		{"zero-width space inside", "HY-2026\u200b-0611", "INVALID_ARGUMENT"},
		{"CJK", "发票-0611", "INVALID_ARGUMENT"},
		{"accented letter", "HÉ-0611", "INVALID_ARGUMENT"},
		{"only spaces", " \u3000 ", "INVALID_ARGUMENT"},
		{"too long once normalised", strings.Repeat("ﬃ", 14), "INVALID_ARGUMENT"}, // 14 runes, 42 letters
		{"not UTF-8", "HY-\xff", "INVALID_ARGUMENT"},
		{"a different number", "HY-2026-06110", ""},
	}
	for _, tc := range cases {
		rvSub(t, f, tc.name, func(t *testing.T) {
			_, err := f.rvCreate(f.trader, tc.invoice, next(), lot)
			if got := Code(err); got != tc.want {
				t.Fatalf("%q: code %q, want %q (%v)", tc.invoice, got, tc.want, err)
			}
			if tc.want == "DUPLICATE_INVOICE" && !strings.Contains(err.Error(), "RV-") {
				t.Fatalf("refusal names no receivable: %v", err)
			}
		})
	}
	var list []api.ReceivableView
	Into(f.T, &list)(f.C.ListReceivables(f.Ctx, f.trader.Identity))
	n := 0
	for _, rv := range list {
		if insurance.NormalizeInvoiceNumber(rv.InvoiceNumber) == "hy-2026-0611" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d receivables of invoice HY-2026-0611, want 1", n)
	}

	// Another buyer's invoice of that number is another invoice.
	other := f.overseasBuyer()
	var v api.ReceivableView
	Result(f.T, &v)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: rvBuyerOf(other), invoice: "hy-2026-0611", amount: next(), currency: "CNY", issue: f.day(), due: f.dayPlus(60), lots: []string{lot},
	})))

	// Written full-width first: stored so, compared normalised.
	v, err = f.rvCreate(f.trader, "\u3000ＱＹ－７\u3000", next(), lot)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.getReceivable(v.ID).InvoiceNumber; got != "ＱＹ－７" {
		t.Fatalf("stored %q, want the seller's spelling without the padding", got)
	}
	_, err = f.rvCreate(f.trader, "qy-7", next(), lot)
	wantCode(t, err, "DUPLICATE_INVOICE")
}

// An insured shipment's invoice is compared the same way, and a
// receivable made from the shipment matches its invoice in any spelling.
func TestShipmentInvoiceNormalised(t *testing.T) {
	f := newInsFix(t)
	lot := f.shippedLot("100")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"})
	b := f.overseasBuyer()
	l := f.limit(b, "1000000.00", "USD")
	ship := func(invoice string) (api.ShipmentView, error) {
		var s api.ShipmentView
		_, err := f.do(&s, f.trader.Identity, api.TxDeclareShipment,
			trJSON(f.shipmentInput(insShip{policy: p.ID, limit: l.ID, amount: "1000.00", shipDate: f.day(), dueDate: f.dayPlus(30), lots: []string{lot}}, invoice)))
		return s, err
	}
	s, err := ship("SH-2026-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range []string{"sh-2026-01", "ＳＨ－２０２６－０１", " SH-2026-01 "} {
		_, err := ship(inv)
		wantCode(t, err, "ALREADY_EXISTS")
	}
	var rv api.ReceivableView
	Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
		buyer: rvBuyerOf(b), invoice: "ｓｈ－２０２６－０１", amount: "1000.00", currency: "USD", issue: f.day(), due: f.dayPlus(30), shipment: s.ID,
	})))
	if rv.ShipmentID != s.ID || rv.InvoiceNumber != "ｓｈ－２０２６－０１" {
		t.Fatalf("receivable of the shipment %+v", rv.Receivable)
	}
	_, err = f.do(nil, f.trader.Identity, api.TxCreateReceivable, trJSON(f.receivableInput(insRecvOpts{
		buyer: rvBuyerOf(b), invoice: "SH-2026-02", amount: "1000.00", currency: "USD", issue: f.day(), due: f.dayPlus(30), shipment: s.ID,
	})))
	wantCode(t, err, "RULE_VIOLATION") // another invoice than the shipment's
}

// A second receivable for the same sale — seller, buyer, currency, amount,
// set of lots — under another invoice number is refused while the first
// is live or defaulted; not after it was rejected or settled.
func TestLikelyDuplicateReceivable(t *testing.T) {
	f := newInsFix(t)
	trader2 := f.Enterprise(PlatformMSP, "英德茶叶出口公司", api.KindExporter)
	later := func(days int) { f.Clock.Set(f.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)) }
	pastDue := func(lots ...string) api.ReceivableView {
		var v api.ReceivableView
		Result(f.T, &v)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
			buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: f.nextInvoice(), amount: "5000.00", currency: "CNY",
			issue: f.day(), due: f.dayPlus(1), lots: lots,
		})))
		later(2)
		return v
	}
	type second struct {
		seller *Member
		amount string
		lots   []string
	}
	cases := []struct {
		name string
		// first creates the earlier receivable on lots a and b and says
		// what the second tries.
		first func(a, b string) (api.ReceivableView, second)
		want  string
	}{
		{"same sale, pending", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			return v, second{f.trader, "5000.00", []string{a}}
		}, "LIKELY_DUPLICATE_RECEIVABLE"},
		{"same sale, confirmed", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			f.OK(f.C.ConfirmReceivable(f.Ctx, f.buyer.Identity, v.ID))
			return v, second{f.trader, "5000.00", []string{a}}
		}, "LIKELY_DUPLICATE_RECEIVABLE"},
		{"same lots in another order", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a, b)
			return v, second{f.trader, "5000.00", []string{b, a}}
		}, "LIKELY_DUPLICATE_RECEIVABLE"},
		{"same amount written without decimals", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			return v, second{f.trader, "5000", []string{a}}
		}, "LIKELY_DUPLICATE_RECEIVABLE"},
		{"overdue", func(a, b string) (api.ReceivableView, second) {
			v := pastDue(a)
			f.OK(f.C.MarkReceivableOverdue(f.Ctx, f.trader.Identity, v.ID))
			return v, second{f.trader, "5000.00", []string{a}}
		}, "LIKELY_DUPLICATE_RECEIVABLE"},
		{"defaulted", func(a, b string) (api.ReceivableView, second) {
			v := pastDue(a)
			f.OK(f.C.DeclareReceivableDefault(f.Ctx, f.trader.Identity, v.ID))
			return v, second{f.trader, "5000.00", []string{a}}
		}, "LIKELY_DUPLICATE_RECEIVABLE"},
		{"rejected by the buyer: a corrected invoice", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			f.OK(f.C.RejectReceivable(f.Ctx, f.buyer.Identity, v.ID, "wrong invoice date"))
			return v, second{f.trader, "5000.00", []string{a}}
		}, ""},
		{"settled: a new sale", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			f.OK(f.C.RecordReceivablePayment(f.Ctx, f.trader.Identity, v.ID, "5000.00", f.day()))
			return v, second{f.trader, "5000.00", []string{a}}
		}, ""},
		{"another amount", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			return v, second{f.trader, "5000.01", []string{a}}
		}, ""},
		{"fewer lots", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a, b)
			return v, second{f.trader, "5000.00", []string{a}}
		}, ""},
		{"more lots", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			return v, second{f.trader, "5000.00", []string{a, b}}
		}, ""},
		{"another seller", func(a, b string) (api.ReceivableView, second) {
			v, _ := f.rvCreate(f.trader, f.nextInvoice(), "5000.00", a)
			return v, second{trader2, "5000.00", []string{a}}
		}, ""},
	}
	for _, tc := range cases {
		rvSub(t, f, tc.name, func(t *testing.T) {
			a, b := f.shippedLot("10"), f.shippedLot("10")
			first, s := tc.first(a, b)
			if first.ID == "" {
				t.Fatal("the first receivable was not created")
			}
			v, err := f.rvCreate(s.seller, f.nextInvoice(), s.amount, s.lots...)
			if got := Code(err); got != tc.want {
				t.Fatalf("code %q, want %q (%v)", got, tc.want, err)
			}
			if tc.want != "" && !strings.Contains(err.Error(), first.ID) {
				t.Fatalf("the refusal does not name %s: %v", first.ID, err)
			}
			if tc.want == "" && v.ID == first.ID {
				t.Fatalf("no new receivable")
			}
		})
	}

	// Once a sale's second receivable is created (after the first was
	// rejected), the second is the one that blocks a third.
	rvSub(t, f, "the latest of a sale blocks", func(t *testing.T) {
		a := f.shippedLot("10")
		v1, _ := f.rvCreate(f.trader, f.nextInvoice(), "7000.00", a)
		f.OK(f.C.RejectReceivable(f.Ctx, f.buyer.Identity, v1.ID, "wrong amount"))
		v2, err := f.rvCreate(f.trader, f.nextInvoice(), "7000.00", a)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.rvCreate(f.trader, f.nextInvoice(), "7000.00", a)
		wantCode(t, err, "LIKELY_DUPLICATE_RECEIVABLE")
		if !strings.Contains(err.Error(), v2.ID) {
			t.Fatalf("want %s named: %v", v2.ID, err)
		}
	})
}

// The registration number of a receivable pledge: required on approval of
// a RECEIVABLE financing, digits only, unique across the ledger (named to
// the bank that holds it, not to another), shown in the financing.
func TestRegistrationNumber(t *testing.T) {
	f := newInsFix(t)
	bank2 := f.Enterprise(BankMSP, "第二银行", api.KindBank)
	applied := func(bank *Member) api.Financing {
		rv := f.receivable("10000.00", true)
		var fin api.Financing
		Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", bank.CreditCode, "5000.00", "CNY", rv.ID)))
		return fin
	}
	approve := func(bank *Member, id, regNo string) (api.Financing, error) {
		var fin api.Financing
		_, err := f.do(&fin, bank.Identity, api.TxApproveFinancing, id, trJSON(rvTermsWith("5000.00", "0.05", 30, "0.8", regNo)))
		return fin, err
	}
	fin := applied(f.bank)
	for _, tc := range []struct{ name, regNo string }{
		{"missing", ""},
		{"blank", "   "},
		{"15 digits", "043623710003608"},
		{"31 digits", strings.Repeat("1", 31)},
		{"a letter", "0436237100036081624A"},
		{"dashes", "0436-2371-0003-6081-6245"},
		{"a space inside", "04362371 000360816245"},
		{"full-width digits", "０４３６２３７１０００３６０８１６２４５"},
		{"arabic-indic digits", "٠٤٣٦٢٣٧١٠٠٠٣٦٠٨١٦٢٤٥"},
	} {
		rvSub(t, f, tc.name, func(t *testing.T) {
			_, err := approve(f.bank, fin.ID, tc.regNo)
			wantCode(t, err, "INVALID_ARGUMENT")
			if !strings.Contains(err.Error(), "registrationNo") {
				t.Fatalf("refusal does not name the field: %v", err)
			}
		})
	}
	// Padding is trimmed; the number is stored and shown.
	const no = "04362371000360816245"
	got, err := approve(f.bank, fin.ID, "  "+no+" ")
	if err != nil {
		t.Fatal(err)
	}
	if got.Terms == nil || got.Terms.RegistrationNo != no {
		t.Fatalf("approved terms %+v", got.Terms)
	}
	for _, as := range []*Member{f.bank, f.trader} {
		if v := f.getFinancing(as, fin.ID, ""); v.Terms == nil || v.Terms.RegistrationNo != no {
			t.Fatalf("GetFinancing by %s: terms %+v", as.CreditCode, v.Terms)
		}
	}

	// The same number on a second financing: refused, naming the first to
	// its bank only.
	same := applied(f.bank)
	_, err = approve(f.bank, same.ID, no)
	wantCode(t, err, "REGISTRATION_EXISTS")
	if !strings.Contains(err.Error(), fin.ID) {
		t.Fatalf("the holding bank is not told which financing: %v", err)
	}
	other := applied(bank2)
	_, err = approve(bank2, other.ID, no)
	wantCode(t, err, "REGISTRATION_EXISTS")
	if strings.Contains(err.Error(), fin.ID) {
		t.Fatalf("another bank learns the financing: %v", err)
	}
	// Neither refusal left anything behind: both approve with numbers of
	// their own, and the first keeps its number.
	if _, err := approve(f.bank, same.ID, nextRegistrationNo()); err != nil {
		t.Fatal(err)
	}
	if _, err := approve(bank2, other.ID, nextRegistrationNo()); err != nil {
		t.Fatal(err)
	}
	if v := f.getFinancing(f.bank, fin.ID, ""); v.Terms.RegistrationNo != no {
		t.Fatalf("first financing's number %q", v.Terms.RegistrationNo)
	}

	// Once the first financing is closed its number stays taken.
	f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, fin.ID, f.day()))
	f.OK(f.C.RecordRepayment(f.Ctx, f.trader.Identity, fin.ID, "5000.00", f.day()))
	if v := f.getFinancing(f.bank, fin.ID, ""); v.Status != "CLOSED" { // paid off: closed by the bank unless closed already
		f.OK(f.C.CloseFinancing(f.Ctx, f.bank.Identity, fin.ID))
	}
	if v := f.getFinancing(f.bank, fin.ID, ""); v.Status != "CLOSED" || v.Terms.RegistrationNo != no {
		t.Fatalf("closed financing %s, number %q", v.Status, v.Terms.RegistrationNo)
	}
	_, err = approve(f.bank, applied(f.bank).ID, no)
	wantCode(t, err, "REGISTRATION_EXISTS")
}
