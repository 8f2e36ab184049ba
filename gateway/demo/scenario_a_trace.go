package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"time"

	"github.com/qingchain/qingchain/chaincode/gs1"
)

// Demo GTINs (GS1 China prefix 690, fictional company number).
var (
	GTINTeaLeaf    = demoGTIN("690123450001")
	GTINBlackTea   = demoGTIN("690123450002")
	GTINLiveBird   = demoGTIN("690123450011")
	GTINChickenBox = demoGTIN("690123450012")
)

// Demo lots.
const (
	LotTeaLeaf     = "LEAF-2026-0601"
	LotTeaExport   = "BT-2026-06A"
	LotTeaBonded   = "BT-2026-06B"
	LotFlock       = "FLOCK-2026-07"
	LotCarcass     = "CC-2026-0712"
	TeaCaseSSCC    = "069012345000000011"
	ChickenCaseSCC = "069012345000000028"
)

func demoGTIN(body12 string) string {
	d, err := gs1.GTINCheckDigit(body12)
	if err != nil {
		panic(err)
	}
	g, err := gs1.NormalizeGTIN(body12 + string(d))
	if err != nil {
		panic(err)
	}
	return g
}

// The traceability stories.
var (
	// Tea is Yingde black tea from the cooperative's garden to an export
	// tin with a serial.
	Tea = Scenario{Name: "yingde-black-tea", Run: teaScenario}
	// Chicken is a Qingyuan flock to boxed carcasses, and its recall.
	Chicken = Scenario{Name: "qingyuan-chicken", Run: chickenScenario}
)

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type obj = map[string]any

func lotRef(gtin, lot, qty, unit string) obj {
	r := obj{"gtin": gtin, "lot": lot}
	if qty != "" {
		r["quantity"], r["unit"] = qty, unit
	}
	return r
}

func loc(id, zh, en string) obj { return obj{"id": id, "name": zh, "nameEn": en} }

func docHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func serials(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%05d", prefix, i+1)
	}
	return out
}

// at gives event times on days before now, in the zone's time.
func at(base time.Time, day int, hour int) string {
	cst := time.FixedZone("CST", 8*3600)
	return base.In(cst).AddDate(0, 0, day).Truncate(time.Hour).Add(time.Duration(hour) * time.Hour).Format(time.RFC3339)
}

