// Package epcis renders Qingchain trace records as GS1 EPCIS 2.0 JSON-LD.
//
// The input is the answer of the trace contract's GetTrace (a lot or a
// serialized item with everything upstream of it); the output is an
// EPCISDocument whose eventList holds:
//
//   - every recorded event, as an ObjectEvent, TransformationEvent or
//     AggregationEvent with its content-derived eventID;
//   - a commissioning ObjectEvent (action ADD) for each lot in the trace,
//     built from the lot record: its quantity, its origin as a geo: read
//     point and as ILMD; its eventTime is the start of the lot's
//     production date in China time (+08:00), its recordTime the commit;
//   - a commissioning ObjectEvent for the item, when the trace is of one;
//   - an inspecting ObjectEvent per certificate, with certificationInfo;
//   - an ObjectEvent with disposition "recalled" per recall.
//
// recordTime is always the time the ledger committed the record.
//
// Identifiers are GS1 Digital Link URIs on https://id.gs1.org: a lot is
// the class https://id.gs1.org/01/{gtin}/10/{lot} in quantity lists, an
// item the instance https://id.gs1.org/01/{gtin}/21/{serial}, a logistic
// unit https://id.gs1.org/00/{sscc}. Business steps and dispositions are
// CBV 2.0 values where CBV has one; Qingchain's own steps (harvesting,
// withering, ...) are URIs under the deployment's vocabulary namespace (a
// Vocab: by default {public URL}/voc/). Fields Qingchain adds (the
// transaction id of each record, the recording enterprise, origin) are
// under the "qc:" prefix, and the master data terms GS1's context does not
// define (vocabularyElementList, attributes, attribute) are mapped too, by
// the vocabulary's own JSON-LD context, which the document names after
// GS1's and the gateway serves: expanded as JSON-LD, no term drops out.
// A place is spelt one way (geo: URIs without trailing zeros).
//
// Rendering is deterministic: the same trace and creation time give the
// same bytes.
package epcis

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
)

// Vocabulary and identifier bases.
const (
	// ContextURL is the EPCIS 2.0 JSON-LD context published with the
	// standard.
	ContextURL = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
	// EPCISNamespace is GS1's namespace of EPCIS terms.
	EPCISNamespace = "https://ref.gs1.org/epcis/"
	// DigitalLinkBase is the resolver of the GS1 Digital Link URIs used
	// as EPCs.
	DigitalLinkBase = "https://id.gs1.org"
	// SchemaVersion is the EPCIS version written.
	SchemaVersion = "2.0"
)

// Document is an EPCIS 2.0 EPCISDocument.
type Document struct {
	Context       []any   `json:"@context"`
	Type          string  `json:"type"`
	SchemaVersion string  `json:"schemaVersion"`
	CreationDate  string  `json:"creationDate"`
	Header        *Header `json:"epcisHeader,omitempty"`
	Body          Body    `json:"epcisBody"`
}

// Header carries master data: product and location names.
type Header struct {
	MasterData MasterData `json:"epcisMasterData"`
}

// MasterData is the header's vocabulary list.
type MasterData struct {
	VocabularyList []Vocabulary `json:"vocabularyList"`
}

// Vocabulary is master data of one vocabulary type.
type Vocabulary struct {
	Type     string              `json:"type"`
	Elements []VocabularyElement `json:"vocabularyElementList"`
}

// VocabularyElement describes one identifier.
type VocabularyElement struct {
	ID         string      `json:"id"`
	Attributes []Attribute `json:"attributes"`
}

// Attribute is one master data attribute.
type Attribute struct {
	ID    string `json:"id"`
	Value string `json:"attribute"`
}

// Body holds the events.
type Body struct {
	EventList []Event `json:"eventList"`
}

