package lineage

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/certs"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/shopspring/decimal"
)

// TraceReads are the trace contract's reads over the lineage: the lots
// upstream and downstream of a lot, the trace document of a lot or item,
// and custody.
type TraceReads struct{}

// Bounds on what one query walks and returns.
const (
	defaultLineageDepth = 10
	traceDepth          = 32
	traceMaxLots        = 1000
)

// Recall propagation is computed when read, not marked when recalled.
// RecallLot writes one key; GetLot, GetItem and GetTrace walk the lineage
// indexes upstream from what is asked about and report the nearest
// recalled lot they meet. Marking downstream at recall time would write
// to every downstream lot and item in one transaction (unbounded: a lot of
// leaf can reach thousands of tins), conflict (MVCC) with every event being
// recorded on any of them meanwhile, and miss lots made from the recalled
// lot after the recall. The walk costs one range read per upstream lot and
// one point read per lot for its recall key, and upstream sets are small
// (a tin's history is a few lots deep).

// Lineage lists the lots upstream ("up": what this lot was made from) or
// downstream ("down": what was made from it) through transformations, each
// with its depth, to maxDepth (1 to 64; empty for 10). Answered from the
// lineage indexes alone; each lot is visited once.
func (t *TraceReads) Lineage(ctx contractapi.TransactionContextInterface, gtin, lot, direction, maxDepth string) (string, error) {
	l, err := trace.LotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	if _, err := kit.OneOf("direction", direction, "up", "down"); err != nil {
		return "", err
	}
	depth := defaultLineageDepth
	if maxDepth != "" {
		depth, err = strconv.Atoi(maxDepth)
		if err != nil || depth < 1 || depth > trace.MaxLineageDepth || strings.TrimLeft(maxDepth, "0123456789") != "" {
			return "", kit.Errf(api.CodeInvalidArgument, "maxDepth: want a whole number from 1 to %d", trace.MaxLineageDepth)
		}
	}
	lots, truncated, err := trace.WalkLineage(ctx, []api.LineageLot{{GTIN: l.GTIN, Lot: l.Lot}}, direction == "up", depth, trace.MaxLineageLots+1)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(api.LineageResult{GTIN: l.GTIN, Lot: l.Lot, Direction: direction, MaxDepth: depth, Lots: append([]api.LineageLot{}, lots[1:]...), Truncated: truncated})
}

// Bounds of a trace document. A trace is bounded whatever was recorded on
// its lots, and it never drops anything silently: what it leaves out is
// counted in Omitted, per business step in Steps and per lot in LotEvents,
// and every reading it reads is summarised in SensorSeries. The full list
// of a lot's events is paged by ListLotEvents.
const (
	traceListLots      = 100      // lineage lots listed (lineage, lots) and whose events are read
	traceLotRead       = 2000     // events read per lot (the per-lot recording limit)
	traceReadBudget    = 4000     // events read per trace
	traceListEvents    = 100      // events listed in events
	traceListBytes     = 64 << 10 // their estimated JSON size (traceEventSize)
	traceListReadings  = 120      // readings listed in sensorReadings
	traceGroupKeep     = 7        // events of each group kept first (latest, first, ...)
	traceMaxSeries     = 10       // sensor series
	traceMaxExcursions = 10       // excursion intervals per series
	traceListCerts     = 50
	traceListRecalls   = 20
)

// traceMilestones are the steps a shopper or a bank must see: with every
// transformation, they are listed before any other step.
func traceMilestones() []string {
	return []string{"commissioning", "harvesting", "slaughtering", "inspecting", "packing", "shipping", "receiving", "storing"}
}

// traceSource is a lot (or the item) whose events a trace reads.
type traceSource struct {
	entry api.TraceLotEvents
	refs  []*trace.Entry
}

// traceEv is an event a trace counts, at its index entry; ev is read
// only when the trace lists it or summarises its readings (or when the
// entry has no class).
type traceEv struct {
	ev     *api.TraceEvent
	raw    []byte // its stored JSON, once read
	ent    *trace.Entry
	src    int
	listed bool
}

