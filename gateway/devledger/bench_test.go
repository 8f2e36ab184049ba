package devledger

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// The benchmarks of docs/performance.md. Each ratio is reported with its
// baseline measured in the same run, since the machine is shared and its
// speed varies from run to run: committed tx/s against raw fsynced bbolt
// commits/s, CPU per transaction against ECDSA sign+verify on one core.

func benchLedger(b *testing.B) (*Ledger, *identity.Identity) {
	b.Helper()
	l, err := Open(Config{Dir: b.TempDir(), Chaincode: probeChaincode(b), Orgs: []string{"Org1MSP"}, BatchMaxTx: 500, BatchTimeout: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	ca, _ := l.CA("Org1MSP")
	id, err := ca.Issue("bench", identity.RoleClient, nil)
	if err != nil {
		b.Fatal(err)
	}
	return l, id
}

// smallTx is the "small transaction" of the performance table: one key
// written and one chaincode event of about 250 bytes.
func smallTx(c, i int64) gateway.Request {
	return gateway.Request{Function: "Emit", Args: []string{fmt.Sprintf("k-%d-%d", c, i), `["` + eventName(i) + `"]`}}
}

func eventName(i int64) string {
	s := strconv.FormatInt(i, 10) + "-"
	return s + strings.Repeat("e", 220-len(s))
}

// fsyncCommitsPerSecond is the baseline: single-key bbolt transactions,
// each fsynced, one after another, with the ledger's bbolt options.
func fsyncCommitsPerSecond(b *testing.B, n int) float64 {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bolt.Options{NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	value := make([]byte, 300)
	start := time.Now()
	for i := range n {
		if err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return bk.Put(u64(uint64(i)), value)
		}); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// signVerifyMicros is the baseline for CPU per transaction: one ECDSA
// P-256 signature and its verification, on one core.
func signVerifyMicros(b *testing.B, id *identity.Identity, n int) float64 {
	b.Helper()
	msg := make([]byte, 1000)
	start := cpuTime()
	for range n {
		sig, err := id.Sign(msg)
		if err != nil {
			b.Fatal(err)
		}
		if err := identity.Verify(id.Cert, msg, sig); err != nil {
			b.Fatal(err)
		}
	}
	return float64(cpuTime()-start) / float64(time.Microsecond) / float64(n)
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// submitAll commits n small transactions from the given number of
// concurrent submitters.
func submitAll(b *testing.B, l *Ledger, id *identity.Identity, clients int, n int64) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > n {
					return
				}
				if _, err := l.Submit(context.Background(), id, smallTx(int64(c), i)); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkFsyncCommit is the raw baseline on its own: fsynced bbolt
// commits per second.
func BenchmarkFsyncCommit(b *testing.B) {
	b.ReportMetric(fsyncCommitsPerSecond(b, b.N), "commits/s")
}

// BenchmarkSignVerify is ECDSA P-256 sign+verify on one core.
func BenchmarkSignVerify(b *testing.B) {
	ca, err := identity.NewCA("Org1MSP")
	if err != nil {
		b.Fatal(err)
	}
	id, err := ca.Issue("bench", identity.RoleClient, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(signVerifyMicros(b, id, b.N), "cpu-µs/op")
}

// BenchmarkSubmit measures committed transactions per second for a small
// transaction at several numbers of concurrent submitters, with, from the
// same run, the fsynced bbolt commit rate and ECDSA sign+verify cost it is
// compared with; cpu-µs/tx is the process's CPU time per committed
// transaction, disk-B/tx the growth of the data file's used pages per
// transaction (see dbSize).
func BenchmarkSubmit(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			l, id := benchLedger(b)
			base := fsyncCommitsPerSecond(b, 2000)
			sv := signVerifyMicros(b, id, 2000)
			size0 := dbSize(b, l)
			h0, _ := l.Height(context.Background())
			runtime.GC()
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			submitAll(b, l, id, clients, int64(b.N))
			elapsed, cpu := time.Since(start), cpuTime()-cpu0
			b.StopTimer()
			txs := float64(b.N) / elapsed.Seconds()
			b.ReportMetric(txs, "tx/s")
			b.ReportMetric(base, "fsync-commits/s")
			b.ReportMetric(txs/base, "x-fsync")
			b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/tx")
			b.ReportMetric(sv, "signverify-µs")
			if h, err := l.Height(context.Background()); err == nil && h > h0 {
				b.ReportMetric(float64(b.N)/float64(h-h0), "tx/block")
			}
			b.ReportMetric(float64(dbSize(b, l)-size0)/float64(b.N), "disk-B/tx")
		})
	}
}

func fileSize(b *testing.B, l *Ledger) int64 {
	b.Helper()
	fi, err := os.Stat(filepath.Join(l.cfg.Dir, "ledger.db"))
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// dbSize is the data file up to its last page in use. bbolt grows the file
// itself ahead of need, in steps of up to 16 MB, so the file's size
// measures what is stored only to within a step.
func dbSize(b *testing.B, l *Ledger) int64 {
	b.Helper()
	var n int64
	if err := l.db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil }); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkDiskPerTx commits QC_BENCH_TXS (default 5,000) small
// transactions and reports what they occupy per transaction: the pages of
// the data file in use (db-B/tx), the file's growth (file-B/tx, in bbolt's
// steps) and the bytes of the keys and values stored (stored-B/tx).
func BenchmarkDiskPerTx(b *testing.B) {
	n := envInt(b, "QC_BENCH_TXS", 5000)
	for range b.N {
		l, id := benchLedger(b)
		size0, db0, stored0 := fileSize(b, l), dbSize(b, l), storedBytes(b, l)
		submitAll(b, l, id, 64, n)
		b.ReportMetric(float64(fileSize(b, l)-size0)/float64(n), "file-B/tx")
		b.ReportMetric(float64(dbSize(b, l)-db0)/float64(n), "db-B/tx")
		b.ReportMetric(float64(storedBytes(b, l)-stored0)/float64(n), "stored-B/tx")
		l.Close()
	}
}

// storedBytes sums the keys and values of every bucket.
func storedBytes(b *testing.B, l *Ledger) int64 {
	b.Helper()
	var total int64
	err := l.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, bk *bolt.Bucket) error {
			return bk.ForEach(func(k, v []byte) error {
				total += int64(len(k) + len(v))
				return nil
			})
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

func envInt(b *testing.B, name string, def int64) int64 {
	b.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// BenchmarkHeapAfterEvents commits QC_BENCH_EVENTS (default 20,000;
// 100,000 for the table) small transactions, reads every event back from
// block 0, and reports the live heap after a GC against the heap of the
// freshly opened ledger: what the ledger keeps in memory as it grows.
func BenchmarkHeapAfterEvents(b *testing.B) {
	n := envInt(b, "QC_BENCH_EVENTS", 20000)
	for range b.N {
		l, id := benchLedger(b)
		before := liveHeap()
		submitAll(b, l, id, 64, n)
		ctx, cancel := context.WithCancel(context.Background())
		evs, err := l.Events(ctx, 0)
		if err != nil {
			b.Fatal(err)
		}
		sum := sha256.New()
		for got := int64(0); got < n; got++ {
			e, ok := <-evs
			if !ok {
				b.Fatalf("event stream ended after %d of %d events", got, n)
			}
			sum.Write(e.Payload)
		}
		cancel()
		after := liveHeap()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(before)/(1<<20), "heap-MB-open")
		b.ReportMetric(float64(after)/(1<<20), "heap-MB")
		b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
		l.Close()
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkEvaluate measures queries per second against committed state.
func BenchmarkEvaluate(b *testing.B) {
	l, id := benchLedger(b)
	if _, err := l.Submit(context.Background(), id, gateway.Request{Function: "Put", Args: []string{"k", "value"}}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.Evaluate(context.Background(), id, gateway.Request{Function: "Get", Args: []string{"k"}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "eval/s")
}
