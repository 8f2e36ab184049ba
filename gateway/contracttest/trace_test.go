package contracttest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

func TestTraceProducts(t *testing.T) {
	w := trSetup(t)
	prod := w.by["producer"]
	ean := trGTIN13(t, 900)
	var p api.Product
	w.must(&p, prod.Identity, api.TxCreateProduct, trJSON(trObj{
		"gtin": ean, "nameZh": " 清远鸡 ", "nameEn": "Qingyuan chicken", "category": "poultry",
		"giStatus": "GI_REGISTERED", "giName": "清远鸡", "storageMinC": "0.0", "storageMaxC": "4",
	}))
	want := api.Product{GTIN: "0" + ean, NameZh: "清远鸡", NameEn: "Qingyuan chicken", Category: "poultry", GIStatus: "GI_REGISTERED", GIName: "清远鸡", StorageMinC: "0", StorageMaxC: "4"}
	got := p
	got.Owner, got.CreatedAt, got.TxID = api.Actor{}, "", ""
	if got != want {
		t.Errorf("CreateProduct = %+v, want %+v", got, want)
	}
	if p.Owner.CreditCode != prod.CreditCode || p.TxID == "" || p.CreatedAt == "" {
		t.Errorf("owner/txId/createdAt = %+v", p)
	}
	var again api.Product
	Into(w.T, &again)(w.C.GetProduct(w.Ctx, w.unbound, ean))
	if again != p {
		t.Errorf("GetProduct = %+v, want %+v", again, p)
	}

	base := func(mod trObj) string {
		in := trObj{"gtin": w.newGTIN(), "nameZh": "茶", "category": "tea", "giStatus": "NONE"}
		for k, v := range mod {
			if v == nil {
				delete(in, k)
			} else {
				in[k] = v
			}
		}
		return trJSON(in)
	}
	tests := []struct {
		name  string
		input string
		want  string
	}{
		{"ok with only a max", base(trObj{"storageMaxC": "-18"}), ""},
		{"bad check digit", base(trObj{"gtin": ean[:12] + string('0'+(ean[12]-'0'+1)%10)}), "INVALID_ARGUMENT"},
		{"gtin of 11 digits", base(trObj{"gtin": "69012345678"}), "INVALID_ARGUMENT"},
		{"no Chinese name", base(trObj{"nameZh": "  "}), "INVALID_ARGUMENT"},
		{"no category", base(trObj{"category": nil}), "INVALID_ARGUMENT"},
		{"unknown GI status", base(trObj{"giStatus": "PENDING"}), "INVALID_ARGUMENT"},
		{"GI without name", base(trObj{"giStatus": "GI_REGISTERED"}), "INVALID_ARGUMENT"},
		{"GI name without GI", base(trObj{"giName": "英德红茶"}), "INVALID_ARGUMENT"},
		{"min above max", base(trObj{"storageMinC": "5", "storageMaxC": "4"}), "INVALID_ARGUMENT"},
		{"exponent", base(trObj{"storageMaxC": "4e0"}), "INVALID_ARGUMENT"},
		{"out of range", base(trObj{"storageMaxC": "101"}), "INVALID_ARGUMENT"},
		{"unknown field", base(trObj{"colour": "red"}), "INVALID_ARGUMENT"},
		{"not JSON", "{", "INVALID_ARGUMENT"},
		{"duplicate", base(trObj{"gtin": ean}), "ALREADY_EXISTS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := w.height()
			_, err := w.submit(prod.Identity, api.TxCreateProduct, tc.input)
			trCheckCode(t, err, tc.want)
			w.checkNothingWritten(t, tc.want, h)
		})
	}
	_, err := w.C.GetProduct(w.Ctx, w.unbound, trGTIN13(t, 901))
	trCheckCode(t, err, "NOT_FOUND")
	_, err = w.C.GetProduct(w.Ctx, w.unbound, "123")
	trCheckCode(t, err, "INVALID_ARGUMENT")
}

