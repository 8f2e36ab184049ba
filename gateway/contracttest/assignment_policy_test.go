package contracttest

import (
	"strings"
	"testing"
)

// TestAssignmentNamesItsPolicy: an assignment names the policy the
// shipment is declared under, and the transaction that writes it refuses
// any other (the check and the write are one transaction, so MVCC guards
// the check).
func TestAssignmentNamesItsPolicy(t *testing.T) {
	f := newInsFix(t)
	l := f.limit(f.overseasBuyer(), "500000.00", "USD")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.8", premium: "0.004"})
	other := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"})
	s := f.declare(insShip{policy: p.ID, limit: l.ID, amount: "50000.00", shipDate: "2026-04-01", dueDate: "2026-06-30", lots: []string{f.shippedLot("5")}})
	tests := []struct {
		name, policy, wantCode, wantMsg string
	}{
		{"another policy", other.ID, "NOT_FOUND", "shipment " + s.ID + " is not declared under policy " + other.ID},
		{"no policy", "", "NOT_FOUND", "is not declared under policy"},
		{"its policy", p.ID, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.C.RequestAssignment(f.Ctx, f.trader.Identity, s.ID, f.bank.CreditCode, tc.policy)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("got %v, want the assignment", err)
				}
				return
			}
			wantCode(t, err, tc.wantCode)
			if got := err.Error(); !strings.Contains(got, tc.wantMsg) {
				t.Errorf("got %q, want it to say %q", got, tc.wantMsg)
			}
		})
	}
}
