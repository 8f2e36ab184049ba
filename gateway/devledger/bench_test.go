package devledger

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

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

// BenchmarkSubmit measures committed transactions per second for a small
// write (one key, a few bytes) at several numbers of concurrent submitters.
func BenchmarkSubmit(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			l, id := benchLedger(b)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						_, err := l.Submit(context.Background(), id, gateway.Request{Function: "Put", Args: []string{fmt.Sprintf("k-%d-%d", c, i), "value"}})
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tx/s")
			if h, err := l.Height(context.Background()); err == nil && h > 1 {
				b.ReportMetric(float64(b.N)/float64(h-1), "tx/block")
			}
		})
	}
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
