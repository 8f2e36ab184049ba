package contracts

import (
	"encoding/json"
	"strings"

	"github.com/qingchain/qingchain/chaincode/api"
)

// decodeArg parses a JSON argument strictly: unknown fields and trailing
// data are errors.
func decodeArg(name, raw string, v any) error {
	if len(raw) > maxArgBytes {
		return errf(api.CodeInvalidArgument, "%s is larger than %d bytes", name, maxArgBytes)
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errf(api.CodeInvalidArgument, "%s is not valid JSON for this call: %v", name, err)
	}
	if dec.More() {
		return errf(api.CodeInvalidArgument, "%s has trailing data", name)
	}
	return nil
}

const maxArgBytes = 256 << 10

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", errf(api.CodeInternal, "encode result: %v", err)
	}
	return string(b), nil
}

// cleanText trims and bounds free text; control characters are refused.
func cleanText(field, s string, required bool, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", errf(api.CodeInvalidArgument, "%s is required", field)
		}
		return "", nil
	}
	n := 0
	for _, r := range s {
		n++
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return "", errf(api.CodeInvalidArgument, "%s contains a control or invalid character", field)
		}
	}
	if n > maxRunes {
		return "", errf(api.CodeInvalidArgument, "%s is longer than %d characters", field, maxRunes)
	}
	return s, nil
}
