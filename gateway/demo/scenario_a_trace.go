package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
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

type obj = map[string]any

func lotRef(gtin, lot, qty, unit string) api.LotRef {
	return api.LotRef{GTIN: gtin, Lot: lot, Quantity: qty, Unit: unit}
}

func loc(id, zh, en string) *api.Location { return &api.Location{ID: id, Name: zh, NameEn: en} }

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
		product("tea-coop", api.ProductInput{GTIN: GTINTeaLeaf, NameZh: "英德茶青（英红九号鲜叶）", NameEn: "Fresh tea leaf, Yinghong No. 9", Category: "tea-leaf", GIStatus: "NONE"}),
		product("tea-coop", api.ProductInput{GTIN: GTINBlackTea, NameZh: "英德红茶 英红九号 250克罐装", NameEn: "Yingde Black Tea, Yinghong No. 9, 250 g tin", Category: "black-tea", GIStatus: "GI_REGISTERED", GIName: "英德红茶 Yingde Black Tea"}),
		commissionLot("tea-coop", api.LotInput{GTIN: GTINTeaLeaf, Lot: LotTeaLeaf, Origin: api.Origin{Place: "英德市横石塘镇红云茶园", PlaceEn: "Hongyun Tea Garden, Hengshitang, Yingde", Latitude: "24.1810", Longitude: "113.4020", Country: "CN"}, Date: at(base, 0, 0)[:10], Quantity: "1200", Unit: "kg"}),
		event("tea-coop", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "harvesting", EventTime: at(base, 0, 7), BizLocation: garden, Lots: []api.LotRef{lotRef(GTINTeaLeaf, LotTeaLeaf, "1200", "kg")}}),
		event("tea-coop", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "withering", EventTime: at(base, 0, 13), BizLocation: factory, Lots: []api.LotRef{lotRef(GTINTeaLeaf, LotTeaLeaf, "", "")}}),
		event("tea-coop", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "rolling", EventTime: at(base, 1, 6), BizLocation: factory, Lots: []api.LotRef{lotRef(GTINTeaLeaf, LotTeaLeaf, "", "")}}),
		event("tea-coop", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "fermenting", EventTime: at(base, 1, 9), BizLocation: factory, Lots: []api.LotRef{lotRef(GTINTeaLeaf, LotTeaLeaf, "", "")}}),
		commissionLot("tea-coop", api.LotInput{GTIN: GTINBlackTea, Lot: LotTeaExport, Origin: api.Origin{Place: "英德市红云合作社制茶车间", PlaceEn: "Hongyun Cooperative tea workshop, Yingde", Latitude: "24.1900", Longitude: "113.4100", Country: "CN"}, Date: at(base, 2, 0)[:10], Quantity: "800", Unit: "tin"}),
		commissionLot("tea-coop", api.LotInput{GTIN: GTINBlackTea, Lot: LotTeaBonded, Origin: api.Origin{Place: "英德市红云合作社制茶车间", PlaceEn: "Hongyun Cooperative tea workshop, Yingde", Latitude: "24.1900", Longitude: "113.4100", Country: "CN"}, Date: at(base, 2, 0)[:10], Quantity: "400", Unit: "tin"}),
		event("tea-coop", api.EventInput{Type: "TransformationEvent", BizStep: "drying", EventTime: at(base, 2, 10), BizLocation: factory,
			Inputs:  []api.LotRef{lotRef(GTINTeaLeaf, LotTeaLeaf, "1200", "kg")},
			Outputs: []api.LotRef{lotRef(GTINBlackTea, LotTeaExport, "800", "tin"), lotRef(GTINBlackTea, LotTeaBonded, "400", "tin")}}),
		certificate("inspector", api.CertificateInput{Type: "PESTICIDE_RESIDUE", Number: "QYJC-2026-0618", Subjects: []api.CertSubject{{GTIN: GTINBlackTea, Lot: LotTeaExport}, {GTIN: GTINBlackTea, Lot: LotTeaBonded}},
			DocumentSHA256: docHash("pesticide residue report QYJC-2026-0618: 62 residues below EU MRLs"), ValidFrom: at(base, 4, 0)[:10], ValidUntil: at(base, 369, 0)[:10], Result: "PASS", Notes: "GB 2763 / EU MRL"}),
		event("inspector", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "inspecting", Disposition: "conformant", EventTime: at(base, 4, 10), BizLocation: lab, Lots: []api.LotRef{lotRef(GTINBlackTea, LotTeaExport, "", "")}}),
		commissionItems("tea-coop", GTINBlackTea, LotTeaExport, serials("TIN", 48)),
		event("tea-coop", api.EventInput{Type: "AggregationEvent", Action: "ADD", BizStep: "packing", EventTime: at(base, 5, 9), BizLocation: factory,
			Parent: &api.ParentInput{SSCC: TeaCaseSSCC}, ChildItems: itemRefs(GTINBlackTea, serials("TIN", 24))}),
		// The cooperative hands both lots over to the bonded warehouse,
		// which takes them into custody.
		handOver("tea-coop", GTINBlackTea, LotTeaExport, CreditCode(6)),
		handOver("tea-coop", GTINBlackTea, LotTeaBonded, CreditCode(6)),
		event("warehouse", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "receiving", EventTime: at(base, 7, 10), BizLocation: bonded, Lots: []api.LotRef{lotRef(GTINBlackTea, LotTeaExport, "800", "tin")}}),
		event("warehouse", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "receiving", EventTime: at(base, 7, 11), BizLocation: bonded, Lots: []api.LotRef{lotRef(GTINBlackTea, LotTeaBonded, "400", "tin")}}),
		event("warehouse", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "storing", EventTime: at(base, 7, 12), BizLocation: bonded, Lots: []api.LotRef{lotRef(GTINBlackTea, LotTeaBonded, "400", "tin")}}),
		// The warehouse releases the export lot to the exporter, who ships it.
		handOver("warehouse", GTINBlackTea, LotTeaExport, CreditCode(5)),
		event("exporter", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "shipping", Disposition: "in_transit", EventTime: at(base, 12, 15), BizLocation: port, Lots: []api.LotRef{lotRef(GTINBlackTea, LotTeaExport, "800", "tin")}}),
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

