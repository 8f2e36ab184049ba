package contracttest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/gateway/identity"
)

// floodSubmit submits the calls in order, one after the other (events on
// one lot conflict when concurrent: each counts itself on the lot), and
// fails on the first error.
func floodSubmit(t testing.TB, w *trWorld, id *identity.Identity, calls [][]string) {
	t.Helper()
	for _, c := range calls {
		if _, err := w.Submit(id, api.Tx(c[0]), c[1:]...); err != nil {
			t.Fatalf("%s %s: %v", c[0], c[1], err)
		}
	}
}

// floodStory is a chilled chicken lot with its real story, flooded by its
// own producer: the flock F1 and carcass lot C1 belong to one processor,
// which slaughters the flock into C1 at base, then records n events on C1
// (and nUp on F1), all before the lot's real later events: packing, the
// inspection, and shipping with the cold-chain readings.
type floodStory struct {
	flock, carcass                    string // GTINs
	slaughter, packing, inspect, ship api.TraceEvent
	flooded, floodedUp                int
	base                              time.Time
}

func (w *trWorld) floodStory(n, nUp int) floodStory {
	w.t.Helper()
	proc, insp := w.by["processor"], w.by["inspector"]
	cst := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	w.Clock.Set(now)
	base := now.Add(-6 * 24 * time.Hour).In(cst) // inside the 7-day window
	at := func(d time.Duration) string { return base.Add(d).Format(time.RFC3339) }
	s := floodStory{base: base, flooded: n, floodedUp: nUp}
	s.flock = w.product(proc, trObj{"nameZh": "清远鸡（活禽）", "category": "poultry-live"})
	s.carcass = w.product(proc, trObj{"nameZh": "清远鸡冰鲜整鸡", "category": "poultry-chilled", "storageMinC": "0", "storageMaxC": "4"})
	w.lot(proc, s.flock, "F1", "2000", "head")
	w.lot(proc, s.carcass, "C1", "1900", "pack")
	s.slaughter = w.mustEvent(proc, trObj{"type": "TransformationEvent", "bizStep": "slaughtering", "eventTime": at(0),
		"inputs": []trObj{trLotQty(s.flock, "F1", "1900", "head")}, "outputs": []trObj{trLotQty(s.carcass, "C1", "1900", "pack")}})

	// The flood: the lot's own producer, event times inside the window and
	// before everything that happened later.
	var calls [][]string
	for i := range n {
		step := []string{"processing", "packing"}[i%2]
		ev := trObj{"type": "ObjectEvent", "bizStep": step, "eventTime": base.Add(time.Hour + time.Duration(i)*time.Minute).Format(time.RFC3339),
			"lots": []trObj{trLotRef(s.carcass, "C1")}}
		calls = append(calls, []string{string(api.TxRecordEvent), trJSON(ev)})
	}
	for i := range nUp {
		ev := trObj{"type": "ObjectEvent", "bizStep": "processing", "eventTime": base.Add(time.Hour + time.Duration(i)*time.Minute + 30*time.Second).Format(time.RFC3339),
			"lots": []trObj{trLotRef(s.flock, "F1")}}
		calls = append(calls, []string{string(api.TxRecordEvent), trJSON(ev)})
	}
	floodSubmit(w.t, w, proc.Identity, calls)

	later := 48 * time.Hour // after the last flood event (n minutes after base+1h)
	if d := time.Hour + time.Duration(n+nUp)*time.Minute; d >= later {
		w.t.Fatalf("a flood of %d events does not end before the later story", n+nUp)
	}
	s.packing = w.mustEvent(proc, trObj{"type": "ObjectEvent", "bizStep": "packing", "eventTime": at(later), "lots": []trObj{trLotRef(s.carcass, "C1")},
		"bizLocation": trObj{"id": "geo:23.7010,113.0210", "name": "清远鲜禽屠宰加工厂", "nameEn": "Qingyuan slaughterhouse"}})
	s.inspect = w.mustEvent(insp, trObj{"type": "ObjectEvent", "bizStep": "inspecting", "disposition": "conformant", "eventTime": at(later + 2*time.Hour),
		"lots": []trObj{trLotRef(s.carcass, "C1")}})
	var readings []trObj
	temps := [][2]string{{"1.8", "2.6"}, {"2.1", "3.0"}, {"3.1", "7.2"}, {"3.5", "6.1"}, {"2.2", "3.4"}, {"1.9", "2.8"}}
	t0 := base.Add(later + 3*time.Hour)
	for i, tv := range temps {
		readings = append(readings, trObj{"from": t0.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), "to": t0.Add(time.Duration(i+1) * time.Hour).Format(time.RFC3339),
			"type": "temperature", "minValue": tv[0], "maxValue": tv[1], "uom": "CEL"})
	}
	s.ship = w.mustEvent(proc, trObj{"type": "ObjectEvent", "bizStep": "shipping", "disposition": "in_transit", "eventTime": t0.Add(6 * time.Hour).Format(time.RFC3339),
		"lots": []trObj{trLotRef(s.carcass, "C1")}, "readPoint": trObj{"id": "urn:qingchain:vehicle:YUE-R-C1234", "name": "冷藏车"}, "sensorReadings": readings})
	return s
}

