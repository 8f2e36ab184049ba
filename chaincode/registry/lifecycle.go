package registry

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// grantLife is a kind grant's status table. A grant the regulator must
// approve waits PENDING; one granted before its kind needed approval is
// ACTIVE and may still be approved (waitingForApproval). Either may be
// revoked; a revoked kind is granted again as a new grant.
func grantLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "grant", Moves: []kit.Move{
		{Name: "approve", From: []string{api.GrantPending, api.GrantActive}, To: api.GrantActive},
		{Name: "revoke", From: []string{api.GrantPending, api.GrantActive}, To: api.GrantRevoked},
	}}
}

// proposalLife: a governance proposal is open until a majority adopts it.
func proposalLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "governance proposal", Moves: []kit.Move{
		{Name: "adopt", From: []string{proposalOpen}, To: proposalAdopted, Terse: true},
	}}
}