// Event is an EPCIS ObjectEvent, TransformationEvent or AggregationEvent;
// the fields that do not apply to a type are left empty.
type Event struct {
	Type                string            `json:"type"`
	EventID             string            `json:"eventID"`
	EventTime           string            `json:"eventTime"`
	EventTimeZoneOffset string            `json:"eventTimeZoneOffset"`
	RecordTime          string            `json:"recordTime,omitempty"`
	CertificationInfo   []string          `json:"certificationInfo,omitempty"`
	Action              string            `json:"action,omitempty"`
	ParentID            string            `json:"parentID,omitempty"`
	EPCList             []string          `json:"epcList,omitempty"`
	QuantityList        []QuantityElement `json:"quantityList,omitempty"`
	ChildEPCs           []string          `json:"childEPCs,omitempty"`
	ChildQuantityList   []QuantityElement `json:"childQuantityList,omitempty"`
	InputQuantityList   []QuantityElement `json:"inputQuantityList,omitempty"`
	OutputQuantityList  []QuantityElement `json:"outputQuantityList,omitempty"`
	BizStep             string            `json:"bizStep,omitempty"`
	Disposition         string            `json:"disposition,omitempty"`
	ReadPoint           *Location         `json:"readPoint,omitempty"`
	BizLocation         *Location         `json:"bizLocation,omitempty"`
	SensorElementList   []SensorElement   `json:"sensorElementList,omitempty"`
	ILMD                *ILMD             `json:"ilmd,omitempty"`
	// Qingchain extensions.
	TxID       string `json:"qc:txId,omitempty"`
	RecordedBy string `json:"qc:recordedBy,omitempty"`
	Excursion  bool   `json:"qc:excursion,omitempty"`
}

// QuantityElement is a quantity of a class (here: a lot). Quantity is a
// JSON number written from the ledger's decimal string, never a float.
type QuantityElement struct {
	EPCClass string      `json:"epcClass"`
	Quantity json.Number `json:"quantity,omitempty"`
	UOM      string      `json:"uom,omitempty"`
}

// Location is a read point or business location.
type Location struct {
	ID string `json:"id"`
}

// SensorElement is one sensor interval.
type SensorElement struct {
	Metadata SensorMetadata `json:"sensorMetadata"`
	Reports  []SensorReport `json:"sensorReport"`
}

// SensorMetadata bounds the interval a report covers.
type SensorMetadata struct {
	StartTime string `json:"startTime"`
	EndTime   string `json:"endTime"`
}

// SensorReport is a minimum and maximum over the interval; an excursion
// outside the product's storage range is an ALARM_CONDITION.
type SensorReport struct {
	Type      string      `json:"type"`
	Exception string      `json:"exception,omitempty"`
	MinValue  json.Number `json:"minValue"`
	MaxValue  json.Number `json:"maxValue"`
	UOM       string      `json:"uom"`
}

// ILMD is the instance/lot master data of a commissioned lot.
type ILMD struct {
	ProductionDate string `json:"qc:productionDate,omitempty"`
	OriginPlace    string `json:"qc:originPlace,omitempty"`
	OriginPlaceEn  string `json:"qc:originPlaceEn,omitempty"`
	OriginCountry  string `json:"qc:originCountry,omitempty"`
	Producer       string `json:"qc:producer,omitempty"`
}

// cbvBizSteps are Qingchain's business steps that are CBV 2.0 values, with
// the CBV value (slaughtering is CBV's "killing").
var cbvBizSteps = map[string]string{
	"arriving": "arriving", "commissioning": "commissioning", "departing": "departing",
	"inspecting": "inspecting", "loading": "loading", "packing": "packing",
	"receiving": "receiving", "sampling": "sampling", "sensor_reporting": "sensor_reporting",
	"shipping": "shipping", "slaughtering": "killing", "storing": "storing",
	"unloading": "unloading", "unpacking": "unpacking",
}

// cbvDispositions are the CBV 2.0 dispositions Qingchain records.
var cbvDispositions = []string{"active", "available", "conformant", "container_closed", "container_open", "damaged", "destroyed", "expired", "in_progress", "in_transit", "inactive", "non_conformant", "non_sellable_other", "recalled", "returned", "sellable_accessible", "sellable_not_accessible", "unavailable"}

