package readmodel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
)

// bulk inserts rows into a table, many rows per statement (benchmark
// fixtures only: the projector writes through Tx).
func bulk(tb testing.TB, s *sqlstore.Store, table string, cols []string, rows [][]any) {
	tb.Helper()
	const per = 400
	ctx := context.Background()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := 0; i < len(rows); i += per {
		chunk := rows[i:min(i+per, len(rows))]
		var args []any
		for _, r := range chunk {
			args = append(args, r...)
		}
		q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", len(chunk)), ", ")
		if _, err := tx.ExecContext(ctx, s.Rebind(q), args...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// code is the i-th fixture credit code (the bench does not check them).
func code(prefix string, i int) string { return fmt.Sprintf("9144%s%010d", prefix, i) }

// fillFinancings writes n financings: 20 banks, n/50 applicants, five
// statuses, two years of application days, each with its parties and
// figures as the projector writes them.
func fillFinancings(tb testing.TB, s *sqlstore.Store, n int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	statuses := []string{"APPLIED", "ACTIVE", "ACTIVE", "CLOSED", "DEFAULTED", "MARGIN_CALL"}
	types := []string{"WAREHOUSE_RECEIPT_PLEDGE", "RECEIVABLE", "POLICY"}
	var rows, parties, viewers, figures [][]any
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		id := fmt.Sprintf("F-2026-%016X", i)
		bank, applicant := code("BK", i%20), code("AP", i%max(n/50, 1))
		st, typ := statuses[r.IntN(len(statuses))], types[r.IntN(len(types))]
		day := start.AddDate(0, 0, r.IntN(730)).Format(time.DateOnly)
		principal := int64(10_000+r.IntN(990_000)) * 1_000_000
		doc, _ := json.Marshal(map[string]any{"id": id, "bank": bank, "applicant": applicant, "status": st, "type": typ, "currency": "CNY",
			"appliedAt": day + "T09:00:00Z", "terms": map[string]string{"principal": fmt.Sprint(principal / 1_000_000)}})
		rows = append(rows, []any{readmodel.KindFinancing, id, st, "", day, string(doc)})
		parties = append(parties, []any{readmodel.KindFinancing, id, "applicant", applicant}, []any{readmodel.KindFinancing, id, "bank", bank})
		viewers = append(viewers, []any{readmodel.KindFinancing, id, applicant, st, "", day}, []any{readmodel.KindFinancing, id, bank, st, "", day})
		figures = append(figures, []any{readmodel.KindFinancing, id, 0, "financing.disbursed", "CNY", principal, bank, typ, day[:7]})
		if st == "ACTIVE" || st == "MARGIN_CALL" {
			figures = append(figures, []any{readmodel.KindFinancing, id, 1, "financing.outstanding", "CNY", principal / 2, bank, typ, ""})
		}
	}
	bulk(tb, s, "rm_rows", []string{"kind", "id", "status", "product", "day", "doc"}, rows)
	bulk(tb, s, "rm_parties", []string{"kind", "id", "role", "party"}, parties)
	bulk(tb, s, "rm_viewers", []string{"kind", "id", "party", "status", "product", "day"}, viewers)
	bulk(tb, s, "rm_figures", []string{"kind", "id", "pos", "name", "currency", "amount", "dim1", "dim2", "month"}, figures)
	resum(tb, s)
}

// resum fills the kept sums from bulk-inserted figures, as migration
// 00004 does.
func resum(tb testing.TB, s *sqlstore.Store) {
	tb.Helper()
	for _, q := range []string{"DELETE FROM rm_sums",
		"INSERT INTO rm_sums (party, kind, name, dim1, dim2, month, currency, total, n) SELECT '', kind, name, dim1, dim2, month, currency, SUM(amount), COUNT(*) FROM rm_figures GROUP BY kind, name, dim1, dim2, month, currency",
		"INSERT INTO rm_sums (party, kind, name, dim1, dim2, month, currency, total, n) SELECT v.party, f.kind, f.name, f.dim1, f.dim2, f.month, f.currency, SUM(f.amount), COUNT(*) FROM rm_figures f JOIN rm_viewers v ON v.kind = f.kind AND v.id = f.id GROUP BY v.party, f.kind, f.name, f.dim1, f.dim2, f.month, f.currency",
	} {
		if _, err := s.DB().Exec(q); err != nil {
			tb.Fatal(err)
		}
	}
}

// fillEvents writes n events (a shipment declared per 5 events, with its
// export and insurance figures; a recall or an excursion per 50).
func fillEvents(tb testing.TB, s *sqlstore.Store, n int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	countries := []string{"BE", "DE", "FR", "GB", "JP", "MY", "NL", "SG", "TH", "US"}
	var events, eventFigures, rows, parties, viewers, figures [][]any
	flush := func() {
		bulk(tb, s, "rm_events", []string{"seq", "block", "idx", "tx_id", "name", "entity", "entity_id", "action", "by_party", "data"}, events)
		bulk(tb, s, "rm_event_figures", []string{"seq", "pos", "name", "product", "month"}, eventFigures)
		bulk(tb, s, "rm_rows", []string{"kind", "id", "status", "product", "day", "doc"}, rows)
		bulk(tb, s, "rm_parties", []string{"kind", "id", "role", "party"}, parties)
		bulk(tb, s, "rm_viewers", []string{"kind", "id", "party", "status", "product", "day"}, viewers)
		bulk(tb, s, "rm_figures", []string{"kind", "id", "pos", "name", "currency", "amount", "dim1", "dim2", "month"}, figures)
		events, eventFigures, rows, parties, viewers, figures = nil, nil, nil, nil, nil, nil
	}
	for i := 1; i <= n; i++ {
		gtin := fmt.Sprintf("069012345%05d", r.IntN(200))
		month := fmt.Sprintf("2026-%02d", 1+r.IntN(12))
		entity, id := "shipment", fmt.Sprintf("SH-2026-%016X", i)
		events = append(events, []any{i, i / 4, i % 4, fmt.Sprintf("%064x", i), "ShipmentDeclared", entity, id, "declared", code("EX", i%300), "null"})
		switch {
		case i%5 == 0:
			insurer, country := code("IN", i%5), countries[r.IntN(len(countries))]
			value := int64(1_000+r.IntN(99_000)) * 1_000_000
			rows = append(rows, []any{entity, id, "DECLARED", gtin, month + "-15", `{}`})
			parties = append(parties, []any{entity, id, "insurer", insurer}, []any{entity, id, "insured", code("EX", i%300)})
			viewers = append(viewers, []any{entity, id, insurer, "DECLARED", gtin, month + "-15"}, []any{entity, id, code("EX", i%300), "DECLARED", gtin, month + "-15"})
			figures = append(figures,
				[]any{entity, id, 0, "export.value", "USD", value, gtin, country, month},
				[]any{entity, id, 1, "export.volume", "KGM", int64(r.IntN(5000)) * 1_000_000, gtin, country, month},
				[]any{entity, id, 2, "insurance.insured", "USD", value, insurer, gtin, month},
				[]any{entity, id, 3, "insurance.premium", "USD", value / 100, insurer, gtin, month})
		case i%50 == 1:
			eventFigures = append(eventFigures, []any{i, 0, "recalls", gtin, ""})
		case i%50 == 2:
			eventFigures = append(eventFigures, []any{i, 0, "excursions", gtin, month})
		}
		if len(events) == 50_000 {
			flush()
		}
	}
	flush()
	resum(tb, s)
	if _, err := s.DB().Exec(s.Rebind("UPDATE rm_checkpoint SET seq = ?, block = ?, idx = ? WHERE id = 1"), n, n/4, n%4); err != nil {
		tb.Fatal(err)
	}
}

// timed runs op b.N times and reports the 50th and 99th percentile.
func timed(b *testing.B, op func() error) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(d)
	pct := func(p float64) float64 {
		return float64(d[min(int(p*float64(len(d))), len(d)-1)].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkList is a filtered, sorted list query at 100,000 financings,
// as a bank (the party condition) and as a party filter, on each store.
// Target: p99 ≤ 20 ms.
func BenchmarkList(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b, "list")
			fillFinancings(b, s, 100_000)
			if _, err := s.DB().Exec("ANALYZE"); err != nil {
				b.Fatal(err)
			}
			bank := readmodel.Viewer{CreditCode: code("BK", 7), Kinds: []string{"bank"}}
			ctx := context.Background()
			for _, tc := range []struct {
				name string
				q    readmodel.Query
			}{
				{"bank/status+dates/day-desc", readmodel.Query{Kind: readmodel.KindFinancing, Viewer: bank, Status: "ACTIVE", From: "2025-03-01", To: "2026-06-30", Desc: true, Limit: 50}},
				{"bank/all/id", readmodel.Query{Kind: readmodel.KindFinancing, Viewer: bank, Sort: "id", Limit: 50}},
				{"bank/applicant", readmodel.Query{Kind: readmodel.KindFinancing, Viewer: bank, Party: code("AP", 47), Limit: 50}},
			} {
				b.Run(tc.name, func(b *testing.B) {
					var cursor string
					timed(b, func() error {
						q := tc.q
						q.Cursor = cursor
						p, err := s.List(ctx, q)
						if err != nil {
							return err
						}
						if len(p.Items) == 0 {
							return fmt.Errorf("empty page")
						}
						cursor = p.NextCursor // page on; start over at the end
						return nil
					})
				})
			}
		})
	}
}

