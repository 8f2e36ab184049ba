package finance

import (
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/shopspring/decimal"
)

// FuzzCheckHaircuts: haircuts are fractions from 0 to 1 or refused with
// INVALID_ARGUMENT; missing ones take the defaults.
func FuzzCheckHaircuts(f *testing.F) {
	for _, s := range [][2]string{{"0.5", "0.2"}, {"", ""}, {"1", "0"}, {"1.01", "-0.1"}, {"1e3", "abc"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, recall, excursion string) {
		h, err := checkHaircuts(&api.Haircuts{Recall: recall, Excursion: excursion})
		if err != nil {
			if !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") {
				t.Fatalf("refusal %v is not INVALID_ARGUMENT", err)
			}
			return
		}
		for _, v := range []string{h.Recall, h.Excursion} {
			d, err := checkFraction(v)
			if err != nil || d {
				t.Fatalf("accepted haircut %q outside 0..1 (%+v)", v, h)
			}
		}
	})
}

// checkFraction parses an accepted haircut and reports whether it lies
// outside 0..1.
func checkFraction(s string) (bool, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return true, err
	}
	return d.IsNegative() || d.GreaterThan(decimal.NewFromInt(1)), nil
}