func teaScenario(ctx context.Context, e *Env) error {
	base := time.Now().AddDate(0, 0, -40)
	garden := loc("geo:24.1810,113.4020", "英德市横石塘镇红云茶园", "Hongyun Tea Garden, Hengshitang, Yingde")
	factory := loc("geo:24.1900,113.4100", "红云合作社制茶车间", "Hongyun Cooperative tea workshop")
	lab := loc("geo:23.6820,113.0560", "清远农产品质量检测中心", "Qingyuan Agri-Food Testing Centre")
	bonded := loc("geo:23.6700,113.0100", "清远综保区保税仓 3 号库", "Qingyuan Bonded Zone warehouse 3")
	port := loc("geo:23.6600,113.0300", "清远港跨境电商监管中心", "Qingyuan Port cross-border e-commerce hub")

	steps := []step{
		{"tea-coop", api.TxCreateProduct, []string{js(obj{"gtin": GTINTeaLeaf, "nameZh": "英德茶青（英红九号鲜叶）", "nameEn": "Fresh tea leaf, Yinghong No. 9", "category": "tea-leaf", "giStatus": "NONE"})}},
		{"tea-coop", api.TxCreateProduct, []string{js(obj{"gtin": GTINBlackTea, "nameZh": "英德红茶 英红九号 250克罐装", "nameEn": "Yingde Black Tea, Yinghong No. 9, 250 g tin", "category": "black-tea", "giStatus": "GI_REGISTERED", "giName": "英德红茶 Yingde Black Tea"})}},
		{"tea-coop", api.TxCommissionLot, []string{js(obj{"gtin": GTINTeaLeaf, "lot": LotTeaLeaf, "origin": obj{"place": "英德市横石塘镇红云茶园", "placeEn": "Hongyun Tea Garden, Hengshitang, Yingde", "latitude": "24.1810", "longitude": "113.4020", "country": "CN"}, "date": at(base, 0, 0)[:10], "quantity": "1200", "unit": "kg"})}},
		{"tea-coop", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "harvesting", "eventTime": at(base, 0, 7), "bizLocation": garden, "lots": []obj{lotRef(GTINTeaLeaf, LotTeaLeaf, "1200", "kg")}})}},
		{"tea-coop", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "withering", "eventTime": at(base, 0, 13), "bizLocation": factory, "lots": []obj{lotRef(GTINTeaLeaf, LotTeaLeaf, "", "")}})}},
		{"tea-coop", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "rolling", "eventTime": at(base, 1, 6), "bizLocation": factory, "lots": []obj{lotRef(GTINTeaLeaf, LotTeaLeaf, "", "")}})}},
		{"tea-coop", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "fermenting", "eventTime": at(base, 1, 9), "bizLocation": factory, "lots": []obj{lotRef(GTINTeaLeaf, LotTeaLeaf, "", "")}})}},
		{"tea-coop", api.TxCommissionLot, []string{js(obj{"gtin": GTINBlackTea, "lot": LotTeaExport, "origin": obj{"place": "英德市红云合作社制茶车间", "placeEn": "Hongyun Cooperative tea workshop, Yingde", "latitude": "24.1900", "longitude": "113.4100", "country": "CN"}, "date": at(base, 2, 0)[:10], "quantity": "800", "unit": "tin"})}},
		{"tea-coop", api.TxCommissionLot, []string{js(obj{"gtin": GTINBlackTea, "lot": LotTeaBonded, "origin": obj{"place": "英德市红云合作社制茶车间", "placeEn": "Hongyun Cooperative tea workshop, Yingde", "latitude": "24.1900", "longitude": "113.4100", "country": "CN"}, "date": at(base, 2, 0)[:10], "quantity": "400", "unit": "tin"})}},
		{"tea-coop", api.TxRecordEvent, []string{js(obj{"type": "TransformationEvent", "bizStep": "drying", "eventTime": at(base, 2, 10), "bizLocation": factory,
			"inputs":  []obj{lotRef(GTINTeaLeaf, LotTeaLeaf, "1200", "kg")},
			"outputs": []obj{lotRef(GTINBlackTea, LotTeaExport, "800", "tin"), lotRef(GTINBlackTea, LotTeaBonded, "400", "tin")}})}},
		{"inspector", api.TxIssueCertificate, []string{js(obj{"type": "PESTICIDE_RESIDUE", "number": "QYJC-2026-0618", "subjects": []obj{{"gtin": GTINBlackTea, "lot": LotTeaExport}, {"gtin": GTINBlackTea, "lot": LotTeaBonded}},
			"documentSha256": docHash("pesticide residue report QYJC-2026-0618: 62 residues below EU MRLs"), "validFrom": at(base, 4, 0)[:10], "validUntil": at(base, 369, 0)[:10], "result": "PASS", "notes": "GB 2763 / EU MRL"})}},
		{"inspector", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "disposition": "conformant", "eventTime": at(base, 4, 10), "bizLocation": lab, "lots": []obj{lotRef(GTINBlackTea, LotTeaExport, "", "")}})}},
		{"tea-coop", api.TxCommissionItems, []string{GTINBlackTea, LotTeaExport, js(serials("TIN", 48))}},
		{"tea-coop", api.TxRecordEvent, []string{js(obj{"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "eventTime": at(base, 5, 9), "bizLocation": factory,
			"parent": obj{"sscc": TeaCaseSSCC}, "childItems": itemRefs(GTINBlackTea, serials("TIN", 24))})}},
		// The cooperative hands both lots over to the bonded warehouse,
		// which takes them into custody.
		{"tea-coop", api.TxHandOver, []string{GTINBlackTea, LotTeaExport, CreditCode(6)}},
		{"tea-coop", api.TxHandOver, []string{GTINBlackTea, LotTeaBonded, CreditCode(6)}},
		{"warehouse", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "eventTime": at(base, 7, 10), "bizLocation": bonded, "lots": []obj{lotRef(GTINBlackTea, LotTeaExport, "800", "tin")}})}},
		{"warehouse", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "eventTime": at(base, 7, 11), "bizLocation": bonded, "lots": []obj{lotRef(GTINBlackTea, LotTeaBonded, "400", "tin")}})}},
		{"warehouse", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "storing", "eventTime": at(base, 7, 12), "bizLocation": bonded, "lots": []obj{lotRef(GTINBlackTea, LotTeaBonded, "400", "tin")}})}},
		// The warehouse releases the export lot to the exporter, who ships it.
		{"warehouse", api.TxHandOver, []string{GTINBlackTea, LotTeaExport, CreditCode(5)}},
		{"exporter", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "eventTime": at(base, 12, 15), "bizLocation": port, "lots": []obj{lotRef(GTINBlackTea, LotTeaExport, "800", "tin")}})}},
	}
	if err := e.story(ctx, base, steps); err != nil {
		return err
	}
	item := gs1.Key{GTIN: GTINBlackTea, Lot: LotTeaExport, Serial: "TIN00001"}
	e.Entities["tea"] = obj{
		"products":        obj{"freshLeaf": GTINTeaLeaf, "blackTeaTin": GTINBlackTea},
		"lots":            obj{"leaf": LotTeaLeaf, "exported": LotTeaExport, "inBondedWarehouse": LotTeaBonded},
		"case":            TeaCaseSSCC,
		"itemDigitalLink": item.URL(e.PublicURL),
		"lotDigitalLink":  gs1.Key{GTIN: GTINBlackTea, Lot: LotTeaExport}.URL(e.PublicURL),
		"qrPng":           e.PublicURL + "/qr" + item.Path() + ".png",
		"epcis":           e.PublicURL + "/api/v1/lots/" + GTINBlackTea + "/" + LotTeaExport + "/epcis",
	}
	return nil
}

