package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ValidationCode is a transaction's validation result, named as Fabric's
// peer.TxValidationCode names it.
type ValidationCode string

// Validation codes a backend reports.
const (
	Valid                    ValidationCode = "VALID"
	MVCCReadConflict         ValidationCode = "MVCC_READ_CONFLICT"
	PhantomReadConflict      ValidationCode = "PHANTOM_READ_CONFLICT"
	BadCreatorSignature      ValidationCode = "BAD_CREATOR_SIGNATURE"
	DuplicateTxID            ValidationCode = "DUPLICATE_TXID"
	EndorsementPolicyFailure ValidationCode = "ENDORSEMENT_POLICY_FAILURE"
	InvalidOtherReason       ValidationCode = "INVALID_OTHER_REASON"
)

// ErrUnavailable means the ledger could not be reached or is closed.
var ErrUnavailable = errors.New("ledger unavailable")

// ErrNotFound means a block or transaction does not exist.
var ErrNotFound = errors.New("not found")

// CommitError is a transaction that was ordered into a block but marked
// invalid there; it changed nothing.
type CommitError struct {
	TxID        string
	BlockNumber uint64
	Code        ValidationCode
}

func (e *CommitError) Error() string {
	return fmt.Sprintf("transaction %s invalidated in block %d: %s", e.TxID, e.BlockNumber, e.Code)
}

// Conflict reports whether resubmitting a fresh transaction may succeed:
// what it read changed (MVCC, phantom), or a key it writes was given a
// key-level endorsement policy after it was simulated (validation checks
// endorsement policies before read versions, as Fabric does, so a
// transaction that lost a race to the write that set the policy fails
// that check; a new simulation is endorsed by the peers the policy names).
func (e *CommitError) Conflict() bool {
	return e.Code == MVCCReadConflict || e.Code == PhantomReadConflict || e.Code == EndorsementPolicyFailure
}

// ChaincodeError is a refusal by the chaincode, carrying its stable code
// (the text before the first ": " of the chaincode's message).
type ChaincodeError struct {
	Code    string
	Message string
	TxID    string
}

func (e *ChaincodeError) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// ParseChaincodeMessage splits "CODE: message" into its parts. A message
// without a well-formed code (upper-case letters, digits and underscores)
// yields code "CHAINCODE_ERROR".
func ParseChaincodeMessage(msg string) *ChaincodeError {
	code, rest, ok := strings.Cut(msg, ": ")
	if ok && isCode(code) {
		return &ChaincodeError{Code: code, Message: rest}
	}
	return &ChaincodeError{Code: "CHAINCODE_ERROR", Message: msg}
}

func isCode(s string) bool {
	if len(s) < 2 || len(s) > 48 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && c != '_' && (c < '0' || c > '9' || i == 0) {
			return false
		}
	}
	return true
}

// IsConflict reports whether err is an MVCC or phantom read conflict.
func IsConflict(err error) bool {
	var ce *CommitError
	return errors.As(err, &ce) && ce.Conflict()
}

// PendingError is a transaction that was handed to ordering but whose
// commit the caller stopped waiting for (a timeout, or the commit status
// could not be read): it may still commit, or may already have. The caller
// learns its outcome by looking TxID up with Ledger.Transaction. Result is
// the chaincode's answer from the endorsement (what Commit.Payload would
// have been), when the backend knows it.
type PendingError struct {
	TxID   string
	Result []byte
	Err    error // why the commit was not confirmed
}

func (e *PendingError) Error() string {
	msg := "transaction " + e.TxID + " was handed to ordering; its commit was not confirmed"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *PendingError) Unwrap() error { return e.Err }

// OrderingHook is told a transaction's id and its endorsed result just
// before the transaction is handed to ordering, from which point it may
// commit whatever its submitter does next. An error from the hook stops the
// submission: nothing is ordered and Submit returns that error.
type OrderingHook func(txID string, result []byte) error

type orderingHookKey struct{}

// WithOrderingHook returns a context whose submissions call h. Every
// backend's Submit calls BeforeOrdering with the context it was given.
func WithOrderingHook(ctx context.Context, h OrderingHook) context.Context {
	return context.WithValue(ctx, orderingHookKey{}, h)
}

// BeforeOrdering runs the OrderingHook of ctx, if there is one. Backends
// call it once per transaction, after endorsement and before the
// transaction leaves for the ordering service.
func BeforeOrdering(ctx context.Context, txID string, result []byte) error {
	if h, ok := ctx.Value(orderingHookKey{}).(OrderingHook); ok && h != nil {
		return h(txID, result)
	}
	return nil
}