func TestTraceLots(t *testing.T) {
	w := trSetup(t)
	prod, proc := w.by["producer"], w.by["processor"]
	g := w.product(prod, nil)
	var l api.Lot
	Result(w.t, &l)(w.C.CommissionLot(w.Ctx, prod.Identity, trLotInput(g[1:], "YD-2026-001", "500.50", "kg")))
	wantOrigin := api.Origin{Place: "广东省英德市横石塘镇", PlaceEn: "Hengshitang, Yingde", Latitude: "24.1861", Longitude: "113.4012", Country: "CN"}
	if l.GTIN != g || l.Lot != "YD-2026-001" || l.Origin != wantOrigin || l.Quantity != "500.5" || l.Unit != "kg" || l.Date != "2026-03-01" || l.Producer.CreditCode != prod.CreditCode || l.TxID == "" {
		t.Errorf("CommissionLot = %+v", l)
	}
	v := w.lotView(g, "YD-2026-001")
	if v.Lot != l || v.Recalled || v.Recall != nil {
		t.Errorf("GetLot = %+v", v)
	}

	lotWith := func(mod func(m trObj)) string {
		var in trObj
		_ = json.Unmarshal([]byte(trJSON(trLotInput(g, "L-NEW", "10", "kg"))), &in)
		mod(in)
		return trJSON(in)
	}
	origin := func(k string, v any) func(trObj) {
		return func(m trObj) { m["origin"].(map[string]any)[k] = v }
	}
	set := func(k string, v any) func(trObj) { return func(m trObj) { m[k] = v } }
	tests := []struct {
		name  string
		as    *Member
		input string
		want  string
	}{
		{"latitude 91", prod, lotWith(origin("latitude", "91")), "INVALID_ARGUMENT"},
		{"longitude -180.5", prod, lotWith(origin("longitude", "-180.5")), "INVALID_ARGUMENT"},
		{"latitude as words", prod, lotWith(origin("latitude", "north")), "INVALID_ARGUMENT"},
		{"latitude too precise", prod, lotWith(origin("latitude", "24.123456789")), "INVALID_ARGUMENT"},
		{"country lower case", prod, lotWith(origin("country", "cn")), "INVALID_ARGUMENT"},
		{"country unassigned", prod, lotWith(origin("country", "XX")), "INVALID_ARGUMENT"},
		{"no place", prod, lotWith(origin("place", "")), "INVALID_ARGUMENT"},
		{"bad date", prod, lotWith(set("date", "2026-02-30")), "INVALID_ARGUMENT"},
		{"future date", prod, lotWith(set("date", "2026-05-01")), "INVALID_ARGUMENT"},
		{"zero quantity", prod, lotWith(set("quantity", "0")), "INVALID_ARGUMENT"},
		{"negative quantity", prod, lotWith(set("quantity", "-1")), "INVALID_ARGUMENT"},
		{"unknown unit", prod, lotWith(set("unit", "lbs")), "INVALID_ARGUMENT"},
		{"lot with a space", prod, lotWith(set("lot", "L 1")), "INVALID_ARGUMENT"},
		{"lot of 21 characters", prod, lotWith(set("lot", strings.Repeat("A", 21))), "INVALID_ARGUMENT"},
		{"unknown product", prod, lotWith(set("gtin", w.newGTIN())), "NOT_FOUND"},
		{"not the product's owner", proc, lotWith(func(trObj) {}), "FORBIDDEN"},
		{"duplicate", prod, lotWith(set("lot", "YD-2026-001")), "ALREADY_EXISTS"},
		{"ok", prod, lotWith(func(trObj) {}), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := w.height()
			_, err := w.submit(tc.as.Identity, api.TxCommissionLot, tc.input)
			trCheckCode(t, err, tc.want)
			w.checkNothingWritten(t, tc.want, h)
		})
	}
	_, err := w.C.GetLot(w.Ctx, w.unbound, g, "NOPE")
	trCheckCode(t, err, "NOT_FOUND")
}

func TestTraceItems(t *testing.T) {
	w := trSetup(t)
	proc := w.by["processor"]
	g := w.product(proc, trObj{"nameZh": "英德红茶 100克罐装"})
	w.lot(proc, g, "T1", "100", "tin")
	w.lot(proc, g, "T2", "100", "tin")
	var items []api.Item
	w.must(&items, proc.Identity, api.TxCommissionItems, g, "T1", `["S001","S002"]`)
	if len(items) != 2 || items[0].Serial != "S001" || items[1].Lot != "T1" || items[0].TxID == "" {
		t.Errorf("CommissionItems = %+v", items)
	}
	tooMany := make([]string, 501)
	for i := range tooMany {
		tooMany[i] = "X" + strings.Repeat("0", 3) + string(rune('A'+i%26)) + trJSON(i)
	}
	tests := []struct {
		name string
		as   *Member
		args []string
		want string
	}{
		{"no serials", proc, []string{g, "T1", `[]`}, "INVALID_ARGUMENT"},
		{"501 serials", proc, []string{g, "T1", trJSON(tooMany)}, "INVALID_ARGUMENT"},
		{"duplicate in call", proc, []string{g, "T1", `["A1","A1"]`}, "INVALID_ARGUMENT"},
		{"bad serial", proc, []string{g, "T1", `["A 1"]`}, "INVALID_ARGUMENT"},
		{"not an array", proc, []string{g, "T1", `"A1"`}, "INVALID_ARGUMENT"},
		{"unknown lot", proc, []string{g, "T9", `["A1"]`}, "NOT_FOUND"},
		{"not the producer", w.by["producer"], []string{g, "T1", `["A1"]`}, "FORBIDDEN"},
		{"serial taken in another lot", proc, []string{g, "T2", `["S001"]`}, "ALREADY_EXISTS"},
		{"ok in second lot", proc, []string{g, "T2", `["S003"]`}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := w.height()
			_, err := w.submit(tc.as.Identity, api.TxCommissionItems, tc.args...)
			trCheckCode(t, err, tc.want)
			w.checkNothingWritten(t, tc.want, h)
		})
	}
	v := w.itemView(g, "", "S001")
	if v.Lot != "T1" || v.Recalled || v.TxID != items[0].TxID {
		t.Errorf("GetItem without lot = %+v", v)
	}
	_, err := w.C.GetItem(w.Ctx, w.unbound, g, "T2", "S001")
	trCheckCode(t, err, "NOT_FOUND")
	_, err = w.C.GetItem(w.Ctx, w.unbound, g, "T1", "S999")
	trCheckCode(t, err, "NOT_FOUND")
}

// trChain is a tea supply chain: fresh leaf lot L (producer) → black tea
// lot B (processor) → tin lot N with items; a gift-box item holds tins.
type trChain struct {
	leaf, tea, tin, gift string // GTINs
}