// uomCodes maps Qingchain's units to UN/CEFACT Recommendation 20 codes.
// Counted units (head, tin, box ...) have none: an EPCIS quantity without
// a uom counts instances of the class.
var uomCodes = map[string]string{"kg": "KGM", "g": "GRM", "t": "TNE", "L": "LTR", "mL": "MLT"}

// Vocab is where Qingchain's own terms live: a namespace (the "qc:"
// prefix, ending in "/" or "#") and the URL of the JSON-LD context that
// maps them, which the gateway serves (ContextPath).
type Vocab struct {
	Namespace  string
	ContextURL string
}

// ContextPath is where the gateway serves the vocabulary's context.
const ContextPath = "/voc/context.jsonld"

// NewVocab is the vocabulary of a deployment: its namespace
// (default: publicURL + "/voc/") and its context on publicURL.
func NewVocab(publicURL, namespace string) (Vocab, error) {
	publicURL = strings.TrimRight(publicURL, "/")
	if namespace == "" {
		namespace = publicURL + "/voc/"
	}
	u, err := url.Parse(namespace)
	if err != nil || !u.IsAbs() || u.RawQuery != "" || !strings.HasSuffix(namespace, "/") && !strings.HasSuffix(namespace, "#") {
		return Vocab{}, fmt.Errorf("epcis: vocabulary namespace %q must be an absolute URI ending in / or #", namespace)
	}
	return Vocab{Namespace: namespace, ContextURL: publicURL + ContextPath}, nil
}

// Context is the vocabulary's JSON-LD context document: the "qc" prefix,
// and the master data terms of EPCIS 2.0's JSON schema that GS1's
// context leaves out (epcisMasterData is GS1's epcis:masterData).
func (v Vocab) Context() map[string]any {
	return map[string]any{"@context": map[string]any{
		"@version":              1.1,
		"qc":                    v.Namespace,
		"epcisMasterData":       map[string]any{"@id": EPCISNamespace + "masterData"},
		"vocabularyElementList": map[string]any{"@id": "qc:vocabularyElementList", "@container": "@set"},
		"attributes":            map[string]any{"@id": "qc:attributes", "@container": "@set"},
		"attribute":             map[string]any{"@id": "qc:attributeValue"},
	}}
}

// BizStep returns the EPCIS bizStep for a Qingchain business step.
func (v Vocab) BizStep(step string) string {
	if s, ok := cbvBizSteps[step]; ok {
		return s
	}
	return v.Namespace + "bizstep/" + step
}

// Disposition returns the EPCIS disposition for a Qingchain disposition.
func (v Vocab) Disposition(d string) string {
	if d == "" || slices.Contains(cbvDispositions, d) {
		return d
	}
	return v.Namespace + "disposition/" + d
}

// LotClass is the EPC class URI of a lot.
func LotClass(gtin, lot string) string {
	return gs1.Key{GTIN: gtin, Lot: lot}.URL(DigitalLinkBase)
}

// ItemEPC is the EPC URI of a serialized item.
func ItemEPC(gtin, serial string) string {
	return gs1.Key{GTIN: gtin, Serial: serial}.URL(DigitalLinkBase)
}

// DecodeTrace decodes the JSON answer of the trace contract's GetTrace.
func DecodeTrace(raw []byte) (*api.TraceDocument, error) {
	var doc api.TraceDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("epcis: decode trace: %w", err)
	}
	if doc.Product.GTIN == "" || doc.Lot.Lot == "" {
		return nil, fmt.Errorf("epcis: decode trace: no product or lot")
	}
	return &doc, nil
}

// FromTraceJSON renders the JSON answer of GetTrace as an EPCIS document
// created at created.
func FromTraceJSON(raw []byte, created time.Time, v Vocab) (*Document, error) {
	doc, err := DecodeTrace(raw)
	if err != nil {
		return nil, err
	}
	return FromTrace(doc, created, v)
}

