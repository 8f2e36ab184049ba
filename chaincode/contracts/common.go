package contracts

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Stable error codes; the gateway maps each to an HTTP status.
const (
	CodeInvalidArgument = "INVALID_ARGUMENT" // 400: malformed or out-of-range input
	CodeUnauthenticated = "UNREGISTERED"     // 403: caller is not bound to an enterprise
	CodeForbidden       = "FORBIDDEN"        // 403: caller may not do this
	CodeNotFound        = "NOT_FOUND"        // 404
	CodeAlreadyExists   = "ALREADY_EXISTS"   // 409
	CodeConflict        = "CONFLICT"         // 409: wrong state for this transition
	CodeRuleViolation   = "RULE_VIOLATION"   // 422: a business rule refuses it
	CodeInternal        = "INTERNAL"         // 500: corrupt state, never client input
)

// Codes of the authority rules (who may assert what).
const (
	CodeKindNotGrantable = "KIND_NOT_GRANTABLE" // 403: the organisation may not grant this kind
	CodeNotCustodian     = "NOT_CUSTODIAN"      // 403: the lot is neither the caller's nor in its custody
	CodeEventTooOld      = "EVENT_TOO_OLD"      // 422: event time before the capture tolerance
)

// errf builds a coded chaincode error: "CODE: message".
func errf(code, format string, args ...any) error {
	return fmt.Errorf("%s: %s", code, fmt.Sprintf(format, args...))
}

// decodeArg parses a JSON argument strictly: unknown fields and trailing
// data are errors.
func decodeArg(name, raw string, v any) error {
	if len(raw) > maxArgBytes {
		return errf(CodeInvalidArgument, "%s is larger than %d bytes", name, maxArgBytes)
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errf(CodeInvalidArgument, "%s is not valid JSON for this call: %v", name, err)
	}
	if dec.More() {
		return errf(CodeInvalidArgument, "%s has trailing data", name)
	}
	return nil
}

const maxArgBytes = 256 << 10

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", errf(CodeInternal, "encode result: %v", err)
	}
	return string(b), nil
}

// key builds a composite key; attributes are checked identifiers, so an
// error here is an internal fault, not client input.
func key(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) (string, error) {
	k, err := ctx.GetStub().CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", errf(CodeInvalidArgument, "bad key part: %v", err)
	}
	return k, nil
}

// getJSON reads a state entry into v; found is false when it does not exist.
func getJSON(ctx contractapi.TransactionContextInterface, k string, v any) (bool, error) {
	raw, err := ctx.GetStub().GetState(k)
	if err != nil {
		return false, errf(CodeInternal, "read state: %v", err)
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, errf(CodeInternal, "corrupt state entry: %v", err)
	}
	return true, nil
}

func putJSON(ctx contractapi.TransactionContextInterface, k string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errf(CodeInternal, "encode state: %v", err)
	}
	if err := ctx.GetStub().PutState(k, b); err != nil {
		return errf(CodeInternal, "write state: %v", err)
	}
	return nil
}

// indexMarker is the value of index entries; the key carries the data.
var indexMarker = []byte{0}

func putIndex(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) error {
	k, err := key(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(k, indexMarker); err != nil {
		return errf(CodeInternal, "write index: %v", err)
	}
	return nil
}

func delIndex(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) error {
	k, err := key(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().DelState(k); err != nil {
		return errf(CodeInternal, "delete index: %v", err)
	}
	return nil
}

// indexTails lists the last n attributes of every index entry under a
// partial key, in key order.
func indexTails(ctx contractapi.TransactionContextInterface, objectType string, prefix []string) ([][]string, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(objectType, prefix)
	if err != nil {
		return nil, errf(CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	var out [][]string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, errf(CodeInternal, "index query: %v", err)
		}
		_, attrs, err := ctx.GetStub().SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, errf(CodeInternal, "index key: %v", err)
		}
		out = append(out, attrs[len(prefix):])
	}
	return out, nil
}

// txTime is the transaction's timestamp, the only clock chaincode may use.
func txTime(ctx contractapi.TransactionContextInterface) (time.Time, error) {
	ts, err := ctx.GetStub().GetTxTimestamp()
	if err != nil {
		return time.Time{}, errf(CodeInternal, "transaction timestamp: %v", err)
	}
	return ts.AsTime().UTC(), nil
}

// Event is the payload of the single chaincode event each writing
// transaction sets: which entity, what happened to it.
type Event struct {
	Entity string `json:"entity"`
	ID     string `json:"id"`
	Action string `json:"action"`
	By     string `json:"by,omitempty"`
	Data   any    `json:"data,omitempty"`
}

func emit(ctx contractapi.TransactionContextInterface, name string, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return errf(CodeInternal, "encode event: %v", err)
	}
	if err := ctx.GetStub().SetEvent(name, b); err != nil {
		return errf(CodeInternal, "set event: %v", err)
	}
	return nil
}

// cleanText trims and bounds free text; control characters are refused.
func cleanText(field, s string, required bool, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", errf(CodeInvalidArgument, "%s is required", field)
		}
		return "", nil
	}
	n := 0
	for _, r := range s {
		n++
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return "", errf(CodeInvalidArgument, "%s contains a control or invalid character", field)
		}
	}
	if n > maxRunes {
		return "", errf(CodeInvalidArgument, "%s is longer than %d characters", field, maxRunes)
	}
	return s, nil
}