func (w *trWorld) chain() trChain {
	w.t.Helper()
	prod, proc := w.by["producer"], w.by["processor"]
	c := trChain{
		leaf: w.product(prod, trObj{"nameZh": "英德红茶鲜叶", "category": "fresh leaf", "giStatus": "GI_REGISTERED", "giName": "英德红茶"}),
		tea:  w.product(proc, trObj{"nameZh": "英德红茶", "category": "tea"}),
		tin:  w.product(proc, trObj{"nameZh": "英德红茶 100克罐装", "category": "tea", "storageMinC": "0", "storageMaxC": "30"}),
		gift: w.product(proc, trObj{"nameZh": "英德红茶礼盒", "category": "gift"}),
	}
	w.lot(prod, c.leaf, "L1", "500", "kg")
	w.lot(prod, c.leaf, "L2", "300", "kg")
	w.lot(proc, c.tea, "B1", "100", "kg")
	w.lot(proc, c.tin, "N1", "1000", "tin")
	w.lot(proc, c.gift, "G1", "10", "box")
	w.items(proc, c.tin, "N1", "s001", "s002", "s003")
	w.items(proc, c.gift, "G1", "g001", "g002")
	w.mustEvent(prod, trObj{"type": "ObjectEvent", "bizStep": "harvesting", "eventTime": w.eventTime(), "lots": []trObj{trLotQty(c.leaf, "L1", "500", "kg")},
		"bizLocation": trObj{"id": "geo:24.1861,113.4012", "name": "横石塘茶园", "nameEn": "Hengshitang tea garden"}})
	w.handOver(prod, c.leaf, "L1", proc)
	w.mustEvent(proc, trObj{"type": "TransformationEvent", "bizStep": "fermenting", "eventTime": w.eventTime(),
		"inputs": []trObj{trLotQty(c.leaf, "L1", "400", "kg")}, "outputs": []trObj{trLotRef(c.tea, "B1")}})
	w.mustEvent(proc, trObj{"type": "TransformationEvent", "bizStep": "packing", "eventTime": w.eventTime(),
		"inputs": []trObj{trLotQty(c.tea, "B1", "100", "kg")}, "outputs": []trObj{trLotQty(c.tin, "N1", "1000", "tin")}})
	w.mustEvent(proc, trObj{"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "eventTime": w.eventTime(),
		"parent": trItem(c.gift, "g001"), "childItems": []trObj{trItem(c.tin, "s001"), trItem(c.tin, "s002")}})
	return c
}

func TestTraceRecall(t *testing.T) {
	w := trSetup(t)
	c := w.chain()
	prod := w.by["producer"]
	var r api.Recall
	Result(w.t, &r)(w.C.RecallLot(w.Ctx, prod.Identity, c.leaf, "L1", "农残超标 pesticide residue above limit"))
	if r.GTIN != c.leaf || r.Lot != "L1" || r.By.CreditCode != prod.CreditCode || r.TxID == "" {
		t.Errorf("RecallLot = %+v", r)
	}
	tests := []struct {
		name         string
		gtin, lot    string
		serial       string
		wantRecalled bool
	}{
		{"the recalled lot", c.leaf, "L1", "", true},
		{"one transformation down", c.tea, "B1", "", true},
		{"two transformations down", c.tin, "N1", "", true},
		{"item two transformations down", c.tin, "N1", "s003", true},
		{"item aggregated into a gift box", c.tin, "N1", "s001", true},
		{"gift box holding recalled tins", c.gift, "G1", "g001", true},
		{"empty gift box", c.gift, "G1", "g002", false},
		{"gift box lot", c.gift, "G1", "", false},
		{"other leaf lot", c.leaf, "L2", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got api.RecallStatus
			if tc.serial == "" {
				got = w.lotView(tc.gtin, tc.lot).RecallStatus
			} else {
				got = w.itemView(tc.gtin, tc.lot, tc.serial).RecallStatus
			}
			if got.Recalled != tc.wantRecalled {
				t.Fatalf("recalled = %v, want %v", got.Recalled, tc.wantRecalled)
			}
			if tc.wantRecalled && (got.Recall == nil || got.Recall.GTIN != c.leaf || got.Recall.Lot != "L1" || got.Recall.TxID != r.TxID) {
				t.Errorf("recall = %+v, want the recall of L1", got.Recall)
			}
			doc := w.trace(tc.gtin, tc.lot, tc.serial)
			if doc.Recalled != tc.wantRecalled || (tc.wantRecalled && (doc.Recall == nil || doc.Recall.Lot != "L1")) {
				t.Errorf("GetTrace recalled = %v (%+v), want %v", doc.Recalled, doc.Recall, tc.wantRecalled)
			}
		})
	}

	// Who may recall.
	_, err := w.C.RecallLot(w.Ctx, prod.Identity, c.leaf, "L1", "again")
	trCheckCode(t, err, "CONFLICT")
	_, err = w.C.RecallLot(w.Ctx, w.by["bank"].Identity, c.leaf, "L2", "not mine")
	trCheckCode(t, err, "FORBIDDEN")
	_, err = w.C.RecallLot(w.Ctx, w.by["processor"].Identity, c.leaf, "L2", "not mine")
	trCheckCode(t, err, "FORBIDDEN")
	_, err = w.C.RecallLot(w.Ctx, prod.Identity, c.leaf, "L2", " ")
	trCheckCode(t, err, "INVALID_ARGUMENT")
	_, err = w.C.RecallLot(w.Ctx, w.unbound, c.leaf, "L2", "who am I")
	trCheckCode(t, err, "UNREGISTERED")
	w.OK(w.C.RecallLot(w.Ctx, w.by["regulator"].Identity, c.leaf, "L2", "监管抽检不合格"))
	if v := w.lotView(c.leaf, "L2"); !v.Recalled || v.Recall.By.CreditCode != w.by["regulator"].CreditCode {
		t.Errorf("regulator's recall: %+v", v)
	}

	// Unpacking the gift box takes the recalled tins out of it.
	w.mustEvent(w.by["processor"], trObj{"type": "AggregationEvent", "action": "DELETE", "bizStep": "unpacking", "eventTime": w.eventTime(),
		"parent": trItem(c.gift, "g001"), "childItems": []trObj{trItem(c.tin, "s001"), trItem(c.tin, "s002")}})
	if v := w.itemView(c.gift, "G1", "g001"); v.Recalled {
		t.Errorf("emptied gift box still recalled: %+v", v.Recall)
	}
	if v := w.itemView(c.tin, "N1", "s001"); !v.Recalled || v.Container != "" {
		t.Errorf("unpacked tin = %+v", v)
	}
}