// FromTrace renders a trace document as an EPCIS document created at
// created, Qingchain's terms under v.
func FromTrace(doc *api.TraceDocument, created time.Time, v Vocab) (*Document, error) {
	if v.Namespace == "" || v.ContextURL == "" {
		return nil, fmt.Errorf("epcis: no vocabulary namespace and context")
	}
	r := renderer{v: v}
	for i := range doc.Events {
		if err := r.event(&doc.Events[i]); err != nil {
			return nil, err
		}
	}
	lots := append([]api.Lot{doc.Lot}, doc.Lots...)
	for i := range lots {
		r.lotCommissioning(&lots[i])
	}
	if doc.Item != nil {
		r.itemCommissioning(doc.Item)
	}
	for i := range doc.Certificates {
		if err := r.certificate(&doc.Certificates[i]); err != nil {
			return nil, err
		}
	}
	for i := range doc.Recalls {
		r.recall(&doc.Recalls[i])
	}
	if err := r.sort(); err != nil {
		return nil, err
	}
	out := &Document{
		Context:       []any{ContextURL, v.ContextURL},
		Type:          "EPCISDocument",
		SchemaVersion: SchemaVersion,
		CreationDate:  created.UTC().Format("2006-01-02T15:04:05.000Z"),
		Body:          Body{EventList: r.events},
	}
	products := append([]api.Product{doc.Product}, doc.Products...)
	out.Header = masterData(v, products, doc.Events)
	if out.Body.EventList == nil {
		out.Body.EventList = []Event{}
	}
	return out, nil
}

type renderer struct {
	v      Vocab
	events []Event
}

func (r *renderer) event(ev *api.TraceEvent) error {
	off, err := offsetOf(ev.EventTime)
	if err != nil {
		return fmt.Errorf("epcis: event %s: %w", ev.ID, err)
	}
	e := Event{
		Type: ev.Type, EventID: ev.ID, EventTime: ev.EventTime, EventTimeZoneOffset: off, RecordTime: ev.RecordedAt,
		Action: ev.Action, BizStep: r.v.BizStep(ev.BizStep), Disposition: r.v.Disposition(ev.Disposition),
		ReadPoint: location(ev.ReadPoint), BizLocation: location(ev.BizLocation),
		TxID: ev.TxID, RecordedBy: ev.RecordedBy.CreditCode, Excursion: ev.Excursion,
	}
	switch ev.Type {
	case api.ObjectEvent:
		e.EPCList = itemEPCs(ev.Items)
		e.QuantityList = quantities(ev.Lots)
		for _, s := range ev.SensorReadings {
			e.SensorElementList = append(e.SensorElementList, r.sensorElement(s))
		}
	case api.TransformationEvent:
		e.Action = ""
		e.InputQuantityList = quantities(ev.Inputs)
		e.OutputQuantityList = quantities(ev.Outputs)
	case api.AggregationEvent:
		if ev.Parent == nil {
			return fmt.Errorf("epcis: aggregation event %s has no parent", ev.ID)
		}
		e.ParentID = ev.Parent.ID
		e.ChildEPCs = itemEPCs(ev.ChildItems)
		e.ChildQuantityList = quantities(ev.ChildLots)
	default:
		return fmt.Errorf("epcis: event %s has unknown type %q", ev.ID, ev.Type)
	}
	r.events = append(r.events, e)
	return nil
}

func (r *renderer) lotCommissioning(l *api.Lot) {
	e := Event{
		Type: api.ObjectEvent, EventID: syntheticID("lot", l.GTIN, l.Lot, l.TxID),
		EventTime: l.Date + "T00:00:00+08:00", EventTimeZoneOffset: "+08:00", RecordTime: l.CommissionedAt, Action: "ADD",
		BizStep: r.v.BizStep("commissioning"), Disposition: "active",
		QuantityList: quantities([]api.LotRef{{GTIN: l.GTIN, Lot: l.Lot, Quantity: l.Quantity, Unit: l.Unit}}),
		ILMD: &ILMD{ProductionDate: l.Date, OriginPlace: l.Origin.Place, OriginPlaceEn: l.Origin.PlaceEn,
			OriginCountry: l.Origin.Country, Producer: l.Producer.CreditCode},
		TxID: l.TxID, RecordedBy: l.Producer.CreditCode,
	}
	if l.Origin.Latitude != "" && l.Origin.Longitude != "" {
		e.ReadPoint = &Location{ID: CanonicalLocation("geo:" + l.Origin.Latitude + "," + l.Origin.Longitude)}
	}
	r.events = append(r.events, e)
}