func TestTraceFloodKeepsTheRealStory(t *testing.T) {
	w := trSetup(t)
	s := w.floodStory(1900, 150)
	out, err := w.Evaluate(w.unbound, api.TxGetTrace, s.carcass, "C1", "")
	if err != nil {
		t.Fatal(err)
	}
	var doc api.TraceDocument
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	// The real story is there, the latest events included.
	ids := map[string]bool{}
	for _, e := range doc.Events {
		ids[e.ID] = true
	}
	for name, ev := range map[string]api.TraceEvent{"slaughter": s.slaughter, "packing": s.packing, "inspection": s.inspect, "shipping": s.ship} {
		if !ids[ev.ID] {
			t.Errorf("the trace lacks the %s (%s)", name, ev.EventTime)
		}
	}
	if !slices.IsSortedFunc(doc.Events, func(a, b api.TraceEvent) int {
		return parseTime(t, a.EventTime).Compare(parseTime(t, b.EventTime))
	}) {
		t.Error("events are not in time order")
	}
	// Bounded, and what is left out is said.
	if len(out) > 200<<10 {
		t.Errorf("trace is %d bytes", len(out))
	}
	t.Logf("flooded trace: %d bytes, %d events listed of %d", len(out), len(doc.Events), doc.EventCount)
	total := 1 + s.flooded + s.floodedUp + 3
	if doc.EventCount != total || !doc.Truncated || doc.Omitted.Events != total-len(doc.Events) || doc.Omitted.Unread != 0 {
		t.Errorf("eventCount %d (want %d), truncated %v, omitted %+v, %d listed", doc.EventCount, total, doc.Truncated, doc.Omitted, len(doc.Events))
	}
	counted, listed := 0, 0
	steps := map[string]api.TraceStepCount{}
	for _, st := range doc.Steps {
		counted += st.Events
		listed += st.Listed
		if st.Events != st.Listed+st.Omitted {
			t.Errorf("step %+v does not add up", st)
		}
		steps[st.Type+":"+st.BizStep] = st
	}
	if counted != total || listed != len(doc.Events) {
		t.Errorf("steps count %d events, %d listed; want %d, %d", counted, listed, total, len(doc.Events))
	}
	if st := steps["ObjectEvent:processing"]; st.Events != s.flooded/2+s.floodedUp || st.Omitted == 0 {
		t.Errorf("processing step = %+v", st)
	}
	if st := steps["ObjectEvent:packing"]; st.Events != s.flooded/2+1 || st.Last != s.packing.EventTime {
		t.Errorf("packing step = %+v, last should be the real packing %s", st, s.packing.EventTime)
	}
	byLot := map[string]api.TraceLotEvents{}
	for _, le := range doc.LotEvents {
		byLot[le.Lot] = le
	}
	if c1, f1 := byLot["C1"], byLot["F1"]; c1.Events != s.flooded+4 || c1.Read != c1.Events || f1.Events != s.floodedUp || c1.Listed+f1.Listed != len(doc.Events) {
		t.Errorf("lot events = %+v", doc.LotEvents)
	}
	// The cold chain, summarised: one series, one excursion of two hours.
	if len(doc.SensorSeries) != 1 {
		t.Fatalf("sensor series = %+v", doc.SensorSeries)
	}
	ss := doc.SensorSeries[0]
	if ss.Lot != "C1" || ss.Readings != 6 || ss.Events != 1 || ss.MinValue != "1.8" || ss.MaxValue != "7.2" || ss.MeanValue != "3.31" || ss.Excursion != 2 || ss.Intervals != 1 ||
		len(ss.Excursions) != 1 || ss.Excursions[0].Peak != "7.2" || ss.Excursions[0].DurationSeconds != 7200 || ss.Excursions[0].Readings != 2 || ss.Location == nil {
		t.Errorf("series = %s", trJSON(ss))
	}
	if len(doc.SensorReadings) != 6 {
		t.Errorf("%d readings listed, want 6", len(doc.SensorReadings))
	}

	// Every event can still be had, a page at a time.
	var all []api.TraceEvent
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
		var page api.LotEventsPage
		Into(w.T, &page)(w.C.ListLotEvents(w.Ctx, w.unbound, s.carcass, "C1", cursor, "200"))
		all = append(all, page.Events...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	seen := map[string]bool{}
	for i, e := range all {
		if seen[e.ID] {
			t.Fatalf("event %s listed twice", e.ID)
		}
		seen[e.ID] = true
		if i > 0 && parseTime(t, e.EventTime).Before(parseTime(t, all[i-1].EventTime)) {
			t.Fatalf("page order broken at %d", i)
		}
	}
	if len(all) != s.flooded+4 || !seen[s.ship.ID] || !seen[s.slaughter.ID] {
		t.Errorf("pages hold %d events, want %d", len(all), s.flooded+4)
	}
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestListLotEventsRefusesBadInput(t *testing.T) {
	w := trSetup(t)
	proc := w.by["processor"]
	g := w.product(proc, nil)
	w.lot(proc, g, "P1", "10", "kg")
	var page api.LotEventsPage
	Into(w.T, &page)(w.C.ListLotEvents(w.Ctx, w.unbound, g, "P1", "", ""))
	if len(page.Events) != 0 || page.NextCursor != "" {
		t.Errorf("empty lot: %+v", page)
	}
	for _, tc := range []struct{ lot, cursor, limit, want string }{
		{"P1", "", "0", "INVALID_ARGUMENT"},
		{"P1", "", "201", "INVALID_ARGUMENT"},
		{"P1", "", "+5", "INVALID_ARGUMENT"},
		{"P1", "", "1e3", "INVALID_ARGUMENT"},
		{"P1", "not-a-cursor", "", "INVALID_ARGUMENT"},
		{"P1", "MjAyNi0wMy0zMFQwMTowMjowMy4wMDAwMDAwMDBaLw", "", "INVALID_ARGUMENT"},
		{"NOPE", "", "", "NOT_FOUND"},
	} {
		_, err := w.C.ListLotEvents(w.Ctx, w.unbound, g, tc.lot, tc.cursor, tc.limit)
		trCheckCode(t, err, tc.want)
	}
}

// A lineage of three transformation levels with fan-in 40 (121 lots):
// the trace lists the nearest 100 lots, says how many it left out, still
// finds a recall on a lot it does not list, and stays small.
func TestTraceLineageFanInIsBounded(t *testing.T) {
	const fanIn, levels = 40, 3
	w := trSetup(t)
	proc := w.by["processor"]
	now := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	w.Clock.Set(now)
	evTime := now.Add(-24 * time.Hour)
	gtins := make([]string, levels+1)
	for i := range gtins {
		gtins[i] = w.product(proc, trObj{"nameZh": fmt.Sprintf("level %d", i), "category": "test"})
	}
	name := func(level, i int) string { return fmt.Sprintf("LV%d-%02d", level, i) }
	width := func(level int) int {
		if level == levels {
			return 1
		}
		return fanIn
	}
	var commission [][]string
	for level := 0; level <= levels; level++ {
		for i := range width(level) {
			commission = append(commission, []string{string(api.TxCommissionLot), trJSON(trLotInput(gtins[level], name(level, i), "1000", "kg"))})
		}
	}
	floodSubmit(t, w, proc.Identity, commission)
	for level := 1; level <= levels; level++ {
		inputs := make([]trObj, fanIn)
		for i := range inputs {
			inputs[i] = trLotQty(gtins[level-1], name(level-1, i), "1", "kg")
		}
		var xforms [][]string
		for i := range width(level) {
			evTime = evTime.Add(time.Minute)
			ev := trObj{"type": "TransformationEvent", "bizStep": "processing", "eventTime": evTime.Format(time.RFC3339),
				"inputs": inputs, "outputs": []trObj{trLotRef(gtins[level], name(level, i))}}
			xforms = append(xforms, []string{string(api.TxRecordEvent), trJSON(ev)})
		}
		floodSubmit(t, w, proc.Identity, xforms)
	}
	w.OK(w.C.RecallLot(w.Ctx, proc.Identity, gtins[0], name(0, fanIn-1), "测试召回 test recall"))

	out, err := w.Evaluate(w.unbound, api.TxGetTrace, gtins[levels], name(levels, 0), "")
	if err != nil {
		t.Fatal(err)
	}
	var doc api.TraceDocument
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	lots := 1 + levels*fanIn
	if len(doc.Lineage) != 100 || doc.Omitted.Lots != lots-100 || !doc.Truncated || len(doc.Lots) != 99 {
		t.Errorf("lineage %d, lots %d, omitted %+v", len(doc.Lineage), len(doc.Lots), doc.Omitted)
	}
	listedRecalled := false
	for _, l := range doc.Lineage {
		listedRecalled = listedRecalled || l.GTIN == gtins[0] && l.Lot == name(0, fanIn-1)
	}
	if listedRecalled {
		t.Error("the recalled raw lot is listed; the test wants it beyond the listed lots")
	}
	if !doc.Recalled || doc.Recall == nil || doc.Recall.Lot != name(0, fanIn-1) {
		t.Errorf("recall beyond the listed lots not found: %+v", doc.Recall)
	}
	if len(out) > 200<<10 {
		t.Errorf("trace is %d bytes", len(out))
	}
	t.Logf("fan-in trace: %d bytes, %d events listed of %d", len(out), len(doc.Events), doc.EventCount)
}
