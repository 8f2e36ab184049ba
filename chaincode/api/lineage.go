package api

// LineageLot is a lot met on a lineage walk, at its distance in
// transformations (or aggregations) from where the walk started.
type LineageLot struct {
	GTIN  string `json:"gtin"`
	Lot   string `json:"lot"`
	Depth int    `json:"depth"`
}

// LineageResult is the answer of Lineage.
type LineageResult struct {
	GTIN      string       `json:"gtin"`
	Lot       string       `json:"lot"`
	Direction string       `json:"direction"`
	MaxDepth  int          `json:"maxDepth"`
	Lots      []LineageLot `json:"lots"`
	Truncated bool         `json:"truncated"`
}

// TraceReading is a sensor reading with the event it came from.
type TraceReading struct {
	EventID   string `json:"eventId"`
	BizStep   string `json:"bizStep"`
	EventTime string `json:"eventTime"`
	SensorReading
}

// TraceStepCount counts the events of one business step and event type
// that the trace read, how many it lists, and the first and last times.
type TraceStepCount struct {
	BizStep string `json:"bizStep"`
	Type    string `json:"type"`
	Events  int    `json:"events"`
	Listed  int    `json:"listed"`
	Omitted int    `json:"omitted"`
	First   string `json:"first"`
	Last    string `json:"last"`
}

// TraceLotEvents counts the events of one lot of the lineage (or, with
// Serial, of the item itself): indexed (not already met on an earlier
// lot), read, and listed.
type TraceLotEvents struct {
	GTIN   string `json:"gtin"`
	Lot    string `json:"lot"`
	Serial string `json:"serial,omitempty"`
	Depth  int    `json:"depth"`
	Events int    `json:"events"`
	Read   int    `json:"read"`
	Listed int    `json:"listed"`
}

// TraceOmitted says what a trace document leaves out.
type TraceOmitted struct {
	Events       int `json:"events"`       // events not in events (counted in steps when read)
	Unread       int `json:"unread"`       // of those, events not read at all (over the read budget; counted in lotEvents)
	Readings     int `json:"readings"`     // readings not in sensorReadings (all are in sensorSeries)
	SensorSeries int `json:"sensorSeries"` // series beyond those listed
	Lots         int `json:"lots"`         // lineage lots beyond those listed: their events and certificates were not read
	Certificates int `json:"certificates"`
	Recalls      int `json:"recalls"`
}

// SensorSeries summarises the readings of one lot at one location (read
// point, else business location) of one type and unit.
type SensorSeries struct {
	GTIN       string              `json:"gtin"`
	Lot        string              `json:"lot"`
	Location   *Location           `json:"location,omitempty"`
	Type       string              `json:"type"`
	UOM        string              `json:"uom"`
	Events     int                 `json:"events"`
	Readings   int                 `json:"readings"`
	MinValue   string              `json:"minValue"`
	MaxValue   string              `json:"maxValue"`
	MeanValue  string              `json:"meanValue"` // mean of the readings' midpoints, 2 decimals
	From       string              `json:"from"`
	To         string              `json:"to"`
	Excursion  int                 `json:"excursionReadings"`
	Intervals  int                 `json:"excursionIntervals"`
	Excursions []ExcursionInterval `json:"excursions"`
	// ExcursionsOmitted counts intervals beyond the longest listed.
	ExcursionsOmitted int `json:"excursionsOmitted"`
}

// ExcursionInterval is a run of contiguous readings out of range: when,
// for how long, and the value farthest out of the storage range.
type ExcursionInterval struct {
	From            string `json:"from"`
	To              string `json:"to"`
	DurationSeconds int64  `json:"durationSeconds"`
	Peak            string `json:"peak"`
	Readings        int    `json:"readings"`
}

// TraceDocument is everything the shopper's page and the EPCIS export
// show about a lot or a serialized item.
type TraceDocument struct {
	Product        Product          `json:"product"`
	Lot            Lot              `json:"lot"`
	Item           *Item            `json:"item,omitempty"`
	Container      string           `json:"container,omitempty"`
	Recalled       bool             `json:"recalled"`
	Recall         *Recall          `json:"recall,omitempty"`
	Recalls        []Recall         `json:"recalls"`
	Lineage        []LineageLot     `json:"lineage"`
	Lots           []Lot            `json:"lots"`
	Products       []Product        `json:"products"`
	Events         []TraceEvent     `json:"events"`
	Certificates   []Certificate    `json:"certificates"`
	SensorReadings []TraceReading   `json:"sensorReadings"`
	Truncated      bool             `json:"truncated"` // anything at all is left out (see omitted)
	EventCount     int              `json:"eventCount"`
	Steps          []TraceStepCount `json:"steps"`
	LotEvents      []TraceLotEvents `json:"lotEvents"`
	SensorSeries   []SensorSeries   `json:"sensorSeries"`
	Omitted        TraceOmitted     `json:"omitted"`
}

// CustodyResult is the answer of HasCustody.
type CustodyResult struct {
	GTIN       string `json:"gtin"`
	Lot        string `json:"lot"`
	CreditCode string `json:"creditCode"`
	InCustody  bool   `json:"inCustody"`
}
