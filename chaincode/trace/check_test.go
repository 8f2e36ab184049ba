package trace

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

func TestTraceChecks(t *testing.T) {
	tests := []struct {
		name string
		f    func() (string, error)
		want string // normalised value, or "ERR"
	}{
		{"quantity", func() (string, error) { return kit.CheckQuantity("q", "10.500") }, "10.5"},
		{"quantity zero", func() (string, error) { return kit.CheckQuantity("q", "0.000") }, "ERR"},
		{"quantity leading zero", func() (string, error) { return kit.CheckQuantity("q", "010") }, "ERR"},
		{"quantity point only", func() (string, error) { return kit.CheckQuantity("q", "1.") }, "ERR"},
		{"quantity sign", func() (string, error) { return kit.CheckQuantity("q", "+1") }, "ERR"},
		{"quantity 7 decimals", func() (string, error) { return kit.CheckQuantity("q", "1.0000001") }, "ERR"},
		{"negative bounded", func() (string, error) { return kit.CheckBounded("t", "-18.50", -100, 100, 2) }, "-18.5"},
		{"minus zero", func() (string, error) { return kit.CheckBounded("t", "-0", -100, 100, 2) }, "0"},
		{"bounded above", func() (string, error) { return kit.CheckBounded("t", "90.0000001", -90, 90, 7) }, "ERR"},
		{"double minus", func() (string, error) { return kit.CheckBounded("t", "--1", -90, 90, 7) }, "ERR"},
		{"SSCC", func() (string, error) { return kit.CheckSSCC("s", "106141411234567897") }, "106141411234567897"},
		{"SSCC check digit", func() (string, error) { return kit.CheckSSCC("s", "106141411234567898") }, "ERR"},
		{"SSCC 17 digits", func() (string, error) { return kit.CheckSSCC("s", "10614141123456789") }, "ERR"},
		{"country", func() (string, error) { return kit.CheckCountry("c", "HK") }, "HK"},
		{"country across codes", func() (string, error) { return kit.CheckCountry("c", "DA") }, "ERR"},
		{"URI urn", func() (string, error) { return kit.CheckURI("u", "urn:epc:id:sgln:6901234.00001.0") }, "urn:epc:id:sgln:6901234.00001.0"},
		{"URI geo", func() (string, error) { return kit.CheckURI("u", "geo:24.1,113.4") }, "geo:24.1,113.4"},
		{"URI relative", func() (string, error) { return kit.CheckURI("u", "/warehouse/1") }, "ERR"},
		{"URI with space", func() (string, error) { return kit.CheckURI("u", "urn:a b") }, "ERR"},
		{"URI non-ASCII", func() (string, error) { return kit.CheckURI("u", "urn:仓库") }, "ERR"},
		{"sha256 upper", func() (string, error) { return kit.CheckSHA256("h", strings.Repeat("AB", 32)) }, strings.Repeat("ab", 32)},
		{"time Z", func() (string, error) { _, off, err := kit.CheckTime("t", "2026-03-01T08:00:00Z"); return off, err }, "+00:00"},
		{"time offset", func() (string, error) {
			_, off, err := kit.CheckTime("t", "2026-03-01T08:00:00.5-05:30")
			return off, err
		}, "-05:30"},
		{"time no offset", func() (string, error) { _, off, err := kit.CheckTime("t", "2026-03-01T08:00:00"); return off, err }, "ERR"},
		{"time space", func() (string, error) { _, off, err := kit.CheckTime("t", "2026-03-01 08:00:00Z"); return off, err }, "ERR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f()
			if err != nil {
				if tc.want != "ERR" {
					t.Errorf("error %v, want %q", err, tc.want)
				} else if !strings.HasPrefix(err.Error(), string(api.CodeInvalidArgument)+": ") {
					t.Errorf("error %v is not INVALID_ARGUMENT", err)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

var trFuzzNow = time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC) // two days after the seeds' events

// trReinput turns a normalised event back into an input document.
func trReinput(ev *api.TraceEvent) api.EventInput {
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
		ev, evTime, err := normalizeEvent(&in, trFuzzNow)
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
		b, _ := json.Marshal(trReinput(ev))
		var in2 api.EventInput
		if err := kit.DecodeArg("event", string(b), &in2); err != nil {
			t.Fatalf("normalised event %s does not decode: %v", b, err)
		}
		ev2, evTime2, err := normalizeEvent(&in2, trFuzzNow)
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
