package trace

import (
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// Recalls lists the recalls that reach the lots: of the lots themselves
// and of every lot upstream of them (the trace contract's lineage, as
// recallStatus walks it), nearest first.
func Recalls(ctx contractapi.TransactionContextInterface, lots []api.LotRef) ([]api.Recall, error) {
	if len(lots) == 0 {
		return nil, nil
	}
	starts := make([]api.LineageLot, len(lots))
	for i, l := range lots {
		starts[i] = api.LineageLot{GTIN: l.GTIN, Lot: l.Lot}
	}
	reached, _, err := walkGoods(ctx, starts, true, true, MaxLineageDepth, MaxLineageLots)
	if err != nil {
		return nil, err
	}
	return RecallsOf(ctx, reached)
}

const MaxLineageDepth = 64

const MaxLineageLots = 10000

const maxContainerNodes = 2000

// WalkLineage visits lots breadth-first from starts (ordered by depth)
// through the inputs index (up) or the outputs index (down), each lot once
// at its least depth, to maxDepth; it stops at maxLots lots and reports
// truncated. The order is deterministic: by depth, then index order.
func WalkLineage(ctx contractapi.TransactionContextInterface, starts []api.LineageLot, up bool, maxDepth, maxLots int) ([]api.LineageLot, bool, error) {
	return walkGoods(ctx, starts, up, false, maxDepth, maxLots)
}

// walkGoods is WalkLineage that, with packing set, also follows the lots
// packed into serialized items of other lots (tins in gift boxes), as the
// goods' recall checks and collateral alerts must.
func walkGoods(ctx contractapi.TransactionContextInterface, starts []api.LineageLot, up, packing bool, maxDepth, maxLots int) ([]api.LineageLot, bool, error) {
	idx, pidx := idxOutputs, idxPackedDown
	if up {
		idx, pidx = idxInputs, idxPackedUp
	}
	visited := make(map[LotKey]bool, len(starts))
	queue := make([]api.LineageLot, 0, len(starts))
	for _, s := range starts {
		if k := (LotKey{s.GTIN, s.Lot}); !visited[k] {
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
		if packing {
			packed, err := lotPairs(ctx, pidx, n.GTIN, n.Lot)
			if err != nil {
				return nil, false, err
			}
			tails = append(tails, packed...)
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
			queue = append(queue, api.LineageLot{GTIN: k.GTIN, Lot: k.Lot, Depth: n.Depth + 1})
		}
	}
	return queue, truncated, nil
}

// lotPairs reads the lineage index entries under [gtin, lot] and returns
// their two trailing attributes (the lot at the other end of the edge), in
// key order. It splits the keys itself: a composite key is U+0000, the
// object type, then each attribute followed by U+0000 (the shim's format),
// and the walk reads thousands of them.
func lotPairs(ctx contractapi.TransactionContextInterface, idx, gtin, lot string) ([]LotKey, error) {
	prefix, err := kit.Key(ctx, idx, gtin, lot)
	if err != nil {
		return nil, err
	}
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(idx, []string{gtin, lot})
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	var out []LotKey
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, kit.Errf(api.CodeInternal, "index query: %v", err)
		}
		rest, ok := strings.CutPrefix(kv.Key, prefix)
		g, l, ok2 := strings.Cut(rest, "\x00")
		if !ok || !ok2 || !strings.HasSuffix(l, "\x00") || strings.Contains(l[:len(l)-1], "\x00") {
			return nil, kit.Errf(api.CodeInternal, "malformed lineage index key %q", kv.Key)
		}
		out = append(out, LotKey{g, l[:len(l)-1]})
	}
	return out, nil
}

// ItemUpstreamStarts is where an item's history starts: its own lot, and
// the lots of everything aggregated into it (a gift box holds tins of
// other lots), through nested containers.
func ItemUpstreamStarts(ctx contractapi.TransactionContextInterface, it *api.Item) ([]api.LineageLot, error) {
	starts := []api.LineageLot{{GTIN: it.GTIN, Lot: it.Lot, Depth: 0}}
	containers := []string{itemURI(it.GTIN, it.Serial)}
	seen := map[string]bool{containers[0]: true}
	for i := 0; i < len(containers) && i < maxContainerNodes; i++ {
		children, err := kit.IndexTails(ctx, idxChildren, []string{containers[i]})
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
				starts = append(starts, api.LineageLot{GTIN: k.GTIN, Lot: k.Lot, Depth: 1})
			default:
				child, err := loadItem(ctx, k.GTIN, k.Serial)
				if err != nil {
					return nil, err
				}
				starts = append(starts, api.LineageLot{GTIN: child.GTIN, Lot: child.Lot, Depth: 1})
				containers = append(containers, c[0])
			}
		}
	}
	return starts, nil
}

// recallStatus walks upstream from starts and reports the nearest recall.
func recallStatus(ctx contractapi.TransactionContextInterface, starts []api.LineageLot) (api.RecallStatus, error) {
	return RecallStatusOf(ctx, starts, false)
}

