package trace

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

var fuzzNow = time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC) // two days after the seeds' events

// reinput turns a normalised event back into an input document.
func reinput(ev *api.TraceEvent) api.EventInput {
	in := api.EventInput{Type: ev.Type, Action: ev.Action, BizStep: ev.BizStep, Disposition: ev.Disposition, EventTime: ev.EventTime,
		ReadPoint: ev.ReadPoint, BizLocation: ev.BizLocation, Lots: ev.Lots, Items: ev.Items, Inputs: ev.Inputs, Outputs: ev.Outputs,
		ChildLots: ev.ChildLots, ChildItems: ev.ChildItems, Destination: ev.Destination}
	if ev.Type == api.TransformationEvent {
		in.Action = ""
	}
	if p := ev.Parent; p != nil {
		in.Parent = &api.ParentInput{SSCC: p.SSCC, GTIN: p.GTIN, Lot: p.Lot, Serial: p.Serial}
	}
	for _, r := range ev.SensorReadings {
		in.SensorReadings = append(in.SensorReadings, api.SensorInput{From: r.From, To: r.To, Type: r.Type, MinValue: r.MinValue, MaxValue: r.MaxValue, UOM: r.UOM})
	}
	return in
}

// FuzzNormalizeEvent: any event document is refused with INVALID_ARGUMENT
// (or EVENT_TOO_OLD, outside the capture window) or normalised; normalising a normalised event changes nothing, so its
// id is stable.
func FuzzNormalizeEvent(f *testing.F) {
	seeds := []string{
		`{"type":"ObjectEvent","bizStep":"shipping","eventTime":"2026-03-10T10:00:00+08:00","lots":[{"gtin":"6901234567892","lot":"A1","quantity":"10.50","unit":"kg"},{"gtin":"06901234567892","lot":"A0"}],"items":[{"gtin":"06901234567892","serial":"s2"},{"gtin":"06901234567892","serial":"s1"}]}`,
		`{"type":"ObjectEvent","bizStep":"sensor_reporting","eventTime":"2026-03-10T02:00:00Z","lots":[{"gtin":"06901234567892","lot":"A1"}],"sensorReadings":[{"from":"2026-03-10T09:00:00+08:00","to":"2026-03-10T10:00:00+08:00","type":"temperature","minValue":"-1.50","maxValue":"4","uom":"CEL"},{"from":"2026-03-10T08:00:00+08:00","to":"2026-03-10T09:00:00+08:00","type":"temperature","minValue":"0","maxValue":"3","uom":"CEL"}]}`,
		`{"type":"TransformationEvent","bizStep":"fermenting","eventTime":"2026-03-10T10:00:00+08:00","inputs":[{"gtin":"06901234567892","lot":"A1","quantity":"1","unit":"kg"}],"outputs":[{"gtin":"06901234567892","lot":"B1"}],"readPoint":{"id":"urn:epc:id:sgln:6901234.00001.0","name":"车间"}}`,
		`{"type":"AggregationEvent","action":"ADD","bizStep":"packing","eventTime":"2026-03-10T10:00:00+08:00","parent":{"sscc":"106141411234567897"},"childItems":[{"gtin":"06901234567892","serial":"s1"}],"childLots":[{"gtin":"06901234567892","lot":"A1","quantity":"2","unit":"tin"}]}`,
		`{"type":"ObjectEvent","bizStep":"shipping","eventTime":"2026-03-10T10:00:00+08:00","lots":[{"gtin":"06901234567892","lot":"A1"}],"destination":"91441800MA5000002W"}`,
		`{"type":"AggregationEvent","action":"DELETE","bizStep":"unpacking","eventTime":"2026-03-10T10:00:00-03:00","parent":{"gtin":"06901234567892","serial":"g1"},"childItems":[{"gtin":"06901234567892","serial":"s1"}]}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		var in api.EventInput
		if err := kit.DecodeArg("event", raw, &in); err != nil {
			return
		}
		ev, evTime, err := normalizeEvent(&in, fuzzNow)
		if err != nil {
			if !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") && !strings.HasPrefix(err.Error(), string(api.CodeEventTooOld)+": ") {
				t.Fatalf("refusal %v is not INVALID_ARGUMENT", err)
			}
			return
		}
		id1, err := eventID(ev, evTime)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(reinput(ev))
		var in2 api.EventInput
		if err := kit.DecodeArg("event", string(b), &in2); err != nil {
			t.Fatalf("normalised event %s does not decode: %v", b, err)
		}
		ev2, evTime2, err := normalizeEvent(&in2, fuzzNow)
		if err != nil {
			t.Fatalf("normalised event %s refused: %v", b, err)
		}
		id2, _ := eventID(ev2, evTime2)
		if id1 != id2 {
			t.Fatalf("id changed on renormalising %s: %s then %s", raw, id1, id2)
		}
		a, _ := json.Marshal(ev)
		c, _ := json.Marshal(ev2)
		if string(a) != string(c) {
			t.Fatalf("renormalising changed the event:\n%s\n%s", a, c)
		}
	})
}
