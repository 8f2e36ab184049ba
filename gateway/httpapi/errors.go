package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/idempotency"
)

// statusByCode is the one table from error codes (the chaincode's and the
// gateway's own) to HTTP statuses.
var statusByCode = map[api.Code]int{
	// Malformed input.
	api.CodeInvalidArgument:          http.StatusBadRequest,
	gateway.CodeMalformedJSON:        http.StatusBadRequest,
	gateway.CodeBodyTooLarge:         http.StatusRequestEntityTooLarge,
	gateway.CodeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	// Who is calling.
	gateway.CodeUnauthenticated:  http.StatusUnauthorized,
	api.CodeUnregistered:         http.StatusForbidden,
	api.CodeForbidden:            http.StatusForbidden,
	gateway.CodeCSRFTokenInvalid: http.StatusForbidden,
	// Too many failed authentications from one address (authlimit.go).
	gateway.CodeTooManyFailedAuthentications: http.StatusTooManyRequests,
	gateway.CodeTooManyReports:               http.StatusTooManyRequests,
	// Who may assert what: a kind the organisation may not grant, goods
	// that are neither the caller's nor in its custody.
	api.CodeKindNotGrantable: http.StatusForbidden,
	api.CodeNotCustodian:     http.StatusForbidden,
	// What they ask for.
	api.CodeNotFound:             http.StatusNotFound,
	gateway.CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	// State conflicts.
	api.CodeAlreadyExists:           http.StatusConflict,
	api.CodeConflict:                http.StatusConflict,
	api.CodeAlreadyPledged:          http.StatusConflict,
	api.CodeAlreadyEncumbered:       http.StatusConflict,
	api.CodeAlreadyFinanced:         http.StatusConflict,
	api.CodeDuplicateInvoice:        http.StatusConflict,
	gateway.CodeMVCCReadConflict:    http.StatusConflict,
	gateway.CodePhantomReadConflict: http.StatusConflict,
	// Identity of papers: a second invoice for one sale, a registry
	// registration number recorded on another financing.
	api.CodeLikelyDuplicateReceivable: http.StatusConflict,
	api.CodeRegistrationExists:        http.StatusConflict,
	// Business rules.
	api.CodeRuleViolation:            http.StatusUnprocessableEntity,
	api.CodeLTVExceeded:              http.StatusUnprocessableEntity,
	api.CodeLimitExceeded:            http.StatusUnprocessableEntity,
	api.CodeSanctioned:               http.StatusUnprocessableEntity,
	api.CodeRecalled:                 http.StatusUnprocessableEntity,
	api.CodeRiskBlocked:              http.StatusUnprocessableEntity,
	api.CodeEventTooOld:              http.StatusUnprocessableEntity,
	api.CodeNotReleased:              http.StatusUnprocessableEntity,
	gateway.CodeIdempotencyKeyReused: http.StatusUnprocessableEntity,
	// The ledger.
	gateway.CodeLedgerUnavailable: http.StatusServiceUnavailable,
	// The read model's store (readmodel.go).
	gateway.CodeReadModelUnavailable: http.StatusServiceUnavailable,
	gateway.CodeTimeout:              http.StatusServiceUnavailable,
	// The transaction was handed to ordering and its commit is not
	// confirmed yet; the answer names it (txId) and a retry with the same
	// Idempotency-Key learns its outcome.
	gateway.CodeCommitPending: http.StatusServiceUnavailable,
	api.CodeInternal:          http.StatusInternalServerError,
}

// Error is the one error shape every endpoint answers with.
type Error struct {
	Code    api.Code `json:"code"`
	Message string   `json:"message"`
	TxID    string   `json:"txId,omitempty"`
}

type errorBody struct {
	Error Error `json:"error"`
}

// classify turns any error into a code, message, transaction id and status.
func classify(err error) (Error, int) {
	var ge *gateway.Error
	var ce *gateway.ChaincodeError
	var me *gateway.CommitError
	var pe *gateway.PendingError
	var out Error
	switch {
	case errors.As(err, &pe):
		// First: a pending error wraps the timeout or unavailability that
		// made the gateway stop waiting.
		out = Error{Code: gateway.CodeCommitPending, Message: "the transaction was handed to ordering but its commit is not confirmed yet; " +
			"look it up by txId, or retry with the same Idempotency-Key to learn its outcome", TxID: pe.TxID}
	case errors.As(err, &ge):
		out = Error{Code: ge.Code, Message: ge.Message}
	case errors.As(err, &ce):
		out = Error{Code: api.Code(ce.Code), Message: ce.Message, TxID: ce.TxID}
		if out.Code == gateway.CodeUncoded {
			// An uncoded chaincode error is a fault of ours, not the client's.
			out.Code = api.CodeInternal
		}
	case errors.As(err, &me):
		out = Error{Code: api.CodeInternal, Message: me.Error(), TxID: me.TxID}
		if me.Conflict() {
			out.Code = api.CodeConflict
			out.Message = "the ledger changed under this transaction and it still conflicted after retries; try again"
		}
	case errors.Is(err, idempotency.ErrKeyReused):
		out = Error{Code: gateway.CodeIdempotencyKeyReused, Message: "this Idempotency-Key was already used for a different request"}
	case errors.Is(err, gateway.ErrUnavailable):
		out = Error{Code: gateway.CodeLedgerUnavailable, Message: "the ledger is unavailable; try again later"}
	case errors.Is(err, gateway.ErrNotFound):
		out = Error{Code: api.CodeNotFound, Message: err.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		out = Error{Code: gateway.CodeTimeout, Message: "the ledger did not answer in time"}
	case errors.Is(err, context.Canceled):
		out = Error{Code: gateway.CodeTimeout, Message: "request cancelled"}
	default:
		out = Error{Code: api.CodeInternal, Message: "internal error"}
	}
	status, ok := statusByCode[out.Code]
	if !ok {
		// A coded chaincode refusal we have no entry for is still a
		// business refusal, not a server fault.
		status = http.StatusUnprocessableEntity
	}
	return out, status
}

// pendingRetryAfter is the Retry-After (seconds) of a COMMIT_PENDING answer.
const pendingRetryAfter = "5"

// ctxFailure holds the error a request was answered with, for the
// idempotency middleware to decide what the key keeps.
const ctxFailure = "qc.failure"

// ErrorPage renders a classified error in another shape than the JSON
// error body (the shopper's HTML page). It reports false to leave the
// answer to the JSON body, for a client that asked for JSON.
type ErrorPage func(c *gin.Context, status int, code api.Code, message string) bool

// fail answers err in the one error shape and stops the handler chain.
func (s *Server) fail(c *gin.Context, err error) { s.failWith(c, err, nil) }

// failWith answers err through page, when the route has one and it takes
// the answer, or in the JSON error body.
func (s *Server) failWith(c *gin.Context, err error, page ErrorPage) {
	c.Set(ctxFailure, err)
	e, status := classify(err)
	if e.Code == gateway.CodeCommitPending {
		c.Header("Retry-After", pendingRetryAfter)
	}
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err.Error(), "code", e.Code, "requestId", c.GetString(ctxRequestID))
	}
	if page != nil && page(c, status, e.Code, e.Message) {
		c.Abort()
		return
	}
	if status >= 500 && e.Code == api.CodeInternal {
		e.Message = "internal error (request " + c.GetString(ctxRequestID) + ")"
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="qingchain"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: e})
}
