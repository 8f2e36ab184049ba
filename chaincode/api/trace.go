package api

// Actor is the enterprise (and, for certificates, the identity) that made
// a record, with its name as it was at the time.
type Actor struct {
	CreditCode string `json:"creditCode"`
	Name       string `json:"name"`
	MSPID      string `json:"mspId"`
	Identity   string `json:"identity,omitempty"`
}

// Product is a trade item (GTIN).
type Product struct {
	GTIN        string `json:"gtin"`
	NameZh      string `json:"nameZh"`
	NameEn      string `json:"nameEn,omitempty"`
	Category    string `json:"category"`
	GIStatus    string `json:"giStatus"`
	GIName      string `json:"giName,omitempty"`
	StorageMinC string `json:"storageMinC,omitempty"`
	StorageMaxC string `json:"storageMaxC,omitempty"`
	Owner       Actor  `json:"owner"`
	CreatedAt   string `json:"createdAt"`
	TxID        string `json:"txId"`
}

type ProductInput struct {
	GTIN        string `json:"gtin"`
	NameZh      string `json:"nameZh"`
	NameEn      string `json:"nameEn"`
	Category    string `json:"category"`
	GIStatus    string `json:"giStatus"`
	GIName      string `json:"giName"`
	StorageMinC string `json:"storageMinC"`
	StorageMaxC string `json:"storageMaxC"`
}

// Origin is where a lot was grown, raised or made.
type Origin struct {
	Place     string `json:"place"`
	PlaceEn   string `json:"placeEn,omitempty"`
	Latitude  string `json:"latitude"`
	Longitude string `json:"longitude"`
	Country   string `json:"country"`
}

// Lot is a batch of one product (GTIN + lot, GS1 AI 10).
type Lot struct {
	GTIN           string `json:"gtin"`
	Lot            string `json:"lot"`
	Origin         Origin `json:"origin"`
	Date           string `json:"date"`
	Quantity       string `json:"quantity"`
	Unit           string `json:"unit"`
	Producer       Actor  `json:"producer"`
	CommissionedAt string `json:"commissionedAt"`
	TxID           string `json:"txId"`
}

type LotInput struct {
	GTIN     string `json:"gtin"`
	Lot      string `json:"lot"`
	Origin   Origin `json:"origin"`
	Date     string `json:"date"`
	Quantity string `json:"quantity"`
	Unit     string `json:"unit"`
}

// Item is a serialized retail item under a lot; its QR code carries
// /01/{gtin}/10/{lot}/21/{serial}.
type Item struct {
	GTIN           string `json:"gtin"`
	Lot            string `json:"lot"`
	Serial         string `json:"serial"`
	CommissionedBy Actor  `json:"commissionedBy"`
	CommissionedAt string `json:"commissionedAt"`
	TxID           string `json:"txId"`
}

// RecallStatus says whether a recall reaches a lot or item, and the
// nearest one that does (the recalled lot itself, else the closest
// recalled lot upstream of it).
type RecallStatus struct {
	Recalled bool    `json:"recalled"`
	Recall   *Recall `json:"recall,omitempty"`
}

// LotView is a lot with its recall status.
type LotView struct {
	Lot
	RecallStatus
}

// ItemView is an item with its recall status and current container.
type ItemView struct {
	Item
	RecallStatus
	Container string `json:"container,omitempty"`
}

// LotEventsPage is one page of a lot's events, in index order (event time,
// then id). NextCursor, when present, continues after the last event.
type LotEventsPage struct {
	GTIN       string       `json:"gtin"`
	Lot        string       `json:"lot"`
	Events     []TraceEvent `json:"events"`
	NextCursor string       `json:"nextCursor,omitempty"`
}

const CertQuarantine = "QUARANTINE"

const CertPesticideResidue = "PESTICIDE_RESIDUE"

const CertGI = "GI"

const CertExportHealth = "EXPORT_HEALTH"

const CertOrganic = "ORGANIC"

// CertSubject is a lot a certificate is about.
type CertSubject struct {
	GTIN string `json:"gtin"`
	Lot  string `json:"lot"`
}

// Certificate is an inspection or GI certificate: the hash of the signed
// document, who issued it (identity and enterprise) and what it covers.
type Certificate struct {
	ID             string        `json:"id"`
	Type           string        `json:"type"`
	Number         string        `json:"number"`
	Subjects       []CertSubject `json:"subjects"`
	DocumentSHA256 string        `json:"documentSha256"`
	ValidFrom      string        `json:"validFrom"`
	ValidUntil     string        `json:"validUntil"`
	Result         string        `json:"result"`
	Notes          string        `json:"notes,omitempty"`
	Issuer         Actor         `json:"issuer"`
	IssuedAt       string        `json:"issuedAt"`
	TxID           string        `json:"txId"`
}

type CertificateInput struct {
	Type           string        `json:"type"`
	Number         string        `json:"number"`
	Subjects       []CertSubject `json:"subjects"`
	DocumentSHA256 string        `json:"documentSha256"`
	ValidFrom      string        `json:"validFrom"`
	ValidUntil     string        `json:"validUntil"`
	Result         string        `json:"result"`
	Notes          string        `json:"notes"`
}

// Recall is a recall of a lot. It reaches every lot made from it and every
// item of those lots or holding them (see recallStatus).
type Recall struct {
	GTIN     string `json:"gtin"`
	Lot      string `json:"lot"`
	Reason   string `json:"reason"`
	By       Actor  `json:"by"`
	RecallAt string `json:"recalledAt"`
	TxID     string `json:"txId"`
}

