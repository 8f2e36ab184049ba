package contracttest

import (
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/gateway/identity"
)

var wrKinds = []string{
	api.KindProducer, api.KindProcessor, api.KindLogistics, api.KindWarehouse, api.KindExporter,
	api.KindBank, api.KindInsurer, api.KindInspector, api.KindRegulator,
}

func wrOrgOf(kind string) string { return GrantingOrg(kind) }

// Every writing transaction of the receipt and finance contracts, tried by
// an enterprise of every kind that is party to nothing, by an identity
// bound to no enterprise, and finally by the party entitled to it, which
// succeeds. Unless the table says otherwise an outsider gets FORBIDDEN.
func TestFinancingAccessControl(t *testing.T) {
	f := newWRFix(t)
	outsider := map[string]*Member{}
	for _, k := range wrKinds {
		outsider[k] = f.Enterprise(wrOrgOf(k), "outsider "+k, k)
	}
	ca, _ := f.Ledger.CA(PlatformMSP)
	stranger, err := ca.Issue("stranger", identity.RoleClient, nil)
	if err != nil {
		t.Fatal(err)
	}

	day := func() string { return f.today().Format("2006-01-02") }
	receipt := func() string { return f.receipt(f.trader, "100", "10000.00", "CNY").ID }
	applied := func() (string, string) {
		r := receipt()
		return r, f.apply(f.trader, f.bank, "5000.00", "CNY", r).ID
	}
	terms := wrTerms("5000.00", "0.05", 1, "0.6")
	approved := func() (string, string) {
		r, id := applied()
		f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, id, terms))
		return r, id
	}
	active := func() string {
		_, id := approved()
		f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, id, day()))
		return id
	}
	regulator := outsider[api.KindRegulator]

	rows := []struct {
		fn    api.Tx
		setup func() []string
		party *Member
		other map[string]string // outsider kind → code when not FORBIDDEN
	}{
		{api.TxIssueReceipt, func() []string {
			lot := f.lot("100")
			f.receive(f.wh, lot, "100")
			return []string{trJSON(wrIssueInput(f.gtin, lot, "100", "10000.00", "CNY", f.trader.CreditCode))}
		}, f.wh, map[string]string{api.KindWarehouse: "RULE_VIOLATION"}}, // no custody at that warehouse
		{api.TxTransferReceipt, func() []string { return []string{receipt(), outsider[api.KindExporter].CreditCode} }, f.trader, nil},
		{api.TxSplitReceipt, func() []string {
			return []string{receipt(), `{"parts":[{"quantity":"60","valuation":"6000.00"},{"quantity":"40","valuation":"4000.00"}]}`}
		}, f.trader, nil},
		{api.TxRequestRedemption, func() []string { return []string{receipt()} }, f.trader, nil},
		{api.TxWithdrawRedemption, func() []string {
			r := receipt()
			f.OK(f.C.RequestRedemption(f.Ctx, f.trader.Identity, r))
			return []string{r}
		}, f.trader, nil},
		{api.TxConfirmRedemption, func() []string {
			r := receipt()
			f.OK(f.C.RequestRedemption(f.Ctx, f.trader.Identity, r))
			return []string{r}
		}, f.wh, nil},
		{api.TxCancelReceipt, func() []string { return []string{receipt(), "issued in error"} }, f.wh, nil},
		{api.TxFreezeReceipt, func() []string { return []string{receipt(), "court order"} }, regulator, nil},
		{api.TxUnfreezeReceipt, func() []string {
			r := receipt()
			f.OK(f.C.FreezeReceipt(f.Ctx, f.reg.Identity, r, "court order"))
			return []string{r, "lifted"}
		}, regulator, nil}, // any regulator, not only the one that froze it
		{api.TxReleasePledge, func() []string { r, _ := approved(); return []string{r} }, f.bank, nil},
		{api.TxApplyForFinancing, func() []string {
			return []string{trJSON(wrApplyInput(f.bank.CreditCode, "5000.00", "CNY", receipt()))}
		}, f.trader, map[string]string{ // anyone may apply, but only with receipts it holds
			api.KindProducer: "FORBIDDEN", api.KindProcessor: "FORBIDDEN", api.KindLogistics: "FORBIDDEN",
			api.KindWarehouse: "FORBIDDEN", api.KindExporter: "FORBIDDEN", api.KindBank: "FORBIDDEN",
			api.KindInsurer: "FORBIDDEN", api.KindInspector: "FORBIDDEN", api.KindRegulator: "FORBIDDEN",
		}},
		{api.TxApproveFinancing, func() []string { _, id := applied(); return []string{id, trJSON(terms)} }, f.bank, nil},
		{api.TxRejectFinancing, func() []string { _, id := applied(); return []string{id, "no"} }, f.bank, nil},
		{api.TxWithdrawFinancing, func() []string { _, id := applied(); return []string{id} }, f.trader, nil},
		{api.TxDisburseFinancing, func() []string { _, id := approved(); return []string{id, day()} }, f.bank, nil},
		{api.TxRecordRepayment, func() []string { return []string{active(), "100.00", day()} }, f.trader, nil},
		{api.TxCloseFinancing, func() []string { _, id := approved(); return []string{id} }, f.bank, nil},
		{api.TxDeclareDefault, func() []string {
			id := active()
			f.Clock.Set(f.Clock.Now().AddDate(0, 0, 2))
			return []string{id}
		}, f.bank, nil},
	}
	for _, row := range rows {
		t.Run(string(row.fn), func(t *testing.T) {
			args := row.setup()
			for _, k := range wrKinds {
				m := outsider[k]
				if m == row.party {
					continue
				}
				want := "FORBIDDEN"
				if c, ok := row.other[k]; ok {
					want = c
				}
				_, err := f.Submit(m.Identity, row.fn, args...)
				if got := Code(err); got != want {
					t.Errorf("%s: code %q, want %q (%v)", k, got, want, err)
				}
			}
			_, err := f.Submit(stranger, row.fn, args...)
			if got := Code(err); got != "UNREGISTERED" {
				t.Errorf("unregistered identity: code %q (%v)", got, err)
			}
			_, err = f.Submit(f.Admins[PlatformMSP], row.fn, args...)
			if got := Code(err); got != "UNREGISTERED" {
				t.Errorf("organisation admin: code %q (%v)", got, err)
			}
			if _, err := f.Submit(row.party.Identity, row.fn, args...); err != nil {
				t.Errorf("party %s: %v", row.party.CreditCode, err)
			}
		})
	}

	// Reads: a financing only to its parties; a credit record to the
	// enterprise itself, banks, insurers and regulators.
	_, fin := applied()
	credit := map[string]string{api.KindBank: "", api.KindInsurer: "", api.KindRegulator: ""}
	for _, k := range wrKinds {
		m := outsider[k]
		_, err := f.C.GetFinancing(f.Ctx, m.Identity, fin, "")
		if got := Code(err); got != "FORBIDDEN" {
			t.Errorf("GetFinancing by %s: %q", k, got)
		}
		want, ok := credit[k]
		if !ok {
			want = "FORBIDDEN"
		}
		_, err = f.C.GetCreditRecord(f.Ctx, m.Identity, f.trader.CreditCode)
		if got := Code(err); got != want {
			t.Errorf("GetCreditRecord by %s: %q, want %q", k, got, want)
		}
		var own api.CreditRecord
		Into(f.T, &own)(f.C.GetCreditRecord(f.Ctx, m.Identity, m.CreditCode))
		if own.CreditCode != m.CreditCode || own.OnTime.Count != 0 || own.OnTime.Amounts == nil {
			t.Errorf("own record of %s: %+v", k, own)
		}
	}
	out, err := f.Evaluate(stranger, api.TxListFinancings)
	if Code(err) != "UNREGISTERED" {
		t.Errorf("ListFinancings by a stranger: %s %v", out, err)
	}
	f.OK(f.C.GetFinancing(f.Ctx, f.bank.Identity, fin, ""))
}
