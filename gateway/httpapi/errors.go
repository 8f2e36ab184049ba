package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/idempotency"
)

// statusByCode is the one table from error codes (the chaincode's and the
// gateway's own) to HTTP statuses.
var statusByCode = map[string]int{
	// Malformed input.
	"INVALID_ARGUMENT":       http.StatusBadRequest,
	"MALFORMED_JSON":         http.StatusBadRequest,
	"BODY_TOO_LARGE":         http.StatusRequestEntityTooLarge,
	"UNSUPPORTED_MEDIA_TYPE": http.StatusUnsupportedMediaType,
	// Who is calling.
	"UNAUTHENTICATED": http.StatusUnauthorized,
	"UNREGISTERED":    http.StatusForbidden,
	"FORBIDDEN":       http.StatusForbidden,
	// Too many failed authentications from one address (authlimit.go).
	"TOO_MANY_FAILED_AUTHENTICATIONS": http.StatusTooManyRequests,
	// Who may assert what: a kind the organisation may not grant, goods
	// that are neither the caller's nor in its custody.
	"KIND_NOT_GRANTABLE": http.StatusForbidden,
	"NOT_CUSTODIAN":      http.StatusForbidden,
	// What they ask for.
	"NOT_FOUND":          http.StatusNotFound,
	"METHOD_NOT_ALLOWED": http.StatusMethodNotAllowed,
	// State conflicts.
	"ALREADY_EXISTS":        http.StatusConflict,
	"CONFLICT":              http.StatusConflict,
	"ALREADY_PLEDGED":       http.StatusConflict,
	"ALREADY_ENCUMBERED":    http.StatusConflict,
	"ALREADY_FINANCED":      http.StatusConflict,
	"DUPLICATE_INVOICE":     http.StatusConflict,
	"MVCC_READ_CONFLICT":    http.StatusConflict,
	"PHANTOM_READ_CONFLICT": http.StatusConflict,
	// Identity of papers: a second invoice for one sale, a registry
	// registration number recorded on another financing.
	"LIKELY_DUPLICATE_RECEIVABLE": http.StatusConflict,
	"REGISTRATION_EXISTS":         http.StatusConflict,
	// Business rules.
	"RULE_VIOLATION":         http.StatusUnprocessableEntity,
	"LTV_EXCEEDED":           http.StatusUnprocessableEntity,
	"LIMIT_EXCEEDED":         http.StatusUnprocessableEntity,
	"SANCTIONED":             http.StatusUnprocessableEntity,
	"RECALLED":               http.StatusUnprocessableEntity,
	"RISK_BLOCKED":           http.StatusUnprocessableEntity,
	"EVENT_TOO_OLD":          http.StatusUnprocessableEntity,
	"IDEMPOTENCY_KEY_REUSED": http.StatusUnprocessableEntity,
	// The ledger.
	"LEDGER_UNAVAILABLE": http.StatusServiceUnavailable,
	"TIMEOUT":            http.StatusServiceUnavailable,
	// The transaction was handed to ordering and its commit is not
	// confirmed yet; the answer names it (txId) and a retry with the same
	// Idempotency-Key learns its outcome.
	"COMMIT_PENDING": http.StatusServiceUnavailable,
	"INTERNAL":       http.StatusInternalServerError,
}

// Error is the one error shape every endpoint answers with.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	TxID    string `json:"txId,omitempty"`
}

type errorBody struct {
	Error Error `json:"error"`
}

// apiError is an error the gateway raises itself.
type apiError struct {
	code, msg string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func newError(code, msg string) error { return &apiError{code: code, msg: msg} }

// classify turns any error into a code, message, transaction id and status.
func classify(err error) (Error, int) {
	var ae *apiError
	var ce *gateway.ChaincodeError
	var me *gateway.CommitError
	var pe *gateway.PendingError
	var out Error
	switch {
	case errors.As(err, &pe):
		// First: a pending error wraps the timeout or unavailability that
		// made the gateway stop waiting.
		out = Error{Code: "COMMIT_PENDING", Message: "the transaction was handed to ordering but its commit is not confirmed yet; " +
			"look it up by txId, or retry with the same Idempotency-Key to learn its outcome", TxID: pe.TxID}
	case errors.As(err, &ae):
		out = Error{Code: ae.code, Message: ae.msg}
	case errors.As(err, &ce):
		out = Error{Code: ce.Code, Message: ce.Message, TxID: ce.TxID}
		if _, known := statusByCode[ce.Code]; !known && ce.Code == "CHAINCODE_ERROR" {
			// An uncoded chaincode error is a fault of ours, not the client's.
			out.Code = "INTERNAL"
		}
	case errors.As(err, &me):
		out = Error{Code: string(me.Code), Message: me.Error(), TxID: me.TxID}
		if me.Conflict() {
			out.Code = "CONFLICT"
			out.Message = "the ledger changed under this transaction and it still conflicted after retries; try again"
		} else {
			out.Code = "INTERNAL"
		}
	case errors.Is(err, idempotency.ErrKeyReused):
		out = Error{Code: "IDEMPOTENCY_KEY_REUSED", Message: "this Idempotency-Key was already used for a different request"}
	case errors.Is(err, gateway.ErrUnavailable):
		out = Error{Code: "LEDGER_UNAVAILABLE", Message: "the ledger is unavailable; try again later"}
	case errors.Is(err, gateway.ErrNotFound):
		out = Error{Code: "NOT_FOUND", Message: err.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		out = Error{Code: "TIMEOUT", Message: "the ledger did not answer in time"}
	case errors.Is(err, context.Canceled):
		out = Error{Code: "TIMEOUT", Message: "request cancelled"}
	default:
		out = Error{Code: "INTERNAL", Message: "internal error"}
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

// fail writes err in the one error shape and stops the handler chain.
func (s *Server) fail(c *gin.Context, err error) {
	c.Set(ctxFailure, err)
	e, status := classify(err)
	if e.Code == "COMMIT_PENDING" {
		c.Header("Retry-After", pendingRetryAfter)
	}
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err.Error(), "code", e.Code, "requestId", c.GetString(ctxRequestID))
		if e.Code == "INTERNAL" {
			e.Message = "internal error (request " + c.GetString(ctxRequestID) + ")"
		}
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="qingchain"`)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: e})
}