func itemRefs(gtin string, serials []string) []api.ItemRef {
	out := make([]api.ItemRef, len(serials))
	for i, s := range serials {
		out[i] = api.ItemRef{GTIN: gtin, Serial: s}
	}
	return out
}

func chickenScenario(ctx context.Context, e *Env) error {
	base := time.Now().AddDate(0, 0, -9)
	farm := loc("geo:23.7290,112.9830", "清远市清新区凤鸣走地鸡养殖场", "Fengming free-range farm, Qingxin, Qingyuan")
	plant := loc("geo:23.7010,113.0210", "清远鲜禽定点屠宰加工厂", "Qingyuan Fresh Poultry slaughterhouse")
	truck := loc("urn:qingchain:vehicle:YUE-R-C1234", "冷藏车 粤R·C1234", "Refrigerated truck YUE-R C1234")
	cold := loc("geo:23.6950,113.0400", "北江冷链清城冷库", "Beijiang cold store, Qingcheng")

	var readings []api.SensorInput
	t0 := time.Now().AddDate(0, 0, -6).Truncate(time.Hour)
	temps := [][2]string{{"1.8", "2.6"}, {"2.1", "3.0"}, {"2.4", "3.3"}, {"3.1", "7.2"}, {"2.2", "3.4"}, {"1.9", "2.8"}, {"1.7", "2.5"}, {"1.8", "2.4"}}
	for i, tv := range temps {
		readings = append(readings, api.SensorInput{From: t0.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), To: t0.Add(time.Duration(i+1) * time.Hour).Format(time.RFC3339), Type: "temperature", MinValue: tv[0], MaxValue: tv[1], UOM: "CEL"})
	}
	steps := []step{
		product("chicken-farm", api.ProductInput{GTIN: GTINLiveBird, NameZh: "清远鸡（活禽）", NameEn: "Qingyuan chicken, live bird", Category: "poultry-live", GIStatus: "GI_REGISTERED", GIName: "清远鸡 Qingyuan Chicken"}),
		product("meat-processor", api.ProductInput{GTIN: GTINChickenBox, NameZh: "清远鸡冰鲜整鸡 1.2千克", NameEn: "Chilled whole Qingyuan chicken, 1.2 kg", Category: "poultry-chilled", GIStatus: "GI_REGISTERED", GIName: "清远鸡 Qingyuan Chicken", StorageMinC: "0", StorageMaxC: "4"}),
		commissionLot("chicken-farm", api.LotInput{GTIN: GTINLiveBird, Lot: LotFlock, Origin: api.Origin{Place: "清远市清新区凤鸣走地鸡养殖场", PlaceEn: "Fengming free-range farm, Qingxin, Qingyuan", Latitude: "23.7290", Longitude: "112.9830", Country: "CN"}, Date: at(base, -120, 0)[:10], Quantity: "2000", Unit: "head"}),
		event("chicken-farm", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "vaccinating", EventTime: at(base, -100, 9), BizLocation: farm, Lots: []api.LotRef{lotRef(GTINLiveBird, LotFlock, "", "")}}),
		event("chicken-farm", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "feeding", EventTime: at(base, -30, 8), BizLocation: farm, Lots: []api.LotRef{lotRef(GTINLiveBird, LotFlock, "", "")}}),
		certificate("inspector", api.CertificateInput{Type: "QUARANTINE", Number: "DQ-4418-2026-07120", Subjects: []api.CertSubject{{GTIN: GTINLiveBird, Lot: LotFlock}},
			DocumentSHA256: docHash("animal quarantine certificate DQ-4418-2026-07120"), ValidFrom: at(base, -1, 0)[:10], ValidUntil: at(base, 2, 0)[:10], Result: "PASS"}),
		commissionLot("meat-processor", api.LotInput{GTIN: GTINChickenBox, Lot: LotCarcass, Origin: api.Origin{Place: "清远鲜禽定点屠宰加工厂", PlaceEn: "Qingyuan Fresh Poultry slaughterhouse", Latitude: "23.7010", Longitude: "113.0210", Country: "CN"}, Date: at(base, 0, 0)[:10], Quantity: "1900", Unit: "pack"}),
		// The farm hands the flock over to the slaughterhouse.
		handOver("chicken-farm", GTINLiveBird, LotFlock, CreditCode(3)),
		event("meat-processor", api.EventInput{Type: "TransformationEvent", BizStep: "slaughtering", EventTime: at(base, 0, 6), BizLocation: plant,
			Inputs: []api.LotRef{lotRef(GTINLiveBird, LotFlock, "1900", "head")}, Outputs: []api.LotRef{lotRef(GTINChickenBox, LotCarcass, "1900", "pack")}}),
		commissionItems("meat-processor", GTINChickenBox, LotCarcass, serials("CHK", 24)),
		event("meat-processor", api.EventInput{Type: "AggregationEvent", Action: "ADD", BizStep: "packing", EventTime: at(base, 0, 9), BizLocation: plant,
			Parent: &api.ParentInput{SSCC: ChickenCaseSCC}, ChildItems: itemRefs(GTINChickenBox, serials("CHK", 12))}),
		// The processor hands the packs to the cold-chain carrier.
		handOver("meat-processor", GTINChickenBox, LotCarcass, CreditCode(4)),
		event("logistics", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "loading", EventTime: t0.Add(-time.Hour).Format(time.RFC3339), BizLocation: plant, Lots: []api.LotRef{lotRef(GTINChickenBox, LotCarcass, "", "")}}),
		event("logistics", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "sensor_reporting", EventTime: t0.Add(8 * time.Hour).Format(time.RFC3339), ReadPoint: truck, BizLocation: truck, Lots: []api.LotRef{lotRef(GTINChickenBox, LotCarcass, "", "")}, SensorReadings: readings}),
		event("logistics", api.EventInput{Type: "ObjectEvent", Action: "OBSERVE", BizStep: "storing", EventTime: t0.Add(9 * time.Hour).Format(time.RFC3339), BizLocation: cold, Lots: []api.LotRef{lotRef(GTINChickenBox, LotCarcass, "", "")}}),
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

