package contracttest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/gateway/identity"
)

// trParallel submits the calls with a few concurrent clients (so that
// devledger batches them into blocks) and fails on the first error.
func trParallel(b *testing.B, w *trWorld, id *identity.Identity, calls [][]string) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(calls))
	next := make(chan []string)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				if _, err := w.Submit(id, api.Tx(c[0]), c[1:]...); err != nil {
					errs <- fmt.Errorf("%s: %w", c[0], err)
				}
			}
		}()
	}
	for _, c := range calls {
		next <- c
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkLineage measures Lineage up from the final lot of a graph of
// four transformation levels with fan-in 50: 50 raw lots; three levels of
// 50 lots, each made from all 50 lots of the level below; one final lot
// made from the 50 lots of the last level. The walk meets 200 distinct lots
// over 7,550 lineage edges (a walk that did not visit each lot once would
// follow 50^4 paths).
func BenchmarkLineage(b *testing.B) {
	const fanIn, levels = 50, 4
	w := trSetup(b)
	proc := w.by["processor"]
	gtins := make([]string, levels+1)
	for i := range gtins {
		gtins[i] = w.product(proc, map[string]any{"nameZh": fmt.Sprintf("level %d", i), "category": "bench"})
	}
	lotName := func(level, i int) string { return fmt.Sprintf("LV%d-%02d", level, i) }
	width := func(level int) int {
		if level == levels {
			return 1
		}
		return fanIn
	}
	var commission [][]string
	for level := 0; level <= levels; level++ {
		for i := range width(level) {
			commission = append(commission, []string{string(api.TxCommissionLot), trJSON(trLotInput(gtins[level], lotName(level, i), "1000", "kg"))})
		}
	}
	trParallel(b, w, proc.Identity, commission)
	for level := 1; level <= levels; level++ {
		inputs := make([]trObj, fanIn)
		for i := range inputs {
			inputs[i] = trLotQty(gtins[level-1], lotName(level-1, i), "1", "kg")
		}
		var xforms [][]string
		for i := range width(level) {
			ev := trObj{"type": "TransformationEvent", "bizStep": "processing", "eventTime": w.eventTime(),
				"inputs": inputs, "outputs": []trObj{trLotRef(gtins[level], lotName(level, i))}}
			xforms = append(xforms, []string{string(api.TxRecordEvent), trJSON(ev)})
		}
		// One after the other: each transformation counts what it consumed
		// on the same input lots, so concurrent ones conflict (MVCC).
		floodSubmit(b, w, proc.Identity, xforms)
	}
	final := lotName(levels, 0)

	out, err := w.Evaluate(w.unbound, api.TxLineage, gtins[levels], final, "up", "10")
	if err != nil {
		b.Fatal(err)
	}
	var res api.LineageResult
	if err := json.Unmarshal(out, &res); err != nil {
		b.Fatal(err)
	}
	if got, want := len(res.Lots), levels*fanIn; got != want || res.Truncated {
		b.Fatalf("Lineage found %d lots (truncated %v), want %d", got, res.Truncated, want)
	}
	b.Run("Lineage", func(b *testing.B) {
		for b.Loop() {
			if _, err := w.C.Lineage(w.Ctx, w.unbound, gtins[levels], final, "up", "10"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetLot", func(b *testing.B) {
		for b.Loop() {
			if _, err := w.C.GetLot(w.Ctx, w.unbound, gtins[levels], final); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetTrace", func(b *testing.B) {
		for b.Loop() {
			if _, err := w.C.GetTrace(w.Ctx, w.unbound, gtins[levels], final, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
