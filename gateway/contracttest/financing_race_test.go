package contracttest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

// 50 applications against one receipt, approved all at once: exactly one
// approval commits. The others are refused at endorsement
// (ALREADY_PLEDGED, when the winner had committed before they were
// simulated) or invalidated at commit (MVCC_READ_CONFLICT, when they read
// the receipt before); the gateway resubmits the latter, and the
// resubmission is refused with ALREADY_PLEDGED.
func TestFinancingConcurrentApprovals(t *testing.T) {
	const n = 50
	conflicts := 0
	for _, mode := range []string{"50 banks", "one bank"} {
		t.Run(mode, func(t *testing.T) {
			f := newWRFix(t)
			r := f.receipt(f.trader, "1000", "1000000.00", "CNY")
			banks := make([]*Member, n)
			ids := make([]string, n)
			for i := range banks {
				banks[i] = f.bank
				if mode == "50 banks" {
					banks[i] = f.Enterprise(BankMSP, fmt.Sprintf("银行%02d", i), api.KindBank)
				}
				ids[i] = f.apply(f.trader, banks[i], "500000.00", "CNY", r.ID).ID
			}
			terms := wrTerms("500000.00", "0.0435", 90, "0.6")

			start := make(chan struct{})
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					_, errs[i] = f.Submit(banks[i].Identity, api.TxApproveFinancing, ids[i], trJSON(terms))
				}(i)
			}
			close(start)
			wg.Wait()

			winner := -1
			codes := map[string]int{}
			for i, err := range errs {
				code := Code(err)
				codes[code]++
				switch code {
				case "":
					if winner >= 0 {
						t.Fatalf("approvals %d and %d both committed", winner, i)
					}
					winner = i
				case "ALREADY_PLEDGED", "MVCC_READ_CONFLICT", "ENDORSEMENT_POLICY_FAILURE":
					// The last: validated after the winner gave the receipt
					// its key-level policy (bank and warehouse endorse).
				default:
					t.Errorf("approval %d: %v", i, err)
				}
			}
			t.Logf("%s: %v", mode, codes)
			if winner < 0 {
				t.Fatal("no approval committed")
			}
			conflicts += codes["MVCC_READ_CONFLICT"] + codes["ENDORSEMENT_POLICY_FAILURE"]

			// What the gateway does with a conflict: submit again.
			for i, err := range errs {
				if c := Code(err); c == "MVCC_READ_CONFLICT" || c == "ENDORSEMENT_POLICY_FAILURE" {
					_, err := f.C.ApproveFinancing(f.Ctx, banks[i].Identity, ids[i], terms)
					wantCode(t, err, "ALREADY_PLEDGED")
				}
			}

			got := f.getReceipt(r.ID)
			if got.Status != "PLEDGED" || got.Pledge == nil || got.Pledge.FinancingID != ids[winner] || got.Pledge.Pledgee != banks[winner].CreditCode {
				t.Fatalf("receipt after the race: %+v", got)
			}
			// The history holds one pledge: issue, then pledged once.
			h := f.history(r.ID)
			pledges := 0
			for _, c := range h {
				if c.Receipt.Pledge != nil {
					pledges++
				}
			}
			if len(h) != 2 || pledges != 1 || h[0].Receipt.Pledge.FinancingID != ids[winner] {
				t.Errorf("history has %d versions, %d pledged", len(h), pledges)
			}
			for i, id := range ids {
				v := f.getFinancing(banks[i], id, "")
				want := "APPLIED"
				if i == winner {
					want = "APPROVED"
				}
				if v.Status != want {
					t.Errorf("financing %d is %s, want %s", i, v.Status, want)
				}
			}
		})
	}
	if conflicts == 0 {
		t.Log("no approval hit an MVCC conflict this run; the resubmission path was not exercised")
	}
}
