package receivables

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// receivableLife is the receivable's status table. One with a registered
// buyer waits PENDING for its answer; one without is OPEN. Payments reach
// any unsettled one; overdue and default follow the due date.
func receivableLife() kit.Lifecycle {
	const pending, open, confirmed, overdue = api.ReceivablePending, api.ReceivableOpen, api.ReceivableConfirmed, api.ReceivableOverdue
	return kit.Lifecycle{Entity: "receivable", Moves: []kit.Move{
		{Name: "await buyer", From: []string{open}, To: pending},
		{Name: "confirm", From: []string{pending}, To: confirmed},
		{Name: "reject", From: []string{pending}, To: api.ReceivableRejected},
		// A payment leaves the status alone unless it settles the receivable.
		{Name: "pay", From: []string{pending, open, confirmed, overdue}, To: api.ReceivableSettled},
		{Name: "mark overdue", From: []string{pending, open, confirmed}, To: overdue},
		{Name: "declare default", From: []string{pending, open, confirmed, overdue}, To: api.ReceivableDefaulted},
	}}
}
