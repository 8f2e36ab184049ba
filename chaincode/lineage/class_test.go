package lineage

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/trace"
)

func TestTraceClassRoundTrip(t *testing.T) {
	evs := []*api.TraceEvent{
		{BizStep: "packing", Type: api.ObjectEvent, EventTime: "2026-03-26T20:00:00+08:00", RecordedBy: api.Actor{CreditCode: "91440101MA5CXXXX1A"},
			Lots: []api.LotRef{{GTIN: "1", Lot: "A"}}},
		{BizStep: "sensor_reporting", Type: api.ObjectEvent, EventTime: "2026-03-26T12:00:00.5Z", RecordedBy: api.Actor{CreditCode: "X"}, Excursion: true,
			Lots: []api.LotRef{{GTIN: "1", Lot: "A"}, {GTIN: "1", Lot: "B"}}, Items: []api.ItemRef{{GTIN: "1", Serial: "s"}}, SensorReadings: make([]api.SensorReading, 200)},
		{BizStep: "packing", Type: api.AggregationEvent, EventTime: "2026-03-26T20:00:00+08:00", Parent: &api.ParentRef{GTIN: "2", Serial: "p"}, ChildItems: []api.ItemRef{{GTIN: "1", Serial: "s"}}},
		{BizStep: "packing", Type: api.AggregationEvent, EventTime: "2026-03-26T20:00:00+08:00", Parent: &api.ParentRef{SSCC: "1"}, ChildItems: []api.ItemRef{{GTIN: "1", Serial: "s"}}},
		{BizStep: "slaughtering", Type: api.TransformationEvent, EventTime: "2026-03-26T20:00:00-03:30", Inputs: []api.LotRef{{GTIN: "1", Lot: "A"}}, Outputs: []api.LotRef{{GTIN: "2", Lot: "B"}}},
	}
	wantEntries := []int{1, 3, 2, 1, 2}
	var r trace.ClassReader
	for i, ev := range evs {
		c := trace.ClassOf(ev)
		if c.Entries != wantEntries[i] {
			t.Errorf("event %d: %d entries, want %d", i, c.Entries, wantEntries[i])
		}
		got, ok := r.Parse(c.Value())
		if !ok || fmt.Sprint(got) != fmt.Sprint(c) {
			t.Errorf("event %d: parse(value) = %+v, %v; want %+v", i, got, ok, c)
		}
		if traceEventSize(&got) != 700+100*got.Refs+170*len(ev.SensorReadings) {
			t.Errorf("event %d: size %d", i, traceEventSize(&got))
		}
	}
}

// Values that are not a class are entries to read the event for: the
// marker older ledgers hold, and anything damaged or of another version.
func TestTraceClassRejects(t *testing.T) {
	val := func(f ...string) []byte { return []byte("c1\x00" + strings.Join(f, "\x00") + "\x00") }
	var r trace.ClassReader
	if _, ok := r.Parse(val("packing", api.ObjectEvent, "X", "2026-03-26T20:00:00+08:00", "1", "0", "0", "1")); !ok {
		t.Fatal("a good value is not parsed")
	}
	for _, v := range [][]byte{{0}, nil, []byte("c1"), []byte("c2\x00packing\x00"),
		val("packing", api.ObjectEvent, "X", "t", "1", "0", "0"),                   // a field short
		val("packing", api.ObjectEvent, "X", "t", "1", "0", "0", "1", "x"),         // one too many
		append(val("packing", api.ObjectEvent, "X", "t", "1", "0", "0", "1"), 'x'), // trailing bytes
		val("packing", api.ObjectEvent, "X", "t", "x", "0", "0", "1"),              // not a count
		val("packing", api.ObjectEvent, "X", "t", "1", "", "0", "1"),
		val("packing", api.ObjectEvent, "X", "t", "1", "0", "2", "1"),       // not a flag
		val("packing", api.ObjectEvent, "X", "t", "1", "0", "0", "1234567"), // too large
		val("packing", api.ObjectEvent, "X", "t", "-1", "0", "0", "1"),
	} {
		if c, ok := r.Parse(v); ok {
			t.Errorf("parse(%q) = %+v, want not a class", v, c)
		}
	}
}

// The listed events go into the encoded document where its events member
// is, whatever the strings around them hold.
func TestTraceJSONSplicesEvents(t *testing.T) {
	doc := api.TraceDocument{Product: api.Product{NameZh: `x"events":[]y`, NameEn: `"events":[],`}, Steps: []api.TraceStepCount{{BizStep: "packing", Events: 3}},
		LotEvents: []api.TraceLotEvents{{Events: 2}}, Omitted: api.TraceOmitted{Events: 1}, Events: []api.TraceEvent{{ID: "dropped"}}}
	var raw [][]byte
	for _, id := range []string{"a", "b<&>"} {
		b, _ := json.Marshal(api.TraceEvent{ID: id, BizStep: "packing"})
		raw = append(raw, b)
	}
	for _, events := range [][][]byte{nil, raw[:1], raw} {
		out, err := traceJSON(&doc, events)
		if err != nil {
			t.Fatal(err)
		}
		want := doc
		want.Events = []api.TraceEvent{}
		for _, e := range events {
			var ev api.TraceEvent
			_ = json.Unmarshal(e, &ev)
			want.Events = append(want.Events, ev)
		}
		wantJSON, _ := json.Marshal(want)
		if out != string(wantJSON) {
			t.Errorf("traceJSON with %d events:\n got %s\nwant %s", len(events), out, wantJSON)
		}
	}
}

func TestTraceMerge(t *testing.T) {
	ref := func(i int) trace.Ref {
		return trace.Ref{Time: fmt.Sprintf("2026-03-%02d", i/10), Hex: fmt.Sprintf("%02d", i)}
	}
	for _, runs := range [][][]int{{}, {{3, 1}}, {{5, 7}, {1, 2, 9}}, {{}, {4}, {}, {1, 2}, {3, 8, 9}}, {{10, 20, 30}, {11}, {12, 40}, {5}, {6, 41}}} {
		var evs []traceEv
		bounds := []int{0}
		var want []trace.Ref
		for _, run := range runs {
			slices.Sort(run)
			for _, i := range run {
				evs = append(evs, traceEv{ent: &trace.Entry{Ref: ref(i)}})
				want = append(want, ref(i))
			}
			bounds = append(bounds, len(evs))
		}
		slices.SortFunc(want, trace.CompareRefs)
		var got []trace.Ref
		for _, e := range traceMerge(evs, bounds) {
			got = append(got, e.ent.Ref)
		}
		if !slices.Equal(got, want) {
			t.Errorf("merge of %v: %v, want %v", runs, got, want)
		}
	}
}
