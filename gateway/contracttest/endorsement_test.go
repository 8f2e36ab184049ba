package contracttest

import (
	"context"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
)

// A pledged receipt's key carries a key-level endorsement policy: the peers
// of the pledgee bank's organisation and of the warehouse's must both
// endorse every write to it. A release endorsed by any other pair of
// organisations, or by one of the two with a third, fails validation and
// leaves the receipt pledged; the ledger's own choice of endorsers includes
// both. Releasing it frees the key of the policy again. The financing's key
// needs its bank's and its applicant's organisations.
func TestEndorsementOfPledgedReceipts(t *testing.T) {
	f := newWRFix(t)
	r := f.receipt(f.trader, "100", "300000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "100000.00", "CNY", r.ID)
	f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, wrTerms("100000.00", "0.0435", 90, "0.7")))
	if got := f.getReceipt(r.ID); got.Pledge == nil {
		t.Fatalf("receipt %s is not pledged after the approval", r.ID)
	}
	release := gateway.Request{Function: string(api.TxReleasePledge), Args: []string{r.ID}}
	tests := []struct {
		name      string
		endorsers []string
		want      string
	}{
		{"warehouse and platform, without the bank", []string{WarehouseMSP, PlatformMSP}, string(gateway.EndorsementPolicyFailure)},
		{"bank and platform, without the warehouse", []string{BankMSP, PlatformMSP}, string(gateway.EndorsementPolicyFailure)},
		{"the regulator and the insurer", []string{RegulatorMSP, InsurerMSP}, string(gateway.EndorsementPolicyFailure)},
		{"the ledger's choice: bank and warehouse", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := release
			req.EndorsingOrgs = tc.endorsers
			_, err := f.Ledger.Submit(context.Background(), f.bank.Identity, req)
			if got := Code(err); got != tc.want {
				t.Fatalf("release endorsed by %v: code %q (%v), want %q", tc.endorsers, got, err, tc.want)
			}
			pledged := f.getReceipt(r.ID).Pledge != nil
			if pledged != (tc.want != "") {
				t.Errorf("after the release endorsed by %v the receipt is pledged=%v", tc.endorsers, pledged)
			}
		})
	}
	// Free again, the receipt is under the chaincode's policy: any
	// organisation's peer endorses a transfer by its holder.
	other := f.Enterprise(PlatformMSP, "清远茶叶二号贸易公司", api.KindExporter)
	_, err := f.Ledger.Submit(context.Background(), f.trader.Identity, gateway.Request{Function: string(api.TxTransferReceipt), Args: []string{r.ID, other.CreditCode}, EndorsingOrgs: []string{InsurerMSP}})
	if err != nil {
		t.Errorf("transfer of the released receipt endorsed by the insurer's peer: %v", err)
	}
	// A financing's key needs its bank's and its applicant's organisations:
	// the bank's peer alone does not make a rejection valid.
	app := f.apply(other, f.bank, "1000.00", "CNY", r.ID)
	reject := gateway.Request{Function: string(api.TxRejectFinancing), Args: []string{app.ID, "declined"}, EndorsingOrgs: []string{BankMSP, InsurerMSP}}
	if _, err := f.Ledger.Submit(context.Background(), f.bank.Identity, reject); Code(err) != string(gateway.EndorsementPolicyFailure) {
		t.Errorf("a rejection endorsed without the applicant's organisation: %v, want %s", err, gateway.EndorsementPolicyFailure)
	}
	reject.EndorsingOrgs = nil
	if _, err := f.Ledger.Submit(context.Background(), f.bank.Identity, reject); err != nil {
		t.Errorf("the rejection, endorsers chosen by the ledger: %v", err)
	}
}
