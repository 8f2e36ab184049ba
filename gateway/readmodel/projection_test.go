package readmodel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/postgres"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
)

// backend opens a new, empty store of one kind; a second call with the
// same name returns the same database.
type backend struct {
	name string
	open func(t testing.TB, name string) *sqlstore.Store
}

func backends() []backend {
	return []backend{
		{"sqlite", func(t testing.TB, name string) *sqlstore.Store {
			t.Helper()
			return openSQLite(t, filepath.Join(t.TempDir(), name+".db"))
		}},
		{"postgres", func(t testing.TB, name string) *sqlstore.Store {
			t.Helper()
			return openPostgres(t, readmodeltest.Postgres(t))
		}},
	}
}

func openSQLite(t testing.TB, path string) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t testing.TB, url string) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dump(t testing.TB, s readmodel.Store) map[string][]string {
	t.Helper()
	d, err := s.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func compareDumps(t testing.TB, got, want map[string][]string) {
	t.Helper()
	for table, w := range want {
		g := got[table]
		if slices.Equal(g, w) {
			continue
		}
		for i := range max(len(g), len(w)) {
			var gi, wi string
			if i < len(g) {
				gi = g[i]
			}
			if i < len(w) {
				wi = w[i]
			}
			if gi != wi {
				t.Errorf("%s: %d rows, want %d; first difference at %d:\n got  %.300s\n want %.300s", table, len(g), len(w), i, gi, wi)
				break
			}
		}
	}
}

// TestProjection projects the seeded demo zone on each store, checks the
// tables hold what the ledger holds, and that a rebuild from block 0 gives
// identical tables.
func TestProjection(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo zone")
	}
	z := readmodeltest.Seed(t)
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			live := b.open(t, "live")
			z.Project(t, live)
			first := dump(t, live)
			if n := len(first["rm_events"]); n < 100 {
				t.Fatalf("%d events projected; the demo makes more", n)
			}
			for _, k := range []string{readmodel.KindFinancing, readmodel.KindReceivable, readmodel.KindClaim, readmodel.KindReceipt, readmodel.KindShipment, readmodel.KindPolicy, readmodel.KindLot, readmodel.KindEnterprise} {
				refs, err := live.Refs(context.Background(), k)
				if err != nil {
					t.Fatal(err)
				}
				if len(refs) == 0 {
					t.Errorf("no %s rows projected", k)
				}
			}
			t.Run("rebuild", func(t *testing.T) {
				rebuilt := b.open(t, "rebuilt")
				z.Project(t, rebuilt)
				compareDumps(t, dump(t, rebuilt), first)
			})
			t.Run("rebuild in place", func(t *testing.T) {
				p := &readmodel.Projector{Store: live}
				if err := p.Rebuild(context.Background()); err != nil {
					t.Fatal(err)
				}
				z.Project(t, live)
				compareDumps(t, dump(t, live), first)
			})
			t.Run("sums", func(t *testing.T) { testSums(t, live) })
			t.Run("visibility", func(t *testing.T) { testVisibility(t, z, live) })
			t.Run("stats", func(t *testing.T) { testStats(t, z, live) })
			t.Run("lists", func(t *testing.T) { testLists(t, live) })
		})
	}
}

// crashEnv tells the test binary it is the child that projects and is
// killed: the zone's directory, the store, and after which event to die.
const (
	crashZoneEnv  = "QC_READMODEL_CRASH_ZONE"
	crashStoreEnv = "QC_READMODEL_CRASH_STORE"
	crashAtEnv    = "QC_READMODEL_CRASH_AT"
)

// TestCrashChild is the child process of TestCrash; it does nothing in a
// normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashZoneEnv)
	if dir == "" {
		t.Skip("the child of TestCrash")
	}
	at, _ := strconv.Atoi(os.Getenv(crashAtEnv))
	z := readmodeltest.Open(t, dir)
	var store *sqlstore.Store
	if u := os.Getenv(crashStoreEnv); filepath.IsAbs(u) {
		store = openSQLite(t, u)
	} else {
		store = openPostgres(t, u)
	}
	p := &readmodel.Projector{Ledger: z.Ledger, Store: store, Source: z.Source(), Log: slog.New(slog.DiscardHandler), Batch: 16,
		AfterEvent: func(e readmodel.Event) {
			// In the middle of a block, inside the database transaction.
			if e.Seq == int64(at) {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
			}
		}}
	p.Run(context.Background())
}