const ObjectEvent = "ObjectEvent"

const TransformationEvent = "TransformationEvent"

const AggregationEvent = "AggregationEvent"

// LotRef names a lot in an event, with a quantity where one is given.
type LotRef struct {
	GTIN     string `json:"gtin"`
	Lot      string `json:"lot"`
	Quantity string `json:"quantity,omitempty"`
	Unit     string `json:"unit,omitempty"`
}

// ItemRef names a serialized item; its lot is filled in from the ledger.
type ItemRef struct {
	GTIN   string `json:"gtin"`
	Lot    string `json:"lot,omitempty"`
	Serial string `json:"serial"`
}

// Location is an EPCIS read point or business location: a URI (an SGLN,
// a GS1 Digital Link /414/ URI, a geo: URI) and names for people.
type Location struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	NameEn string `json:"nameEn,omitempty"`
}

// ParentRef is an aggregation's container: a logistic unit (SSCC) or a
// serialized item (a gift box of tins). ID is its Digital Link URI.
type ParentRef struct {
	ID     string `json:"id"`
	SSCC   string `json:"sscc,omitempty"`
	GTIN   string `json:"gtin,omitempty"`
	Lot    string `json:"lot,omitempty"`
	Serial string `json:"serial,omitempty"`
}

// SensorReading is one cold-chain interval: the minimum and maximum
// temperature seen from From to To. Excursion is set when it leaves the
// storage range of a product the event concerns.
type SensorReading struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Type      string `json:"type"`
	MinValue  string `json:"minValue"`
	MaxValue  string `json:"maxValue"`
	UOM       string `json:"uom"`
	Excursion bool   `json:"excursion"`
}

// TraceEvent is a recorded EPCIS-style event.
type TraceEvent struct {
	ID                  string          `json:"id"`
	Type                string          `json:"type"`
	Action              string          `json:"action,omitempty"`
	BizStep             string          `json:"bizStep"`
	Disposition         string          `json:"disposition,omitempty"`
	EventTime           string          `json:"eventTime"`
	EventTimeZoneOffset string          `json:"eventTimeZoneOffset"`
	ReadPoint           *Location       `json:"readPoint,omitempty"`
	BizLocation         *Location       `json:"bizLocation,omitempty"`
	Lots                []LotRef        `json:"lots,omitempty"`
	Items               []ItemRef       `json:"items,omitempty"`
	Inputs              []LotRef        `json:"inputs,omitempty"`
	Outputs             []LotRef        `json:"outputs,omitempty"`
	Parent              *ParentRef      `json:"parent,omitempty"`
	ChildLots           []LotRef        `json:"childLots,omitempty"`
	ChildItems          []ItemRef       `json:"childItems,omitempty"`
	SensorReadings      []SensorReading `json:"sensorReadings,omitempty"`
	Destination         string          `json:"destination,omitempty"`
	Excursion           bool            `json:"excursion"`
	RecordedBy          Actor           `json:"recordedBy"`
	RecordedAt          string          `json:"recordedAt"`
	TxID                string          `json:"txId"`
}

type ParentInput struct {
	SSCC   string `json:"sscc"`
	GTIN   string `json:"gtin"`
	Lot    string `json:"lot"`
	Serial string `json:"serial"`
}

type SensorInput struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Type     string `json:"type"`
	MinValue string `json:"minValue"`
	MaxValue string `json:"maxValue"`
	UOM      string `json:"uom"`
}

type EventInput struct {
	Type           string        `json:"type"`
	Action         string        `json:"action"`
	BizStep        string        `json:"bizStep"`
	Disposition    string        `json:"disposition"`
	EventTime      string        `json:"eventTime"`
	ReadPoint      *Location     `json:"readPoint"`
	BizLocation    *Location     `json:"bizLocation"`
	Lots           []LotRef      `json:"lots"`
	Items          []ItemRef     `json:"items"`
	Inputs         []LotRef      `json:"inputs"`
	Outputs        []LotRef      `json:"outputs"`
	Parent         *ParentInput  `json:"parent"`
	ChildLots      []LotRef      `json:"childLots"`
	ChildItems     []ItemRef     `json:"childItems"`
	SensorReadings []SensorInput `json:"sensorReadings"`
	// Destination is the credit code of the enterprise taking the goods
	// over (EPCIS destinationList, possessing_party): on a shipping event,
	// it lets that enterprise record their receiving and so become their
	// custodian.
	Destination string `json:"destination"`
}

// Handover is a recorded hand-over of a lot's goods to another
// enterprise, which is their custodian from then on (until it ships them
// out or hands them on). A shipping event with a destination is one too.
type Handover struct {
	GTIN     string `json:"gtin"`
	Lot      string `json:"lot"`
	From     Actor  `json:"from"`
	To       string `json:"to"`
	At       string `json:"at"`
	TxID     string `json:"txId"`
	Previous bool   `json:"custodyEnded"`
}

// Touches reports whether the event names the lot: in its lots, outputs,
// child lots, items, child items or parent.
func (e TraceEvent) Touches(gtin, lot string) bool {
	for _, refs := range [][]LotRef{e.Lots, e.Outputs, e.ChildLots} {
		for _, r := range refs {
			if r.GTIN == gtin && r.Lot == lot {
				return true
			}
		}
	}
	for _, refs := range [][]ItemRef{e.Items, e.ChildItems} {
		for _, r := range refs {
			if r.GTIN == gtin && r.Lot == lot {
				return true
			}
		}
	}
	return e.Parent != nil && e.Parent.GTIN == gtin && e.Parent.Lot == lot
}
