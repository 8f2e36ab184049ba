package trace

import (
	"bytes"
	"strconv"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Class is what a trace needs to know of an event to count it and to
// choose whether to list it, without reading it: its group (step, type,
// Recorder), its time as recorded, the weight of its lists (for
// traceEventSize), whether it carries readings (then the trace reads it,
// to summarise them) or an excursion, and how many index entries name it
// (one: it cannot be met again on another lot or the item).
type Class struct {
	Step, Type, Recorder    string
	EventTime               []byte
	Refs, Readings, Entries int
	excursion               bool
}

// traceClassV1 starts the value of an event~lot or event~item entry that
// carries its event's class. Entries written before events were classified
// hold indexMarker (or anything else that does not parse): for those the
// trace reads the event itself, so an old ledger is traced exactly as a
// new one, only slower.
const traceClassV1 = "c1\x00"

func ClassOf(ev *api.TraceEvent) Class {
	c := Class{
		Step: ev.BizStep, Type: ev.Type, Recorder: ev.RecordedBy.CreditCode, EventTime: []byte(ev.EventTime),
		Refs:     len(ev.Lots) + len(ev.Items) + len(ev.Inputs) + len(ev.Outputs) + len(ev.ChildLots) + len(ev.ChildItems),
		Readings: len(ev.SensorReadings), excursion: ev.Excursion,
	}
	c.Entries = c.Refs // RecordEvent indexes every lot and item named...
	if p := ev.Parent; p != nil && p.SSCC == "" {
		c.Entries++ // ... and an item that is the parent
	}
	return c
}

// Value encodes the class: traceClassV1, then step, type, recorder, event
// Time, refs, readings, excursion (0 or 1) and entries, each ended by
// U+0000. None of them can hold U+0000 (steps and types come from tables,
// the recorder is a credit code, the time is RFC 3339).
func (c Class) Value() []byte {
	x := "0"
	if c.excursion {
		x = "1"
	}
	b := []byte(traceClassV1)
	for _, f := range []string{c.Step, c.Type, c.Recorder, string(c.EventTime), strconv.Itoa(c.Refs), strconv.Itoa(c.Readings), x, strconv.Itoa(c.Entries)} {
		b = append(append(b, f...), 0)
	}
	return b
}

// ClassReader parses index values into classes, sharing the strings
// that repeat (steps, types, recorders) and keeping the event time as a
// slice of the value: a flooded lot has thousands of entries.
type ClassReader struct {
	steps, recorders map[string]string
}

// Parse reads a value made by Class.Value; ok is false for anything
// else (an entry written before classes were).
func (r *ClassReader) Parse(v []byte) (c Class, ok bool) {
	rest, ok := bytes.CutPrefix(v, []byte(traceClassV1))
	if !ok {
		return Class{}, false
	}
	var f [8][]byte
	for i := range f {
		if f[i], rest, ok = bytes.Cut(rest, []byte{0}); !ok {
			return Class{}, false
		}
	}
	if len(rest) != 0 || len(f[6]) != 1 || f[6][0] != '0' && f[6][0] != '1' {
		return Class{}, false
	}
	c.EventTime, c.excursion = f[3], f[6][0] == '1'
	var ok1, ok2, ok3 bool
	c.Refs, ok1 = traceCount(f[4])
	c.Readings, ok2 = traceCount(f[5])
	c.Entries, ok3 = traceCount(f[7])
	if !ok1 || !ok2 || !ok3 {
		return Class{}, false
	}
	c.Step = r.intern(&r.steps, f[0])
	switch string(f[1]) {
	case api.ObjectEvent:
		c.Type = api.ObjectEvent
	case api.TransformationEvent:
		c.Type = api.TransformationEvent
	case api.AggregationEvent:
		c.Type = api.AggregationEvent
	default:
		c.Type = string(f[1])
	}
	c.Recorder = r.intern(&r.recorders, f[2])
	return c, true
}

// intern returns the one copy of b the reader keeps in *m.
func (r *ClassReader) intern(m *map[string]string, b []byte) string {
	if s, ok := (*m)[string(b)]; ok {
		return s
	}
	if *m == nil {
		*m = map[string]string{}
	}
	s := string(b)
	(*m)[s] = s
	return s
}

// traceCount reads a count written by strconv.Itoa (at most six digits).
func traceCount(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 6 {
		return 0, false
	}
	n := 0
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int(d-'0')
	}
	return n, true
}
