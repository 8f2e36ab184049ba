package kit

import (
	"bytes"
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// RequireEndorsers gives a state key a key-level (state-based) endorsement
// policy: from the next transaction on, a write to the key is valid only if
// the peers of every organisation named endorsed it, in place of the
// chaincode's policy. No organisations removes the key's policy. The policy
// is written only when it changes (the key's current one is read first).
func RequireEndorsers(ctx contractapi.TransactionContextInterface, key string, mspIDs ...string) error {
	var want []byte
	orgs := slices.Compact(slices.Sorted(slices.Values(mspIDs)))
	if len(orgs) > 0 {
		ep, err := statebased.NewStateEP(nil)
		if err != nil {
			return err
		}
		if err := ep.AddOrgs(statebased.RoleTypePeer, orgs...); err != nil {
			return err
		}
		if want, err = ep.Policy(); err != nil {
			return err
		}
	}
	have, err := ctx.GetStub().GetStateValidationParameter(key)
	if err != nil {
		return err
	}
	if bytes.Equal(have, want) {
		return nil
	}
	return ctx.GetStub().SetStateValidationParameter(key, want)
}
