package contracttest

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"slices"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/gateway/identity"
)

// trStepKinds is who may record each business step (the contract's
// permission table, restated as the specification).
var trStepKinds = map[string]string{
	"commissioning":    "producer processor",
	"harvesting":       "producer",
	"withering":        "processor producer",
	"rolling":          "processor producer",
	"fermenting":       "processor producer",
	"drying":           "processor producer",
	"processing":       "processor producer",
	"vaccinating":      "producer",
	"feeding":          "producer",
	"slaughtering":     "processor",
	"inspecting":       "inspector",
	"sampling":         "inspector",
	"packing":          "processor producer warehouse",
	"unpacking":        "processor producer warehouse logistics",
	"storing":          "warehouse logistics",
	"receiving":        "warehouse logistics processor exporter",
	"loading":          "logistics warehouse",
	"unloading":        "logistics warehouse",
	"shipping":         "logistics exporter warehouse producer processor",
	"departing":        "logistics",
	"arriving":         "logistics",
	"sensor_reporting": "logistics warehouse",
}

// TestTraceAccessControl runs every writing transaction of the trace
// contract (RecordEvent once per business step) as every enterprise kind
// and as an identity bound to no enterprise.
func TestTraceAccessControl(t *testing.T) {
	w := trSetup(t)
	prod := w.by["producer"]
	// Products and lots of their own for the kinds that may commission.
	own := map[string]string{}
	for _, k := range []string{"producer", "processor"} {
		own[k] = w.product(w.by[k], nil)
		w.lot(w.by[k], own[k], "OWN", "100", "kg")
	}
	giProduct := w.product(prod, map[string]any{"giStatus": "GI_REGISTERED", "giName": "英德红茶"})
	w.lot(prod, giProduct, "GI1", "100", "kg")
	w.lot(prod, own["producer"], "EV", "1000", "kg")

	callers := append(append([]string{}, trKinds...), "unbound")
	who := func(kind string) (*identity.Identity, string) {
		if kind == "unbound" {
			return w.unbound, ""
		}
		return w.by[kind].Identity, w.by[kind].CreditCode
	}
	want := func(kind, allowed string) string {
		switch {
		case kind == "unbound":
			return "UNREGISTERED"
		case slices.Contains(strings.Fields(allowed), kind):
			return ""
		}
		return "FORBIDDEN"
	}
	type call struct {
		name    string
		allowed string
		args    func(kind string) (fn api.Tx, args []string)
	}
	lotFor := func(kind string) (string, string) {
		if g, ok := own[kind]; ok {
			return g, "OWN"
		}
		return own["producer"], "OWN"
	}
	serial := 0
	calls := []call{
		{"CreateProduct", "producer processor", func(string) (api.Tx, []string) {
			return api.TxCreateProduct, []string{trJSON(map[string]any{"gtin": w.newGTIN(), "nameZh": "茶", "category": "tea", "giStatus": "NONE"})}
		}},
		{"CommissionLot", "producer processor", func(kind string) (api.Tx, []string) {
			g, _ := lotFor(kind)
			return api.TxCommissionLot, []string{trJSON(trLotInput(g, "AC-"+kind, "10", "kg"))}
		}},
		{"CommissionItems", "producer processor", func(kind string) (api.Tx, []string) {
			g, l := lotFor(kind)
			serial++
			return api.TxCommissionItems, []string{g, l, trJSON([]string{"AC" + trJSON(serial)})}
		}},
		{"IssueCertificate QUARANTINE", "inspector", func(kind string) (api.Tx, []string) {
			return api.TxIssueCertificate, []string{trJSON(map[string]any{"type": "QUARANTINE", "number": "AC-" + kind, "subjects": []trObj{trLotRef(own["producer"], "OWN")},
				"documentSha256": strings.Repeat("1", 64), "validFrom": "2026-03-01", "validUntil": "2026-04-01", "result": "PASS"})}
		}},
		{"IssueCertificate GI", "regulator", func(kind string) (api.Tx, []string) {
			return api.TxIssueCertificate, []string{trJSON(map[string]any{"type": "GI", "number": "AC-" + kind, "subjects": []trObj{trLotRef(giProduct, "GI1")},
				"documentSha256": strings.Repeat("2", 64), "validFrom": "2026-03-01", "validUntil": "2029-04-01", "result": "PASS"})}
		}},
		{"RecallLot", "producer regulator", func(kind string) (api.Tx, []string) {
			lot := "RC-" + kind
			w.lot(prod, own["producer"], lot, "10", "kg")
			return api.TxRecallLot, []string{own["producer"], lot, "access test"}
		}},
	}
	steps := make([]string, 0, len(trStepKinds))
	for s := range trStepKinds {
		steps = append(steps, s)
	}
	slices.Sort(steps)
	for _, step := range steps {
		calls = append(calls, call{"RecordEvent " + step, trStepKinds[step], func(kind string) (api.Tx, []string) {
			// The caller holds EV's goods, so that this table is about which
			// kind records which step; whose goods they are is
			// TestAuthorityAttacks' subject.
			if kind != "producer" && kind != "unbound" {
				w.handOver(prod, own["producer"], "EV", w.by[kind])
			}
			ev := trObj{"type": "ObjectEvent", "bizStep": step, "eventTime": w.eventTime(), "lots": []trObj{trLotRef(own["producer"], "EV")}}
			if step == "sensor_reporting" {
				ev["sensorReadings"] = []trObj{{"from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T09:00:00+08:00", "type": "temperature", "minValue": "1", "maxValue": "2", "uom": "CEL"}}
			}
			return api.TxRecordEvent, []string{trJSON(ev)}
		}})
	}
	for _, c := range calls {
		for _, kind := range callers {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				id, _ := who(kind)
				fn, args := c.args(kind)
				_, err := w.submit(id, fn, args...)
				trCheckCode(t, err, want(kind, c.allowed))
			})
		}
	}
}
