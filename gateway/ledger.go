// Package gateway is the domain side of Qingchain's gateway: the Ledger seam
// every backend implements (the embedded devledger and a real Fabric
// network), and the errors that cross it.
package gateway

import (
	"context"
	"time"

	"github.com/qingchain/qingchain/gateway/identity"
)

// Request names a chaincode transaction function and its arguments.
// Transient data reaches the chaincode but is never written to a block:
// private values travel there, and only their hashes reach the block.
type Request struct {
	Function  string
	Args      []string
	Transient map[string][]byte
	// EndorsingOrgs, when set, are the only organisations (MSP IDs) whose
	// peers endorse a submitted transaction, instead of those the ledger
	// chooses from the endorsement policies (Fabric's
	// WithEndorsingOrganizations). A choice that does not satisfy the
	// policies fails validation: ENDORSEMENT_POLICY_FAILURE.
	EndorsingOrgs []string
}

// Commit is what a submitter learns once its transaction is in a block.
type Commit struct {
	TxID        string
	BlockNumber uint64
	Payload     []byte
}

// Event is a chaincode event of a committed, valid transaction.
type Event struct {
	BlockNumber uint64
	TxID        string
	Name        string
	Payload     []byte
}

// BlockInfo is the part of a block a client needs to prove a record.
type BlockInfo struct {
	Number       uint64
	Hash         []byte
	PreviousHash []byte
	DataHash     []byte
	TxCount      int
}

// TxInfo locates a committed transaction.
type TxInfo struct {
	TxID        string
	BlockNumber uint64
	BlockHash   []byte
	Code        ValidationCode
	Timestamp   time.Time
	CreatorMSP  string
}

// Ledger is the seam between the gateway and a ledger backend. Every call
// acts as one identity, as a Fabric client does.
type Ledger interface {
	// Submit endorses, orders and commits a transaction and returns once it
	// is committed (durably) or has failed. A transaction that was ordered
	// but invalidated returns a *CommitError; a chaincode refusal returns a
	// *ChaincodeError.
	Submit(ctx context.Context, id *identity.Identity, req Request) (*Commit, error)
	// Evaluate runs a query against committed state and writes nothing.
	Evaluate(ctx context.Context, id *identity.Identity, req Request) ([]byte, error)
	// Events streams chaincode events of valid transactions from block
	// number from on, in commit order, until ctx ends or the ledger closes.
	Events(ctx context.Context, from uint64) (<-chan Event, error)
	// Block describes a block by number.
	Block(ctx context.Context, number uint64) (*BlockInfo, error)
	// Transaction locates a transaction by id.
	Transaction(ctx context.Context, txID string) (*TxInfo, error)
	// Height is the number of blocks in the chain.
	Height(ctx context.Context) (uint64, error)
	Close() error
}
