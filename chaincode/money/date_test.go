package money

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2026-01-01", "2024-02-29", "2000-02-29", "1900-01-01", "2999-12-31", "2026-12-31", "2026-04-30"} {
		d, err := ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
			continue
		}
		if got := d.String(); got != s {
			t.Errorf("ParseDate(%q).String() = %q", s, got)
		}
	}
	d := date(t, "2024-02-29")
	if got, want := [3]int{d.Year(), d.Month(), d.Day()}, [3]int{2024, 2, 29}; got != want {
		t.Errorf("parts = %v, want %v", got, want)
	}

	tests := []struct{ in, wantMsg string }{
		{"", "want YYYY-MM-DD"},
		{"2026-1-1", "want YYYY-MM-DD"},
		{"2026/01/01", "want YYYY-MM-DD"},
		{"20260101", "want YYYY-MM-DD"},
		{"2026-01-01T00:00:00Z", "want YYYY-MM-DD"},
		{" 2026-01-01", "want YYYY-MM-DD"},
		{"2026-0a-01", "digits only"},
		{"+026-01-01", "digits only"},
		{"2026--1-01", "digits only"},
		{"2025-02-29", "February 2025 has 28 days, not 29"},
		{"1900-02-29", "February 1900 has 28 days"}, // divisible by 100, not 400
		{"2026-04-31", "April 2026 has 30 days, not 31"},
		{"2026-01-00", "January 2026 has 31 days, not 0"},
		{"2026-13-01", "month 13 is outside 1-12"},
		{"2026-00-10", "month 0 is outside 1-12"},
		{"1899-12-31", "year 1899 is outside 1900-2999"},
		{"3000-01-01", "year 3000 is outside"},
		{"0000-00-00", "year 0 is outside"},
		{"２026-01-1", "want YYYY-MM-DD"},
	}
	for _, tt := range tests {
		_, err := ParseDate(tt.in)
		if !errors.Is(err, ErrBadDate) || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("ParseDate(%q) error = %v, want ErrBadDate containing %q", tt.in, err, tt.wantMsg)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from, to string
		days     int
	}{
		{"2026-01-01", "2026-01-01", 0},
		{"2026-01-31", "2026-02-01", 1},
		{"2024-02-28", "2024-03-01", 2}, // leap day in between
		{"2025-02-28", "2025-03-01", 1},
		{"2000-02-28", "2000-03-01", 2}, // 2000 is a leap year (divisible by 400)
		{"2100-02-28", "2100-03-01", 1}, // 2100 is not
		{"2024-01-01", "2025-01-01", 366},
		{"2025-01-01", "2026-01-01", 365},
		{"2025-12-31", "2026-01-01", 1},
		{"2026-03-01", "2026-02-01", -28},
		{"1900-01-01", "2999-12-31", 401766},
	}
	for _, tt := range tests {
		from, to := date(t, tt.from), date(t, tt.to)
		if got := from.DaysUntil(to); got != tt.days {
			t.Errorf("%s.DaysUntil(%s) = %d, want %d", tt.from, tt.to, got, tt.days)
		}
		if got := to.DaysUntil(from); got != -tt.days {
			t.Errorf("%s.DaysUntil(%s) = %d, want %d", tt.to, tt.from, got, -tt.days)
		}
		if got := from.AddDays(tt.days); got != to {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.from, tt.days, got, tt.to)
		}
		wantCmp := 0
		if tt.days > 0 {
			wantCmp = -1
		} else if tt.days < 0 {
			wantCmp = 1
		}
		if got := from.Compare(to); got != wantCmp {
			t.Errorf("%s.Compare(%s) = %d, want %d", tt.from, tt.to, got, wantCmp)
		}
		if from.Before(to) != (wantCmp < 0) || from.After(to) != (wantCmp > 0) || from.Equal(to) != (wantCmp == 0) {
			t.Errorf("Before/After/Equal disagree with Compare for %s, %s", tt.from, tt.to)
		}
	}
}

// ordinal counts days from 1900-01-01 by adding up years and months, an
// independent check on DaysUntil, which goes through package time.
func ordinal(d Date) int {
	n := 0
	for y := MinYear; y < d.Year(); y++ {
		n += 365
		if daysIn(y, 2) == 29 {
			n++
		}
	}
	for m := 1; m < d.Month(); m++ {
		n += daysIn(d.Year(), m)
	}
	return n + d.Day() - 1
}

func TestDateProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 49))
	base := date(t, "1900-01-01")
	for n := 0; n < 3000; n++ {
		a := base.AddDays(r.IntN(401767))
		b := base.AddDays(r.IntN(401767))
		if got, want := a.DaysUntil(b), ordinal(b)-ordinal(a); got != want {
			t.Fatalf("%s.DaysUntil(%s) = %d, want %d", a, b, got, want)
		}
		if back, err := ParseDate(a.String()); err != nil || back != a {
			t.Fatalf("ParseDate(%q) = %v, %v", a, back, err)
		}
		if (a.Compare(b) < 0) != (a.String() < b.String()) {
			t.Fatalf("Compare(%s, %s) disagrees with string order", a, b)
		}
	}
}

func TestDateZeroAndText(t *testing.T) {
	var z Date
	if !z.IsZero() || z.String() != "" || date(t, "2026-01-01").IsZero() {
		t.Error("zero Date handling")
	}

	type doc struct {
		Due  Date `json:"due"`
		Paid Date `json:"paid"`
	}
	in := doc{Due: date(t, "2026-06-30")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"due":"2026-06-30","paid":""}`; got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("json round trip = %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &out); !errors.Is(err, ErrBadDate) {
		t.Errorf("bad date in JSON: %v", err)
	}
}

func TestDateOf(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	// 2026-01-31 17:30 UTC is already 1 February in Beijing.
	ts := time.Date(2026, 1, 31, 17, 30, 0, 0, time.UTC)
	if got, want := DateOf(ts), date(t, "2026-01-31"); got != want {
		t.Errorf("DateOf(UTC) = %s, want %s", got, want)
	}
	if got, want := DateOf(ts.In(cst)), date(t, "2026-02-01"); got != want {
		t.Errorf("DateOf(CST) = %s, want %s", got, want)
	}
}

func TestNewDate(t *testing.T) {
	d, err := NewDate(2024, 2, 29)
	if err != nil || d != date(t, "2024-02-29") {
		t.Errorf("NewDate(2024, 2, 29) = %s, %v", d, err)
	}
	if _, err := NewDate(2023, 2, 29); !errors.Is(err, ErrBadDate) {
		t.Errorf("NewDate(2023, 2, 29) error = %v", err)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-01-01", "2024-02-29", "2025-02-29", "1900-01-01", "2999-12-31",
		"3000-01-01", "2026-13-01", "2026-1-01", "", "2026-01-01T00:00:00Z", "+026-01-01", "9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrBadDate) || !d.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, %v", s, d, err)
			}
			return
		}
		// Only the canonical spelling parses, to a real date in range.
		if d.String() != s || d.Year() < MinYear || d.Year() > MaxYear {
			t.Fatalf("ParseDate(%q) = %s", s, d)
		}
		tm := time.Date(d.Year(), time.Month(d.Month()), d.Day(), 0, 0, 0, 0, time.UTC)
		if tm.Format(time.DateOnly) != s {
			t.Fatalf("ParseDate(%q) accepted a date time normalises to %s", s, tm.Format(time.DateOnly))
		}
		next := d.AddDays(1)
		if d.DaysUntil(next) != 1 || !d.Before(next) || next.AddDays(-1) != d {
			t.Fatalf("day after %s is %s", d, next)
		}
	})
}