// TestCrash kills a projector (SIGKILL) in the middle of applying a block,
// at several points, restarts it, and checks that no row is there twice
// and none is missing: the tables equal a projection that never crashed.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo zone")
	}
	seeded := readmodeltest.Seed(t)
	dir, lastTx := seeded.Dir, seeded.Last
	seeded.Ledger.Close() // each subtest opens the ledger's files in turn
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			z := readmodeltest.Open(t, dir)
			z.Last = lastTx
			want := b.open(t, "clean")
			z.Project(t, want)
			wantDump := dump(t, want)
			var where string
			if b.name == "sqlite" {
				where = filepath.Join(t.TempDir(), "crashed.db")
				openSQLite(t, where).Close()
			} else {
				where = readmodeltest.Postgres(t)
			}
			z.Ledger.Close() // the child opens the ledger's files
			// Kill points: events in the middle of a block (index > 0).
			var mid []int
			for _, line := range wantDump["rm_events"] {
				var seq, block, idx int
				fmt.Sscanf(line, "%d|%d|%d|", &seq, &block, &idx)
				if idx > 0 {
					mid = append(mid, seq)
				}
			}
			if len(mid) < 6 {
				t.Fatalf("only %d events in the middle of a block; the burst should make more", len(mid))
			}
			var last int64
			for _, at := range []int{mid[0], mid[len(mid)/2], mid[len(mid)-2]} {
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), crashZoneEnv+"="+z.Dir, crashStoreEnv+"="+where, crashAtEnv+"="+strconv.Itoa(at))
				out, err := cmd.CombinedOutput()
				ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
				if err == nil || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("child was not killed at event %d: %v\n%s", at, err, out)
				}
				var s *sqlstore.Store
				if b.name == "sqlite" {
					s = openSQLite(t, where)
				} else {
					s = openPostgres(t, where)
				}
				cp, err := s.Checkpoint(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if cp.Seq >= int64(at) || cp.Seq < last {
					t.Errorf("killed at event %d, the checkpoint is at %d (before: %d): the transaction in progress must be lost whole", at, cp.Seq, last)
				}
				last = cp.Seq
				s.Close()
			}
			z2 := readmodeltest.Open(t, z.Dir)
			z2.Last = z.Last
			var s *sqlstore.Store
			if b.name == "sqlite" {
				s = openSQLite(t, where)
			} else {
				s = openPostgres(t, where)
			}
			z2.Project(t, s)
			compareDumps(t, dump(t, s), wantDump)
		})
	}
}

func docIDs(t testing.TB, kind string, items []json.RawMessage) []string {
	t.Helper()
	var out []string
	for _, it := range items {
		var d map[string]any
		if err := json.Unmarshal(it, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, idOf(kind, d))
	}
	slices.Sort(out)
	return out
}

func idOf(kind string, d map[string]any) string {
	switch kind {
	case readmodel.KindEnterprise:
		return fmt.Sprint(d["creditCode"])
	case readmodel.KindProduct:
		return fmt.Sprint(d["gtin"])
	case readmodel.KindLot:
		return fmt.Sprint(d["gtin"], "/", d["lot"])
	case readmodel.KindDeclaration:
		return fmt.Sprint(d["number"])
	}
	return fmt.Sprint(d["id"])
}

// testSums checks the invariant of the kept sums: they equal the figures
// summed afresh, for the zone and for every party.
func testSums(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	fresh := "SELECT '' AS party, kind, name, dim1, dim2, month, currency, SUM(amount), COUNT(*) FROM rm_figures GROUP BY kind, name, dim1, dim2, month, currency" +
		" UNION ALL SELECT v.party, f.kind, f.name, f.dim1, f.dim2, f.month, f.currency, SUM(f.amount), COUNT(*) FROM rm_figures f JOIN rm_viewers v ON v.kind = f.kind AND v.id = f.id" +
		" GROUP BY v.party, f.kind, f.name, f.dim1, f.dim2, f.month, f.currency ORDER BY 1, 2, 3, 4, 5, 6, 7"
	rows, err := s.DB().Query(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want []string
	for rows.Next() {
		var v [9]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]); err != nil {
			t.Fatal(err)
		}
		want = append(want, strings.Join(v[:], "|"))
	}
	got := dump(t, s)["rm_sums"]
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("kept sums (%d rows) differ from the figures summed afresh (%d rows)", len(got), len(want))
	}
}
