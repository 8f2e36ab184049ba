package registry

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// FuzzCheckGovernance: any proposed configuration is refused with
// INVALID_ARGUMENT or accepted in canonical form (organisations sorted and
// unique, kinds known and sorted, the regulator's organisation granting
// the regulator kind); checking the canonical form again changes nothing.
func FuzzCheckGovernance(f *testing.F) {
	g := genesisGovernance()
	b, _ := json.Marshal(api.GovernanceInput{RegulatorMSP: g.RegulatorMSP, Orgs: g.Orgs, TrustKinds: g.TrustKinds})
	f.Add(string(b))
	f.Add(`{"regulatorMsp":"PlatformMSP","orgs":[{"mspId":"PlatformMSP","kinds":["regulator","bank"]},{"mspId":"PlatformMSP","kinds":[]}]}`)
	f.Add(`{"regulatorMsp":"X","orgs":[{"mspId":"../x","kinds":["pirate"]}],"trustKinds":["bank","bank"]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		var in api.GovernanceInput
		if err := kit.DecodeArg("governance", raw, &in); err != nil {
			return
		}
		out, err := checkGovernance(in)
		if err != nil {
			if !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") {
				t.Fatalf("refusal %v is not INVALID_ARGUMENT", err)
			}
			return
		}
		if !slices.IsSortedFunc(out.Orgs, func(a, b api.OrgGrant) int { return strings.Compare(a.MSPID, b.MSPID) }) || !mayGrant(&out, out.RegulatorMSP, api.KindRegulator) {
			t.Fatalf("accepted a non-canonical configuration %+v", out)
		}
		for i := 1; i < len(out.Orgs); i++ {
			if out.Orgs[i].MSPID == out.Orgs[i-1].MSPID {
				t.Fatalf("organisation listed twice: %+v", out.Orgs)
			}
		}
		again, err := checkGovernance(api.GovernanceInput{RegulatorMSP: out.RegulatorMSP, Orgs: out.Orgs, TrustKinds: out.TrustKinds})
		if err != nil {
			t.Fatalf("canonical form refused: %v", err)
		}
		a, _ := json.Marshal(out)
		c, _ := json.Marshal(again)
		if string(a) != string(c) {
			t.Fatalf("not idempotent:\n%s\n%s", a, c)
		}
	})
}
