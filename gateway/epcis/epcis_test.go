package epcis

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/contracttest"
)

// standardsDir finds GS1's EPCIS 2.0 standard files (JSON schema and
// examples). They are not copied into this repository: the test reads them
// from $QC_EPCIS_STANDARDS, or the workplace's shared folder beside the
// repository. Without them it skips, unless QC_REQUIRE_EPCIS_SCHEMA is set.
func standardsDir(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("QC_EPCIS_STANDARDS"), "../../../shared/standards/epcis", "/work/shared/standards/epcis"}
	for _, dir := range candidates {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "EPCIS-JSON-Schema.json")); err == nil {
			return dir
		}
	}
	if os.Getenv("QC_REQUIRE_EPCIS_SCHEMA") != "" {
		t.Fatalf("QC_REQUIRE_EPCIS_SCHEMA is set but GS1's EPCIS-JSON-Schema.json is in none of %q", candidates)
	}
	t.Skip("SKIP: GS1's EPCIS 2.0 JSON schema not found; set QC_EPCIS_STANDARDS to the folder holding EPCIS-JSON-Schema.json")
	return ""
}

const schemaID = "https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json"

// lookaheadRegexp matches the one form of lookahead the EPCIS schema uses,
// a whole pattern "^(?!(alternatives))" ("does not start with any of"),
// which Go's regexp package does not support.
type lookaheadRegexp struct {
	src   string
	inner *regexp.Regexp
}

func (r lookaheadRegexp) MatchString(s string) bool { return !r.inner.MatchString(s) }
func (r lookaheadRegexp) String() string            { return r.src }

func compileRegexp(src string) (jsonschema.Regexp, error) {
	if body, ok := strings.CutPrefix(src, "^(?!"); ok && strings.HasSuffix(body, ")") {
		inner, err := regexp.Compile("^(?:" + strings.TrimSuffix(body, ")") + ")")
		if err != nil {
			return nil, err
		}
		return lookaheadRegexp{src: src, inner: inner}, nil
	}
	return regexp.Compile(src)
}

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// epcisSchema compiles the standard's JSON schema, with format assertions
// on (uri, date-time ...).
func epcisSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(standardsDir(t), "EPCIS-JSON-Schema.json")
	schemaOnce.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.UseRegexpEngine(compileRegexp)
		if schemaErr = c.AddResource(schemaID, doc); schemaErr != nil {
			return
		}
		schema, schemaErr = c.Compile(schemaID)
	})
	if schemaErr != nil {
		abs, _ := filepath.Abs(path)
		t.Fatalf("EPCIS 2.0 JSON schema unusable at %s : %v", abs, schemaErr)
	}
	return schema
}

func validate(t *testing.T, raw []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return epcisSchema(t).Validate(v)
}

// The standard's own examples pass, so the validator setup is sound.
func TestSchemaAcceptsStandardExamples(t *testing.T) {
	for _, name := range []string{"example-ObjectEvent.json", "example-AggregationEvent.json", "example-TransformationEvent.json"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(standardsDir(t), name))
			if err != nil {
				t.Fatalf("EPCIS example missing : %v", err)
			}
			if err := validate(t, raw); err != nil {
				t.Errorf("standard example fails the standard schema: %v", err)
			}
		})
	}
}

// And broken documents fail, so the validator is not vacuous.
func TestSchemaRejectsBrokenEvents(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(standardsDir(t), "example-ObjectEvent.json"))
	if err != nil {
		t.Fatalf("EPCIS example missing: %v", err)
	}
	tests := []struct {
		name string
		edit func(map[string]any)
	}{
		{"no eventTimeZoneOffset", func(m map[string]any) { delete(m, "eventTimeZoneOffset") }},
		{"eventTime not a date-time", func(m map[string]any) { m["eventTime"] = "yesterday" }},
		{"bizStep in the reserved CBV namespace", func(m map[string]any) { m["bizStep"] = "urn:epcglobal:cbv:bizstep:teleporting" }},
		{"unknown bizStep word", func(m map[string]any) { m["bizStep"] = "teleporting" }},
		{"unknown action", func(m map[string]any) { m["action"] = "MOVE" }},
		{"EPC not a URI", func(m map[string]any) { m["epcList"] = []any{"not a uri"} }},
		{"unknown property", func(m map[string]any) { m["colour"] = "red" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			tc.edit(m)
			b, _ := json.Marshal(m)
			if err := validate(t, b); err == nil {
				t.Errorf("schema accepted a broken event: %s", b)
			}
		})
	}
}

