package gateway

import (
	"fmt"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Codes the gateway raises itself, beside the chaincode's (api.Code*): a
// client sees one vocabulary whichever side refused.
const (
	// The request itself.
	CodeMalformedJSON        api.Code = "MALFORMED_JSON"
	CodeBodyTooLarge         api.Code = "BODY_TOO_LARGE"
	CodeUnsupportedMediaType api.Code = "UNSUPPORTED_MEDIA_TYPE"
	CodeMethodNotAllowed     api.Code = "METHOD_NOT_ALLOWED"
	// Who is calling.
	CodeUnauthenticated              api.Code = "UNAUTHENTICATED"
	CodeTooManyFailedAuthentications api.Code = "TOO_MANY_FAILED_AUTHENTICATIONS"
	// A portal form posted without the session's CSRF token, with another
	// session's, or from another site.
	CodeCSRFTokenInvalid api.Code = "CSRF_TOKEN_INVALID"
	// A device that sent its day's allowance of shoppers' reports.
	CodeTooManyReports api.Code = "TOO_MANY_REPORTS"
	// An Idempotency-Key sent again with another request.
	CodeIdempotencyKeyReused api.Code = "IDEMPOTENCY_KEY_REUSED"
	// The ledger.
	CodeLedgerUnavailable api.Code = "LEDGER_UNAVAILABLE"
	// The read model (lists, statistics, events) cannot answer.
	CodeReadModelUnavailable api.Code = "READ_MODEL_UNAVAILABLE"
	CodeTimeout              api.Code = "TIMEOUT"
	// Handed to ordering, commit not confirmed yet (see PendingError).
	CodeCommitPending api.Code = "COMMIT_PENDING"
	// Validation codes of an invalidated transaction, as codes.
	CodeMVCCReadConflict    api.Code = api.Code(MVCCReadConflict)
	CodePhantomReadConflict api.Code = api.Code(PhantomReadConflict)
	// A chaincode message without a well-formed code (ParseChaincodeMessage).
	CodeUncoded api.Code = "CHAINCODE_ERROR"
)

// Error is a refusal the gateway raises itself, before or instead of
// asking the chaincode: a bad path parameter, a malformed body, a missing
// API key. It carries a code like the chaincode's refusals do.
type Error struct {
	Code    api.Code
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf makes an *Error with a formatted message.
func Errorf(code api.Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
