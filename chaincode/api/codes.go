package api

// Code is a stable error code. The chaincode refuses with "CODE: message";
// the gateway maps each code to an HTTP status in one table.
type Code string

// Codes of every contract.
const (
	CodeInvalidArgument Code = "INVALID_ARGUMENT" // 400: malformed or out-of-range input
	CodeUnregistered    Code = "UNREGISTERED"     // 403: the caller is not bound to an enterprise
	CodeForbidden       Code = "FORBIDDEN"        // 403: the caller may not do this
	CodeNotFound        Code = "NOT_FOUND"        // 404
	CodeAlreadyExists   Code = "ALREADY_EXISTS"   // 409
	CodeConflict        Code = "CONFLICT"         // 409: wrong state for this transition
	CodeRuleViolation   Code = "RULE_VIOLATION"   // 422: a business rule refuses it
	CodeInternal        Code = "INTERNAL"         // 500: corrupt state, never client input
)

// Codes of the authority rules: who may assert what.
const (
	CodeKindNotGrantable Code = "KIND_NOT_GRANTABLE" // 403: the organisation may not grant this kind
	CodeNotCustodian     Code = "NOT_CUSTODIAN"      // 403: the lot is neither the caller's nor in its custody
	CodeEventTooOld      Code = "EVENT_TOO_OLD"      // 422: event time before the capture tolerance
)

// Codes of collateral and financing.
const (
	CodeAlreadyPledged    Code = "ALREADY_PLEDGED"    // 409: the receipt is pledged to a financing
	CodeAlreadyEncumbered Code = "ALREADY_ENCUMBERED" // 409: the goods back another live financing
	CodeAlreadyFinanced   Code = "ALREADY_FINANCED"   // 409: the receivable or shipment backs a live financing
	CodeLTVExceeded       Code = "LTV_EXCEEDED"       // 422: principal over collateral value above the agreed maximum
	CodeRecalled          Code = "RECALLED"           // 422: the goods are under recall
	CodeRiskBlocked       Code = "RISK_BLOCKED"       // 422: an open blocking risk flag
	CodeSanctioned        Code = "SANCTIONED"         // 422: a party is under a regulator's sanction
	CodeLimitExceeded     Code = "LIMIT_EXCEEDED"     // 422: beyond the insurer's credit limit
)

// Codes of trade verification.
const (
	CodeNotReleased Code = "DECLARATION_NOT_RELEASED" // 422: an export financed without a released customs declaration
)

// Codes of the identity of papers.
const (
	CodeDuplicateInvoice          Code = "DUPLICATE_INVOICE"           // 409: the invoice (seller, buyer, number) exists
	CodeLikelyDuplicateReceivable Code = "LIKELY_DUPLICATE_RECEIVABLE" // 409: a second invoice for one sale
	CodeRegistrationExists        Code = "REGISTRATION_EXISTS"         // 409: the registry registration is on another financing
)

// Codes lists every code the chaincode answers with.
func Codes() []Code {
	return []Code{
		CodeInvalidArgument, CodeUnregistered, CodeForbidden, CodeNotFound,
		CodeAlreadyExists, CodeConflict, CodeRuleViolation, CodeInternal,
		CodeKindNotGrantable, CodeNotCustodian, CodeEventTooOld,
		CodeAlreadyPledged, CodeAlreadyEncumbered, CodeAlreadyFinanced,
		CodeLTVExceeded, CodeRecalled, CodeRiskBlocked, CodeSanctioned, CodeLimitExceeded, CodeNotReleased,
		CodeDuplicateInvoice, CodeLikelyDuplicateReceivable, CodeRegistrationExists,
	}
}