func (r *renderer) itemCommissioning(it *api.Item) {
	r.events = append(r.events, Event{
		Type: api.ObjectEvent, EventID: syntheticID("item", it.GTIN, it.Serial, it.TxID),
		EventTime: it.CommissionedAt, EventTimeZoneOffset: "+00:00", RecordTime: it.CommissionedAt, Action: "ADD",
		BizStep: r.v.BizStep("commissioning"), Disposition: "active",
		EPCList: []string{ItemEPC(it.GTIN, it.Serial)},
		ILMD:    &ILMD{Producer: it.CommissionedBy.CreditCode},
		TxID:    it.TxID, RecordedBy: it.CommissionedBy.CreditCode,
	})
}

func (r *renderer) certificate(c *api.Certificate) error {
	if len(c.Subjects) == 0 {
		return fmt.Errorf("epcis: certificate %s has no subjects", c.ID)
	}
	refs := make([]api.LotRef, len(c.Subjects))
	for i, s := range c.Subjects {
		refs[i] = api.LotRef{GTIN: s.GTIN, Lot: s.Lot}
	}
	disp := "conformant"
	if c.Result != "PASS" {
		disp = "non_conformant"
	}
	r.events = append(r.events, Event{
		Type: api.ObjectEvent, EventID: syntheticID("certificate", c.ID, c.TxID),
		EventTime: c.IssuedAt, EventTimeZoneOffset: "+00:00", RecordTime: c.IssuedAt, Action: "OBSERVE",
		CertificationInfo: []string{"urn:qingchain:certificate:" + c.ID},
		BizStep:           r.v.BizStep("inspecting"), Disposition: disp,
		QuantityList: quantities(refs),
		TxID:         c.TxID, RecordedBy: c.Issuer.CreditCode,
	})
	return nil
}

func (r *renderer) recall(rc *api.Recall) {
	r.events = append(r.events, Event{
		Type: api.ObjectEvent, EventID: syntheticID("recall", rc.GTIN, rc.Lot, rc.TxID),
		EventTime: rc.RecallAt, EventTimeZoneOffset: "+00:00", RecordTime: rc.RecallAt, Action: "OBSERVE",
		BizStep: r.v.BizStep("recalling"), Disposition: "recalled",
		QuantityList: quantities([]api.LotRef{{GTIN: rc.GTIN, Lot: rc.Lot}}),
		TxID:         rc.TxID, RecordedBy: rc.By.CreditCode,
	})
}

// sort orders the events by the instant of their event time, then id.
func (r *renderer) sort() error {
	type keyed struct {
		t time.Time
		e Event
	}
	ks := make([]keyed, len(r.events))
	for i, e := range r.events {
		t, err := time.Parse(time.RFC3339Nano, e.EventTime)
		if err != nil {
			return fmt.Errorf("epcis: event %s: eventTime %q: %w", e.EventID, e.EventTime, err)
		}
		ks[i] = keyed{t, e}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return strings.Compare(a.e.EventID, b.e.EventID)
	})
	for i := range ks {
		r.events[i] = ks[i].e
	}
	return nil
}

// syntheticID names an event Qingchain derives from a record: the
// SHA-256 of the record's kind, key and creating transaction.
func syntheticID(parts ...string) string {
	sum := sha256.Sum256([]byte("qingchain-epcis\x00" + strings.Join(parts, "\x00")))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=CBV2.0"
}

// offsetOf is the ±hh:mm offset written in an RFC 3339 time ("Z" is
// +00:00).
func offsetOf(ts string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return "", fmt.Errorf("eventTime %q: %w", ts, err)
	}
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("%s%02d:%02d", sign, off/3600, off%3600/60), nil
}

func location(l *api.Location) *Location {
	if l == nil {
		return nil
	}
	return &Location{ID: CanonicalLocation(l.ID)}
}

