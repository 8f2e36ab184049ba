package insurance

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// The status tables of insurance's entities.

// limitLife: a buyer's limit is set (again) active and suspended by a
// reported default of one of its shipments.
func limitLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "limit", Moves: []kit.Move{
		{Name: "set", From: []string{"", api.LimitActive, api.LimitSuspended}, To: api.LimitActive},
		{Name: "suspend", From: []string{api.LimitActive, api.LimitSuspended}, To: api.LimitSuspended},
	}}
}

// shipmentLife: a declared shipment is paid in full, or its buyer
// defaults and a paid claim indemnifies it.
func shipmentLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "shipment", Moves: []kit.Move{
		{Name: "pay", From: []string{api.ShipmentDeclared}, To: api.ShipmentPaid,
			Refusal: "; payments after a reported default are recoveries, settled with the insurer"},
		{Name: "default", From: []string{api.ShipmentDeclared}, To: api.ShipmentDefaulted, Terse: true},
		{Name: "claim", From: []string{api.ShipmentDefaulted}, To: api.ShipmentDefaulted, Refusal: "; a claim needs a reported buyer default"},
		{Name: "indemnify", From: []string{api.ShipmentDefaulted}, To: api.ShipmentIndemnified},
	}}
}

// assignmentLife: the insurer accepts or rejects a requested assignment;
// the bank releases an accepted one.
func assignmentLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "assignment", Moves: []kit.Move{
		{Name: "accept", From: []string{api.AssignmentRequested}, To: api.AssignmentAccepted},
		{Name: "reject", From: []string{api.AssignmentRequested}, To: api.AssignmentRejected},
		{Name: "release", From: []string{api.AssignmentAccepted}, To: api.AssignmentReleased},
	}}
}

// claimLife: the insurer approves or rejects a filed claim and pays an
// approved one.
func claimLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "claim", Moves: []kit.Move{
		{Name: "approve", From: []string{api.ClaimFiled}, To: api.ClaimApproved},
		{Name: "reject", From: []string{api.ClaimFiled}, To: api.ClaimRejected},
		{Name: "pay", From: []string{api.ClaimApproved}, To: api.ClaimPaid},
	}}
}