// BenchmarkStats is each statistics query at 1,000,000 events, as the
// zone regulator (the zone's sums) and as an insurer (its own rows), on
// each store. Target: each ≤ 50 ms; export.value also without the
// covering index of migration 00011, as the baseline of the run.
func BenchmarkStats(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b, "stats")
			fillEvents(b, s, 1_000_000)
			if _, err := s.DB().Exec("ANALYZE"); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			regulator := readmodel.Viewer{CreditCode: code("RG", 1), Kinds: []string{"regulator"}}
			insurer := readmodel.Viewer{CreditCode: code("IN", 0), Kinds: []string{"insurer"}}
			stats := func(v readmodel.Viewer, q readmodel.StatsQuery) func() error {
				return func() error {
					rows, err := s.Stats(ctx, v, q)
					if err == nil && len(rows) == 0 {
						err = fmt.Errorf("no rows")
					}
					return err
				}
			}
			// The baseline of the same run: the export statistic without
			// migration 00011's index (the primary key alone), which is
			// then made again for the cases below.
			b.Run("regulator/export.value/baseline-without-rm_sums_stats", func(b *testing.B) {
				exec := func(q string) {
					if _, err := s.DB().Exec(q); err != nil {
						b.Fatal(err)
					}
				}
				exec("DROP INDEX IF EXISTS rm_sums_stats")
				defer exec("ANALYZE")
				defer exec("CREATE INDEX IF NOT EXISTS rm_sums_stats ON rm_sums (name, party, dim1, dim2, month, currency, kind, total, n)")
				exec("ANALYZE")
				timed(b, stats(regulator, readmodel.StatsQuery{Figure: "export.value", ByDim1: true, ByDim2: true, ByMonth: true}))
			})
			for _, tc := range []struct {
				name string
				v    readmodel.Viewer
				q    readmodel.StatsQuery
			}{
				{"regulator/export.value", regulator, readmodel.StatsQuery{Figure: "export.value", ByDim1: true, ByDim2: true, ByMonth: true}},
				{"regulator/insurance.premium", regulator, readmodel.StatsQuery{Figure: "insurance.premium", ByDim1: true, ByDim2: true, ByMonth: true}},
				{"regulator/recalls", regulator, readmodel.StatsQuery{Figure: "recalls", ByDim1: true, Events: true}},
				{"regulator/excursions", regulator, readmodel.StatsQuery{Figure: "excursions", ByDim1: true, ByMonth: true, Events: true}},
				{"insurer/insurance.insured", insurer, readmodel.StatsQuery{Figure: "insurance.insured", ByDim1: true, ByDim2: true, ByMonth: true}},
			} {
				b.Run(tc.name, func(b *testing.B) { timed(b, stats(tc.v, tc.q)) })
			}
		})
	}
}

