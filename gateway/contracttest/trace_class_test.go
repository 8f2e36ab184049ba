package contracttest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// classStory is a lot with a mixed history for the trace's event
// classification (the value of event~lot and event~item entries): a
// transformation from a flock, floods of two steps by the producer, cold
// chain reports from two trucks with excursions, storing by a warehouse,
// inspections of items, an aggregation into a pallet, reports heavy
// enough to hit the listed-size bound, and a shipping event with
// readings.
type classStory struct {
	flock, carcass string
	events         []api.TraceEvent
}

func (w *trWorld) classStory() classStory {
	w.t.Helper()
	proc, logi, wh, insp := w.by["processor"], w.by["logistics"], w.by["warehouse"], w.by["inspector"]
	cst := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	w.Clock.Set(now)
	base := now.Add(-6 * 24 * time.Hour).In(cst)
	at := func(d time.Duration) string { return base.Add(d).Format(time.RFC3339) }
	var s classStory
	s.flock = w.product(proc, trObj{"nameZh": "活禽", "category": "poultry-live"})
	s.carcass = w.product(proc, trObj{"nameZh": "冰鲜整鸡", "category": "poultry-chilled", "storageMinC": "0", "storageMaxC": "4"})
	w.lot(proc, s.flock, "F1", "500", "head")
	w.lot(proc, s.carcass, "C1", "500", "pack")
	w.items(proc, s.carcass, "C1", "c001", "c002", "c003")
	w.handOver(proc, s.carcass, "C1", logi)
	w.handOver(proc, s.carcass, "C1", wh)
	rec := func(m *Member, ev trObj) {
		s.events = append(s.events, w.mustEvent(m, ev))
	}
	readings := func(from time.Time, n int, excursionAt int) []trObj {
		var out []trObj
		for i := range n {
			lo, hi := "1.5", "3.5"
			if i == excursionAt || i == excursionAt+1 {
				lo, hi = "3.0", fmt.Sprintf("%d.5", 5+i%3)
			}
			out = append(out, trObj{"from": from.Add(time.Duration(i) * 10 * time.Second).Format(time.RFC3339), "to": from.Add(time.Duration(i+1) * 10 * time.Second).Format(time.RFC3339),
				"type": "temperature", "minValue": lo, "maxValue": hi, "uom": "CEL"})
		}
		return out
	}
	lot := func(g, l string) []trObj { return []trObj{trLotRef(g, l)} }
	rec(proc, trObj{"type": "TransformationEvent", "bizStep": "slaughtering", "eventTime": at(0),
		"inputs": []trObj{trLotQty(s.flock, "F1", "500", "head")}, "outputs": []trObj{trLotQty(s.carcass, "C1", "500", "pack")}})
	for i := range 240 {
		t0 := base.Add(time.Hour + time.Duration(i)*time.Minute)
		switch {
		case i%12 == 5:
			truck := []string{"urn:qingchain:vehicle:A", "urn:qingchain:vehicle:B"}[i/12%2]
			exc := -5
			if i%36 == 5 {
				exc = 1
			}
			rec(logi, trObj{"type": "ObjectEvent", "bizStep": "sensor_reporting", "eventTime": t0.Add(50 * time.Second).Format(time.RFC3339), "lots": lot(s.carcass, "C1"),
				"readPoint": trObj{"id": truck, "name": "冷藏车"}, "sensorReadings": readings(t0, 4, exc)})
		case i%40 == 7:
			rec(wh, trObj{"type": "ObjectEvent", "bizStep": "storing", "eventTime": t0.Format(time.RFC3339), "lots": lot(s.carcass, "C1"),
				"bizLocation": trObj{"id": "geo:23.7,113.0", "name": "冷库"}})
		case i%50 == 9:
			rec(insp, trObj{"type": "ObjectEvent", "bizStep": "inspecting", "disposition": "conformant", "eventTime": t0.Format(time.RFC3339),
				"items": []trObj{trItem(s.carcass, "c001")}, "lots": lot(s.carcass, "C1")})
		case i == 100 || i == 102 || i == 104:
			// Heavy reports: two of them fill most of the listed-size bound.
			rec(logi, trObj{"type": "ObjectEvent", "bizStep": "sensor_reporting", "eventTime": t0.Add(59 * time.Minute).Format(time.RFC3339), "lots": lot(s.carcass, "C1"),
				"readPoint": trObj{"id": "urn:qingchain:vehicle:A"}, "sensorReadings": readings(t0, 200, -5)})
		default:
			rec(proc, trObj{"type": "ObjectEvent", "bizStep": []string{"processing", "packing"}[i%2], "eventTime": t0.Format(time.RFC3339), "lots": lot(s.carcass, "C1")})
		}
	}
	for i := range 6 {
		rec(insp, trObj{"type": "ObjectEvent", "bizStep": "sampling", "eventTime": at(5*time.Hour + time.Duration(i)*time.Minute), "items": []trObj{trItem(s.carcass, "c001")}})
	}
	rec(proc, trObj{"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "eventTime": at(6 * time.Hour),
		"parent": trObj{"sscc": "069123450000000017"}, "childItems": []trObj{trItem(s.carcass, "c001"), trItem(s.carcass, "c002")}})
	for i := range 30 {
		rec(proc, trObj{"type": "ObjectEvent", "bizStep": "processing", "eventTime": at(-time.Hour + time.Duration(i)*time.Second), "lots": lot(s.flock, "F1")})
	}
	t0 := base.Add(7 * time.Hour)
	rec(proc, trObj{"type": "ObjectEvent", "bizStep": "shipping", "disposition": "in_transit", "eventTime": t0.Add(time.Hour).Format(time.RFC3339), "lots": lot(s.carcass, "C1"),
		"readPoint": trObj{"id": "urn:qingchain:vehicle:B"}, "sensorReadings": readings(t0, 8, 3)})
	return s
}

