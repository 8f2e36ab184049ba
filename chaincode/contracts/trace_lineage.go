package contracts

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Bounds on what one query walks and returns.
const (
	defaultLineageDepth = 10
	maxLineageDepth     = 64
	maxLineageLots      = 10000
	traceDepth          = 32
	traceMaxLots        = 1000
	traceMaxEvents      = 2000
	maxContainerNodes   = 2000
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

// LineageLot is a lot met on a lineage walk, at its distance in
// transformations (or aggregations) from where the walk started.
type LineageLot struct {
	GTIN  string `json:"gtin"`
	Lot   string `json:"lot"`
	Depth int    `json:"depth"`
}

// walkLineage visits lots breadth-first from starts (ordered by depth)
// through the inputs index (up) or the outputs index (down), each lot once
// at its least depth, to maxDepth; it stops at maxLots lots and reports
// truncated. The order is deterministic: by depth, then index order.
func walkLineage(ctx contractapi.TransactionContextInterface, starts []LineageLot, up bool, maxDepth, maxLots int) ([]LineageLot, bool, error) {
	idx := idxOutputs
	if up {
		idx = idxInputs
	}
	visited := make(map[lotKey]bool, len(starts))
	queue := make([]LineageLot, 0, len(starts))
	for _, s := range starts {
		if k := (lotKey{s.GTIN, s.Lot}); !visited[k] {
			visited[k] = true
			queue = append(queue, s)
		}
	}
	truncated := false
	for i := 0; i < len(queue) && !truncated; i++ {
		n := queue[i]
		if n.Depth >= maxDepth {
			continue
		}
		tails, err := lotPairs(ctx, idx, n.GTIN, n.Lot)
		if err != nil {
			return nil, false, err
		}
		for _, k := range tails {
			if visited[k] {
				continue
			}
			if len(queue) >= maxLots {
				truncated = true
				break
			}
			visited[k] = true
			queue = append(queue, LineageLot{GTIN: k.GTIN, Lot: k.Lot, Depth: n.Depth + 1})
		}
	}
	return queue, truncated, nil
}

// lotPairs reads the lineage index entries under [gtin, lot] and returns
// their two trailing attributes (the lot at the other end of the edge), in
// key order. It splits the keys itself: a composite key is U+0000, the
// object type, then each attribute followed by U+0000 (the shim's format),
// and the walk reads thousands of them.
func lotPairs(ctx contractapi.TransactionContextInterface, idx, gtin, lot string) ([]lotKey, error) {
	prefix, err := key(ctx, idx, gtin, lot)
	if err != nil {
		return nil, err
	}
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(idx, []string{gtin, lot})
	if err != nil {
		return nil, errf(CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	var out []lotKey
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, errf(CodeInternal, "index query: %v", err)
		}
		rest, ok := strings.CutPrefix(kv.Key, prefix)
		g, l, ok2 := strings.Cut(rest, "\x00")
		if !ok || !ok2 || !strings.HasSuffix(l, "\x00") || strings.Contains(l[:len(l)-1], "\x00") {
			return nil, errf(CodeInternal, "malformed lineage index key %q", kv.Key)
		}
		out = append(out, lotKey{g, l[:len(l)-1]})
	}
	return out, nil
}

// itemUpstreamStarts is where an item's history starts: its own lot, and
// the lots of everything aggregated into it (a gift box holds tins of
// other lots), through nested containers.
func itemUpstreamStarts(ctx contractapi.TransactionContextInterface, it *Item) ([]LineageLot, error) {
	starts := []LineageLot{{GTIN: it.GTIN, Lot: it.Lot, Depth: 0}}
	containers := []string{itemURI(it.GTIN, it.Serial)}
	seen := map[string]bool{containers[0]: true}
	for i := 0; i < len(containers) && i < maxContainerNodes; i++ {
		children, err := indexTails(ctx, idxChildren, []string{containers[i]})
		if err != nil {
			return nil, err
		}
		for _, c := range children {
			if seen[c[0]] {
				continue
			}
			seen[c[0]] = true
			k, ok := parseObjectURI(c[0])
			switch {
			case !ok:
			case k.Serial == "":
				starts = append(starts, LineageLot{GTIN: k.GTIN, Lot: k.Lot, Depth: 1})
			default:
				child, err := loadItem(ctx, k.GTIN, k.Serial)
				if err != nil {
					return nil, err
				}
				starts = append(starts, LineageLot{GTIN: child.GTIN, Lot: child.Lot, Depth: 1})
				containers = append(containers, c[0])
			}
		}
	}
	return starts, nil
}

// recallStatus walks upstream from starts and reports the nearest recall.
func recallStatus(ctx contractapi.TransactionContextInterface, starts []LineageLot) (RecallStatus, error) {
	lots, _, err := walkLineage(ctx, starts, true, maxLineageDepth, maxLineageLots)
	if err != nil {
		return RecallStatus{}, err
	}
	recalls, err := recallsOf(ctx, lots)
	if err != nil {
		return RecallStatus{}, err
	}
	if len(recalls) == 0 {
		return RecallStatus{}, nil
	}
	return RecallStatus{Recalled: true, Recall: &recalls[0]}, nil
}

// recallsOf returns the recalls of the given lots, in their order.
func recallsOf(ctx contractapi.TransactionContextInterface, lots []LineageLot) ([]Recall, error) {
	var out []Recall
	for _, l := range lots {
		k, err := key(ctx, objRecall, l.GTIN, l.Lot)
		if err != nil {
			return nil, err
		}
		var r Recall
		if found, err := getJSON(ctx, k, &r); err != nil {
			return nil, err
		} else if found {
			out = append(out, r)
		}
	}
	return out, nil
}

// custodyAt reports whether the enterprise has received or stored goods of
// the lot (a receiving or storing event it recorded) and not shipped them
// out since. For the warehouse-receipt and financing contracts.
func custodyAt(ctx contractapi.TransactionContextInterface, gtin, lot, creditCode string) (bool, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(idxCustody, []string{gtin, lot, creditCode})
	if err != nil {
		return false, errf(CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	return it.HasNext(), nil
}

// LineageResult is the answer of Lineage.
type LineageResult struct {
	GTIN      string       `json:"gtin"`
	Lot       string       `json:"lot"`
	Direction string       `json:"direction"`
	MaxDepth  int          `json:"maxDepth"`
	Lots      []LineageLot `json:"lots"`
	Truncated bool         `json:"truncated"`
}

// Lineage lists the lots upstream ("up": what this lot was made from) or
// downstream ("down": what was made from it) through transformations, each
// with its depth, to maxDepth (1 to 64; empty for 10). Answered from the
// lineage indexes alone; each lot is visited once.
func (t *Trace) Lineage(ctx contractapi.TransactionContextInterface, gtin, lot, direction, maxDepth string) (string, error) {
	l, err := lotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	if _, err := trOneOf("direction", direction, "up", "down"); err != nil {
		return "", err
	}
	depth := defaultLineageDepth
	if maxDepth != "" {
		depth, err = strconv.Atoi(maxDepth)
		if err != nil || depth < 1 || depth > maxLineageDepth || strings.TrimLeft(maxDepth, "0123456789") != "" {
			return "", errf(CodeInvalidArgument, "maxDepth: want a whole number from 1 to %d", maxLineageDepth)
		}
	}
	lots, truncated, err := walkLineage(ctx, []LineageLot{{GTIN: l.GTIN, Lot: l.Lot}}, direction == "up", depth, maxLineageLots+1)
	if err != nil {
		return "", err
	}
	return toJSON(LineageResult{GTIN: l.GTIN, Lot: l.Lot, Direction: direction, MaxDepth: depth, Lots: append([]LineageLot{}, lots[1:]...), Truncated: truncated})
}

// TraceReading is a sensor reading with the event it came from.
type TraceReading struct {
	EventID   string `json:"eventId"`
	BizStep   string `json:"bizStep"`
	EventTime string `json:"eventTime"`
	SensorReading
}

// TraceDocument is everything the shopper's page and the EPCIS export
// show about a lot or a serialized item.
type TraceDocument struct {
	Product        Product        `json:"product"`
	Lot            Lot            `json:"lot"`
	Item           *Item          `json:"item,omitempty"`
	Container      string         `json:"container,omitempty"`
	Recalled       bool           `json:"recalled"`
	Recall         *Recall        `json:"recall,omitempty"`
	Recalls        []Recall       `json:"recalls"`
	Lineage        []LineageLot   `json:"lineage"`
	Lots           []Lot          `json:"lots"`
	Products       []Product      `json:"products"`
	Events         []TraceEvent   `json:"events"`
	Certificates   []Certificate  `json:"certificates"`
	SensorReadings []TraceReading `json:"sensorReadings"`
	Truncated      bool           `json:"truncated"`
}

// GetTrace returns one document about a lot (serial empty) or a serialized
// item: its product, lot and item; the lineage upstream (depth 0 is this
// lot; an item's aggregated contents are at depth 1); every upstream lot
// and product; the events of all those lots (and of the item), ordered by
// event time; their certificates; the sensor readings; and recall status.
// Every record carries its txId.
func (t *Trace) GetTrace(ctx contractapi.TransactionContextInterface, gtin, lot, serial string) (string, error) {
	l, err := lotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	doc := TraceDocument{Lot: *l, Recalls: []Recall{}, Lots: []Lot{}, Products: []Product{}, Events: []TraceEvent{}, Certificates: []Certificate{}, SensorReadings: []TraceReading{}}
	p, err := loadProduct(ctx, l.GTIN)
	if err != nil {
		return "", err
	}
	doc.Product = *p
	starts := []LineageLot{{GTIN: l.GTIN, Lot: l.Lot}}
	if serial != "" {
		it, err := itemArgs(ctx, l.GTIN, l.Lot, serial)
		if err != nil {
			return "", err
		}
		doc.Item = it
		if starts, err = itemUpstreamStarts(ctx, it); err != nil {
			return "", err
		}
		parents, err := indexTails(ctx, idxParents, []string{itemURI(it.GTIN, it.Serial)})
		if err != nil {
			return "", err
		}
		if len(parents) > 0 {
			doc.Container = parents[0][0]
		}
	}
	lineage, truncated, err := walkLineage(ctx, starts, true, traceDepth, traceMaxLots)
	if err != nil {
		return "", err
	}
	doc.Lineage, doc.Truncated = lineage, truncated
	if doc.Recalls, err = recallsOf(ctx, lineage); err != nil {
		return "", err
	}
	if doc.Recalls == nil {
		doc.Recalls = []Recall{}
	}
	if len(doc.Recalls) > 0 {
		doc.Recalled, doc.Recall = true, &doc.Recalls[0]
	}

	productSeen := map[string]bool{p.GTIN: true}
	certSeen := map[string]bool{}
	var certIDs []string
	type evRef struct{ time, hex string }
	evSeen := map[string]bool{}
	var evRefs []evRef
	addEvents := func(tails [][]string) {
		for _, t := range tails {
			if !evSeen[t[1]] {
				evSeen[t[1]] = true
				evRefs = append(evRefs, evRef{t[0], t[1]})
			}
		}
	}
	for _, ll := range lineage {
		if ll.GTIN != l.GTIN || ll.Lot != l.Lot {
			lr, err := loadLot(ctx, ll.GTIN, ll.Lot)
			if err != nil {
				return "", err
			}
			doc.Lots = append(doc.Lots, *lr)
			if !productSeen[ll.GTIN] {
				productSeen[ll.GTIN] = true
				pr, err := loadProduct(ctx, ll.GTIN)
				if err != nil {
					return "", err
				}
				doc.Products = append(doc.Products, *pr)
			}
		}
		tails, err := indexTails(ctx, idxEventOfLot, []string{ll.GTIN, ll.Lot})
		if err != nil {
			return "", err
		}
		addEvents(tails)
		certs, err := indexTails(ctx, idxCertOfLot, []string{ll.GTIN, ll.Lot})
		if err != nil {
			return "", err
		}
		for _, c := range certs {
			if !certSeen[c[0]] {
				certSeen[c[0]] = true
				certIDs = append(certIDs, c[0])
			}
		}
	}
	if doc.Item != nil {
		tails, err := indexTails(ctx, idxEventOfItem, []string{doc.Item.GTIN, doc.Item.Serial})
		if err != nil {
			return "", err
		}
		addEvents(tails)
	}
	slices.SortFunc(evRefs, func(a, b evRef) int {
		if c := strings.Compare(a.time, b.time); c != 0 {
			return c
		}
		return strings.Compare(a.hex, b.hex)
	})
	if len(evRefs) > traceMaxEvents {
		evRefs, doc.Truncated = evRefs[:traceMaxEvents], true
	}
	for _, r := range evRefs {
		ev, err := loadEvent(ctx, r.hex)
		if err != nil {
			return "", err
		}
		doc.Events = append(doc.Events, *ev)
		for _, sr := range ev.SensorReadings {
			doc.SensorReadings = append(doc.SensorReadings, TraceReading{EventID: ev.ID, BizStep: ev.BizStep, EventTime: ev.EventTime, SensorReading: sr})
		}
	}
	for _, id := range certIDs {
		c, err := loadCertificate(ctx, id)
		if err != nil {
			return "", err
		}
		doc.Certificates = append(doc.Certificates, *c)
	}
	return toJSON(doc)
}

// CustodyResult is the answer of HasCustody.
type CustodyResult struct {
	GTIN       string `json:"gtin"`
	Lot        string `json:"lot"`
	CreditCode string `json:"creditCode"`
	InCustody  bool   `json:"inCustody"`
}

// HasCustody says whether an enterprise holds goods of a lot: it recorded
// receiving or storing them and has not recorded shipping them since.
func (t *Trace) HasCustody(ctx contractapi.TransactionContextInterface, gtin, lot, creditCode string) (string, error) {
	l, err := lotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	e, err := loadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	held, err := custodyAt(ctx, l.GTIN, l.Lot, e.CreditCode)
	if err != nil {
		return "", err
	}
	return toJSON(CustodyResult{GTIN: l.GTIN, Lot: l.Lot, CreditCode: e.CreditCode, InCustody: held})
}