// BenchmarkProjectorKeepsUp submits registrations to devledger as fast
// as 32 clients can and measures how far behind the projector falls: the
// submit rate, the rate of applied events over the same run, and how
// long after the last commit the projection has it.
func BenchmarkProjectorKeepsUp(b *testing.B) {
	z := readmodeltest.Seed(b)
	next := 1000 // credit codes not registered yet, across the stores' runs
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := be.open(b, "keepup")
			z.Project(b, s)
			admin := z.Identities["platform-admin"]
			var submit, behind time.Duration
			total := 0
			for b.Loop() {
				const n, workers = 256, 32
				var wg sync.WaitGroup
				var mu sync.Mutex
				var last *gateway.Commit
				start := time.Now()
				ids := make(chan int, n)
				for i := range n {
					ids <- next + i
				}
				close(ids)
				next += n
				for range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range ids {
							in, _ := json.Marshal(map[string]any{"creditCode": demo.CreditCode(i), "name": fmt.Sprintf("企业 %d", i), "kinds": []string{"producer"}})
							c, err := z.Ledger.Submit(context.Background(), admin, gateway.Request{Function: string(api.TxRegisterEnterprise), Args: []string{string(in)}})
							if err != nil {
								b.Error(err)
								return
							}
							mu.Lock()
							if last == nil || c.BlockNumber > last.BlockNumber {
								last = c
							}
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				if last == nil {
					b.Fatal("nothing committed")
				}
				committed := time.Now()
				readmodeltest.WaitTx(b, s, last.TxID)
				submit += committed.Sub(start)
				behind += time.Since(committed)
				total += n
			}
			b.ReportMetric(float64(total)/submit.Seconds(), "submitted-tx/s")
			b.ReportMetric(float64(total)/(submit+behind).Seconds(), "projected-events/s")
			b.ReportMetric(float64(behind.Milliseconds())/float64(b.N), "catch-up-ms/batch")
		})
	}
}
