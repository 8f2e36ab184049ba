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

func TestAcceptsGzipAndETags(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{{"gzip", true}, {"gzip, deflate, br", true}, {"br;q=1.0, gzip;q=0.5", true}, {"gzip;q=0", false}, {"gzip;q=bad", false}, {"identity", false}, {"", false}, {"x-gzip", true}} {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
	for _, tc := range []struct {
		header string
		want   bool
	}{{`W/"abc"`, true}, {`"abc"`, true}, {`"x", W/"abc"`, true}, {`*`, true}, {`W/"abd"`, false}, {``, false}} {
		if got := etagMatches(tc.header, `W/"abc"`); got != tc.want {
			t.Errorf("etagMatches(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func FuzzHeaderParsers(f *testing.F) {
	for _, s := range []string{"gzip;q=0.5", `W/"a", "b"`, "gs1:pip", "https://gs1.org/voc/recallStatus", "all", ";;,,q=", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		acceptsGzip(s)
		etagMatches(s, `W/"x"`)
		if name, ok := linkTypeOf(s); ok && name == "" {
			t.Errorf("linkTypeOf(%q) accepted an empty link type", s)
		}
		invalidPart("/01/"+s, nil)
	})
}