// step is one transaction of a story: who makes it, when what it records
// happened (zero when it records no time of its own) and the call.
type step struct {
	user string
	when time.Time
	call func(ctx context.Context, c *client.Client, as *identity.Identity) error
}

func product(user string, in api.ProductInput) step {
	return step{user: user, call: func(ctx context.Context, c *client.Client, as *identity.Identity) error {
		_, err := c.CreateProduct(ctx, as, in)
		return err
	}}
}

func commissionLot(user string, in api.LotInput) step {
	return step{user: user, when: storyDate(in.Date), call: func(ctx context.Context, c *client.Client, as *identity.Identity) error {
		_, err := c.CommissionLot(ctx, as, in)
		return err
	}}
}

func event(user string, in api.EventInput) step {
	t, _ := time.Parse(time.RFC3339, in.EventTime)
	return step{user: user, when: t, call: func(ctx context.Context, c *client.Client, as *identity.Identity) error {
		_, err := c.RecordEvent(ctx, as, in)
		return err
	}}
}

func certificate(user string, in api.CertificateInput) step {
	return step{user: user, when: storyDate(in.ValidFrom), call: func(ctx context.Context, c *client.Client, as *identity.Identity) error {
		_, err := c.IssueCertificate(ctx, as, in)
		return err
	}}
}

func commissionItems(user, gtin, lot string, serials []string) step {
	return step{user: user, call: func(ctx context.Context, c *client.Client, as *identity.Identity) error {
		_, err := c.CommissionItems(ctx, as, gtin, lot, serials)
		return err
	}}
}

func handOver(user, gtin, lot, to string) step {
	return step{user: user, call: func(ctx context.Context, c *client.Client, as *identity.Identity) error {
		_, err := c.HandOver(ctx, as, gtin, lot, to)
		return err
	}}
}

// storyDate is a day of the story (YYYY-MM-DD) as a moment: 08:00 in the
// zone's time; zero if d is no date.
func storyDate(d string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", d, time.FixedZone("CST", 8*3600))
	if err != nil {
		return time.Time{}
	}
	return t.Add(8 * time.Hour)
}

// story submits steps in order, stamping each transaction half an hour
// after the time it records (or a minute after the previous one).
func (e *Env) story(ctx context.Context, start time.Time, steps []step) error {
	clock := start
	for _, st := range steps {
		if t := st.when; !t.IsZero() && t.Add(30*time.Minute).After(clock) {
			clock = t.Add(30 * time.Minute)
		} else {
			clock = clock.Add(time.Minute)
		}
		if clock.After(time.Now()) {
			clock = time.Now()
		}
		if err := st.call(ctx, e.Client, e.As(clock, st.user)); err != nil {
			return fmt.Errorf("demo: as %s: %w", st.user, err)
		}
	}
	return nil
}
