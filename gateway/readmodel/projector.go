package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway"
)

// Projector applies the ledger's events to a Store.
type Projector struct {
	Ledger gateway.Ledger
	Store  Store
	Source Source
	Log    *slog.Logger
	// Batch is the most events applied in one database transaction
	// (default 64).
	Batch int
	// AfterEvent, when set, runs inside the database transaction after an
	// event's rows are written (tests use it to crash mid-block).
	AfterEvent func(Event)

	mu      sync.Mutex
	notify  chan struct{} // closed and replaced on every commit
	applied atomic.Uint64 // height projected: last applied block + 1
	idle    atomic.Int64  // unix nanos since the stream had nothing pending; 0 while busy
}

// Updates returns a channel closed at the next commit of the projection.
func (p *Projector) Updates() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.notify == nil {
		p.notify = make(chan struct{})
	}
	return p.notify
}

func (p *Projector) committed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.notify != nil {
		close(p.notify)
	}
	p.notify = make(chan struct{})
}

// Run follows the ledger from the stored checkpoint until ctx ends,
// subscribing again (with backoff) when the event stream breaks.
func (p *Projector) Run(ctx context.Context) error {
	wait := 100 * time.Millisecond
	for {
		err := p.follow(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrConflict) {
			continue // another writer moved on; start from its checkpoint
		}
		if err != nil {
			p.Log.Warn("read model: event stream stopped; resubscribing", "err", err, "in", wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// Rebuild empties the projection; a running Run starts again from block 0.
func (p *Projector) Rebuild(ctx context.Context) error {
	return p.Store.Reset(ctx)
}

// Heights reports the height the projection has applied and the ledger's
// height. While the event stream has had nothing pending for a second the
// projection counts as caught up (blocks without events move the ledger's
// height but bring the projection nothing to apply).
func (p *Projector) Heights(ctx context.Context) (projected, ledger uint64, err error) {
	ledger, err = p.Ledger.Height(ctx)
	if err != nil {
		return 0, 0, err
	}
	projected = p.applied.Load()
	if since := p.idle.Load(); since != 0 && time.Since(time.Unix(0, since)) > time.Second {
		projected = ledger
	}
	return min(projected, ledger), ledger, nil
}

func (p *Projector) follow(ctx context.Context) error {
	cp, err := p.Store.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if cp.Seq > 0 {
		p.applied.Store(max(p.applied.Load(), cp.Pos.Block+1))
	} else {
		p.applied.Store(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := p.Ledger.Events(ctx, cp.Pos.Block)
	if err != nil {
		return err
	}
	batchMax := p.Batch
	if batchMax <= 0 {
		batchMax = 64
	}
	var (
		cur   = Position{Block: cp.Pos.Block, Index: -1}
		batch []Event
		next  = cp.Seq
	)
	take := func(ge gateway.Event) error {
		if ge.BlockNumber != cur.Block {
			cur = Position{Block: ge.BlockNumber, Index: 0}
		} else {
			cur.Index++
		}
		if cp.Seq > 0 && !cp.Pos.Less(cur) {
			return nil // applied before the restart
		}
		e, err := Decode(ge, cur)
		if err != nil {
			p.Log.Warn("read model: event not in Qingchain's format; recorded without rows", "tx", ge.TxID, "err", err)
		}
		next++
		e.Seq = next
		batch = append(batch, e)
		return nil
	}
	for {
		p.idle.Store(time.Now().UnixNano())
		var ge gateway.Event
		var ok bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ge, ok = <-ch:
		}
		p.idle.Store(0)
		if !ok {
			return errors.New("event stream closed")
		}
		if err := take(ge); err != nil {
			return err
		}
	more:
		for len(batch) < batchMax {
			select {
			case ge, ok = <-ch:
				if !ok {
					break more
				}
				if err := take(ge); err != nil {
					return err
				}
			default:
				break more
			}
		}
		if len(batch) == 0 {
			continue
		}
		to := Checkpoint{Seq: batch[len(batch)-1].Seq, Pos: batch[len(batch)-1].Pos}
		if err := p.apply(ctx, cp, to, batch); err != nil {
			return err
		}
		cp, batch = to, batch[:0]
		p.applied.Store(to.Pos.Block + 1)
		p.committed()
		if !ok {
			return errors.New("event stream closed")
		}
	}
}

// Decode reads a chaincode event's payload. An event that is not in
// Qingchain's format is still returned (entity empty) so that the log
// keeps every event and the sequence has no holes.
func Decode(ge gateway.Event, pos Position) (Event, error) {
	e := Event{Pos: pos, TxID: ge.TxID, Name: ge.Name}
	var w struct {
		Entity string          `json:"entity"`
		ID     string          `json:"id"`
		Action string          `json:"action"`
		By     string          `json:"by"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(ge.Payload, &w); err != nil {
		return e, err
	}
	e.Entity, e.ID, e.Action, e.By = w.Entity, w.ID, w.Action, w.By
	if len(w.Data) > 0 && string(w.Data) != "null" {
		e.Data = w.Data
	}
	return e, nil
}

// eventData are the fields of events' data that name other entities.
type eventData struct {
	Bank             string   `json:"bank"`
	ShipmentID       string   `json:"shipmentId"`
	PolicyID         string   `json:"policyId"`
	FinancingID      string   `json:"financingId"`
	Children         []string `json:"children"`
	Pledged          []string `json:"pledged"`
	Released         []string `json:"released"`
	Taken            []string `json:"taken"`
	CollateralAlerts []string `json:"collateralAlerts"`
	Excursion        bool     `json:"excursion"`
	To               string   `json:"to"`
	Holder           string   `json:"holder"`
}

// touched lists what an event changes: its own entity and the entities its
// data names. A recall also changes the recall status of lots down its
// lineage, and a governance change the kinds in effect of enterprises, so
// those sweep every lot or enterprise.
func (p *Projector) touched(ctx context.Context, e Event) ([]Ref, []string, error) {
	var refs []Ref
	var d eventData
	if len(e.Data) > 0 {
		_ = json.Unmarshal(e.Data, &d) // data of another shape names nothing
	}
	hints := []string{e.By, d.Bank, d.To, d.Holder}
	if _, ok := RuleOf(e.Entity); ok && e.ID != "" {
		refs = appendRef(refs, e.Entity, e.ID)
	}
	refs = appendRef(refs, KindShipment, d.ShipmentID)
	refs = appendRef(refs, KindPolicy, d.PolicyID)
	refs = appendRef(refs, KindFinancing, d.FinancingID)
	for _, id := range d.Children {
		refs = appendRef(refs, KindReceipt, id)
	}
	for _, id := range d.CollateralAlerts {
		refs = appendRef(refs, KindFinancing, id)
	}
	// Collateral lists name receipts, receivables and shipments alike.
	for _, list := range [][]string{d.Pledged, d.Released, d.Taken} {
		for _, id := range list {
			if k, ok := KindOfID(id); ok {
				refs = appendRef(refs, k, id)
			}
		}
	}
	var sweep string
	switch {
	case e.Entity == KindLot && e.Action == "recalled":
		sweep = KindLot
	case e.Entity == "governance":
		sweep = KindEnterprise
	}
	if sweep != "" {
		all, err := p.Store.Refs(ctx, sweep)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range all {
			refs = appendRef(refs, r.Kind, r.ID)
		}
	}
	return refs, hints, nil
}

// eventFigures are the counters an event adds to.
func (p *Projector) eventFigures(ctx context.Context, e Event) ([]EventFigure, error) {
	switch {
	case e.Entity == KindLot && e.Action == "recalled":
		k, err := gs1.ParsePath(e.ID)
		if err != nil {
			return nil, nil
		}
		return []EventFigure{{Name: "recalls", Product: k.GTIN}}, nil
	case e.Entity == "traceEvent":
		var d eventData
		if json.Unmarshal(e.Data, &d) != nil || !d.Excursion {
			return nil, nil
		}
		doc, ok, err := p.Source.Fetch(ctx, Ref{Kind: "traceEvent", ID: e.ID}, []string{e.By})
		if err != nil || !ok {
			return nil, err
		}
		var te struct {
			EventTime string   `json:"eventTime"`
			Lots      []lotRef `json:"lots"`
			Outputs   []lotRef `json:"outputs"`
		}
		if err := json.Unmarshal(doc, &te); err != nil {
			return nil, err
		}
		var out []EventFigure
		seen := map[string]bool{}
		for _, l := range append(te.Lots, te.Outputs...) {
			if !seen[l.GTIN] {
				seen[l.GTIN] = true
				out = append(out, EventFigure{Name: "excursions", Product: l.GTIN, Month: month(te.EventTime)})
			}
		}
		return out, nil
	}
	return nil, nil
}

// TradeDoc is the trade row's document a TradeVerified event makes: the
// paper verified (its id is the row's), its exporter and invoice, the verdict and the findings'
// codes (ok false for any other event).
func TradeDoc(e Event) (json.RawMessage, bool) {
	if e.Action != "trade-verified" || e.ID == "" {
		return nil, false
	}
	var d struct {
		Verdict  string `json:"verdict"`
		Exporter string `json:"exporter"`
		Invoice  string `json:"invoice"`
		Findings string `json:"findings"`
	}
	if json.Unmarshal(e.Data, &d) != nil || d.Verdict == "" {
		return nil, false
	}
	findings := []string{}
	for _, f := range strings.Split(d.Findings, ",") {
		if f != "" {
			findings = append(findings, f)
		}
	}
	doc, err := json.Marshal(map[string]any{
		"id": e.ID, "paper": map[string]string{"kind": e.Entity, "id": e.ID},
		"exporter": d.Exporter, "invoice": d.Invoice, "verdict": d.Verdict, "findings": findings, "txId": e.TxID,
	})
	return doc, err == nil
}

type supersededDoc struct {
	ref Ref
	doc json.RawMessage
}

// supersede marks the trade rows of e's invoice through other papers
// (projected, or made earlier in the batch) as superseded by e.
func (p *Projector) supersede(ctx context.Context, e Event, batch []Ref, inBatch Lookup) ([]supersededDoc, error) {
	var d tradeDoc
	if doc, ok := TradeDoc(e); !ok || json.Unmarshal(doc, &d) != nil {
		return nil, nil
	}
	refs, err := p.Store.Refs(ctx, KindTrade)
	if err != nil {
		return nil, err
	}
	for _, r := range batch {
		if r.Kind == KindTrade {
			refs = appendRef(refs, r.Kind, r.ID)
		}
	}
	var out []supersededDoc
	for _, r := range refs {
		if r.ID == e.ID {
			continue
		}
		doc, ok := inBatch(r)
		if !ok {
			row, found, err := p.Store.Row(ctx, r)
			if err != nil {
				return nil, err
			}
			if !found {
				continue
			}
			doc = row.Doc
		}
		var m map[string]any
		var o tradeDoc
		if json.Unmarshal(doc, &o) != nil || json.Unmarshal(doc, &m) != nil || o.Superseded ||
			o.Exporter != d.Exporter || o.Invoice != d.Invoice {
			continue
		}
		m["superseded"] = true
		nd, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out = append(out, supersededDoc{r, nd})
	}
	return out, nil
}

// apply reads what the batch touched and writes rows, events and the
// checkpoint in one transaction.
func (p *Projector) apply(ctx context.Context, from, to Checkpoint, batch []Event) error {
	type fetched struct {
		doc json.RawMessage
		ok  bool
	}
	docs := map[Ref]fetched{}
	order := []Ref{}
	perEvent := make([][]Ref, len(batch))
	figures := make([][]EventFigure, len(batch))
	fetch := func(r Ref, hints []string) error {
		if _, done := docs[r]; done {
			return nil
		}
		if old, ok, err := p.Store.Row(ctx, r); err != nil {
			return err
		} else if ok {
			for _, pt := range old.Parties {
				hints = append(hints, pt.Code)
			}
		}
		doc, ok, err := p.Source.Fetch(ctx, r, hints)
		if err != nil {
			return fmt.Errorf("read model: read %s %s: %w", r.Kind, r.ID, err)
		}
		docs[r] = fetched{doc, ok}
		order = append(order, r)
		if !ok {
			p.Log.Debug("read model: entity not readable by any identity at hand", "kind", r.Kind, "id", r.ID)
		}
		return nil
	}
	for i, e := range batch {
		refs, hints, err := p.touched(ctx, e)
		if err != nil {
			return err
		}
		for _, r := range refs {
			if err := fetch(r, hints); err != nil {
				return err
			}
		}
		if doc, ok := TradeDoc(e); ok {
			// The verdict as recorded, not as the flows stand now: the
			// trade row is the event's, and the latest one wins. Rows of
			// the same invoice through another paper step aside.
			r := Ref{Kind: KindTrade, ID: e.ID}
			if _, seen := docs[r]; !seen {
				order = append(order, r)
			}
			docs[r] = fetched{doc, true}
			refs = append(refs, r)
			others, err := p.supersede(ctx, e, order, func(r Ref) (json.RawMessage, bool) {
				f, ok := docs[r]
				return f.doc, ok && f.ok
			})
			if err != nil {
				return err
			}
			for _, o := range others {
				if _, seen := docs[o.ref]; !seen {
					order = append(order, o.ref)
				}
				docs[o.ref] = fetched{o.doc, true}
				refs = append(refs, o.ref)
			}
		}
		perEvent[i] = refs
		if figures[i], err = p.eventFigures(ctx, e); err != nil {
			return err
		}
	}
	look := func(r Ref) (json.RawMessage, bool) {
		if f, ok := docs[r]; ok && f.ok {
			return f.doc, true
		}
		if row, ok, err := p.Store.Row(ctx, r); err == nil && ok {
			return row.Doc, true
		}
		return nil, false
	}
	// A row's own references are refreshed with it, one level deep: a
	// financing's approval pledges its receipts, a paid claim indemnifies
	// its shipment and its policy.
	rows := map[Ref]Row{}
	for _, r := range append([]Ref(nil), order...) {
		f := docs[r]
		if !f.ok {
			continue
		}
		row, err := BuildRow(r, f.doc, look)
		if err != nil {
			return err
		}
		rows[r] = row
		var hints []string
		for _, pt := range row.Parties {
			hints = append(hints, pt.Code)
		}
		for _, dep := range row.Refs {
			if err := fetch(dep, hints); err != nil {
				return err
			}
		}
	}
	for _, r := range order {
		if _, done := rows[r]; done || !docs[r].ok {
			continue
		}
		row, err := BuildRow(r, docs[r].doc, look)
		if err != nil {
			return err
		}
		rows[r] = row
	}
	return p.Store.Update(ctx, func(tx Tx) error {
		written := map[Ref]bool{}
		for i, e := range batch {
			for _, r := range perEvent[i] {
				if row, ok := rows[r]; ok && !written[r] {
					if err := tx.PutRow(ctx, row); err != nil {
						return err
					}
					written[r] = true
				}
			}
			if err := tx.AddEvent(ctx, e, figures[i]); err != nil {
				return err
			}
			if p.AfterEvent != nil {
				p.AfterEvent(e)
			}
		}
		for _, r := range order {
			if row, ok := rows[r]; ok && !written[r] {
				if err := tx.PutRow(ctx, row); err != nil {
					return err
				}
				written[r] = true
			}
		}
		return tx.Advance(ctx, from, to)
	})
}

// Collectors are the projection's metrics: the height it has applied, the
// ledger's, and the lag between them, read at each scrape (bounded by
// timeout).
func (p *Projector) Collectors(timeout time.Duration) []prometheus.Collector {
	read := func(pick func(projected, ledger uint64) float64) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			projected, ledger, err := p.Heights(ctx)
			if err != nil {
				return math.NaN()
			}
			return pick(projected, ledger)
		}
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qingchain_readmodel_height", Help: "Blocks the read model has applied (its height)."},
			read(func(projected, _ uint64) float64 { return float64(projected) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qingchain_readmodel_ledger_height", Help: "The ledger's height, as the read model sees it."},
			read(func(_, ledger uint64) float64 { return float64(ledger) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "qingchain_readmodel_lag_blocks", Help: "How many blocks the read model is behind the ledger."},
			read(func(projected, ledger uint64) float64 { return float64(ledger - min(projected, ledger)) })),
	}
}