func gtin(t *testing.T, seq int) string {
	t.Helper()
	body := "6901234" + string(rune('0'+seq/100%10)) + string(rune('0'+seq/10%10)) + string(rune('0'+seq%10)) + "00"
	c, err := gs1.GTINCheckDigit(body[:12])
	if err != nil {
		t.Fatal(err)
	}
	return "0" + body[:12] + string(c)
}

// recordedTrace builds a tea chain on a devledger and returns GetTrace's
// answer for a tin inside a gift box.
func recordedTrace(t *testing.T) []byte {
	t.Helper()
	n := contracttest.New(t)
	// The story's week: events are recorded within the chaincode's capture
	// window (seven days) of happening.
	n.Clock.Set(time.Date(2026, 3, 7, 12, 5, 0, 0, time.UTC))
	farm := n.Enterprise(contracttest.PlatformMSP, "英德红茶合作社", "producer")
	factory := n.Enterprise(contracttest.PlatformMSP, "英德红茶厂", "processor")
	truck := n.Enterprise(contracttest.PlatformMSP, "清远冷链物流", "logistics")
	lab := n.Enterprise(contracttest.RegulatorMSP, "清远检测中心", "inspector")
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	type obj = map[string]any
	leaf, tea, tin, box := gtin(t, 1), gtin(t, 2), gtin(t, 3), gtin(t, 4)
	product := func(m *contracttest.Member, g, name string, extra obj) {
		in := obj{"gtin": g, "nameZh": name, "nameEn": "Yingde black tea", "category": "tea", "giStatus": "NONE"}
		for k, v := range extra {
			in[k] = v
		}
		n.MustSubmit(m.Identity, api.TxCreateProduct, js(in))
	}
	lot := func(m *contracttest.Member, g, l, q, u string) {
		n.MustSubmit(m.Identity, api.TxCommissionLot, js(obj{"gtin": g, "lot": l, "date": "2026-03-01", "quantity": q, "unit": u,
			"origin": obj{"place": "广东省英德市", "placeEn": "Yingde, Guangdong", "latitude": "24.1861", "longitude": "113.4012", "country": "CN"}}))
	}
	event := func(m *contracttest.Member, ev obj) {
		n.MustSubmit(m.Identity, api.TxRecordEvent, js(ev))
	}
	product(farm, leaf, "英德红茶鲜叶", obj{"giStatus": "GI_REGISTERED", "giName": "英德红茶"})
	product(factory, tea, "英德红茶", nil)
	product(factory, tin, "英德红茶 100克罐装", obj{"storageMinC": "0", "storageMaxC": "30"})
	product(factory, box, "英德红茶礼盒", nil)
	lot(farm, leaf, "L1", "500", "kg")
	lot(factory, tea, "B1", "100", "kg")
	lot(factory, tin, "N/1", "1000", "tin")
	lot(factory, box, "G1", "10", "box")
	n.MustSubmit(factory.Identity, api.TxCommissionItems, tin, "N/1", `["s001","s002"]`)
	n.MustSubmit(factory.Identity, api.TxCommissionItems, box, "G1", `["g001"]`)
	event(farm, obj{"type": "ObjectEvent", "bizStep": "harvesting", "eventTime": "2026-03-01T07:30:00+08:00",
		"lots": []obj{{"gtin": leaf, "lot": "L1", "quantity": "500", "unit": "kg"}}, "bizLocation": obj{"id": "geo:24.1861,113.4012", "name": "横石塘茶园", "nameEn": "Hengshitang tea garden"}})
	n.MustSubmit(farm.Identity, api.TxHandOver, leaf, "L1", factory.CreditCode)
	event(factory, obj{"type": "TransformationEvent", "bizStep": "fermenting", "disposition": "in_progress", "eventTime": "2026-03-02T10:00:00+08:00",
		"inputs": []obj{{"gtin": leaf, "lot": "L1", "quantity": "400", "unit": "kg"}}, "outputs": []obj{{"gtin": tea, "lot": "B1", "quantity": "100", "unit": "kg"}},
		"readPoint": obj{"id": "urn:epc:id:sgln:6901234.00001.0", "name": "英德红茶厂发酵车间"}})
	event(factory, obj{"type": "TransformationEvent", "bizStep": "packing", "eventTime": "2026-03-05T10:00:00+08:00",
		"inputs": []obj{{"gtin": tea, "lot": "B1", "quantity": "100", "unit": "kg"}}, "outputs": []obj{{"gtin": tin, "lot": "N/1"}}})
	event(factory, obj{"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "eventTime": "2026-03-06T10:00:00+08:00",
		"parent": obj{"gtin": box, "serial": "g001"}, "childItems": []obj{{"gtin": tin, "serial": "s001"}, {"gtin": tin, "serial": "s002"}}})
	event(factory, obj{"type": "AggregationEvent", "action": "ADD", "bizStep": "shipping", "eventTime": "2026-03-07T09:00:00+08:00",
		"parent": obj{"sscc": "106141411234567897"}, "childLots": []obj{{"gtin": tin, "lot": "N/1", "quantity": "200", "unit": "tin"}}})
	n.MustSubmit(factory.Identity, api.TxHandOver, tin, "N/1", truck.CreditCode)
	event(truck, obj{"type": "ObjectEvent", "bizStep": "sensor_reporting", "eventTime": "2026-03-07T20:00:00+08:00",
		"lots": []obj{{"gtin": tin, "lot": "N/1"}}, "items": []obj{{"gtin": tin, "serial": "s001"}},
		"sensorReadings": []obj{
			{"from": "2026-03-07T09:00:00+08:00", "to": "2026-03-07T14:00:00+08:00", "type": "temperature", "minValue": "12.5", "maxValue": "24", "uom": "CEL"},
			{"from": "2026-03-07T14:00:00+08:00", "to": "2026-03-07T20:00:00+08:00", "type": "temperature", "minValue": "-1.5", "maxValue": "18", "uom": "CEL"},
		}})
	n.MustSubmit(lab.Identity, api.TxIssueCertificate, js(obj{"type": "PESTICIDE_RESIDUE", "number": "QY-2026-0042", "subjects": []obj{{"gtin": leaf, "lot": "L1"}},
		"documentSha256": strings.Repeat("ab", 32), "validFrom": "2026-03-01", "validUntil": "2027-02-28", "result": "PASS"}))
	n.MustSubmit(farm.Identity, api.TxRecallLot, leaf, "L1", "复检不合格 failed re-test")
	out, err := n.Evaluate(n.Admins[contracttest.PlatformMSP], api.TxGetTrace, box, "G1", "g001")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFromTraceValidatesAgainstSchema(t *testing.T) {
	raw := recordedTrace(t)
	doc, err := FromTraceJSON(raw, time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC), testVocab)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, out); err != nil {
		t.Fatalf("EPCIS document fails the standard schema: %v\n%s", err, out)
	}
	// Deterministic.
	again, _ := FromTraceJSON(raw, time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC), testVocab)
	if b, _ := json.MarshalIndent(again, "", "  "); !bytes.Equal(b, out) {
		t.Error("two renderings of one trace differ")
	}

	var tr api.TraceDocument
	if err := json.Unmarshal(raw, &tr); err != nil {
		t.Fatal(err)
	}
	// 6 recorded events, 4 lots and 1 item commissioned, 1 certificate, 1 recall.
	if got, want := len(doc.Body.EventList), len(tr.Events)+len(tr.Lots)+1+1+len(tr.Certificates)+len(tr.Recalls); got != want || len(tr.Events) != 6 {
		t.Errorf("%d EPCIS events for a trace of %d events; want %d", got, len(tr.Events), want)
	}
	var prev time.Time
	for _, e := range doc.Body.EventList {
		ts, err := time.Parse(time.RFC3339Nano, e.EventTime)
		if err != nil || ts.Before(prev) {
			t.Errorf("event %s at %s is out of order", e.EventID, e.EventTime)
		}
		prev = ts
		if e.TxID == "" {
			t.Errorf("event %s has no qc:txId", e.EventID)
		}
	}
}