func TestTraceLineage(t *testing.T) {
	w := trSetup(t)
	c := w.chain()
	ll := func(gtin, lot string, depth int) api.LineageLot {
		return api.LineageLot{GTIN: gtin, Lot: lot, Depth: depth}
	}
	tests := []struct {
		name      string
		gtin, lot string
		dir       string
		depth     string
		want      []api.LineageLot
	}{
		{"up from tins", c.tin, "N1", "up", "", []api.LineageLot{ll(c.tea, "B1", 1), ll(c.leaf, "L1", 2)}},
		{"up one level", c.tin, "N1", "up", "1", []api.LineageLot{ll(c.tea, "B1", 1)}},
		{"down from leaf", c.leaf, "L1", "down", "10", []api.LineageLot{ll(c.tea, "B1", 1), ll(c.tin, "N1", 2)}},
		{"down from an unused lot", c.leaf, "L2", "down", "", []api.LineageLot{}},
		{"up from a raw lot", c.leaf, "L1", "up", "", []api.LineageLot{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got api.LineageResult
			Into(w.T, &got)(w.C.Lineage(w.Ctx, w.unbound, tc.gtin, tc.lot, tc.dir, tc.depth))
			if trJSON(got.Lots) != trJSON(tc.want) || got.Truncated {
				t.Errorf("Lineage = %s, want %s", trJSON(got.Lots), trJSON(tc.want))
			}
		})
	}
	bad := []struct {
		name string
		args []string
		want string
	}{
		{"bad direction", []string{c.tin, "N1", "sideways", ""}, "INVALID_ARGUMENT"},
		{"depth 0", []string{c.tin, "N1", "up", "0"}, "INVALID_ARGUMENT"},
		{"depth 65", []string{c.tin, "N1", "up", "65"}, "INVALID_ARGUMENT"},
		{"depth not a number", []string{c.tin, "N1", "up", "+3"}, "INVALID_ARGUMENT"},
		{"unknown lot", []string{c.tin, "N9", "up", ""}, "NOT_FOUND"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.Evaluate(w.unbound, api.TxLineage, tc.args...)
			trCheckCode(t, err, tc.want)
		})
	}
}

func TestTraceGetTrace(t *testing.T) {
	w := trSetup(t)
	c := w.chain()
	insp, logi := w.by["inspector"], w.by["logistics"]
	var cert api.Certificate
	w.must(&cert, insp.Identity, api.TxIssueCertificate, trJSON(trObj{
		"type": "PESTICIDE_RESIDUE", "number": "QY-2026-0042", "subjects": []trObj{trLotRef(c.leaf, "L1")},
		"documentSha256": strings.Repeat("ab", 32), "validFrom": "2026-03-01", "validUntil": "2027-02-28", "result": "PASS",
	}))
	w.handOver(w.by["processor"], c.tin, "N1", logi)
	ship := w.mustEvent(logi, trObj{"type": "ObjectEvent", "bizStep": "shipping", "disposition": "in_transit", "eventTime": w.eventTime(),
		"lots": []trObj{trLotQty(c.tin, "N1", "500", "tin")}, "readPoint": trObj{"id": "urn:epc:id:sgln:6901234.00001.0"},
		"sensorReadings": []trObj{{"from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T20:00:00+08:00", "type": "temperature", "minValue": "12.5", "maxValue": "24", "uom": "CEL"}}})
	// An event naming only another item of the lot stays off this item's trace.
	w.handOver(w.by["processor"], c.tin, "N1", logi)
	other := w.mustEvent(logi, trObj{"type": "ObjectEvent", "bizStep": "receiving", "eventTime": w.eventTime(), "items": []trObj{trItem(c.tin, "s002")}})

	doc := w.trace(c.tin, "N1", "s003")
	if doc.Product.GTIN != c.tin || doc.Lot.Lot != "N1" || doc.Item == nil || doc.Item.Serial != "s003" || doc.Recalled || len(doc.Recalls) != 0 || doc.Truncated {
		t.Fatalf("GetTrace head = %+v", doc)
	}
	wantLineage := []api.LineageLot{{GTIN: c.tin, Lot: "N1"}, {GTIN: c.tea, Lot: "B1", Depth: 1}, {GTIN: c.leaf, Lot: "L1", Depth: 2}}
	if got := trJSON(doc.Lineage); got != trJSON(wantLineage) {
		t.Errorf("lineage = %s, want %s", got, trJSON(wantLineage))
	}
	var lots, products, steps []string
	for _, l := range doc.Lots {
		lots = append(lots, l.Lot)
	}
	for _, p := range doc.Products {
		products = append(products, p.GTIN)
	}
	for _, e := range doc.Events {
		steps = append(steps, e.Type+":"+e.BizStep)
		if e.ID == other.ID {
			t.Errorf("event about item s002 is in the trace of s003")
		}
	}
	if got, want := strings.Join(lots, ","), "B1,L1"; got != want {
		t.Errorf("lots = %s, want %s", got, want)
	}
	if got, want := strings.Join(products, ","), c.tea+","+c.leaf; got != want {
		t.Errorf("products = %s, want %s", got, want)
	}
	if got, want := strings.Join(steps, ","), "ObjectEvent:harvesting,TransformationEvent:fermenting,TransformationEvent:packing,ObjectEvent:shipping"; got != want {
		t.Errorf("events = %s, want %s", got, want)
	}
	if len(doc.Certificates) != 1 || doc.Certificates[0].ID != cert.ID {
		t.Errorf("certificates = %+v", doc.Certificates)
	}
	if len(doc.SensorReadings) != 1 || doc.SensorReadings[0].EventID != ship.ID || doc.SensorReadings[0].MaxValue != "24" || doc.SensorReadings[0].Excursion {
		t.Errorf("sensor readings = %+v", doc.SensorReadings)
	}
	// Every record names the transaction that wrote it.
	txIDs := []string{doc.Product.TxID, doc.Lot.TxID, doc.Item.TxID, cert.TxID}
	for _, l := range doc.Lots {
		txIDs = append(txIDs, l.TxID)
	}
	for _, p := range doc.Products {
		txIDs = append(txIDs, p.TxID)
	}
	for _, e := range doc.Events {
		txIDs = append(txIDs, e.TxID)
	}
	for _, c := range doc.Certificates {
		txIDs = append(txIDs, c.TxID)
	}
	for i, id := range txIDs {
		if len(id) != 64 {
			t.Errorf("record %d has txId %q", i, id)
		}
	}
	// The gift box's trace reaches the tins in it and what they were made of.
	gift := w.trace(c.gift, "G1", "g001")
	if got := len(gift.Lineage); got != 4 {
		t.Errorf("gift box lineage has %d lots, want 4 (G1, N1, B1, L1): %s", got, trJSON(gift.Lineage))
	}
	packed := false
	for _, e := range gift.Events {
		packed = packed || e.Type == "AggregationEvent" && e.Parent != nil && e.Parent.Serial == "g001"
	}
	if !packed {
		t.Errorf("gift box trace lacks its packing: %s", trJSON(gift.Events))
	}
	lotDoc := w.trace(c.tin, "N1", "")
	if lotDoc.Item != nil || len(lotDoc.Events) != 4 {
		t.Errorf("lot trace: item %v, %d events", lotDoc.Item, len(lotDoc.Events))
	}
	_, err := w.C.GetTrace(w.Ctx, w.unbound, c.tin, "B1", "s003")
	trCheckCode(t, err, "NOT_FOUND")
}

