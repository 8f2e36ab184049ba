package scans

import (
	"testing"
	"time"
)

func TestCountsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		got, _ := c.Scan("01/06901234567892/10/L1/21/S1", t0.Add(time.Duration(i)*time.Minute))
		if got.Count != int64(i+1) || !got.First.Equal(t0) {
			t.Fatalf("scan %d = %+v", i, got)
		}
	}
	c.Close()
	c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, _ := c.Get("01/06901234567892/10/L1/21/S1")
	if got.Count != 3 || !got.First.Equal(t0) || !got.Last.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("after reopen %+v", got)
	}
	if got, _ := c.Get("other"); got.Count != 0 {
		t.Errorf("unscanned key has %d", got.Count)
	}
}