func TestFromTraceMapping(t *testing.T) {
	raw := recordedTrace(t)
	var tr api.TraceDocument
	if err := json.Unmarshal(raw, &tr); err != nil {
		t.Fatal(err)
	}
	doc, err := FromTrace(&tr, time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC), testVocab)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Context[0] != ContextURL || doc.Type != "EPCISDocument" || doc.SchemaVersion != "2.0" || doc.CreationDate != "2026-04-01T12:00:00.000Z" {
		t.Errorf("document head = %v %s %s %s", doc.Context, doc.Type, doc.SchemaVersion, doc.CreationDate)
	}
	byID := map[string]Event{}
	for _, e := range doc.Body.EventList {
		byID[e.EventID] = e
	}
	tin, box, leaf := tr.Lot.GTIN, tr.Product.GTIN, ""
	for _, l := range tr.Lots {
		switch l.Lot {
		case "N/1":
			tin = l.GTIN
		case "L1":
			leaf = l.GTIN
		}
	}
	for _, ev := range tr.Events {
		e, ok := byID[ev.ID]
		if !ok {
			t.Errorf("event %s missing from the EPCIS document", ev.ID)
			continue
		}
		if e.TxID != ev.TxID || e.EventTime != ev.EventTime || e.EventTimeZoneOffset != "+08:00" {
			t.Errorf("event %s: txId %s time %s %s", ev.ID, e.TxID, e.EventTime, e.EventTimeZoneOffset)
		}
		switch ev.BizStep {
		case "harvesting":
			checkEq(t, "harvesting bizStep", e.BizStep, "https://trace.example/ns/bizstep/harvesting")
			checkEq(t, "harvesting quantity", trJSON(e.QuantityList), trJSON([]QuantityElement{{EPCClass: "https://id.gs1.org/01/" + leaf + "/10/L1", Quantity: "500", UOM: "KGM"}}))
			checkEq(t, "harvesting bizLocation", e.BizLocation.ID, "geo:24.1861,113.4012")
		case "fermenting":
			checkEq(t, "transformation type", e.Type, "TransformationEvent")
			checkEq(t, "transformation action", e.Action, "")
			checkEq(t, "transformation disposition", e.Disposition, "in_progress")
			checkEq(t, "transformation input", e.InputQuantityList[0].EPCClass, "https://id.gs1.org/01/"+leaf+"/10/L1")
			checkEq(t, "read point", e.ReadPoint.ID, "urn:epc:id:sgln:6901234.00001.0")
		case "packing":
			if e.Type == "AggregationEvent" {
				checkEq(t, "gift box parent", e.ParentID, "https://id.gs1.org/01/"+box+"/21/g001")
				checkEq(t, "gift box children", strings.Join(e.ChildEPCs, " "), "https://id.gs1.org/01/"+tin+"/21/s001 https://id.gs1.org/01/"+tin+"/21/s002")
				checkEq(t, "packing bizStep", e.BizStep, "packing")
				checkEq(t, "aggregation action", e.Action, "ADD")
			} else {
				// A lot with "/" is percent-encoded in its Digital Link URI.
				checkEq(t, "tin output", trJSON(e.OutputQuantityList), trJSON([]QuantityElement{{EPCClass: "https://id.gs1.org/01/" + tin + "/10/N%2F1"}}))
			}
		case "shipping":
			checkEq(t, "pallet parent", e.ParentID, "https://id.gs1.org/00/106141411234567897")
			checkEq(t, "pallet content", trJSON(e.ChildQuantityList), trJSON([]QuantityElement{{EPCClass: "https://id.gs1.org/01/" + tin + "/10/N%2F1", Quantity: "200"}}))
		case "sensor_reporting":
			checkEq(t, "sensor bizStep", e.BizStep, "sensor_reporting")
			checkEq(t, "sensor epcList", strings.Join(e.EPCList, " "), "https://id.gs1.org/01/"+tin+"/21/s001")
			want := []SensorElement{
				{Metadata: SensorMetadata{StartTime: "2026-03-07T09:00:00+08:00", EndTime: "2026-03-07T14:00:00+08:00"}, Reports: []SensorReport{{Type: "Temperature", MinValue: "12.5", MaxValue: "24", UOM: "CEL"}}},
				{Metadata: SensorMetadata{StartTime: "2026-03-07T14:00:00+08:00", EndTime: "2026-03-07T20:00:00+08:00"}, Reports: []SensorReport{{Type: "Temperature", Exception: "ALARM_CONDITION", MinValue: "-1.5", MaxValue: "18", UOM: "CEL"}}},
			}
			checkEq(t, "sensor elements", trJSON(e.SensorElementList), trJSON(want))
			if !e.Excursion {
				t.Error("sensor event lacks qc:excursion")
			}
		default:
			t.Errorf("unexpected bizStep %s", ev.BizStep)
		}
	}
	var commissioned, certified, recalled int
	for _, e := range doc.Body.EventList {
		switch {
		case e.BizStep == "commissioning" && e.ILMD != nil && len(e.QuantityList) == 1:
			commissioned++
			if e.ReadPoint == nil || e.ReadPoint.ID != "geo:24.1861,113.4012" || e.ILMD.OriginCountry != "CN" || e.Action != "ADD" {
				t.Errorf("lot commissioning = %+v", e)
			}
		case len(e.CertificationInfo) == 1:
			certified++
			checkEq(t, "certificate", e.CertificationInfo[0], "urn:qingchain:certificate:"+tr.Certificates[0].ID)
			checkEq(t, "certificate disposition", e.Disposition, "conformant")
		case e.Disposition == "recalled":
			recalled++
			checkEq(t, "recall bizStep", e.BizStep, "https://trace.example/ns/bizstep/recalling")
		}
	}
	if commissioned != 4 || certified != 1 || recalled != 1 {
		t.Errorf("commissioned %d lots, %d certificates, %d recalls; want 4, 1, 1", commissioned, certified, recalled)
	}
	if doc.Header == nil || len(doc.Header.MasterData.VocabularyList) != 2 || len(doc.Header.MasterData.VocabularyList[0].Elements) != 4 {
		t.Errorf("master data = %s", trJSON(doc.Header))
	}
}