// CanonicalLocation spells a location one way: a geo: URI's coordinates
// without trailing zeros (geo:24.1810,113.4020 is geo:24.181,113.402);
// any other URI as it is.
func CanonicalLocation(id string) string {
	rest, ok := strings.CutPrefix(id, "geo:")
	if !ok {
		return id
	}
	coords, params, _ := strings.Cut(rest, ";")
	parts := strings.Split(coords, ",")
	for i, p := range parts {
		if whole, frac, ok := strings.Cut(p, "."); ok && whole != "" && strings.Trim(frac, "0123456789") == "" {
			if frac = strings.TrimRight(frac, "0"); frac == "" {
				parts[i] = whole
			} else {
				parts[i] = whole + "." + frac
			}
		}
	}
	out := "geo:" + strings.Join(parts, ",")
	if params != "" {
		out += ";" + params
	}
	return out
}

func itemEPCs(items []api.ItemRef) []string {
	var out []string
	for _, it := range items {
		out = append(out, ItemEPC(it.GTIN, it.Serial))
	}
	return out
}

func quantities(lots []api.LotRef) []QuantityElement {
	var out []QuantityElement
	for _, l := range lots {
		q := QuantityElement{EPCClass: LotClass(l.GTIN, l.Lot)}
		if l.Quantity != "" {
			q.Quantity = json.Number(l.Quantity)
			q.UOM = uomCodes[l.Unit]
		}
		out = append(out, q)
	}
	return out
}

func (r *renderer) sensorElement(s api.SensorReading) SensorElement {
	rep := SensorReport{Type: "Temperature", MinValue: json.Number(s.MinValue), MaxValue: json.Number(s.MaxValue), UOM: s.UOM}
	if s.Type != "temperature" {
		rep.Type = r.v.Namespace + "measurement/" + s.Type
	}
	if s.Excursion {
		rep.Exception = "ALARM_CONDITION"
	}
	return SensorElement{Metadata: SensorMetadata{StartTime: s.From, EndTime: s.To}, Reports: []SensorReport{rep}}
}

// masterData names the products (EPC classes by GTIN) and the locations
// the events use.
func masterData(v Vocab, products []api.Product, events []api.TraceEvent) *Header {
	var classes []VocabularyElement
	for _, p := range products {
		attrs := []Attribute{{ID: "https://gs1.org/voc/productName", Value: p.NameZh}}
		if p.NameEn != "" {
			attrs = append(attrs, Attribute{ID: v.Namespace + "productNameEn", Value: p.NameEn})
		}
		attrs = append(attrs, Attribute{ID: v.Namespace + "category", Value: p.Category}, Attribute{ID: v.Namespace + "giStatus", Value: p.GIStatus})
		if p.GIName != "" {
			attrs = append(attrs, Attribute{ID: v.Namespace + "giName", Value: p.GIName})
		}
		classes = append(classes, VocabularyElement{ID: gs1.Key{GTIN: p.GTIN}.URL(DigitalLinkBase), Attributes: attrs})
	}
	var places []VocabularyElement
	seen := map[string]bool{}
	for _, ev := range events {
		for _, l := range []*api.Location{ev.ReadPoint, ev.BizLocation} {
			if l == nil || l.Name == "" && l.NameEn == "" {
				continue
			}
			id := CanonicalLocation(l.ID)
			if seen[id] {
				continue
			}
			seen[id] = true
			var attrs []Attribute
			if l.Name != "" {
				attrs = append(attrs, Attribute{ID: "urn:epcglobal:cbv:mda#name", Value: l.Name})
			}
			if l.NameEn != "" {
				attrs = append(attrs, Attribute{ID: v.Namespace + "nameEn", Value: l.NameEn})
			}
			places = append(places, VocabularyElement{ID: id, Attributes: attrs})
		}
	}
	md := MasterData{VocabularyList: []Vocabulary{{Type: "urn:epcglobal:epcis:vtype:EPCClass", Elements: classes}}}
	if len(places) > 0 {
		md.VocabularyList = append(md.VocabularyList, Vocabulary{Type: "urn:epcglobal:epcis:vtype:BusinessLocation", Elements: places})
	}
	return &Header{MasterData: md}
}
