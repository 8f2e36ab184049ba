package kit

import (
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

func TestChecks(t *testing.T) {
	tests := []struct {
		name string
		f    func() (string, error)
		want string // normalised value, or "ERR"
	}{
		{"quantity", func() (string, error) { return CheckQuantity("q", "10.500") }, "10.5"},
		{"quantity zero", func() (string, error) { return CheckQuantity("q", "0.000") }, "ERR"},
		{"quantity leading zero", func() (string, error) { return CheckQuantity("q", "010") }, "ERR"},
		{"quantity point only", func() (string, error) { return CheckQuantity("q", "1.") }, "ERR"},
		{"quantity sign", func() (string, error) { return CheckQuantity("q", "+1") }, "ERR"},
		{"quantity 7 decimals", func() (string, error) { return CheckQuantity("q", "1.0000001") }, "ERR"},
		{"negative bounded", func() (string, error) { return CheckBounded("t", "-18.50", -100, 100, 2) }, "-18.5"},
		{"minus zero", func() (string, error) { return CheckBounded("t", "-0", -100, 100, 2) }, "0"},
		{"bounded above", func() (string, error) { return CheckBounded("t", "90.0000001", -90, 90, 7) }, "ERR"},
		{"double minus", func() (string, error) { return CheckBounded("t", "--1", -90, 90, 7) }, "ERR"},
		{"SSCC", func() (string, error) { return CheckSSCC("s", "106141411234567897") }, "106141411234567897"},
		{"SSCC check digit", func() (string, error) { return CheckSSCC("s", "106141411234567898") }, "ERR"},
		{"SSCC 17 digits", func() (string, error) { return CheckSSCC("s", "10614141123456789") }, "ERR"},
		{"country", func() (string, error) { return CheckCountry("c", "HK") }, "HK"},
		{"country across codes", func() (string, error) { return CheckCountry("c", "DA") }, "ERR"},
		{"URI urn", func() (string, error) { return CheckURI("u", "urn:epc:id:sgln:6901234.00001.0") }, "urn:epc:id:sgln:6901234.00001.0"},
		{"URI geo", func() (string, error) { return CheckURI("u", "geo:24.1,113.4") }, "geo:24.1,113.4"},
		{"URI relative", func() (string, error) { return CheckURI("u", "/warehouse/1") }, "ERR"},
		{"URI with space", func() (string, error) { return CheckURI("u", "urn:a b") }, "ERR"},
		{"URI non-ASCII", func() (string, error) { return CheckURI("u", "urn:仓库") }, "ERR"},
		{"sha256 upper", func() (string, error) { return CheckSHA256("h", strings.Repeat("AB", 32)) }, strings.Repeat("ab", 32)},
		{"time Z", func() (string, error) { _, off, err := CheckTime("t", "2026-03-01T08:00:00Z"); return off, err }, "+00:00"},
		{"time offset", func() (string, error) {
			_, off, err := CheckTime("t", "2026-03-01T08:00:00.5-05:30")
			return off, err
		}, "-05:30"},
		{"time no offset", func() (string, error) { _, off, err := CheckTime("t", "2026-03-01T08:00:00"); return off, err }, "ERR"},
		{"time space", func() (string, error) { _, off, err := CheckTime("t", "2026-03-01 08:00:00Z"); return off, err }, "ERR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f()
			if err != nil {
				if tc.want != "ERR" {
					t.Errorf("error %v, want %q", err, tc.want)
				} else if !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") {
					t.Errorf("error %v is not INVALID_ARGUMENT", err)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
