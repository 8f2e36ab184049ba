package scans

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

const item = "01/06901234567892/10/L1/21/S1"

func open(t *testing.T, dir string, p Policy) *Counter {
	t.Helper()
	c, err := OpenWith(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCountsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	c := open(t, dir, Policy{})
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		got, counted, err := c.Scan(item, Visit{Device: fmt.Sprint("d", i), Coarse: fmt.Sprint("c", i), Place: "p", At: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil || !counted || got.Count != int64(i+1) || !got.First.Equal(t0) {
			t.Fatalf("scan %d = %+v counted %v err %v", i, got, counted, err)
		}
	}
	c.Close()
	c = open(t, dir, Policy{})
	defer c.Close()
	got, _ := c.Get(item)
	if got.Count != 3 || got.Devices != 3 || got.Places != 1 || !got.First.Equal(t0) || !got.Last.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("after reopen %+v", got)
	}
	if _, counted, _ := c.Scan(item, Visit{Device: "d1", Place: "p", At: t0.Add(time.Hour)}); counted {
		t.Error("a device seen before the reopen, within the window, counted again")
	}
	if got, _ := c.Get("other"); got.Count != 0 {
		t.Errorf("unscanned key has %d", got.Count)
	}
}

func TestVerdicts(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name                string
		visits              func(yield func(Visit))
		wantCount           int64
		wantDevices         int
		wantPlaces          int
		wantSuspicious      bool
		wantLastVisitCounts bool
	}{
		{"100 reloads from one device", func(y func(Visit)) {
			for i := range 100 {
				y(Visit{Device: "phone", Place: "home", At: t0.Add(time.Duration(i) * time.Second)})
			}
		}, 1, 1, 1, false, false},
		{"a browser refusing cookies reloads 100 times", func(y func(Visit)) {
			for i := range 100 {
				y(Visit{Device: fmt.Sprint("new-cookie-", i), Fresh: true, Coarse: "net|Safari", Place: "home", At: t0.Add(time.Duration(i) * time.Second)})
			}
		}, 1, 1, 1, false, false},
		{"first visit without the cookie, then with it", func(y func(Visit)) {
			y(Visit{Device: "c1", Fresh: true, Coarse: "net|Safari", Place: "home", At: t0})
			y(Visit{Device: "c1", Coarse: "net|Safari", Place: "home", At: t0.Add(time.Minute)})
			y(Visit{Device: "c1", Coarse: "net|Safari", Place: "home", At: t0.Add(2 * time.Minute)})
		}, 1, 1, 1, false, false},
		{"two phones alike on one network, each with its cookie", func(y func(Visit)) {
			y(Visit{Device: "c1", Coarse: "net|Safari", Place: "home", At: t0})
			y(Visit{Device: "c2", Coarse: "net|Safari", Place: "home", At: t0.Add(time.Minute)})
		}, 2, 2, 1, false, true},
		{"the same device next day counts again", func(y func(Visit)) {
			y(Visit{Device: "phone", Place: "home", At: t0})
			y(Visit{Device: "phone", Place: "shop", At: t0.Add(13 * time.Hour)})
		}, 2, 1, 2, false, true},
		{"a family: four devices at home", func(y func(Visit)) {
			for i := range 4 {
				y(Visit{Device: fmt.Sprint("phone", i), Place: "home", At: t0.Add(time.Duration(i) * time.Minute)})
			}
		}, 4, 4, 1, false, true},
		{"40 devices", func(y func(Visit)) {
			for i := range 40 {
				y(Visit{Device: fmt.Sprint("phone", i), Place: fmt.Sprint("net", i%3), At: t0.Add(time.Duration(i) * time.Minute)})
			}
		}, 40, 40, 3, true, true},
		{"one device from many places within the window", func(y func(Visit)) {
			for i := range 10 {
				y(Visit{Device: "phone", Place: fmt.Sprint("net", i), At: t0.Add(time.Duration(i) * time.Minute)})
			}
		}, 1, 1, 1, false, false},
		{"few devices from many places", func(y func(Visit)) {
			for i := range 8 {
				y(Visit{Device: fmt.Sprint("phone", i), Place: fmt.Sprint("city", i), At: t0.Add(time.Duration(i) * time.Minute)})
			}
		}, 8, 8, 8, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, t.TempDir(), Policy{})
			defer c.Close()
			var got Count
			var counted bool
			tc.visits(func(v Visit) {
				var err error
				if got, counted, err = c.Scan(item, v); err != nil {
					t.Fatal(err)
				}
			})
			if got.Count != tc.wantCount || got.Devices != tc.wantDevices || got.Places != tc.wantPlaces || got.Suspicious != tc.wantSuspicious || counted != tc.wantLastVisitCounts {
				t.Errorf("got %+v (last counted %v), want count %d devices %d places %d suspicious %v (last counted %v)",
					got, counted, tc.wantCount, tc.wantDevices, tc.wantPlaces, tc.wantSuspicious, tc.wantLastVisitCounts)
			}
		})
	}
}

func TestPolicyThresholds(t *testing.T) {
	c := open(t, t.TempDir(), Policy{AlertDevices: 3, AlertPlaces: 100, Window: time.Minute})
	defer c.Close()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var got Count
	for i := range 3 {
		got, _, _ = c.Scan(item, Visit{Device: fmt.Sprint("d", i), At: t0})
		if want := i == 2; got.Suspicious != want {
			t.Errorf("after %d devices suspicious %v, want %v", i+1, got.Suspicious, want)
		}
	}
	if got, counted, _ := c.Scan(item, Visit{Device: "d0", At: t0.Add(2 * time.Minute)}); !counted || got.Count != 4 || got.Devices != 3 {
		t.Errorf("after the one-minute window: %+v counted %v", got, counted)
	}
}

func TestReports(t *testing.T) {
	c := open(t, t.TempDir(), Policy{})
	defer c.Close()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	add := func(dev, producer string, at time.Time) (Report, error) {
		t.Helper()
		return c.AddReport(Report{Kind: ReportSuspicious, GTIN: "06901234567892", Lot: "L1", Producer: producer, Message: "seal broken", Device: dev, At: at})
	}
	for i := range ReportsPerDevicePerDay {
		r, err := add("phone", "P1", t0.Add(time.Duration(i)*time.Minute))
		if err != nil || r.ID != fmt.Sprintf("R-%06d", i+1) || r.Device != "" {
			t.Fatalf("report %d: %+v %v", i, r, err)
		}
	}
	if _, err := add("phone", "P1", t0.Add(time.Hour)); !errors.Is(err, ErrTooManyReports) {
		t.Errorf("sixth report of the day: %v, want ErrTooManyReports", err)
	}
	if _, err := add("phone", "P1", t0.Add(25*time.Hour)); err != nil {
		t.Errorf("next day: %v", err)
	}
	if _, err := add("other", "P2", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f       ReportFilter
		want    int
		firstID string
	}{
		{ReportFilter{}, 7, "R-000007"},
		{ReportFilter{Producer: "P1"}, 6, "R-000006"},
		{ReportFilter{Producer: "P2"}, 1, "R-000007"},
		{ReportFilter{Producer: "P3"}, 0, ""},
		{ReportFilter{Limit: 2}, 2, "R-000007"},
	} {
		got, err := c.ListReports(tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want || (tc.want > 0 && got[0].ID != tc.firstID) {
			t.Errorf("ListReports(%+v) = %d reports, want %d starting with %s", tc.f, len(got), tc.want, tc.firstID)
		}
		for _, r := range got {
			if r.Device != "" {
				t.Error("a listed report shows its device hash")
			}
		}
	}
}
