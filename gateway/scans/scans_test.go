package scans_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/postgres"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
	. "github.com/qingchain/qingchain/gateway/scans"
)

var it = Item{Key: "01/06901234567892/10/L1/21/S1", GTIN: "06901234567892"}

// stores are the read model's stores the records live in: the embedded
// one always, PostgreSQL where one can be started (else skipped).
func stores() []struct {
	name string
	open func(t *testing.T) *sqlstore.Store
} {
	return []struct {
		name string
		open func(t *testing.T) *sqlstore.Store
	}{
		{"sqlite", func(t *testing.T) *sqlstore.Store {
			t.Helper()
			return openSQLite(t, filepath.Join(t.TempDir(), "rm.db"))
		}},
		{"postgres", func(t *testing.T) *sqlstore.Store {
			t.Helper()
			s, err := postgres.Open(context.Background(), readmodeltest.Postgres(t), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
}

func openSQLite(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// each runs f on every store.
func each(t *testing.T, f func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	for _, st := range stores() {
		t.Run(st.name, func(t *testing.T) { f(t, st.open(t)) })
	}
}

func TestCountsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rm.db")
	c := New(openSQLite(t, path), Policy{})
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		got, counted, err := c.Scan(ctx, it, Visit{Device: fmt.Sprint("d", i), Coarse: fmt.Sprint("c", i), Place: "p", At: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil || !counted || got.Count != int64(i+1) || !got.First.Equal(t0) {
			t.Fatalf("scan %d = %+v counted %v err %v", i, got, counted, err)
		}
	}
	c = New(openSQLite(t, path), Policy{}) // a second handle: another gateway, or a restart
	got, _ := c.Get(ctx, it.Key)
	if got.Count != 3 || got.Devices != 3 || got.Places != 1 || !got.First.Equal(t0) || !got.Last.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("after reopen %+v", got)
	}
	if _, counted, _ := c.Scan(ctx, it, Visit{Device: "d1", Place: "p", At: t0.Add(time.Hour)}); counted {
		t.Error("a device seen before the reopen, within the window, counted again")
	}
	if got, _ := c.Get(ctx, "other"); got.Count != 0 {
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
			c := New(openSQLite(t, filepath.Join(t.TempDir(), "rm.db")), Policy{})
			var got Count
			var counted bool
			tc.visits(func(v Visit) {
				var err error
				if got, counted, err = c.Scan(context.Background(), it, v); err != nil {
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
	c := New(openSQLite(t, filepath.Join(t.TempDir(), "rm.db")), Policy{AlertDevices: 3, AlertPlaces: 100, Window: time.Minute})
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var got Count
	for i := range 3 {
		got, _, _ = c.Scan(ctx, it, Visit{Device: fmt.Sprint("d", i), At: t0})
		if want := i == 2; got.Suspicious != want {
			t.Errorf("after %d devices suspicious %v, want %v", i+1, got.Suspicious, want)
		}
	}
	if got, counted, _ := c.Scan(ctx, it, Visit{Device: "d0", At: t0.Add(2 * time.Minute)}); !counted || got.Count != 4 || got.Devices != 3 {
		t.Errorf("after the one-minute window: %+v counted %v", got, counted)
	}
}

func TestReports(t *testing.T) { each(t, testReports) }

func testReports(t *testing.T, c *sqlstore.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	add := func(dev, producer string, at time.Time) (Report, error) {
		t.Helper()
		return c.AddReport(ctx, Report{Kind: ReportSuspicious, GTIN: "06901234567892", Lot: "L1", Producer: producer, Message: "seal broken", Device: dev, At: at})
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
		got, err := c.ListReports(ctx, tc.f)
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

// TestTwoGatewaysShareScans: scans of one item arriving at once through
// two handles on one database (two gateways) are each applied once: 40
// devices make 40 scans, and each device again within the window none.
func TestTwoGatewaysShareScans(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		gateways := []*Counter{New(s, Policy{}), New(s, Policy{})}
		t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		const devices = 40
		var wg sync.WaitGroup
		counted := make(chan bool, 2*devices)
		for round := range 2 {
			for i := range devices {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, ok, err := gateways[(i+round)%2].Scan(ctx, it, Visit{Device: fmt.Sprint("phone", i), Place: fmt.Sprint("net", i%4), At: t0.Add(time.Duration(round) * time.Minute)})
					if err != nil {
						t.Error(err)
					}
					counted <- ok
				}()
			}
		}
		wg.Wait()
		close(counted)
		n := 0
		for ok := range counted {
			if ok {
				n++
			}
		}
		got, err := gateways[1].Get(ctx, it.Key)
		if err != nil {
			t.Fatal(err)
		}
		if n != devices || got.Count != devices || got.Devices != devices || got.Places != 4 || !got.Suspicious {
			t.Errorf("counted %d of %d visits, record %+v; want %d scans on %d devices from 4 places, suspicious", n, 2*devices, got, devices, devices)
		}
	})
}

// TestReportAllowanceShared: a device filing at once through two gateways
// gets its daily allowance, not twice it.
func TestReportAllowanceShared(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		var mu sync.Mutex
		filed, refused := 0, 0
		for i := range 3 * ReportsPerDevicePerDay {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.AddReport(ctx, Report{Kind: ReportComplaint, GTIN: it.GTIN, Producer: "P1", Message: "m", Device: "phone", At: at.Add(time.Duration(i) * time.Second)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					filed++
				case errors.Is(err, ErrTooManyReports):
					refused++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if filed != ReportsPerDevicePerDay || refused != 2*ReportsPerDevicePerDay {
			t.Errorf("filed %d, refused %d; want %d and %d", filed, refused, ReportsPerDevicePerDay, 2*ReportsPerDevicePerDay)
		}
	})
}

// TestScansByProduct: the statistic of scans by product equals the items'
// records summed afresh, and counts no reload.
func TestScansByProduct(t *testing.T) {
	each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		c := New(s, Policy{})
		t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		gtins := []string{"06901234567892", "06901234500028", "06901234500127"}
		var items []Item
		for g, gtin := range gtins {
			for serial := range g + 2 {
				items = append(items, Item{Key: fmt.Sprintf("01/%s/10/L1/21/S%d", gtin, serial), GTIN: gtin})
			}
		}
		for i, item := range items {
			for d := range i%3 + 1 {
				for range 2 { // a reload: not a second scan
					if _, _, err := c.Scan(ctx, item, Visit{Device: fmt.Sprint("phone", d), At: t0.Add(time.Duration(d) * time.Second)}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		want := map[string]int64{}
		for _, item := range items {
			n, err := c.Get(ctx, item.Key)
			if err != nil {
				t.Fatal(err)
			}
			want[item.GTIN] += n.Count
		}
		rows, err := s.Stats(ctx, readmodel.Viewer{}, readmodel.StatsQuery{Figure: readmodel.FigureScans, ByDim1: true, Events: true})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range rows {
			got[r.Dim1] = r.Count
		}
		if len(got) != len(gtins) || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("scans by product %v, want %v (the items' records summed)", got, want)
		}
		// Product 0: 2 items with 1 and 2 devices.
		if got[gtins[0]] != 3 {
			t.Errorf("product %s: %d scans, want 3", gtins[0], got[gtins[0]])
		}
	})
}
