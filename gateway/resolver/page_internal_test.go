package resolver

import (
	"testing"
	"time"
)

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		lang string
		want string
	}{
		{time.Hour, "en", "1 h"},
		{time.Hour, "zh", "1小时"},
		{65 * time.Minute, "en", "1 h 5 min"},
		{65 * time.Minute, "zh", "1小时5分钟"},
		{25 * time.Minute, "en", "25 min"},
		{40 * time.Second, "en", "40 s"},
		{0, "en", "0 s"},
		{2*time.Hour + 30*time.Second, "en", "2 h"},
	}
	for _, tc := range tests {
		if got := humanDuration(tc.d, tc.lang); got != tc.want {
			t.Errorf("humanDuration(%v, %s) = %q, want %q", tc.d, tc.lang, got, tc.want)
		}
	}
}
