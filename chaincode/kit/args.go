package kit

import (
	"encoding/json"
	"strings"

	"github.com/qingchain/qingchain/chaincode/api"
)

// DecodeArg parses a JSON argument strictly: unknown fields and trailing
// data are errors.
func DecodeArg(name, raw string, v any) error {
	if len(raw) > maxArgBytes {
		return Errf(api.CodeInvalidArgument, "%s is larger than %d bytes", name, maxArgBytes)
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Errf(api.CodeInvalidArgument, "%s is not valid JSON for this call: %v", name, err)
	}
	if dec.More() {
		return Errf(api.CodeInvalidArgument, "%s has trailing data", name)
	}
	return nil
}

const maxArgBytes = 256 << 10

func ToJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", Errf(api.CodeInternal, "encode result: %v", err)
	}
	return string(b), nil
}

// CleanText trims and bounds free text; control characters are refused.
func CleanText(field, s string, required bool, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", Errf(api.CodeInvalidArgument, "%s is required", field)
		}
		return "", nil
	}
	n := 0
	for _, r := range s {
		n++
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return "", Errf(api.CodeInvalidArgument, "%s contains a control or invalid character", field)
		}
	}
	if n > maxRunes {
		return "", Errf(api.CodeInvalidArgument, "%s is longer than %d characters", field, maxRunes)
	}
	return s, nil
}