func TestBizStepAndDisposition(t *testing.T) {
	tests := []struct{ in, want string }{
		{"shipping", "shipping"},
		{"slaughtering", "killing"},
		{"withering", "https://trace.example/ns/bizstep/withering"},
		{"sensor_reporting", "sensor_reporting"},
	}
	for _, tc := range tests {
		checkEq(t, "BizStep("+tc.in+")", testVocab.BizStep(tc.in), tc.want)
	}
	checkEq(t, "Disposition(in_transit)", testVocab.Disposition("in_transit"), "in_transit")
	checkEq(t, "Disposition(quarantined)", testVocab.Disposition("quarantined"), "https://trace.example/ns/disposition/quarantined")
}

func TestDecodeTraceRefusesGarbage(t *testing.T) {
	for _, raw := range []string{``, `{`, `{}`, `[]`} {
		if _, err := FromTraceJSON([]byte(raw), time.Now(), testVocab); err == nil {
			t.Errorf("FromTraceJSON(%q) succeeded", raw)
		}
	}
}

// testVocab is a deployment whose namespace is not under its public URL.
var testVocab = Vocab{Namespace: "https://trace.example/ns/", ContextURL: "https://gateway.example" + ContextPath}

func TestNewVocab(t *testing.T) {
	for _, tc := range []struct {
		public, ns string
		want       Vocab
		ok         bool
	}{
		{"https://trace.example/", "", Vocab{"https://trace.example/voc/", "https://trace.example/voc/context.jsonld"}, true},
		{"https://trace.example", "https://qingchain.cn/voc#", Vocab{"https://qingchain.cn/voc#", "https://trace.example/voc/context.jsonld"}, true},
		{"https://trace.example", "qingchain", Vocab{}, false},
		{"https://trace.example", "https://qingchain.cn/voc", Vocab{}, false},
		{"https://trace.example", "https://qingchain.cn/voc/?x=1", Vocab{}, false},
	} {
		got, err := NewVocab(tc.public, tc.ns)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("NewVocab(%q, %q) = %+v, %v; want %+v (ok %v)", tc.public, tc.ns, got, err, tc.want, tc.ok)
		}
	}
}

