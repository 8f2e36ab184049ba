package main

import (
	"flag"
	"slices"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantDir string
	}{
		{[]string{"alice", "--data-dir", "d1"}, []string{"alice"}, "d1"},
		{[]string{"--data-dir", "d2", "alice"}, []string{"alice"}, "d2"},
		{[]string{"alice"}, []string{"alice"}, "data"},
		{[]string{"a", "b", "--data-dir=d3"}, []string{"a", "b"}, "d3"},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		dir := fs.String("data-dir", "data", "")
		got, err := parseInterspersed(fs, tc.args)
		if err != nil || !slices.Equal(got, tc.wantPos) || *dir != tc.wantDir {
			t.Errorf("parseInterspersed(%q) = %q, dir %q, %v; want %q, %q", tc.args, got, *dir, err, tc.wantPos, tc.wantDir)
		}
	}
}