func TestTraceCertificates(t *testing.T) {
	w := trSetup(t)
	c := w.chain()
	insp, reg := w.by["inspector"], w.by["regulator"]
	certIn := func(mod trObj) string {
		in := trObj{"type": "QUARANTINE", "number": "Q-1", "subjects": []trObj{trLotRef(c.leaf, "L1")}, "documentSha256": strings.Repeat("0F", 32),
			"validFrom": "2026-03-01", "validUntil": "2026-09-01", "result": "PASS", "notes": "动物检疫合格"}
		for k, v := range mod {
			in[k] = v
		}
		return trJSON(in)
	}
	var q api.Certificate
	w.must(&q, insp.Identity, api.TxIssueCertificate, certIn(nil))
	if q.Issuer.CreditCode != insp.CreditCode || q.Issuer.Identity != insp.ID() || q.DocumentSHA256 != strings.Repeat("0f", 32) || !strings.HasPrefix(q.ID, "CERT-") || q.TxID == "" {
		t.Errorf("IssueCertificate = %+v", q)
	}
	tests := []struct {
		name  string
		as    *Member
		input string
		want  string
	}{
		{"GI by regulator", reg, certIn(trObj{"type": "GI", "number": "GI-1"}), ""},
		{"GI by inspector", insp, certIn(trObj{"type": "GI", "number": "GI-2"}), "FORBIDDEN"},
		{"quarantine by regulator", reg, certIn(trObj{"number": "Q-2"}), "FORBIDDEN"},
		{"GI for a product that is not GI", reg, certIn(trObj{"type": "GI", "number": "GI-3", "subjects": []trObj{trLotRef(c.tea, "B1")}}), "RULE_VIOLATION"},
		{"same number twice", insp, certIn(nil), "ALREADY_EXISTS"},
		{"unknown type", insp, certIn(trObj{"type": "HALAL", "number": "Q-3"}), "INVALID_ARGUMENT"},
		{"short hash", insp, certIn(trObj{"number": "Q-4", "documentSha256": "abc"}), "INVALID_ARGUMENT"},
		{"until before from", insp, certIn(trObj{"number": "Q-5", "validUntil": "2026-02-01"}), "INVALID_ARGUMENT"},
		{"bad result", insp, certIn(trObj{"number": "Q-6", "result": "OK"}), "INVALID_ARGUMENT"},
		{"no subjects", insp, certIn(trObj{"number": "Q-7", "subjects": []trObj{}}), "INVALID_ARGUMENT"},
		{"subject twice", insp, certIn(trObj{"number": "Q-8", "subjects": []trObj{trLotRef(c.leaf, "L1"), trLotRef(c.leaf, "L1")}}), "INVALID_ARGUMENT"},
		{"unknown lot", insp, certIn(trObj{"number": "Q-9", "subjects": []trObj{trLotRef(c.leaf, "L9")}}), "NOT_FOUND"},
		{"two lots", insp, certIn(trObj{"number": "Q-10", "subjects": []trObj{trLotRef(c.leaf, "L1"), trLotRef(c.leaf, "L2")}}), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := w.height()
			_, err := w.submit(tc.as.Identity, api.TxIssueCertificate, tc.input)
			trCheckCode(t, err, tc.want)
			w.checkNothingWritten(t, tc.want, h)
		})
	}
	var got api.Certificate
	Into(w.T, &got)(w.C.GetCertificate(w.Ctx, w.unbound, q.ID))
	if trJSON(got) != trJSON(q) {
		t.Errorf("GetCertificate = %+v, want %+v", got, q)
	}
	var list []api.Certificate
	Into(w.T, &list)(w.C.ListLotCertificates(w.Ctx, w.unbound, c.leaf, "L1"))
	if len(list) != 3 {
		t.Errorf("L1 has %d certificates, want 3", len(list))
	}
	Into(w.T, &list)(w.C.ListLotCertificates(w.Ctx, w.unbound, c.leaf, "L2"))
	if len(list) != 1 {
		t.Errorf("L2 has %d certificates, want 1", len(list))
	}
	_, err := w.C.GetCertificate(w.Ctx, w.unbound, "CERT-000000000000000000000000")
	trCheckCode(t, err, "NOT_FOUND")
	_, err = w.C.GetCertificate(w.Ctx, w.unbound, "nope")
	trCheckCode(t, err, "INVALID_ARGUMENT")
}

