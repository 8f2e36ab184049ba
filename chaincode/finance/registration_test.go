package finance

import (
	"strings"
	"testing"
)

func TestCheckRegistrationNo(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"04362371000360816245", "04362371000360816245", true},
		{" 04362371000360816245\n", "04362371000360816245", true},
		{strings.Repeat("9", 16), strings.Repeat("9", 16), true},
		{strings.Repeat("9", 30), strings.Repeat("9", 30), true},
		{strings.Repeat("9", 15), "", false},
		{strings.Repeat("9", 31), "", false},
		{"", "", false},
		{"0436237100036081624X", "", false},
		{"0436-2371-0003-6081-6245", "", false},
		{"０４３６２３７１０００３６０８１６２４５", "", false},
	}
	for _, tc := range cases {
		got, err := checkRegistrationNo(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("rvCheckRegistrationNo(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