// GetTrace returns one bounded document about a lot (serial empty) or a
// serialized item: its product, lot and item; the lineage upstream (depth
// 0 is this lot; an item's aggregated contents are at depth 1); the
// upstream lots and products; events of all those lots (and of the item),
// ordered by event time; their certificates; sensor readings; and recall
// status. Every record carries its txId.
//
// The recall status covers the whole walk. Of the events, the document
// lists at most traceListEvents: per group of events of one lot, step,
// type and recorder, the latest and the first ones come before the rest,
// milestone steps and transformations before other steps, and a flood of
// one group cannot push another group out. Everything read and not listed
// is counted (steps, lotEvents, omitted); readings are summarised per
// lot and location (sensorSeries). ListLotEvents pages through all.
func (t *TraceReads) GetTrace(ctx contractapi.TransactionContextInterface, gtin, lot, serial string) (string, error) {
	doc, listed, err := document(ctx, gtin, lot, serial)
	if err != nil {
		return "", err
	}
	return traceJSON(doc, listed)
}

// Document is the trace document of a lot as GetTrace answers it, its
// listed events decoded: for the views that take parts of it.
func Document(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.TraceDocument, error) {
	doc, listed, err := document(ctx, gtin, lot, "")
	if err != nil {
		return nil, err
	}
	doc.Events = make([]api.TraceEvent, len(listed))
	for i, raw := range listed {
		if err := kit.UnmarshalState(raw, &doc.Events[i]); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// document builds GetTrace's document, with the stored JSON of the events
// it lists beside it.
func document(ctx contractapi.TransactionContextInterface, gtin, lot, serial string) (*api.TraceDocument, [][]byte, error) {
	l, err := trace.LotArgs(ctx, gtin, lot)
	if err != nil {
		return nil, nil, err
	}
	doc := api.TraceDocument{Lot: *l, Recalls: []api.Recall{}, Lots: []api.Lot{}, Products: []api.Product{}, Events: []api.TraceEvent{}, Certificates: []api.Certificate{},
		SensorReadings: []api.TraceReading{}, Steps: []api.TraceStepCount{}, LotEvents: []api.TraceLotEvents{}, SensorSeries: []api.SensorSeries{}}
	p, err := trace.LoadProduct(ctx, l.GTIN)
	if err != nil {
		return nil, nil, err
	}
	doc.Product = *p
	starts := []api.LineageLot{{GTIN: l.GTIN, Lot: l.Lot}}
	if serial != "" {
		it, err := trace.ItemArgs(ctx, l.GTIN, l.Lot, serial)
		if err != nil {
			return nil, nil, err
		}
		doc.Item = it
		if starts, err = trace.ItemUpstreamStarts(ctx, it); err != nil {
			return nil, nil, err
		}
		if doc.Container, err = trace.ContainerOf(ctx, it); err != nil {
			return nil, nil, err
		}
	}
	lineage, walkTruncated, err := trace.WalkLineage(ctx, starts, true, traceDepth, traceMaxLots)
	if err != nil {
		return nil, nil, err
	}
	recalls, err := trace.RecallsOf(ctx, lineage)
	if err != nil {
		return nil, nil, err
	}
	if len(recalls) > 0 {
		first := recalls[0]
		doc.Recalled, doc.Recall = true, &first
	}
	if len(recalls) > traceListRecalls {
		doc.Omitted.Recalls, recalls = len(recalls)-traceListRecalls, recalls[:traceListRecalls]
	}
	if recalls != nil {
		doc.Recalls = recalls
	}
	listed := lineage
	if len(listed) > traceListLots {
		doc.Omitted.Lots, listed = len(lineage)-traceListLots, lineage[:traceListLots]
	}
	doc.Lineage = listed

	products := map[string]*api.Product{p.GTIN: p}
	certSeen := map[string]bool{}
	var certIDs []string
	var seen map[string]bool // events with several index entries, met already
	var cr trace.ClassReader
	var sources []traceSource
	addSource := func(e api.TraceLotEvents, entries []*trace.Entry) {
		src := traceSource{entry: e, refs: entries[:0]}
		for _, t := range entries {
			if t.Known && t.Class.Entries == 1 {
				src.refs = append(src.refs, t)
				continue
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			if !seen[t.Ref.Hex] {
				seen[t.Ref.Hex] = true
				src.refs = append(src.refs, t)
			}
		}
		src.entry.Events = len(src.refs)
		sources = append(sources, src)
	}
	if doc.Item != nil {
		entries, err := trace.ItemEventEntries(ctx, &cr, doc.Item.GTIN, doc.Item.Serial)
		if err != nil {
			return nil, nil, err
		}
		addSource(api.TraceLotEvents{GTIN: doc.Item.GTIN, Lot: doc.Item.Lot, Serial: doc.Item.Serial}, entries)
	}
	for _, ll := range listed {
		if ll.GTIN != l.GTIN || ll.Lot != l.Lot {
			lr, err := trace.LoadLot(ctx, ll.GTIN, ll.Lot)
			if err != nil {
				return nil, nil, err
			}
			doc.Lots = append(doc.Lots, *lr)
			if products[ll.GTIN] == nil {
				pr, err := trace.LoadProduct(ctx, ll.GTIN)
				if err != nil {
					return nil, nil, err
				}
				products[ll.GTIN] = pr
				doc.Products = append(doc.Products, *pr)
			}
		}
		entries, err := trace.LotEventEntries(ctx, &cr, ll.GTIN, ll.Lot)
		if err != nil {
			return nil, nil, err
		}
		addSource(api.TraceLotEvents{GTIN: ll.GTIN, Lot: ll.Lot, Depth: ll.Depth}, entries)
		ids, err := certs.OfLot(ctx, ll.GTIN, ll.Lot)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range ids {
			if !certSeen[c] {
				certSeen[c] = true
				certIDs = append(certIDs, c)
			}
		}
	}

	// Count the events and choose those listed from their classes, within
	// the read budget; read the listed ones and those with readings.
	shares := traceShares(sources)
	n := 0
	for _, share := range shares {
		n += share
	}
	evs := make([]traceEv, 0, n)
	runs := make([]int, 1, len(sources)+1)
	for i, share := range shares {
		refs := sources[i].refs
		if share < len(refs) {
			head := share / 2
			refs = append(refs[:head:head], refs[len(refs)-(share-head):]...)
		}
		for _, r := range refs {
			e := traceEv{ent: r, src: i}
			if !r.Known {
				if err := e.read(ctx, true); err != nil {
					return nil, nil, err
				}
				r.Class, r.Known = trace.ClassOf(e.ev), true
			}
			evs = append(evs, e)
		}
		runs = append(runs, len(evs))
		sources[i].entry.Read = len(refs)
		doc.EventCount += sources[i].entry.Events
	}
	evs = traceMerge(evs, runs)
	traceSelect(evs)
	// The listed events go into the document as stored (traceJSON), the
	// others with readings are decoded for their readings.
	var listedJSON [][]byte
	for i := range evs {
		e := &evs[i]
		if e.listed || e.ent.Class.Readings > 0 {
			if err := e.read(ctx, e.ent.Class.Readings > 0); err != nil {
				return nil, nil, err
			}
		}
		if e.listed {
			listedJSON = append(listedJSON, e.raw)
			sources[e.src].entry.Listed++
		}
	}
	for _, s := range sources {
		if s.entry.Events > 0 {
			doc.LotEvents = append(doc.LotEvents, s.entry)
		}
	}
	doc.Omitted.Events = doc.EventCount - len(listedJSON)
	doc.Omitted.Unread = doc.EventCount - len(evs)
	doc.Steps = traceSteps(evs)

	// Readings: every one summarised, the latest and the excursions listed.
	var readings []traceReading
	for _, e := range evs {
		if e.ev == nil {
			continue // no readings
		}
		for _, sr := range e.ev.SensorReadings {
			from, _ := time.Parse(time.RFC3339Nano, sr.From)
			to, _ := time.Parse(time.RFC3339Nano, sr.To)
			readings = append(readings, traceReading{api.TraceReading{EventID: e.ev.ID, BizStep: e.ev.BizStep, EventTime: e.ev.EventTime, SensorReading: sr}, from, to, e})
		}
	}
	doc.SensorReadings, doc.Omitted.Readings = traceListReadingsOf(readings)
	doc.SensorSeries, doc.Omitted.SensorSeries = traceSeries(readings, sources, products)

	if len(certIDs) > traceListCerts {
		doc.Omitted.Certificates, certIDs = len(certIDs)-traceListCerts, certIDs[:traceListCerts]
	}
	for _, id := range certIDs {
		c, err := certs.Load(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		doc.Certificates = append(doc.Certificates, *c)
	}
	doc.Truncated = walkTruncated || doc.Omitted != api.TraceOmitted{}
	return &doc, listedJSON, nil
}

// read reads the event's stored JSON, unless already read, and decodes it
// when decode is set (to its classes and readings). Undecoded JSON is
// checked to be valid, since it goes into the document as it is.
func (e *traceEv) read(ctx contractapi.TransactionContextInterface, decode bool) error {
	if e.raw == nil {
		raw, err := trace.RawEvent(ctx, e.ent.Ref.Hex)
		if err != nil {
			return err
		}
		e.raw = raw
	}
	switch {
	case e.ev != nil:
	case decode:
		var ev api.TraceEvent
		if err := json.Unmarshal(e.raw, &ev); err != nil {
			return kit.Errf(api.CodeInternal, "corrupt state entry: %v", err)
		}
		e.ev = &ev
	case !json.Valid(e.raw):
		return kit.Errf(api.CodeInternal, "corrupt state entry: event %s", e.ent.Ref.Hex)
	}
	return nil
}

// traceEventsField is where the listed events go in the encoded document.
// It occurs once: every quote inside a JSON string is escaped, and the
// other "events" members are numbers.
func traceEventsField() []byte { return []byte(`"events":[]`) }

// traceJSON encodes the document with events, the listed events' JSON as
// stored (json.Marshal of the TraceEvent, so the same bytes as encoding
// them again, without decoding them first). TraceEvent and the types in it
// have kept their encoding since events were first recorded (Destination,
// added later, is omitted when empty); a change to it must keep old
// events' JSON valid as it is, or decode them here.
func traceJSON(doc *api.TraceDocument, events [][]byte) (string, error) {
	doc.Events = []api.TraceEvent{}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "encode result: %v", err)
	}
	at := bytes.Index(b, traceEventsField())
	if at < 0 || bytes.Count(b, traceEventsField()) != 1 {
		return "", kit.Errf(api.CodeInternal, "encode result: no single events member")
	}
	at += len(traceEventsField()) - 1
	n := len(b) + len(events)
	for _, e := range events {
		n += len(e)
	}
	var out strings.Builder
	out.Grow(n)
	out.Write(b[:at])
	for i, e := range events {
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(e)
	}
	out.Write(b[at:])
	return out.String(), nil
}

// traceMerge merges the runs of evs (run i is evs[runs[i]:runs[i+1]], in
// index order) into one sequence in index order (event time, then id;
// ids are distinct).
func traceMerge(evs []traceEv, runs []int) []traceEv {
	buf := make([]traceEv, len(evs))
	for len(runs) > 2 {
		next := make([]int, 0, len(runs)/2+2)
		for i := 0; i+1 < len(runs); i += 2 {
			lo, mid, hi := runs[i], runs[i+1], runs[i+1]
			if i+2 < len(runs) {
				hi = runs[i+2]
			}
			a, b, out := lo, mid, lo
			for ; a < mid && b < hi; out++ {
				if trace.CompareRefs(evs[b].ent.Ref, evs[a].ent.Ref) < 0 {
					buf[out] = evs[b]
					b++
				} else {
					buf[out] = evs[a]
					a++
				}
			}
			out += copy(buf[out:], evs[a:mid])
			copy(buf[out:], evs[b:hi])
			next = append(next, lo)
		}
		evs, buf = buf, evs
		runs = append(next, len(evs))
	}
	return evs
}

// traceShares divides the read budget among the sources: the item and
// the lot itself first, each up to traceLotRead; then the other lots
// share what is left fairly (each gets as much as it has, up to an equal
// share of the rest).
func traceShares(sources []traceSource) []int {
	shares := make([]int, len(sources))
	left := traceReadBudget
	var rest []int
	for i, s := range sources {
		if s.entry.Serial != "" || s.entry.Depth == 0 {
			shares[i] = min(len(s.refs), traceLotRead, left)
			left -= shares[i]
		} else {
			rest = append(rest, i)
		}
	}
	slices.SortStableFunc(rest, func(a, b int) int { return len(sources[a].refs) - len(sources[b].refs) })
	for n, i := range rest {
		shares[i] = min(len(sources[i].refs), traceLotRead, left/(len(rest)-n))
		left -= shares[i]
	}
	return shares
}

func traceIsMilestone(c *trace.Class) bool {
	return c.Type == api.TransformationEvent || slices.Contains(traceMilestones(), c.Step)
}

// traceSelect marks the events a trace lists (evs in time order). Events
// are grouped by lot, step, type and recorder; in each group the latest,
// the first, the second latest, the second and the third to fifth latest
// are the group's head. Milestone heads come first, then other heads, then
// the rest of other events, then the rest of sensor reports, newest first;
// each is listed while there is room (traceListEvents events of at most
// traceListBytes in all).
func traceSelect(evs []traceEv) {
	type group struct {
		src                 int
		step, typ, recorder string
	}
	// Of each group, in order of first appearance: its size, its first two
	// and its last five events (all a head can be).
	type members struct {
		n     int
		first [2]int
		last  [5]int // position p at last[p%5]
	}
	at := map[group]int{}
	var groups []members
	for i, e := range evs {
		k := group{e.src, e.ent.Class.Step, e.ent.Class.Type, e.ent.Class.Recorder}
		gi, ok := at[k]
		if !ok {
			gi = len(groups)
			at[k] = gi
			groups = append(groups, members{})
		}
		g := &groups[gi]
		if g.n < len(g.first) {
			g.first[g.n] = i
		}
		g.last[g.n%len(g.last)] = i
		g.n++
	}
	// The heads, in order: milestones first, then by rank in the head,
	// newest first. The rest follow in time order backwards (evs is in
	// time order), other events before sensor reports.
	type head struct{ i, class, seq int }
	var heads []head
	isHead := make([]bool, len(evs))
	for _, g := range groups {
		n := g.n
		seq := 0
		for _, pos := range []int{n - 1, 0, n - 2, 1, n - 3, n - 4, n - 5} {
			if pos < 0 || pos >= n {
				continue
			}
			i := g.last[pos%len(g.last)]
			if pos < len(g.first) {
				i = g.first[pos]
			}
			if isHead[i] {
				continue
			}
			isHead[i] = true
			class := 1
			if traceIsMilestone(&evs[i].ent.Class) {
				class = 0
			}
			heads = append(heads, head{i, class, seq})
			seq++
		}
	}
	slices.SortFunc(heads, func(a, b head) int {
		if a.class != b.class {
			return a.class - b.class
		}
		if a.seq != b.seq {
			return a.seq - b.seq
		}
		return b.i - a.i // newest first
	})
	listed, size := 0, 0
	// try lists evs[i] if it fits and says whether there is room for more.
	try := func(i int) bool {
		if n := traceEventSize(&evs[i].ent.Class); size+n <= traceListBytes {
			evs[i].listed = true
			listed++
			size += n
		}
		return listed < traceListEvents
	}
	for _, h := range heads {
		if !try(h.i) {
			return
		}
	}
	for _, sensor := range []bool{false, true} {
		for i := len(evs) - 1; i >= 0; i-- {
			if !isHead[i] && (evs[i].ent.Class.Step == "sensor_reporting") == sensor && !try(i) {
				return
			}
		}
	}
}

// traceEventSize is a generous estimate of an event's JSON size: a
// transformation with a hundred inputs or a report of two hundred readings
// weighs as much as dozens of plain events.
func traceEventSize(c *trace.Class) int {
	return 700 + 100*c.Refs + 170*c.Readings
}

// traceSteps counts the events read per step and type, in the order of
// the step table.
func traceSteps(evs []traceEv) []api.TraceStepCount {
	out := []api.TraceStepCount{}
	var last [][]byte
	type stepType struct{ step, typ string }
	at := map[stepType]int{}
	for _, e := range evs { // time order
		k := stepType{e.ent.Class.Step, e.ent.Class.Type}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, api.TraceStepCount{BizStep: e.ent.Class.Step, Type: e.ent.Class.Type, First: string(e.ent.Class.EventTime)})
			last = append(last, nil)
		}
		s := &out[i]
		s.Events++
		last[i] = e.ent.Class.EventTime
		if e.listed {
			s.Listed++
		} else {
			s.Omitted++
		}
	}
	for i := range out {
		out[i].Last = string(last[i])
	}
	slices.SortStableFunc(out, func(a, b api.TraceStepCount) int {
		if c := trace.StepOrder(a.BizStep) - trace.StepOrder(b.BizStep); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	return out
}

// traceReading is a reading read for a trace, with its parsed times.
type traceReading struct {
	api.TraceReading
	from, to time.Time
	ev       traceEv
}

// traceListReadingsOf lists every reading when they fit; otherwise the
// excursions, then the latest, newest first, up to traceListReadings, in
// their original order. It returns the list and how many it left out.
func traceListReadingsOf(rs []traceReading) ([]api.TraceReading, int) {
	out := make([]api.TraceReading, 0, min(len(rs), traceListReadings))
	if len(rs) <= traceListReadings {
		for _, r := range rs {
			out = append(out, r.TraceReading)
		}
		return out, 0
	}
	idx := make([]int, len(rs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if ea, eb := rs[a].Excursion, rs[b].Excursion; ea != eb {
			if ea {
				return -1
			}
			return 1
		}
		if c := rs[b].from.Compare(rs[a].from); c != 0 {
			return c
		}
		return b - a
	})
	idx = idx[:traceListReadings]
	slices.Sort(idx)
	for _, i := range idx {
		out = append(out, rs[i].TraceReading)
	}
	return out, len(rs) - len(out)
}

// traceSeries summarises readings per lot, location, type and unit.
func traceSeries(rs []traceReading, sources []traceSource, products map[string]*api.Product) ([]api.SensorSeries, int) {
	type series struct {
		key  string
		src  int
		loc  *api.Location
		rs   []traceReading
		evs  map[string]bool
		sort string
	}
	byKey := map[string]*series{}
	var all []*series
	for _, r := range rs {
		loc := r.ev.ev.ReadPoint
		if loc == nil {
			loc = r.ev.ev.BizLocation
		}
		locID := ""
		if loc != nil {
			locID = loc.ID
		}
		k := strconv.Itoa(r.ev.src) + "\x00" + locID + "\x00" + r.Type + "\x00" + r.UOM
		s := byKey[k]
		if s == nil {
			s = &series{key: k, src: r.ev.src, loc: loc, evs: map[string]bool{}, sort: locID + "\x00" + r.Type + "\x00" + r.UOM}
			byKey[k] = s
			all = append(all, s)
		}
		s.rs = append(s.rs, r)
		s.evs[r.EventID] = true
	}
	slices.SortStableFunc(all, func(a, b *series) int {
		if a.src != b.src {
			return a.src - b.src
		}
		return strings.Compare(a.sort, b.sort)
	})
	omitted := 0
	if len(all) > traceMaxSeries {
		omitted, all = len(all)-traceMaxSeries, all[:traceMaxSeries]
	}
	out := make([]api.SensorSeries, 0, len(all))
	for _, s := range all {
		src := sources[s.src].entry
		slices.SortStableFunc(s.rs, func(a, b traceReading) int {
			if c := a.from.Compare(b.from); c != 0 {
				return c
			}
			if c := a.to.Compare(b.to); c != 0 {
				return c
			}
			return trace.CompareRefs(a.ev.ent.Ref, b.ev.ent.Ref)
		})
		ss := api.SensorSeries{GTIN: src.GTIN, Lot: src.Lot, Location: s.loc, Type: s.rs[0].Type, UOM: s.rs[0].UOM, Events: len(s.evs), Readings: len(s.rs), Excursions: []api.ExcursionInterval{}}
		lo, hi := kit.Decimal(s.rs[0].MinValue), kit.Decimal(s.rs[0].MaxValue)
		sum := decimal.Zero
		first, last := s.rs[0].from, s.rs[0].to
		ss.From, ss.To = s.rs[0].From, s.rs[0].To
		prod := products[src.GTIN]
		var cur *api.ExcursionInterval
		var curFrom, curTo time.Time
		var curDev decimal.Decimal
		var intervals []api.ExcursionInterval
		closeCur := func() {
			if cur != nil {
				cur.DurationSeconds = int64(curTo.Sub(curFrom) / time.Second)
				intervals = append(intervals, *cur)
				cur = nil
			}
		}
		for _, r := range s.rs {
			mn, mx := kit.Decimal(r.MinValue), kit.Decimal(r.MaxValue)
			if mn.LessThan(lo) {
				lo = mn
			}
			if mx.GreaterThan(hi) {
				hi = mx
			}
			sum = sum.Add(mn.Add(mx))
			if r.from.Before(first) {
				first, ss.From = r.from, r.From
			}
			if r.to.After(last) {
				last, ss.To = r.to, r.To
			}
			if !r.Excursion {
				closeCur()
				continue
			}
			ss.Excursion++
			peak, dev := tracePeak(prod, mn, mx)
			if cur != nil && !r.from.After(curTo) {
				cur.Readings++
				if r.to.After(curTo) {
					curTo, cur.To = r.to, r.To
				}
				if dev.GreaterThan(curDev) {
					curDev, cur.Peak = dev, peak.String()
				}
				continue
			}
			closeCur()
			cur = &api.ExcursionInterval{From: r.From, To: r.To, Peak: peak.String(), Readings: 1}
			curFrom, curTo, curDev = r.from, r.to, dev
		}
		closeCur()
		ss.MinValue, ss.MaxValue = lo.String(), hi.String()
		ss.MeanValue = sum.Div(decimal.NewFromInt(int64(2 * len(s.rs)))).StringFixed(2)
		ss.Intervals = len(intervals)
		if len(intervals) > traceMaxExcursions {
			idx := make([]int, len(intervals))
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int {
				if c := intervals[b].DurationSeconds - intervals[a].DurationSeconds; c != 0 {
					if c > 0 {
						return 1
					}
					return -1
				}
				return a - b
			})
			idx = idx[:traceMaxExcursions]
			slices.Sort(idx)
			kept := make([]api.ExcursionInterval, 0, len(idx))
			for _, i := range idx {
				kept = append(kept, intervals[i])
			}
			ss.ExcursionsOmitted, intervals = len(intervals)-len(kept), kept
		}
		ss.Excursions = append(ss.Excursions, intervals...)
		out = append(out, ss)
	}
	return out, omitted
}

// tracePeak is the value of a reading farthest out of the product's
// storage range, and how far out it is (the maximum when the product has
// no range: the reading was out of another product's range).
func tracePeak(p *api.Product, mn, mx decimal.Decimal) (decimal.Decimal, decimal.Decimal) {
	peak, dev := mx, decimal.Zero
	if p == nil {
		return peak, dev
	}
	if p.StorageMaxC != "" {
		if d := mx.Sub(kit.Decimal(p.StorageMaxC)); d.GreaterThan(dev) {
			peak, dev = mx, d
		}
	}
	if p.StorageMinC != "" {
		if d := kit.Decimal(p.StorageMinC).Sub(mn); d.GreaterThan(dev) {
			peak, dev = mn, d
		}
	}
	return peak, dev
}

// HasCustody says whether an enterprise holds goods of a lot: it recorded
// receiving or storing them and has not recorded shipping them since.
func (t *TraceReads) HasCustody(ctx contractapi.TransactionContextInterface, gtin, lot, creditCode string) (string, error) {
	l, err := trace.LotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	e, err := registry.LoadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	held, err := trace.CustodyAt(ctx, l.GTIN, l.Lot, e.CreditCode)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(api.CustodyResult{GTIN: l.GTIN, Lot: l.Lot, CreditCode: e.CreditCode, InCustody: held})
}