// unclassify turns the event's index entries back into what a ledger
// written before the classification holds: event~lot and event~item
// entries whose value is a bare marker.
func (w *trWorld) unclassify(ev api.TraceEvent) {
	w.t.Helper()
	t, err := time.Parse(time.RFC3339Nano, ev.EventTime)
	if err != nil {
		w.t.Fatal(err)
	}
	sortTime := t.UTC().Format("2006-01-02T15:04:05.000000000Z")
	hex := strings.TrimSuffix(strings.TrimPrefix(ev.ID, "ni:///sha-256;"), "?ver=CBV2.0")
	for _, list := range [][]api.LotRef{ev.Lots, ev.Inputs, ev.Outputs, ev.ChildLots} {
		for _, r := range list {
			w.index("put", "event~lot", r.GTIN, r.Lot, sortTime, hex)
		}
	}
	for _, list := range [][]api.ItemRef{ev.Items, ev.ChildItems} {
		for _, r := range list {
			w.index("put", "event~item", r.GTIN, r.Serial, sortTime, hex)
		}
	}
	if p := ev.Parent; p != nil && p.SSCC == "" {
		w.index("put", "event~item", p.GTIN, p.Serial, sortTime, hex)
	}
}

// traceJSON is GetTrace's answer as it is.
func (w *trWorld) traceJSON(gtin, lot, serial string) string {
	w.t.Helper()
	out, err := w.Evaluate(w.unbound, api.TxGetTrace, gtin, lot, serial)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(out)
}

// A trace over a ledger where some or all events predate the
// classification of index entries finds, counts, chooses and summarises
// them exactly as if they had been classified when recorded.
func TestTraceEventsBeforeClassification(t *testing.T) {
	w := trSetup(t)
	s := w.classStory()
	queries := [][3]string{{s.carcass, "C1", ""}, {s.carcass, "C1", "c001"}, {s.carcass, "C1", "c003"}, {s.flock, "F1", ""}}
	var want []string
	for _, q := range queries {
		want = append(want, w.traceJSON(q[0], q[1], q[2]))
	}
	var doc api.TraceDocument
	if err := json.Unmarshal([]byte(want[0]), &doc); err != nil {
		t.Fatal(err)
	}
	// The story exercises what the classification decides: more candidates
	// than are listed, the listed-size bound, more readings than are
	// listed, several series with excursions, the item's own events.
	if !doc.Truncated || doc.Omitted.Events == 0 || doc.Omitted.Readings == 0 || len(doc.SensorSeries) < 2 || len(doc.Events) >= 100 {
		t.Fatalf("the story does not exercise the bounds: %d events listed, omitted %+v, %d series", len(doc.Events), doc.Omitted, len(doc.SensorSeries))
	}
	intervals := 0
	for _, ss := range doc.SensorSeries {
		intervals += ss.Intervals
	}
	if intervals == 0 {
		t.Fatalf("no excursion interval in %s", trJSON(doc.SensorSeries))
	}

	check := func(stage string) {
		t.Helper()
		for i, q := range queries {
			if got := w.traceJSON(q[0], q[1], q[2]); got != want[i] {
				t.Errorf("%s: trace of %v differs:\n%s", stage, q, traceDiff(got, want[i]))
			}
		}
	}
	// Some events predate the classification: every third one, the
	// slaughter (on both lots), an item's inspections and the pallet.
	for i, ev := range s.events {
		if i%3 == 0 || ev.BizStep == "sampling" || ev.Type == api.AggregationEvent {
			w.unclassify(ev)
		}
	}
	check("some unclassified")
	// All of them do.
	for _, ev := range s.events {
		w.unclassify(ev)
	}
	check("all unclassified")
	// A new event on the old ledger is classified and counted with the rest.
	late := w.mustEvent(w.by["processor"], trObj{"type": "ObjectEvent", "bizStep": "packing", "eventTime": s.events[len(s.events)-1].EventTime,
		"lots": []trObj{trLotRef(s.carcass, "C1")}, "bizLocation": trObj{"id": "geo:23.7,113.1"}})
	var after api.TraceDocument
	Into(w.T, &after)(w.C.GetTrace(w.Ctx, w.unbound, s.carcass, "C1", ""))
	found := false
	for _, e := range after.Events {
		found = found || e.ID == late.ID
	}
	if after.EventCount != doc.EventCount+1 || !found {
		t.Errorf("after a new event: %d events (want %d), new event listed %v", after.EventCount, doc.EventCount+1, found)
	}
}

// traceDiff shows where two trace documents first differ.
func traceDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("at byte %d\n got …%.400s\nwant …%.400s", i, got[from:], want[from:])
}