func TestTraceEventIdempotent(t *testing.T) {
	w := trSetup(t)
	c := w.chain()
	logi := w.by["logistics"]
	when := w.eventTime()
	first := trObj{"type": "ObjectEvent", "bizStep": "shipping", "eventTime": when,
		"lots": []trObj{trLotQty(c.tin, "N1", "10", "tin"), trLotRef(c.tea, "B1")}, "items": []trObj{trItem(c.tin, "s003")}}
	// The same event: lists in another order, the item's lot spelt out,
	// the quantity written differently.
	same := trObj{"type": "ObjectEvent", "bizStep": "shipping", "action": "OBSERVE", "eventTime": when,
		"lots": []trObj{trLotRef(c.tea, "B1"), trLotQty(c.tin, "N1", "10.000", "tin")}, "items": []trObj{{"gtin": c.tin, "lot": "N1", "serial": "s003"}}}
	w.handOver(w.by["processor"], c.tin, "N1", logi)
	w.handOver(w.by["processor"], c.tea, "B1", logi)
	from := w.height()
	a := w.mustEvent(logi, first)
	b := w.mustEvent(logi, same)
	if a.ID != b.ID || a.TxID != b.TxID || !strings.HasPrefix(a.ID, "ni:///sha-256;") || !strings.HasSuffix(a.ID, "?ver=CBV2.0") || len(a.ID) != len("ni:///sha-256;?ver=CBV2.0")+64 {
		t.Errorf("ids %s (tx %s) and %s (tx %s): want one event recorded once", a.ID, a.TxID, b.ID, b.TxID)
	}
	var recorded int
	for _, e := range w.chaincodeEvents(from) {
		if strings.HasPrefix(e, "TraceEventRecorded ") && strings.Contains(e, a.ID) {
			recorded++
		}
	}
	if recorded != 1 {
		t.Errorf("%d TraceEventRecorded events for %s, want 1", recorded, a.ID)
	}
	var byID api.TraceEvent
	Into(w.T, &byID)(w.C.GetEvent(w.Ctx, w.unbound, a.ID))
	if trJSON(byID) != trJSON(a) {
		t.Errorf("GetEvent = %s, want %s", trJSON(byID), trJSON(a))
	}
	n := 0
	for _, e := range w.trace(c.tin, "N1", "").Events {
		if e.ID == a.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("event appears %d times in the trace", n)
	}
	// A different instant, or the same instant at another offset, is another event.
	other := trObj{}
	for k, v := range first {
		other[k] = v
	}
	other["eventTime"] = w.eventTime()
	regain := func() { // each shipping ends logistics' custody
		w.handOver(w.by["processor"], c.tin, "N1", logi)
		w.handOver(w.by["processor"], c.tea, "B1", logi)
	}
	regain()
	if d := w.mustEvent(logi, other); d.ID == a.ID {
		t.Error("different time, same id")
	}
	other["eventTime"] = strings.Replace(when, "+08:00", "Z", 1)
	regain()
	if d := w.mustEvent(logi, other); d.ID == a.ID {
		t.Error("different instant, same id")
	}
	_, err := w.C.GetEvent(w.Ctx, w.unbound, "ni:///sha-256;"+strings.Repeat("0", 64)+"?ver=CBV2.0")
	trCheckCode(t, err, "NOT_FOUND")
	_, err = w.C.GetEvent(w.Ctx, w.unbound, "xyz")
	trCheckCode(t, err, "INVALID_ARGUMENT")
}