func itemRefs(gtin string, serials []string) []obj {
	out := make([]obj, len(serials))
	for i, s := range serials {
		out[i] = obj{"gtin": gtin, "serial": s}
	}
	return out
}

func chickenScenario(ctx context.Context, e *Env) error {
	base := time.Now().AddDate(0, 0, -9)
	farm := loc("geo:23.7290,112.9830", "清远市清新区凤鸣走地鸡养殖场", "Fengming free-range farm, Qingxin, Qingyuan")
	plant := loc("geo:23.7010,113.0210", "清远鲜禽定点屠宰加工厂", "Qingyuan Fresh Poultry slaughterhouse")
	truck := loc("urn:qingchain:vehicle:YUE-R-C1234", "冷藏车 粤R·C1234", "Refrigerated truck YUE-R C1234")
	cold := loc("geo:23.6950,113.0400", "北江冷链清城冷库", "Beijiang cold store, Qingcheng")

	readings := []obj{}
	t0 := time.Now().AddDate(0, 0, -6).Truncate(time.Hour)
	temps := [][2]string{{"1.8", "2.6"}, {"2.1", "3.0"}, {"2.4", "3.3"}, {"3.1", "7.2"}, {"2.2", "3.4"}, {"1.9", "2.8"}, {"1.7", "2.5"}, {"1.8", "2.4"}}
	for i, tv := range temps {
		readings = append(readings, obj{"from": t0.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), "to": t0.Add(time.Duration(i+1) * time.Hour).Format(time.RFC3339), "type": "temperature", "minValue": tv[0], "maxValue": tv[1], "uom": "CEL"})
	}
	steps := []step{
		{"chicken-farm", api.TxCreateProduct, []string{js(obj{"gtin": GTINLiveBird, "nameZh": "清远鸡（活禽）", "nameEn": "Qingyuan chicken, live bird", "category": "poultry-live", "giStatus": "GI_REGISTERED", "giName": "清远鸡 Qingyuan Chicken"})}},
		{"meat-processor", api.TxCreateProduct, []string{js(obj{"gtin": GTINChickenBox, "nameZh": "清远鸡冰鲜整鸡 1.2千克", "nameEn": "Chilled whole Qingyuan chicken, 1.2 kg", "category": "poultry-chilled", "giStatus": "GI_REGISTERED", "giName": "清远鸡 Qingyuan Chicken", "storageMinC": "0", "storageMaxC": "4"})}},
		{"chicken-farm", api.TxCommissionLot, []string{js(obj{"gtin": GTINLiveBird, "lot": LotFlock, "origin": obj{"place": "清远市清新区凤鸣走地鸡养殖场", "placeEn": "Fengming free-range farm, Qingxin, Qingyuan", "latitude": "23.7290", "longitude": "112.9830", "country": "CN"}, "date": at(base, -120, 0)[:10], "quantity": "2000", "unit": "head"})}},
		{"chicken-farm", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "vaccinating", "eventTime": at(base, -100, 9), "bizLocation": farm, "lots": []obj{lotRef(GTINLiveBird, LotFlock, "", "")}})}},
		{"chicken-farm", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "feeding", "eventTime": at(base, -30, 8), "bizLocation": farm, "lots": []obj{lotRef(GTINLiveBird, LotFlock, "", "")}})}},
		{"inspector", api.TxIssueCertificate, []string{js(obj{"type": "QUARANTINE", "number": "DQ-4418-2026-07120", "subjects": []obj{{"gtin": GTINLiveBird, "lot": LotFlock}},
			"documentSha256": docHash("animal quarantine certificate DQ-4418-2026-07120"), "validFrom": at(base, -1, 0)[:10], "validUntil": at(base, 2, 0)[:10], "result": "PASS"})}},
		{"meat-processor", api.TxCommissionLot, []string{js(obj{"gtin": GTINChickenBox, "lot": LotCarcass, "origin": obj{"place": "清远鲜禽定点屠宰加工厂", "placeEn": "Qingyuan Fresh Poultry slaughterhouse", "latitude": "23.7010", "longitude": "113.0210", "country": "CN"}, "date": at(base, 0, 0)[:10], "quantity": "1900", "unit": "pack"})}},
		// The farm hands the flock over to the slaughterhouse.
		{"chicken-farm", api.TxHandOver, []string{GTINLiveBird, LotFlock, CreditCode(3)}},
		{"meat-processor", api.TxRecordEvent, []string{js(obj{"type": "TransformationEvent", "bizStep": "slaughtering", "eventTime": at(base, 0, 6), "bizLocation": plant,
			"inputs": []obj{lotRef(GTINLiveBird, LotFlock, "1900", "head")}, "outputs": []obj{lotRef(GTINChickenBox, LotCarcass, "1900", "pack")}})}},
		{"meat-processor", api.TxCommissionItems, []string{GTINChickenBox, LotCarcass, js(serials("CHK", 24))}},
		{"meat-processor", api.TxRecordEvent, []string{js(obj{"type": "AggregationEvent", "action": "ADD", "bizStep": "packing", "eventTime": at(base, 0, 9), "bizLocation": plant,
			"parent": obj{"sscc": ChickenCaseSCC}, "childItems": itemRefs(GTINChickenBox, serials("CHK", 12))})}},
		// The processor hands the packs to the cold-chain carrier.
		{"meat-processor", api.TxHandOver, []string{GTINChickenBox, LotCarcass, CreditCode(4)}},
		{"logistics", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "loading", "eventTime": t0.Add(-time.Hour).Format(time.RFC3339), "bizLocation": plant, "lots": []obj{lotRef(GTINChickenBox, LotCarcass, "", "")}})}},
		{"logistics", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "sensor_reporting", "eventTime": t0.Add(8 * time.Hour).Format(time.RFC3339), "readPoint": truck, "bizLocation": truck, "lots": []obj{lotRef(GTINChickenBox, LotCarcass, "", "")}, "sensorReadings": readings})}},
		{"logistics", api.TxRecordEvent, []string{js(obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "storing", "eventTime": t0.Add(9 * time.Hour).Format(time.RFC3339), "bizLocation": cold, "lots": []obj{lotRef(GTINChickenBox, LotCarcass, "", "")}})}},
	}
	if err := e.story(ctx, base.AddDate(0, 0, -121), steps); err != nil {
		return err
	}
	item := gs1.Key{GTIN: GTINChickenBox, Lot: LotCarcass, Serial: "CHK00001"}
	e.Entities["chicken"] = obj{
		"products":        obj{"liveBird": GTINLiveBird, "chilledPack": GTINChickenBox},
		"lots":            obj{"flock": LotFlock, "carcass": LotCarcass},
		"case":            ChickenCaseSCC,
		"itemDigitalLink": item.URL(e.PublicURL),
		"lotDigitalLink":  gs1.Key{GTIN: GTINChickenBox, Lot: LotCarcass}.URL(e.PublicURL),
		"qrPng":           e.PublicURL + "/qr" + item.Path() + ".png",
	}
	return nil
}

