package contracttest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Every transaction of the trade contract, tried by an enterprise of every
// kind that is party to nothing and by an identity bound to no
// enterprise: only the kinds the table names get past the gate (their
// answer is then success or a business refusal, never a gate code).
// Writes are bound to what they touch as well: a broker releases only its
// own declarations, a bank refunds only what it received, and a trade's
// flows are seen by its seller, banks, customs and regulators only.
func TestTradeAccessControl(t *testing.T) {
	f := newTradeFix(t)
	kinds := append(slices.Clone(wrKinds), api.KindCustomsBroker, api.KindCustoms)
	outsider := map[string]*Member{}
	for _, k := range kinds {
		outsider[k] = f.Enterprise(wrOrgOf(k), "outsider "+k, k)
	}
	ca, _ := f.Ledger.CA(PlatformMSP)
	stranger, err := ca.Issue("stranger", identity.RoleClient, nil)
	if err != nil {
		t.Fatal(err)
	}
	rv, lot := f.exportReceivable("600", "12000.00")
	pending := f.customsDeclare(f.declaration(rv, lot, "600", "12000.00"), false)
	seq := 0
	decl := func() string {
		seq++
		d := f.declaration(rv, lot, "1", "1.00")
		d.Number = fmt.Sprintf("516820262%09d", seq)
		return trJSON(d)
	}
	receipt := func() string {
		seq++
		return trJSON(api.FXReceiptInput{Beneficiary: f.trader.CreditCode, Payer: api.Payer{Name: londonBuyer.Name, Country: "GB"}, Amount: "1.00", Currency: "USD",
			ValueDate: f.day(), Reference: fmt.Sprintf("ACL-%d", seq)})
	}
	tests := []struct {
		fn      api.Tx
		args    func() []string
		allowed []string // kinds past the gate when party to nothing
	}{
		{api.TxRecordDeclaration, func() []string { return []string{decl()} }, []string{api.KindCustomsBroker, api.KindCustoms}},
		// Customs releases any declaration; another broker is refused (not its own).
		{api.TxReleaseDeclaration, func() []string { return []string{pending.Number, `{"releaseDate":"2026-01-01"}`} }, []string{api.KindCustoms}},
		{api.TxGetDeclaration, func() []string { return []string{pending.Number} }, []string{api.KindCustoms, api.KindBank, api.KindInsurer, api.KindRegulator}},
		{api.TxRecordFXReceipt, func() []string { return []string{receipt()} }, []string{api.KindBank}},
		{api.TxGetTradeVerification, func() []string { return []string{rv.ID} }, []string{api.KindBank, api.KindCustoms, api.KindRegulator}},
		{api.TxVerifyTrade, func() []string { return []string{rv.ID} }, []string{api.KindBank, api.KindCustoms, api.KindRegulator}},
		{api.TxListTradeMismatches, func() []string { return nil }, []string{api.KindCustoms, api.KindRegulator}},
	}
	for _, tt := range tests {
		t.Run(tt.fn.Function(), func(t *testing.T) {
			for _, k := range kinds {
				_, err := f.Submit(outsider[k].Identity, tt.fn, tt.args()...)
				code := Code(err)
				if slices.Contains(tt.allowed, k) == isGate(code) {
					t.Errorf("%s as %s: %q (allowed %v)", tt.fn, k, code, slices.Contains(tt.allowed, k))
				}
			}
			_, err := f.Submit(stranger, tt.fn, tt.args()...)
			if !isGate(Code(err)) {
				t.Errorf("%s by an unbound identity: %v", tt.fn, err)
			}
		})
	}
	// The exporter sees its own trade; the declarant releases its own declaration.
	if _, err := f.C.GetTradeVerification(f.Ctx, f.trader.Identity, rv.ID); err != nil {
		t.Errorf("the seller reads its trade: %v", err)
	}
	if _, err := f.C.ReleaseDeclaration(f.Ctx, f.broker.Identity, pending.Number, api.DeclarationReleaseInput{ReleaseDate: f.day()}); err != nil {
		t.Errorf("the declarant relays the release: %v", err)
	}
}