func TestTraceEventRules(t *testing.T) {
	w := trSetup(t)
	c := w.chain()
	prod, proc, logi := w.by["producer"], w.by["processor"], w.by["logistics"]
	w.handOver(proc, c.tin, "N1", logi)
	w.handOver(prod, c.leaf, "L2", proc)
	obj := func(mod trObj) trObj {
		ev := trObj{"type": "ObjectEvent", "bizStep": "shipping", "eventTime": "2026-03-03T10:00:00+08:00", "lots": []trObj{trLotRef(c.tin, "N1")}}
		for k, v := range mod {
			if v == nil {
				delete(ev, k)
			} else {
				ev[k] = v
			}
		}
		return ev
	}
	xform := func(mod trObj) trObj {
		ev := trObj{"type": "TransformationEvent", "bizStep": "drying", "eventTime": "2026-03-03T10:00:00+08:00",
			"inputs": []trObj{trLotQty(c.leaf, "L2", "10", "kg")}, "outputs": []trObj{trLotRef(c.tea, "B1")}}
		for k, v := range mod {
			ev[k] = v
		}
		return ev
	}
	agg := func(mod trObj) trObj {
		ev := trObj{"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "eventTime": "2026-03-03T10:00:00+08:00",
			"parent": trObj{"sscc": "106141411234567897"}, "childItems": []trObj{trItem(c.tin, "s003")}}
		for k, v := range mod {
			ev[k] = v
		}
		return ev
	}
	reading := func(min, max string) []trObj {
		return []trObj{{"from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T09:00:00+08:00", "type": "temperature", "minValue": min, "maxValue": max, "uom": "CEL"}}
	}
	tests := []struct {
		name string
		as   *Member
		ev   trObj
		want string
	}{
		{"unknown type", logi, obj(trObj{"type": "AssociationEvent"}), "INVALID_ARGUMENT"},
		{"unknown bizStep", logi, obj(trObj{"bizStep": "teleporting"}), "INVALID_ARGUMENT"},
		{"bizStep wrong for type", logi, agg(trObj{"bizStep": "sensor_reporting"}), "INVALID_ARGUMENT"},
		{"time without offset", logi, obj(trObj{"eventTime": "2026-03-10T10:00:00"}), "INVALID_ARGUMENT"},
		{"date only", logi, obj(trObj{"eventTime": "2026-03-10"}), "INVALID_ARGUMENT"},
		{"time in the future", logi, obj(trObj{"eventTime": "2026-04-02T10:00:00+08:00"}), "INVALID_ARGUMENT"},
		{"nothing named", logi, obj(trObj{"lots": nil}), "INVALID_ARGUMENT"},
		{"lot twice", logi, obj(trObj{"lots": []trObj{trLotRef(c.tin, "N1"), trLotRef(c.tin, "N1")}}), "INVALID_ARGUMENT"},
		{"quantity without unit", logi, obj(trObj{"lots": []trObj{{"gtin": c.tin, "lot": "N1", "quantity": "5"}}}), "INVALID_ARGUMENT"},
		{"unknown disposition", logi, obj(trObj{"disposition": "lost"}), "INVALID_ARGUMENT"},
		{"location not a URI", logi, obj(trObj{"bizLocation": trObj{"id": "英德仓库"}}), "INVALID_ARGUMENT"},
		{"unknown action", logi, obj(trObj{"action": "MOVE"}), "INVALID_ARGUMENT"},
		{"inputs on an ObjectEvent", logi, obj(trObj{"inputs": []trObj{trLotQty(c.leaf, "L2", "1", "kg")}}), "INVALID_ARGUMENT"},
		{"unknown field", logi, obj(trObj{"who": "me"}), "INVALID_ARGUMENT"},
		{"sensor type", logi, obj(trObj{"bizStep": "sensor_reporting", "sensorReadings": []trObj{{"from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T09:00:00+08:00", "type": "humidity", "minValue": "1", "maxValue": "2", "uom": "CEL"}}}), "INVALID_ARGUMENT"},
		{"sensor uom", logi, obj(trObj{"bizStep": "sensor_reporting", "sensorReadings": []trObj{{"from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T09:00:00+08:00", "type": "temperature", "minValue": "1", "maxValue": "2", "uom": "FAH"}}}), "INVALID_ARGUMENT"},
		{"sensor min above max", logi, obj(trObj{"bizStep": "sensor_reporting", "sensorReadings": reading("5", "2")}), "INVALID_ARGUMENT"},
		{"sensor value not decimal", logi, obj(trObj{"bizStep": "sensor_reporting", "sensorReadings": reading("1", "2.5e1")}), "INVALID_ARGUMENT"},
		{"sensor_reporting without readings", logi, obj(trObj{"bizStep": "sensor_reporting"}), "INVALID_ARGUMENT"},
		{"transformation without outputs", proc, xform(trObj{"outputs": []trObj{}}), "INVALID_ARGUMENT"},
		{"transformation input without quantity", proc, xform(trObj{"inputs": []trObj{trLotRef(c.leaf, "L2")}}), "INVALID_ARGUMENT"},
		{"lot both input and output", proc, xform(trObj{"outputs": []trObj{trLotRef(c.leaf, "L2")}}), "INVALID_ARGUMENT"},
		{"transformation with an action", proc, xform(trObj{"action": "ADD"}), "INVALID_ARGUMENT"},
		{"aggregation without parent", proc, agg(trObj{"parent": nil}), "INVALID_ARGUMENT"},
		{"aggregation bad SSCC", proc, agg(trObj{"parent": trObj{"sscc": "106141411234567890"}}), "INVALID_ARGUMENT"},
		{"aggregation without children", proc, agg(trObj{"childItems": []trObj{}}), "INVALID_ARGUMENT"},
		{"aggregation OBSERVE", proc, agg(trObj{"action": "OBSERVE"}), "INVALID_ARGUMENT"},
		{"item in itself", proc, agg(trObj{"parent": trItem(c.tin, "s003")}), "INVALID_ARGUMENT"},
		{"unknown lot", logi, obj(trObj{"lots": []trObj{trLotRef(c.tin, "N9")}}), "NOT_FOUND"},
		{"unknown item", logi, obj(trObj{"lots": nil, "items": []trObj{trItem(c.tin, "s999")}}), "NOT_FOUND"},
		{"item in another lot", logi, obj(trObj{"lots": nil, "items": []trObj{{"gtin": c.tin, "lot": "N2", "serial": "s001"}}}), "NOT_FOUND"},
		{"unknown parent item", proc, agg(trObj{"parent": trItem(c.gift, "g999")}), "NOT_FOUND"},
		{"unit differs from the lot's", proc, xform(trObj{"inputs": []trObj{trLotQty(c.leaf, "L2", "10", "t")}}), "RULE_VIOLATION"},
		{"more than the lot holds", proc, xform(trObj{"inputs": []trObj{trLotQty(c.leaf, "L2", "300.5", "kg")}}), "RULE_VIOLATION"},
		{"output lot of another enterprise", prod, xform(trObj{"bizStep": "withering", "outputs": []trObj{trLotRef(c.tea, "B1")}}), "FORBIDDEN"},
		{"item already in another container", proc, agg(trObj{"childItems": []trObj{trItem(c.tin, "s001")}}), "CONFLICT"},
		{"removing what is not there", proc, agg(trObj{"action": "DELETE", "bizStep": "unpacking"}), "CONFLICT"},
	}
	before := w.trace(c.tin, "N1", "s003")
	h := w.height()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.event(tc.as, tc.ev)
			trCheckCode(t, err, tc.want)
		})
	}
	// A refused transaction is never ordered: no block, no change.
	if got := w.height(); got != h {
		t.Errorf("height went from %d to %d after refused events", h, got)
	}
	if after := w.trace(c.tin, "N1", "s003"); trJSON(after) != trJSON(before) {
		t.Errorf("trace changed after refused events")
	}
	// And the same events, well formed, are accepted.
	w.mustEvent(proc, agg(nil))
	w.mustEvent(proc, xform(nil))
}

