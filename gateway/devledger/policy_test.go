package devledger

import (
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
)

func TestPolicies(t *testing.T) {
	peer := func(msp string) signer { return signer{msp: msp, ous: []string{"peer"}} }
	client := func(msp string) signer { return signer{msp: msp, ous: []string{"client"}} }
	tests := []struct {
		policy  string
		signers []signer
		want    bool
	}{
		{"OutOf(2, 'A.peer', 'B.peer', 'C.peer')", []signer{peer("A"), peer("C")}, true},
		{"OutOf(2, 'A.peer', 'B.peer', 'C.peer')", []signer{peer("A")}, false},
		{"OutOf(2, 'A.peer', 'B.peer', 'C.peer')", []signer{peer("A"), peer("A")}, false}, // one endorser, one principal
		{"OutOf(2, 'A.peer', 'B.peer', 'C.peer')", []signer{peer("A"), client("B")}, false},
		{"AND('A.peer', 'B.member')", []signer{peer("A"), client("B")}, true},
		{"AND('A.peer', 'B.member')", []signer{peer("B"), peer("A")}, true},
		{"OR('A.peer', AND('B.peer', 'C.peer'))", []signer{peer("B"), peer("C")}, true},
		{"OR('A.peer', AND('B.peer', 'C.peer'))", []signer{peer("B")}, false},
		{"and('A.member', 'A.member')", []signer{peer("A")}, false},
		{"and('A.member', 'A.member')", []signer{peer("A"), client("A")}, true},
	}
	for _, tc := range tests {
		env, err := ParsePolicy(tc.policy)
		if err != nil {
			t.Fatalf("ParsePolicy(%s): %v", tc.policy, err)
		}
		p, err := compilePolicy(env)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.satisfied(tc.signers); got != tc.want {
			t.Errorf("%s satisfied by %v = %v, want %v", tc.policy, tc.signers, got, tc.want)
		}
	}
	for _, bad := range []string{"", "OutOf(3, 'A.peer', 'B.peer')", "AND('A.peer'", "XOR('A.peer')", "AND('A')", "AND('A.boss')", "'A.peer' junk"} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) accepted", bad)
		}
	}
}

// A key-level policy as a chaincode builds it with statebased evaluates as
// the text form does.
func TestStateBasedPolicy(t *testing.T) {
	ep, err := statebased.NewStateEP(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ep.AddOrgs(statebased.RoleTypePeer, "BankMSP", "WarehouseMSP"); err != nil {
		t.Fatal(err)
	}
	raw, err := ep.Policy()
	if err != nil {
		t.Fatal(err)
	}
	p, err := compilePolicyBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	peer := func(msp string) signer { return signer{msp: msp, ous: []string{"peer"}} }
	tests := []struct {
		signers []signer
		want    bool
	}{
		{[]signer{peer("BankMSP"), peer("WarehouseMSP")}, true},
		{[]signer{peer("BankMSP"), peer("PlatformMSP")}, false},
		{[]signer{peer("WarehouseMSP")}, false},
	}
	for _, tc := range tests {
		if got := p.satisfied(tc.signers); got != tc.want {
			t.Errorf("satisfied(%v) = %v, want %v", tc.signers, got, tc.want)
		}
	}
}