// RecallStatusOf is recallStatus that, with packing set, also reaches the
// lots packed into the goods (for receipts on them).
func RecallStatusOf(ctx contractapi.TransactionContextInterface, starts []api.LineageLot, packing bool) (api.RecallStatus, error) {
	lots, _, err := walkGoods(ctx, starts, true, packing, MaxLineageDepth, MaxLineageLots)
	if err != nil {
		return api.RecallStatus{}, err
	}
	recalls, err := RecallsOf(ctx, lots)
	if err != nil {
		return api.RecallStatus{}, err
	}
	if len(recalls) == 0 {
		return api.RecallStatus{}, nil
	}
	return api.RecallStatus{Recalled: true, Recall: &recalls[0]}, nil
}

// RecallsOf returns the recalls of the given lots, in their order.
func RecallsOf(ctx contractapi.TransactionContextInterface, lots []api.LineageLot) ([]api.Recall, error) {
	var out []api.Recall
	for _, l := range lots {
		k, err := kit.Key(ctx, objRecall, l.GTIN, l.Lot)
		if err != nil {
			return nil, err
		}
		var r api.Recall
		if found, err := kit.GetJSON(ctx, k, &r); err != nil {
			return nil, err
		} else if found {
			out = append(out, r)
		}
	}
	return out, nil
}

// CustodyAt reports whether the enterprise has received or stored goods of
// the lot (a receiving or storing event it recorded) and not shipped them
// out since. For the warehouse-receipt and financing contracts.
func CustodyAt(ctx contractapi.TransactionContextInterface, gtin, lot, creditCode string) (bool, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(idxCustody, []string{gtin, lot, creditCode})
	if err != nil {
		return false, kit.Errf(api.CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	return it.HasNext(), nil
}

// Ref is an event index entry: sort time (UTC, fixed width) and hex id.
type Ref struct{ Time, Hex string }

// putEventIndex writes an event index entry (event~lot, event~item) whose
// Value is the event's class.
func putEventIndex(ctx contractapi.TransactionContextInterface, objectType string, class []byte, attrs ...string) error {
	k, err := kit.Key(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(k, class); err != nil {
		return kit.Errf(api.CodeInternal, "write index: %v", err)
	}
	return nil
}

// Entry is an event index entry with the class its value carries
// (known false: none, the event must be read).
type Entry struct {
	Ref   Ref
	Class Class
	Known bool
}

// traceEntries reads the event index entries (event~lot or event~item)
// under [a, b], in key order (event time, then id). It splits the keys
// itself, as lotPairs does, and allocates the entries in blocks rather
// than growing one slice of them: a flooded lot has thousands.
func traceEntries(ctx contractapi.TransactionContextInterface, cr *ClassReader, idx, a, b string) ([]*Entry, error) {
	prefix, err := kit.Key(ctx, idx, a, b)
	if err != nil {
		return nil, err
	}
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(idx, []string{a, b})
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	var out []*Entry
	var block []Entry
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, kit.Errf(api.CodeInternal, "index query: %v", err)
		}
		rest, ok := strings.CutPrefix(kv.Key, prefix)
		tm, hx, ok2 := strings.Cut(rest, "\x00")
		if !ok || !ok2 || !strings.HasSuffix(hx, "\x00") || strings.Contains(hx[:len(hx)-1], "\x00") {
			return nil, kit.Errf(api.CodeInternal, "malformed event index key %q", kv.Key)
		}
		if len(block) == cap(block) {
			block = make([]Entry, 0, min(max(2*len(out), 8), 512))
		}
		block = append(block, Entry{Ref: Ref{tm, hx[:len(hx)-1]}})
		e := &block[len(block)-1]
		e.Class, e.Known = cr.Parse(kv.Value)
		out = append(out, e)
	}
	return out, nil
}

func CompareRefs(a, b Ref) int {
	if c := strings.Compare(a.Time, b.Time); c != 0 {
		return c
	}
	return strings.Compare(a.Hex, b.Hex)
}

// LotEventEntries reads the event~lot entries of a lot, in index order.
func LotEventEntries(ctx contractapi.TransactionContextInterface, cr *ClassReader, gtin, lot string) ([]*Entry, error) {
	return traceEntries(ctx, cr, idxEventOfLot, gtin, lot)
}

// ItemEventEntries reads the event~item entries of an item, in index
// order.
func ItemEventEntries(ctx contractapi.TransactionContextInterface, cr *ClassReader, gtin, serial string) ([]*Entry, error) {
	return traceEntries(ctx, cr, idxEventOfItem, gtin, serial)
}

// RawEvent is an event's stored JSON.
func RawEvent(ctx contractapi.TransactionContextInterface, hexID string) ([]byte, error) {
	k, err := kit.Key(ctx, objTraceEvent, hexID)
	if err != nil {
		return nil, err
	}
	raw, err := ctx.GetStub().GetState(k)
	if err != nil {
		return nil, kit.Errf(api.CodeInternal, "read state: %v", err)
	} else if raw == nil {
		return nil, kit.Errf(api.CodeNotFound, "event %s is not recorded", hexID)
	}
	return raw, nil
}

// LotEventRefs lists the event~lot entries of a lot, oldest first (event
// Time, then id).
func LotEventRefs(ctx contractapi.TransactionContextInterface, gtin, lot string) ([]Ref, error) {
	tails, err := kit.IndexTails(ctx, idxEventOfLot, []string{gtin, lot})
	if err != nil {
		return nil, err
	}
	refs := make([]Ref, len(tails))
	for i, t := range tails {
		refs[i] = Ref{t[0], t[1]}
	}
	return refs, nil
}
