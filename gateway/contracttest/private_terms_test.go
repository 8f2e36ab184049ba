package contracttest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
)

// A bank's private term sheet: sent as transient data, kept for the bank's
// and the applicant's organisations only, its hash on the financing; read
// back by the two parties, refused to everyone else, checkable by anyone
// shown it, and never in a block or in public state.
func TestPrivateTerms(t *testing.T) {
	f := newWRFix(t)
	ctx := context.Background()
	c := f.C
	r := f.receipt(f.trader, "100", "300000.00", "CNY")
	fin := f.apply(f.trader, f.bank, "100000.00", "CNY", r.ID)
	sheet := api.PrivateTerms{InternalNotes: "借款人去年出口额下降；内部评级 B+，需每月回访", Haircuts: map[string]string{"recall": "0.6", "excursion": "0.25"}, Covenants: []string{"monthly stock report"}}

	if _, err := c.RecordPrivateTerms(ctx, f.trader.Identity, fin.ID, sheet); Code(err) != string(api.CodeForbidden) {
		t.Errorf("the applicant recording the bank's terms: %v, want FORBIDDEN", err)
	}
	w, err := c.RecordPrivateTerms(ctx, f.bank.Identity, fin.ID, sheet)
	if err != nil {
		t.Fatalf("RecordPrivateTerms: %v", err)
	}
	canon, _ := json.Marshal(sheet)
	sum := sha256.Sum256(canon)
	if w.Result.PrivateTermsHash != hex.EncodeToString(sum[:]) {
		t.Errorf("financing's privateTermsHash %q, want SHA-256 of the sheet", w.Result.PrivateTermsHash)
	}
	writes, err := f.Ledger.TxWrites(w.Commit.TxID)
	if err != nil {
		t.Fatal(err)
	}
	for _, wr := range writes {
		if strings.Contains(string(wr.Value), "内部评级") || strings.Contains(string(wr.Value), "monthly stock report") {
			t.Errorf("the private sheet is in public state under %q", wr.Key)
		}
	}

	insurer := f.Enterprise(InsurerMSP, "清远出口信用保险", api.KindInsurer)
	farm := f.Enterprise(PlatformMSP, "清远鸡养殖场", api.KindProducer)
	tests := []struct {
		name string
		who  *Member
		want string // "" the sheet
	}{
		{"the bank", f.bank, ""},
		{"the applicant", f.trader, ""},
		{"another enterprise of the applicant's organisation", farm, string(api.CodeForbidden)},
		{"the warehouse (not a member)", f.wh, string(api.CodeForbidden)},
		{"an insurer (not a member)", insurer, string(api.CodeForbidden)},
	}
	for _, tc := range tests {
		t.Run("read by "+tc.name, func(t *testing.T) {
			got, err := c.GetPrivateTerms(ctx, tc.who.Identity, fin.ID)
			if Code(err) != tc.want {
				t.Fatalf("GetPrivateTerms: %v, want %q", err, tc.want)
			}
			if tc.want == "" && (got.InternalNotes != sheet.InternalNotes || got.Haircuts["recall"] != "0.6") {
				t.Errorf("GetPrivateTerms = %+v", got)
			}
		})
	}
	// A third party shown the sheet checks it against the ledger's hash.
	forged := sheet
	forged.Haircuts = map[string]string{"recall": "0.1"}
	for _, tc := range []struct {
		name  string
		shown api.PrivateTerms
		want  bool
	}{{"the recorded sheet", sheet, true}, {"a changed sheet", forged, false}} {
		t.Run("checked by an insurer: "+tc.name, func(t *testing.T) {
			got, err := c.CheckPrivateTerms(ctx, insurer.Identity, fin.ID, tc.shown)
			if err != nil || !got.Recorded || got.Matches != tc.want {
				t.Errorf("CheckPrivateTerms = %+v, %v; want matches=%v", got, err, tc.want)
			}
		})
	}
	// The sheet as an argument instead of transient data is refused.
	_, err = f.Ledger.Submit(ctx, f.bank.Identity, gateway.Request{Function: string(api.TxRecordPrivateTerms), Args: []string{fin.ID, string(canon)}})
	if err == nil {
		t.Error("RecordPrivateTerms took its sheet as an argument")
	}
	// Endorsed without the applicant's organisation, the write fails
	// validation: the financing's key needs both.
	_, err = f.Ledger.Submit(ctx, f.bank.Identity, gateway.Request{Function: string(api.TxRecordPrivateTerms), Args: []string{fin.ID},
		Transient: map[string][]byte{client.PrivateTermsTransient: canon}, EndorsingOrgs: []string{BankMSP, InsurerMSP}})
	if Code(err) != string(gateway.EndorsementPolicyFailure) {
		t.Errorf("RecordPrivateTerms endorsed by the bank and the insurer: %v, want %s", err, gateway.EndorsementPolicyFailure)
	}
	if _, err := f.Ledger.Verify(); err != nil {
		t.Errorf("Verify: %v", err)
	}
}