func TestTraceExcursion(t *testing.T) {
	w := trSetup(t)
	prod, proc, logi, wh := w.by["producer"], w.by["processor"], w.by["logistics"], w.by["warehouse"]
	chilled := w.product(proc, trObj{"nameZh": "清远鸡冰鲜", "category": "poultry", "storageMinC": "0", "storageMaxC": "4"})
	frozen := w.product(proc, trObj{"nameZh": "清远鸡冻品", "category": "poultry", "storageMaxC": "-18"})
	ambient := w.product(prod, trObj{"nameZh": "英德红茶", "category": "tea"})
	w.lot(proc, chilled, "C1", "200", "kg")
	w.lot(proc, frozen, "F1", "200", "kg")
	w.lot(prod, ambient, "A1", "200", "kg")
	for _, m := range []*Member{logi, wh} {
		w.handOver(proc, chilled, "C1", m)
		w.handOver(proc, frozen, "F1", m)
		w.handOver(prod, ambient, "A1", m)
	}
	reading := func(min, max string) trObj {
		return trObj{"from": "2026-03-02T08:00:00+08:00", "to": "2026-03-02T12:00:00+08:00", "type": "temperature", "minValue": min, "maxValue": max, "uom": "CEL"}
	}
	tests := []struct {
		name      string
		as        *Member
		gtin, lot string
		readings  []trObj
		want      []bool
		wantEvent bool
	}{
		{"within range", logi, chilled, "C1", []trObj{reading("1.5", "3.9")}, []bool{false}, false},
		{"at the limits", logi, chilled, "C1", []trObj{reading("0", "4")}, []bool{false}, false},
		{"too warm", wh, chilled, "C1", []trObj{reading("2", "3"), reading("2", "6.5")}, []bool{false, true}, true},
		{"too cold", logi, chilled, "C1", []trObj{reading("-0.5", "2")}, []bool{true}, true},
		{"frozen thawing", logi, frozen, "F1", []trObj{reading("-25", "-12")}, []bool{true}, true},
		{"frozen fine, no minimum", logi, frozen, "F1", []trObj{reading("-40", "-18")}, []bool{false}, false},
		{"no range", logi, ambient, "A1", []trObj{reading("-5", "45")}, []bool{false}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := w.mustEvent(tc.as, trObj{"type": "ObjectEvent", "bizStep": "sensor_reporting", "eventTime": w.eventTime(),
				"lots": []trObj{trLotRef(tc.gtin, tc.lot)}, "sensorReadings": tc.readings})
			var got []bool
			for _, r := range ev.SensorReadings {
				got = append(got, r.Excursion)
			}
			if trJSON(got) != trJSON(tc.want) || ev.Excursion != tc.wantEvent {
				t.Errorf("excursions %v (event %v), want %v (%v)", got, ev.Excursion, tc.want, tc.wantEvent)
			}
		})
	}
	doc := w.trace(chilled, "C1", "")
	var flagged int
	for _, r := range doc.SensorReadings {
		if r.Excursion {
			flagged++
		}
	}
	if len(doc.SensorReadings) != 5 || flagged != 2 {
		t.Errorf("trace has %d readings, %d flagged; want 5, 2", len(doc.SensorReadings), flagged)
	}
}

func TestTraceCustodyAndReceipts(t *testing.T) {
	w := trSetup(t)
	c := w.chain()
	wh, logi := w.by["warehouse"], w.by["logistics"]
	custody := func(m *Member) bool {
		t.Helper()
		var r api.CustodyResult
		Into(w.T, &r)(w.C.HasCustody(w.Ctx, w.unbound, c.tin, "N1", m.CreditCode))
		return r.InCustody
	}
	w.handOver(w.by["processor"], c.tin, "N1", wh)
	w.handOver(w.by["processor"], c.tin, "N1", logi)
	if custody(wh) {
		t.Fatal("custody before receiving")
	}
	w.mustEvent(wh, trObj{"type": "ObjectEvent", "bizStep": "receiving", "eventTime": w.eventTime(), "lots": []trObj{trLotQty(c.tin, "N1", "1000", "tin")},
		"bizLocation": trObj{"id": "urn:epc:id:sgln:6901234.00002.0", "name": "清远保税仓"}})
	if !custody(wh) || custody(logi) {
		t.Errorf("after receiving: warehouse %v, logistics %v; want true, false", custody(wh), custody(logi))
	}
	// The warehouse-receipt contract marks the lot; the warehouse cannot ship it.
	w.index("put", "receipt~lot", c.tin, "N1", "WR-2026-0001")
	ship := trObj{"type": "ObjectEvent", "bizStep": "shipping", "eventTime": w.eventTime(), "lots": []trObj{trLotRef(c.tin, "N1")}}
	_, err := w.event(wh, ship)
	trCheckCode(t, err, "CONFLICT")
	if err == nil || !strings.Contains(err.Error(), "WR-2026-0001") || !strings.Contains(err.Error(), "goods of lot N1") {
		t.Errorf("error %v does not name the lot and the receipt", err)
	}
	// Also when the goods go out as part of a pallet.
	_, err = w.event(wh, trObj{"type": "AggregationEvent", "action": "ADD", "bizStep": "shipping", "eventTime": w.eventTime(),
		"parent": trObj{"sscc": "106141411234567897"}, "childLots": []trObj{trLotQty(c.tin, "N1", "10", "tin")}})
	trCheckCode(t, err, "CONFLICT")
	// Anyone else's shipping of the lot is held back too, unless it states
	// a quantity that leaves the receipted goods (here: the whole lot).
	_, err = w.event(logi, trObj{"type": "ObjectEvent", "bizStep": "shipping", "eventTime": w.eventTime(), "lots": []trObj{trLotRef(c.tin, "N1")}})
	trCheckCode(t, err, "CONFLICT")
	w.index("del", "receipt~lot", c.tin, "N1", "WR-2026-0001")
	w.mustEvent(wh, ship)
	if custody(wh) {
		t.Error("custody after shipping out")
	}
	_, err = w.C.HasCustody(w.Ctx, w.unbound, c.tin, "N1", "nope")
	trCheckCode(t, err, "INVALID_ARGUMENT")
}
