package finance

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// financingLife is the financing's status table. A margin call may be
// raised on an approved or an active financing and, met, goes back to the
// status it interrupted; close and default also take a called financing
// according to whether money is out (finDisbursed).
func financingLife() kit.Lifecycle {
	const (
		applied, approved, active, called = api.FinancingApplied, api.FinancingApproved, api.FinancingActive, api.FinancingMarginCall
	)
	return kit.Lifecycle{Entity: "financing", Moves: []kit.Move{
		{Name: "approve", From: []string{applied}, To: approved},
		{Name: "reject", From: []string{applied}, To: api.FinancingRejected},
		{Name: "withdraw", From: []string{applied}, To: api.FinancingWithdrawn},
		{Name: "disburse", From: []string{approved}, To: active},
		{Name: "call", From: []string{approved, active}, To: called},
		{Name: "meet call", From: []string{called}, To: approved},
		{Name: "meet call while out", From: []string{called}, To: active},
		{Name: "close", From: []string{approved, active, called}, To: api.FinancingClosed, Refusal: " and cannot be closed"},
		{Name: "default", From: []string{active, called}, To: api.FinancingDefaulted},
	}}
}

// collateralLife is the status table of one collateral of a financing:
// offered with the application, pledged at approval (or when added),
// then released to its owner or taken by the bank on default.
func collateralLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "collateral", Moves: []kit.Move{
		{Name: "pledge", From: []string{api.CollateralOffered}, To: api.CollateralPledged},
		{Name: "release", From: []string{api.CollateralPledged}, To: api.CollateralReleased},
		{Name: "take", From: []string{api.CollateralPledged}, To: api.CollateralTaken},
	}}
}

// colID names a collateral by what it is: its receipt, receivable or
// shipment.
func colID(c api.Collateral) string {
	return c.ReceiptID + c.ReceivableID + c.ShipmentID
}