func TestCanonicalLocation(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"geo:24.1810,113.4020", "geo:24.181,113.402"},
		{"geo:24.181,113.402", "geo:24.181,113.402"},
		{"geo:24.0,113.00", "geo:24,113"},
		{"geo:-1.50,2.5;u=10", "geo:-1.5,2.5;u=10"},
		{"geo:24,113", "geo:24,113"},
		{"urn:epc:id:sgln:6901234.00001.0", "urn:epc:id:sgln:6901234.00001.0"},
		{"https://id.gs1.org/414/6901234000017", "https://id.gs1.org/414/6901234000017"},
	} {
		checkEq(t, "CanonicalLocation("+tc.in+")", CanonicalLocation(tc.in), tc.want)
	}
}

func checkEq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func trJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func FuzzCanonicalLocation(f *testing.F) {
	for _, s := range []string{"geo:24.1810,113.4020", "geo:-1.50,2.5;u=10", "geo:.0,0.", "urn:epc:id:sgln:1.2.3", "geo:", "geo:1.0.0,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := CanonicalLocation(s)
		if twice := CanonicalLocation(once); twice != once {
			t.Errorf("CanonicalLocation not idempotent: %q -> %q -> %q", s, once, twice)
		}
		if strings.HasPrefix(s, "geo:") != strings.HasPrefix(once, "geo:") {
			t.Errorf("%q became %q", s, once)
		}
	})
}