type step struct {
	user string
	fn   api.Tx
	args []string
}

// story submits steps in order, stamping each transaction half an hour
// after the event it records (or a minute after the previous one).
func (e *Env) story(ctx context.Context, start time.Time, steps []step) error {
	clock := start
	for _, st := range steps {
		if t, ok := eventTimeOf(st); ok && t.Add(30*time.Minute).After(clock) {
			clock = t.Add(30 * time.Minute)
		} else {
			clock = clock.Add(time.Minute)
		}
		if clock.After(time.Now()) {
			clock = time.Now()
		}
		e.Clock.At(clock)
		if _, err := e.Submit(ctx, st.user, st.fn, st.args...); err != nil {
			return err
		}
	}
	return nil
}

func eventTimeOf(st step) (time.Time, bool) {
	if len(st.args) != 1 {
		return time.Time{}, false
	}
	var v struct {
		EventTime string                `json:"eventTime"`
		ValidFrom string                `json:"validFrom"`
		Date      string                `json:"date"`
		Readings  []struct{ To string } `json:"sensorReadings"`
	}
	if json.Unmarshal([]byte(st.args[0]), &v) != nil {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, v.EventTime); err == nil {
		return t, true
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, d := range []string{v.ValidFrom, v.Date} {
		if t, err := time.ParseInLocation("2006-01-02", d, cst); err == nil {
			return t.Add(8 * time.Hour), true
		}
	}
	return time.Time{}, false
}
