package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/encumbrance"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/shopspring/decimal"
)

// Limits per event.
const (
	maxLotsPerEvent     = 100
	maxItemsPerEvent    = 500
	maxReadingsPerEvent = 200
	// maxFutureSkew is how far an event's time may run ahead of the
	// transaction's timestamp (device clocks drift).
	maxFutureSkew = 10 * time.Minute
	// maxCaptureDelay is how long after the fact an event may still be
	// recorded: a handheld that captured offline (a farm without signal, a
	// truck crossing the hills) uploads within a week. Older event times
	// are refused, so nobody can slip a back-dated story under the real
	// one. The delay stays visible as recordedAt (EPCIS recordTime).
	maxCaptureDelay = 7 * 24 * time.Hour
)

// stepRule says which event types may carry a business step and which
// kinds of enterprise may record it.
type stepRule struct {
	step  string
	types string // letters: O object, T transformation, A aggregation
	kinds []string
}

// bizStepRules is the table of business steps: CBV 2.0 steps where one
// exists (commissioning, inspecting, packing, storing, receiving,
// shipping, ...), Qingchain's own for farming and processing.
func bizStepRules() []stepRule {
	return []stepRule{
		{"commissioning", "OT", []string{api.KindProducer, api.KindProcessor}},
		{"harvesting", "O", []string{api.KindProducer}},
		{"withering", "OT", []string{api.KindProcessor, api.KindProducer}},
		{"rolling", "OT", []string{api.KindProcessor, api.KindProducer}},
		{"fermenting", "OT", []string{api.KindProcessor, api.KindProducer}},
		{"drying", "OT", []string{api.KindProcessor, api.KindProducer}},
		{"processing", "OT", []string{api.KindProcessor, api.KindProducer}},
		{"vaccinating", "O", []string{api.KindProducer}},
		{"feeding", "O", []string{api.KindProducer}},
		{"slaughtering", "OT", []string{api.KindProcessor}},
		{"inspecting", "O", []string{api.KindInspector}},
		{"sampling", "O", []string{api.KindInspector}},
		{"packing", "OTA", []string{api.KindProcessor, api.KindProducer, api.KindWarehouse}},
		{"unpacking", "OA", []string{api.KindProcessor, api.KindProducer, api.KindWarehouse, api.KindLogistics}},
		{"storing", "OA", []string{api.KindWarehouse, api.KindLogistics}},
		{"receiving", "OA", []string{api.KindWarehouse, api.KindLogistics, api.KindProcessor, api.KindExporter}},
		{"loading", "OA", []string{api.KindLogistics, api.KindWarehouse}},
		{"unloading", "OA", []string{api.KindLogistics, api.KindWarehouse}},
		{"shipping", "OA", []string{api.KindLogistics, api.KindExporter, api.KindWarehouse, api.KindProducer, api.KindProcessor}},
		{"departing", "OA", []string{api.KindLogistics}},
		{"arriving", "OA", []string{api.KindLogistics}},
		{"sensor_reporting", "O", []string{api.KindLogistics, api.KindWarehouse}},
	}
}

func findStep(step string) *stepRule {
	for i := range bizStepRules() {
		if bizStepRules()[i].step == step {
			return &bizStepRules()[i]
		}
	}
	return nil
}

// StepOrder is a step's place in the table of steps (after every step
// for one not in it): the order in which a trace lists its step counts.
func StepOrder(step string) int {
	for i := range bizStepRules() {
		if bizStepRules()[i].step == step {
			return i
		}
	}
	return len(bizStepRules())
}

func stepNames() string {
	names := make([]string, len(bizStepRules()))
	for i, r := range bizStepRules() {
		names[i] = r.step
	}
	return strings.Join(names, ", ")
}

// dispositions accepted (CBV 2.0 values).
func dispositions() []string {
	return []string{"active", "available", "conformant", "container_closed", "container_open", "damaged", "destroyed", "expired", "in_progress", "in_transit", "inactive", "non_conformant", "non_sellable_other", "recalled", "returned", "sellable_accessible", "sellable_not_accessible", "unavailable"}
}

// RecordEvent records an ObjectEvent, TransformationEvent or
// AggregationEvent (see EventInput for the document). The event's id is
// the SHA-256 of its canonical content, presented as
// ni:///sha-256;<hex>?ver=CBV2.0: recording the same event again returns
// the stored one and writes nothing (and sets no chaincode event).
//
// Transformation outputs must be lots already commissioned (CommissionLot)
// by the recording enterprise: commissioning has one entry point, with one
// set of checks (origin, quantity, unit, owner), and the event's id stays
// a function of the event alone.
func (t *Trace) RecordEvent(ctx contractapi.TransactionContextInterface, eventJSON string) (string, error) {
	var in api.EventInput
	if err := kit.DecodeArg("event", eventJSON, &in); err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	ev, evTime, err := normalizeEvent(&in, now)
	if err != nil {
		return "", err
	}
	rule := findStep(ev.BizStep)
	c, err := registry.RequireKind(ctx, "recording a "+ev.BizStep+" event", rule.kinds...)
	if err != nil {
		return "", err
	}
	// Resolve items to their lots and check that everything named exists.
	lots := map[LotKey]*api.Lot{}
	for _, list := range [][]api.LotRef{ev.Lots, ev.Inputs, ev.Outputs, ev.ChildLots} {
		for _, r := range list {
			if err := needLot(ctx, lots, r.GTIN, r.Lot); err != nil {
				return "", err
			}
		}
	}
	for _, list := range [][]api.ItemRef{ev.Items, ev.ChildItems} {
		for i := range list {
			if err := resolveItem(ctx, &list[i]); err != nil {
				return "", err
			}
		}
	}
	if p := ev.Parent; p != nil && p.SSCC == "" {
		ref := api.ItemRef{GTIN: p.GTIN, Lot: p.Lot, Serial: p.Serial}
		if err := resolveItem(ctx, &ref); err != nil {
			return "", err
		}
		p.Lot = ref.Lot
	}
	sortItems(ev.Items)
	sortItems(ev.ChildItems)
	if ev.Destination != "" {
		if ev.BizStep != "shipping" {
			return "", kit.Errf(api.CodeInvalidArgument, "destination applies to a shipping event")
		}
		if _, err := registry.LoadEnterprise(ctx, ev.Destination); err != nil {
			return "", err
		}
		if ev.Destination == c.Enterprise.CreditCode {
			return "", kit.Errf(api.CodeInvalidArgument, "destination is the shipper itself")
		}
	}

	ev.ID, err = eventID(ev, evTime)
	if err != nil {
		return "", err
	}
	hexID := eventHex(ev.ID)
	ek, err := kit.Key(ctx, objTraceEvent, hexID)
	if err != nil {
		return "", err
	}
	var existing api.TraceEvent
	if found, err := kit.GetJSON(ctx, ek, &existing); err != nil {
		return "", err
	} else if found {
		return kit.ToJSON(existing)
	}

	// Who may write on these goods: the lots' owner, their custodian, the
	// enterprise they were handed over to, an inspector inspecting. (After
	// the duplicate check: recording an existing event again writes nothing.)
	for _, lk := range append(touchedLots(ev), lotKeys(ev.Inputs)...) {
		if err := needLot(ctx, lots, lk.GTIN, lk.Lot); err != nil {
			return "", err
		}
		if err := mayWriteLot(ctx, c, lots[lk], ev.BizStep); err != nil {
			return "", err
		}
	}

	// Rules that depend on current state.
	for _, list := range [][]api.LotRef{ev.Lots, ev.Inputs} {
		for _, r := range list {
			if r.Quantity == "" {
				continue
			}
			l := lots[LotKey{r.GTIN, r.Lot}]
			if r.Unit != l.Unit {
				return "", kit.Errf(api.CodeRuleViolation, "lot %s of %s is counted in %s, not %s", r.Lot, r.GTIN, l.Unit, r.Unit)
			}
			if kit.Decimal(r.Quantity).GreaterThan(kit.Decimal(l.Quantity)) {
				return "", kit.Errf(api.CodeRuleViolation, "quantity %s %s exceeds lot %s of %s (%s %s)", r.Quantity, r.Unit, r.Lot, r.GTIN, l.Quantity, l.Unit)
			}
		}
	}
	// Encumbered goods are not processed until their pledgee releases them
	// (encumbrance.go).
	for _, r := range ev.Inputs {
		q, _ := decimal.NewFromString(r.Quantity)
		if err := encumbrance.Consume(ctx, lots[LotKey{r.GTIN, r.Lot}], q); err != nil {
			return "", err
		}
	}
	for _, r := range ev.Outputs {
		if l := lots[LotKey{r.GTIN, r.Lot}]; l.Producer.CreditCode != c.Enterprise.CreditCode {
			return "", kit.Errf(api.CodeForbidden, "output lot %s of %s belongs to %s; only its producer records what it was made from", r.Lot, r.GTIN, l.Producer.CreditCode)
		}
	}
	touched := touchedLots(ev)
	if ev.BizStep == "shipping" {
		if err := checkShippingUnderReceipts(ctx, t.receipts, c, ev, lots, touched); err != nil {
			return "", err
		}
	}
	if ev.Type == api.AggregationEvent {
		if err := checkAggregation(ctx, ev); err != nil {
			return "", err
		}
	}
	if len(ev.SensorReadings) > 0 {
		if err := flagExcursions(ctx, ev); err != nil {
			return "", err
		}
	}

	// Write the event and its indexes.
	ev.RecordedBy = ActorOf(c)
	ev.RecordedAt = now.Format(kit.TimeLayout)
	ev.TxID = ctx.GetStub().GetTxID()
	if err := kit.PutJSON(ctx, ek, ev); err != nil {
		return "", err
	}
	sortTime := evTime.UTC().Format(kit.SortTimeLayout)
	class := ClassOf(ev).Value() // GetTrace counts and chooses from it
	for _, list := range [][]api.LotRef{ev.Lots, ev.Inputs, ev.Outputs, ev.ChildLots} {
		for _, r := range list {
			if err := putEventIndex(ctx, idxEventOfLot, class, r.GTIN, r.Lot, sortTime, hexID); err != nil {
				return "", err
			}
		}
	}
	for _, list := range [][]api.ItemRef{ev.Items, ev.ChildItems} {
		for _, r := range list {
			if err := putEventIndex(ctx, idxEventOfItem, class, r.GTIN, r.Serial, sortTime, hexID); err != nil {
				return "", err
			}
		}
	}
	if p := ev.Parent; p != nil && p.SSCC == "" {
		if err := putEventIndex(ctx, idxEventOfItem, class, p.GTIN, p.Serial, sortTime, hexID); err != nil {
			return "", err
		}
	}
	for _, out := range ev.Outputs {
		for _, in := range ev.Inputs {
			if err := kit.PutIndex(ctx, idxInputs, out.GTIN, out.Lot, in.GTIN, in.Lot); err != nil {
				return "", err
			}
			if err := kit.PutIndex(ctx, idxOutputs, in.GTIN, in.Lot, out.GTIN, out.Lot); err != nil {
				return "", err
			}
		}
	}
	if ev.Type == api.AggregationEvent {
		for _, child := range childURIs(ev) {
			if ev.Action == "ADD" {
				err = kit.PutIndex(ctx, idxChildren, ev.Parent.ID, child)
				if err == nil {
					err = kit.PutIndex(ctx, idxParents, child, ev.Parent.ID)
				}
			} else {
				err = kit.DelIndex(ctx, idxChildren, ev.Parent.ID, child)
				if err == nil {
					err = kit.DelIndex(ctx, idxParents, child, ev.Parent.ID)
				}
			}
			if err != nil {
				return "", err
			}
		}
		if p := ev.Parent; p.SSCC == "" {
			if err := trackPacking(ctx, ev); err != nil {
				return "", err
			}
		}
	}
	switch ev.BizStep {
	case "receiving", "storing":
		for _, lk := range touched {
			if err := kit.PutIndex(ctx, idxCustody, lk.GTIN, lk.Lot, c.Enterprise.CreditCode, hexID); err != nil {
				return "", err
			}
			if err := kit.PutIndex(ctx, idxHeldBy, lk.GTIN, lk.Lot, c.Enterprise.CreditCode); err != nil {
				return "", err
			}
			// The handover is complete: the receiver is now custodian.
			tails, err := kit.IndexTails(ctx, idxHandover, []string{lk.GTIN, lk.Lot, c.Enterprise.CreditCode})
			if err != nil {
				return "", err
			}
			for _, tl := range tails {
				if err := kit.DelIndex(ctx, idxHandover, lk.GTIN, lk.Lot, c.Enterprise.CreditCode, tl[0]); err != nil {
					return "", err
				}
			}
		}
	case "shipping":
		// Goods shipped out leave the shipper's custody; a named
		// destination takes them over.
		for _, lk := range touched {
			if err := endCustody(ctx, lk.GTIN, lk.Lot, c.Enterprise.CreditCode); err != nil {
				return "", err
			}
			if ev.Destination != "" {
				if err := kit.PutIndex(ctx, idxHandover, lk.GTIN, lk.Lot, ev.Destination, hexID); err != nil {
					return "", err
				}
				if err := kit.PutIndex(ctx, idxHeldBy, lk.GTIN, lk.Lot, ev.Destination); err != nil {
					return "", err
				}
			}
		}
	}
	// A cold-chain excursion on goods under a live financing alerts it.
	var reached []string
	if ev.Excursion {
		if reached, err = t.watch.Alert(ctx, api.AlertExcursion, touched, ev.ID, now); err != nil {
			return "", err
		}
	}
	data := struct {
		Type             string   `json:"type"`
		BizStep          string   `json:"bizStep"`
		Excursion        bool     `json:"excursion"`
		CollateralAlerts []string `json:"collateralAlerts,omitempty"`
	}{ev.Type, ev.BizStep, ev.Excursion, reached}
	if err := kit.Emit(ctx, "TraceEventRecorded", api.Event{Entity: "traceEvent", ID: ev.ID, Action: "recorded", By: c.Enterprise.CreditCode, Data: data}); err != nil {
		return "", err
	}
	return kit.ToJSON(ev)
}

// GetEvent returns an event by its id (the ni:/// URI or its hex digest).
func (t *Trace) GetEvent(ctx contractapi.TransactionContextInterface, id string) (string, error) {
	h := eventHex(id)
	if _, err := kit.CheckSHA256("id", h); err != nil {
		return "", err
	}
	ev, err := LoadEvent(ctx, h)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(ev)
}

func LoadEvent(ctx contractapi.TransactionContextInterface, hexID string) (*api.TraceEvent, error) {
	k, err := kit.Key(ctx, objTraceEvent, hexID)
	if err != nil {
		return nil, err
	}
	var ev api.TraceEvent
	if found, err := kit.GetJSON(ctx, k, &ev); err != nil {
		return nil, err
	} else if !found {
		return nil, kit.Errf(api.CodeNotFound, "event %s is not recorded", hexID)
	}
	return &ev, nil
}

const (
	eventIDPrefix = "ni:///sha-256;"
	eventIDSuffix = "?ver=CBV2.0"
)

// eventHex strips the ni:/// presentation from an event id.
func eventHex(id string) string {
	return strings.TrimSuffix(strings.TrimPrefix(id, eventIDPrefix), eventIDSuffix)
}

// normalizeEvent checks an event document without reading state and
// returns it in canonical form (lists sorted, decimals and times in one
// spelling), with its event time.
func normalizeEvent(in *api.EventInput, now time.Time) (*api.TraceEvent, time.Time, error) {
	ev := &api.TraceEvent{}
	var err error
	if ev.Type, err = kit.OneOf("type", in.Type, api.ObjectEvent, api.TransformationEvent, api.AggregationEvent); err != nil {
		return nil, time.Time{}, err
	}
	rule := findStep(in.BizStep)
	if rule == nil {
		return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "bizStep: %q is not one of %s", kit.Clip(in.BizStep), stepNames())
	}
	if !strings.Contains(rule.types, ev.Type[:1]) {
		return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "bizStep %s does not apply to a %s", rule.step, ev.Type)
	}
	ev.BizStep = rule.step
	if in.Disposition != "" {
		if ev.Disposition, err = kit.OneOf("disposition", in.Disposition, dispositions()...); err != nil {
			return nil, time.Time{}, err
		}
	}
	evTime, off, err := kit.CheckTime("eventTime", in.EventTime)
	if err != nil {
		return nil, time.Time{}, err
	}
	if evTime.After(now.Add(maxFutureSkew)) {
		return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "eventTime %s is later than the transaction time %s", in.EventTime, now.Format(kit.TimeLayout))
	}
	if evTime.Before(now.Add(-maxCaptureDelay)) {
		return nil, time.Time{}, kit.Errf(api.CodeEventTooOld, "eventTime %s is more than %d days before the transaction time %s; events are recorded within %d days of happening", in.EventTime, int(maxCaptureDelay.Hours()/24), now.Format(kit.TimeLayout), int(maxCaptureDelay.Hours()/24))
	}
	if in.Destination != "" {
		if err := uscc.Validate(in.Destination); err != nil {
			return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "destination: %v", err)
		}
		ev.Destination = in.Destination
	}
	ev.EventTime, ev.EventTimeZoneOffset = evTime.Format(kit.EventTimeLayout), off
	if ev.ReadPoint, err = checkLocation("readPoint", in.ReadPoint); err != nil {
		return nil, time.Time{}, err
	}
	if ev.BizLocation, err = checkLocation("bizLocation", in.BizLocation); err != nil {
		return nil, time.Time{}, err
	}
	absent := func(field string, n int) error {
		if n > 0 {
			return kit.Errf(api.CodeInvalidArgument, "%s does not apply to a %s", field, ev.Type)
		}
		return nil
	}
	parentN := 0
	if in.Parent != nil {
		parentN = 1
	}
	switch ev.Type {
	case api.ObjectEvent:
		for _, e := range []error{absent("inputs", len(in.Inputs)), absent("outputs", len(in.Outputs)), absent("parent", parentN), absent("childLots", len(in.ChildLots)), absent("childItems", len(in.ChildItems))} {
			if e != nil {
				return nil, time.Time{}, e
			}
		}
		switch {
		case in.Action == "" && ev.BizStep == "commissioning":
			ev.Action = "ADD"
		case in.Action == "":
			ev.Action = "OBSERVE"
		default:
			if ev.Action, err = kit.OneOf("action", in.Action, "ADD", "OBSERVE", "DELETE"); err != nil {
				return nil, time.Time{}, err
			}
		}
		if ev.Lots, err = CheckLotRefs("lots", in.Lots, false); err != nil {
			return nil, time.Time{}, err
		}
		if ev.Items, err = checkItemRefs("items", in.Items); err != nil {
			return nil, time.Time{}, err
		}
		if len(ev.Lots)+len(ev.Items) == 0 {
			return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "an ObjectEvent names at least one lot or item")
		}
		if ev.SensorReadings, err = checkReadings(in.SensorReadings, now); err != nil {
			return nil, time.Time{}, err
		}
		if ev.BizStep == "sensor_reporting" && len(ev.SensorReadings) == 0 {
			return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "a sensor_reporting event carries sensorReadings")
		}
	case api.TransformationEvent:
		for _, e := range []error{absent("action", len(in.Action)), absent("lots", len(in.Lots)), absent("items", len(in.Items)), absent("parent", parentN), absent("childLots", len(in.ChildLots)), absent("childItems", len(in.ChildItems)), absent("sensorReadings", len(in.SensorReadings))} {
			if e != nil {
				return nil, time.Time{}, e
			}
		}
		if ev.Inputs, err = CheckLotRefs("inputs", in.Inputs, true); err != nil {
			return nil, time.Time{}, err
		}
		if ev.Outputs, err = CheckLotRefs("outputs", in.Outputs, false); err != nil {
			return nil, time.Time{}, err
		}
		if len(ev.Inputs) == 0 || len(ev.Outputs) == 0 {
			return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "a TransformationEvent has at least one input and one output lot")
		}
		for _, o := range ev.Outputs {
			for _, i := range ev.Inputs {
				if o.GTIN == i.GTIN && o.Lot == i.Lot {
					return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "lot %s of %s is both input and output", o.Lot, o.GTIN)
				}
			}
		}
	case api.AggregationEvent:
		for _, e := range []error{absent("lots", len(in.Lots)), absent("items", len(in.Items)), absent("inputs", len(in.Inputs)), absent("outputs", len(in.Outputs)), absent("sensorReadings", len(in.SensorReadings))} {
			if e != nil {
				return nil, time.Time{}, e
			}
		}
		if ev.Action, err = kit.OneOf("action", in.Action, "ADD", "DELETE"); err != nil {
			return nil, time.Time{}, err
		}
		if ev.Parent, err = checkParent(in.Parent); err != nil {
			return nil, time.Time{}, err
		}
		if ev.ChildLots, err = CheckLotRefs("childLots", in.ChildLots, false); err != nil {
			return nil, time.Time{}, err
		}
		if ev.ChildItems, err = checkItemRefs("childItems", in.ChildItems); err != nil {
			return nil, time.Time{}, err
		}
		if n := len(ev.ChildLots) + len(ev.ChildItems); n == 0 || n > maxItemsPerEvent {
			return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "an AggregationEvent names 1 to %d children", maxItemsPerEvent)
		}
		for _, ci := range ev.ChildItems {
			if ci.GTIN == ev.Parent.GTIN && ci.Serial == ev.Parent.Serial {
				return nil, time.Time{}, kit.Errf(api.CodeInvalidArgument, "item %s cannot contain itself", ci.Serial)
			}
		}
	}
	return ev, evTime, nil
}

func checkLocation(field string, l *api.Location) (*api.Location, error) {
	if l == nil {
		return nil, nil
	}
	out := &api.Location{}
	var err error
	if out.ID, err = kit.CheckURI(field+".id", strings.TrimSpace(l.ID)); err != nil {
		return nil, err
	}
	if out.Name, err = kit.CleanText(field+".name", l.Name, false, 100); err != nil {
		return nil, err
	}
	if out.NameEn, err = kit.CleanText(field+".nameEn", l.NameEn, false, 200); err != nil {
		return nil, err
	}
	return out, nil
}

// CheckLotRefs checks and sorts lot references; needQty insists on a
// quantity and unit (transformation inputs), otherwise both are optional
// but go together.
func CheckLotRefs(field string, refs []api.LotRef, needQty bool) ([]api.LotRef, error) {
	if len(refs) > maxLotsPerEvent {
		return nil, kit.Errf(api.CodeInvalidArgument, "%s: at most %d lots", field, maxLotsPerEvent)
	}
	out := make([]api.LotRef, 0, len(refs))
	for i, r := range refs {
		f := field + "[" + strconv.Itoa(i) + "]"
		var n api.LotRef
		var err error
		if n.GTIN, err = kit.CheckGTIN(f+".gtin", r.GTIN); err != nil {
			return nil, err
		}
		if n.Lot, err = kit.CheckLot(f+".lot", r.Lot); err != nil {
			return nil, err
		}
		if needQty || r.Quantity != "" || r.Unit != "" {
			if n.Quantity, err = kit.CheckQuantity(f+".quantity", r.Quantity); err != nil {
				return nil, err
			}
			if n.Unit, err = kit.CheckUnit(f+".unit", r.Unit); err != nil {
				return nil, err
			}
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b api.LotRef) int {
		return strings.Compare(a.GTIN+"\x00"+a.Lot, b.GTIN+"\x00"+b.Lot)
	})
	for i := 1; i < len(out); i++ {
		if out[i].GTIN == out[i-1].GTIN && out[i].Lot == out[i-1].Lot {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: lot %s of %s appears twice", field, out[i].Lot, out[i].GTIN)
		}
	}
	return out, nil
}

func checkItemRefs(field string, refs []api.ItemRef) ([]api.ItemRef, error) {
	if len(refs) > maxItemsPerEvent {
		return nil, kit.Errf(api.CodeInvalidArgument, "%s: at most %d items", field, maxItemsPerEvent)
	}
	out := make([]api.ItemRef, 0, len(refs))
	for i, r := range refs {
		f := field + "[" + strconv.Itoa(i) + "]"
		var n api.ItemRef
		var err error
		if n.GTIN, err = kit.CheckGTIN(f+".gtin", r.GTIN); err != nil {
			return nil, err
		}
		if r.Lot != "" {
			if n.Lot, err = kit.CheckLot(f+".lot", r.Lot); err != nil {
				return nil, err
			}
		}
		if n.Serial, err = kit.CheckSerial(f+".serial", r.Serial); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	sortItems(out)
	for i := 1; i < len(out); i++ {
		if out[i].GTIN == out[i-1].GTIN && out[i].Serial == out[i-1].Serial {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: item %s of %s appears twice", field, out[i].Serial, out[i].GTIN)
		}
	}
	return out, nil
}

func sortItems(items []api.ItemRef) {
	slices.SortFunc(items, func(a, b api.ItemRef) int {
		return strings.Compare(a.GTIN+"\x00"+a.Serial, b.GTIN+"\x00"+b.Serial)
	})
}

func checkParent(p *api.ParentInput) (*api.ParentRef, error) {
	if p == nil {
		return nil, kit.Errf(api.CodeInvalidArgument, "an AggregationEvent has a parent: {\"sscc\"} or {\"gtin\",\"serial\"}")
	}
	var err error
	if p.SSCC != "" {
		if p.GTIN != "" || p.Lot != "" || p.Serial != "" {
			return nil, kit.Errf(api.CodeInvalidArgument, "parent: either sscc or gtin+serial, not both")
		}
		out := &api.ParentRef{}
		if out.SSCC, err = kit.CheckSSCC("parent.sscc", p.SSCC); err != nil {
			return nil, err
		}
		out.ID = ssccURI(out.SSCC)
		return out, nil
	}
	out := &api.ParentRef{}
	if out.GTIN, err = kit.CheckGTIN("parent.gtin", p.GTIN); err != nil {
		return nil, err
	}
	if p.Lot != "" {
		if out.Lot, err = kit.CheckLot("parent.lot", p.Lot); err != nil {
			return nil, err
		}
	}
	if out.Serial, err = kit.CheckSerial("parent.serial", p.Serial); err != nil {
		return nil, err
	}
	out.ID = itemURI(out.GTIN, out.Serial)
	return out, nil
}

func checkReadings(in []api.SensorInput, now time.Time) ([]api.SensorReading, error) {
	if len(in) > maxReadingsPerEvent {
		return nil, kit.Errf(api.CodeInvalidArgument, "sensorReadings: at most %d", maxReadingsPerEvent)
	}
	out := make([]api.SensorReading, 0, len(in))
	for i, r := range in {
		f := "sensorReadings[" + strconv.Itoa(i) + "]"
		from, _, err := kit.CheckTime(f+".from", r.From)
		if err != nil {
			return nil, err
		}
		to, _, err := kit.CheckTime(f+".to", r.To)
		if err != nil {
			return nil, err
		}
		if to.Before(from) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: to is before from", f)
		}
		if to.After(now.Add(maxFutureSkew)) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: to is later than the transaction time", f)
		}
		if from.Before(now.Add(-maxCaptureDelay)) {
			return nil, kit.Errf(api.CodeEventTooOld, "%s: from is more than %d days before the transaction time", f, int(maxCaptureDelay.Hours()/24))
		}
		n := api.SensorReading{From: from.Format(kit.EventTimeLayout), To: to.Format(kit.EventTimeLayout)}
		if n.Type, err = kit.OneOf(f+".type", r.Type, "temperature"); err != nil {
			return nil, err
		}
		if n.UOM, err = kit.OneOf(f+".uom", r.UOM, "CEL"); err != nil {
			return nil, err
		}
		if n.MinValue, err = kit.CheckBounded(f+".minValue", r.MinValue, -100, 200, 3); err != nil {
			return nil, err
		}
		if n.MaxValue, err = kit.CheckBounded(f+".maxValue", r.MaxValue, -100, 200, 3); err != nil {
			return nil, err
		}
		if kit.Decimal(n.MinValue).GreaterThan(kit.Decimal(n.MaxValue)) {
			return nil, kit.Errf(api.CodeInvalidArgument, "%s: minValue is above maxValue", f)
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b api.SensorReading) int {
		ka, _ := time.Parse(time.RFC3339Nano, a.From)
		kb, _ := time.Parse(time.RFC3339Nano, b.From)
		if c := ka.Compare(kb); c != 0 {
			return c
		}
		return strings.Compare(a.To+a.MinValue+"/"+a.MaxValue, b.To+b.MinValue+"/"+b.MaxValue)
	})
	return out, nil
}

// canonicalEvent is what an event's id is the hash of: the event's
// content, with locations by id, times in UTC and lists sorted. Who
// recorded it, when, and derived flags are not part of it.
type canonicalEvent struct {
	Type           string        `json:"type"`
	Action         string        `json:"action"`
	BizStep        string        `json:"bizStep"`
	Disposition    string        `json:"disposition"`
	EventTime      string        `json:"eventTime"`
	Offset         string        `json:"eventTimeZoneOffset"`
	ReadPoint      string        `json:"readPoint"`
	BizLocation    string        `json:"bizLocation"`
	Lots           []api.LotRef  `json:"lots"`
	Items          []api.ItemRef `json:"items"`
	Inputs         []api.LotRef  `json:"inputs"`
	Outputs        []api.LotRef  `json:"outputs"`
	Parent         string        `json:"parent"`
	ChildLots      []api.LotRef  `json:"childLots"`
	ChildItems     []api.ItemRef `json:"childItems"`
	SensorReadings [][6]string   `json:"sensorReadings"`
	// Destination is new; omitted when empty so that earlier ids stand.
	Destination string `json:"destination,omitempty"`
}

func eventID(ev *api.TraceEvent, evTime time.Time) (string, error) {
	c := canonicalEvent{
		Type: ev.Type, Action: ev.Action, BizStep: ev.BizStep, Disposition: ev.Disposition,
		EventTime: evTime.UTC().Format(kit.SortTimeLayout), Offset: ev.EventTimeZoneOffset,
		Lots: ev.Lots, Items: ev.Items, Inputs: ev.Inputs, Outputs: ev.Outputs,
		ChildLots: ev.ChildLots, ChildItems: ev.ChildItems, Destination: ev.Destination,
	}
	if ev.ReadPoint != nil {
		c.ReadPoint = ev.ReadPoint.ID
	}
	if ev.BizLocation != nil {
		c.BizLocation = ev.BizLocation.ID
	}
	if ev.Parent != nil {
		c.Parent = ev.Parent.ID
	}
	for _, r := range ev.SensorReadings {
		from, _ := time.Parse(time.RFC3339Nano, r.From)
		to, _ := time.Parse(time.RFC3339Nano, r.To)
		c.SensorReadings = append(c.SensorReadings, [6]string{from.UTC().Format(kit.SortTimeLayout), to.UTC().Format(kit.SortTimeLayout), r.Type, r.MinValue, r.MaxValue, r.UOM})
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "encode event: %v", err)
	}
	sum := sha256.Sum256(b)
	return eventIDPrefix + hex.EncodeToString(sum[:]) + eventIDSuffix, nil
}

func needLot(ctx contractapi.TransactionContextInterface, lots map[LotKey]*api.Lot, gtin, lot string) error {
	if lots[LotKey{gtin, lot}] != nil {
		return nil
	}
	l, err := LoadLot(ctx, gtin, lot)
	if err != nil {
		return err
	}
	lots[LotKey{gtin, lot}] = l
	return nil
}

// resolveItem checks that an item is commissioned and fills in its lot.
func resolveItem(ctx contractapi.TransactionContextInterface, r *api.ItemRef) error {
	it, err := loadItem(ctx, r.GTIN, r.Serial)
	if err != nil {
		return err
	}
	if r.Lot != "" && r.Lot != it.Lot {
		return kit.Errf(api.CodeNotFound, "item %s of %s is not in lot %s", r.Serial, r.GTIN, r.Lot)
	}
	r.Lot = it.Lot
	return nil
}

const (
	// idxHandover [gtin, lot, to, eventId]: goods shipped to an enterprise
	// that has not yet recorded receiving them.
	idxHandover = "handover~lot"
)

// inspectionSteps may be recorded by any inspector on any goods: checking
// other people's goods is the inspector's job.
func inspectionSteps() []string { return []string{"inspecting", "sampling"} }

// mayWriteLot says whether the caller may record an event of this step on
// the lot: its owner (the enterprise that commissioned it), its current
// custodian (received or stored it after a handover and not shipped it
// since), the addressee of an open handover receiving it, or an inspector
// for inspection steps. The message names no other party.
func mayWriteLot(ctx contractapi.TransactionContextInterface, c *api.Caller, l *api.Lot, step string) error {
	me := c.Enterprise.CreditCode
	if l.Producer.CreditCode == me {
		return nil
	}
	if slices.Contains(inspectionSteps(), step) && c.HasKind(api.KindInspector) {
		return nil
	}
	held, err := custodian(ctx, l.GTIN, l.Lot, me)
	if err != nil {
		return err
	}
	if held {
		return nil
	}
	return kit.Errf(api.CodeNotCustodian, "lot %s of %s is neither %s's nor in its custody; its owner or custodian hands it over first (trace:HandOver, or a shipping event with destination %s)", l.Lot, l.GTIN, me, me)
}

// custodian: the enterprise received or stored the goods and has not
// shipped them since, or they were handed over to it (HandOver, or a
// shipping event naming it as destination) and it has not passed them on.
// Both are range reads, so a concurrent hand-over invalidates the caller.
func custodian(ctx contractapi.TransactionContextInterface, gtin, lot, creditCode string) (bool, error) {
	held, err := CustodyAt(ctx, gtin, lot, creditCode)
	if err != nil || held {
		return held, err
	}
	tails, err := kit.IndexTails(ctx, idxHandover, []string{gtin, lot, creditCode})
	if err != nil {
		return false, err
	}
	return len(tails) > 0, nil
}

// checkShippingUnderReceipts keeps goods under live warehouse receipts in
// the warehouse: the warehouse ships none of a lot it issued receipts on;
// anyone else (the owner, a custodian of other goods of the lot) ships
// only a stated quantity that leaves the receipted goods in place.
func checkShippingUnderReceipts(ctx contractapi.TransactionContextInterface, receipts Receipts, c *api.Caller, ev *api.TraceEvent, lots map[LotKey]*api.Lot, touched []LotKey) error {
	stated := map[LotKey]decimal.Decimal{}
	for _, list := range [][]api.LotRef{ev.Lots, ev.ChildLots} {
		for _, r := range list {
			if q, err := decimal.NewFromString(r.Quantity); err == nil {
				stated[LotKey{r.GTIN, r.Lot}] = stated[LotKey{r.GTIN, r.Lot}].Add(q)
			}
		}
	}
	for _, lk := range touched {
		ids, err := receipts.OnLot(ctx, lk.GTIN, lk.Lot)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			continue
		}
		if c.HasKind(api.KindWarehouse) {
			return kit.Errf(api.CodeConflict, "goods of lot %s of %s are under live warehouse receipt %s; redeem or cancel it before shipping", lk.Lot, lk.GTIN, ids[0])
		}
		lotQty, _ := decimal.NewFromString(lots[lk].Quantity)
		receipted := decimal.Zero
		for _, id := range ids {
			q := lotQty // a receipt that cannot be read counts as all of it
			if rq, ok := receipts.Quantity(ctx, id); ok {
				q, _ = decimal.NewFromString(rq)
			}
			receipted = receipted.Add(q)
		}
		if receipted.GreaterThan(lotQty) {
			receipted = lotQty
		}
		q, ok := stated[lk]
		if !ok || q.GreaterThan(lotQty.Sub(receipted)) {
			return kit.Errf(api.CodeConflict, "%s %s of lot %s of %s are under live warehouse receipt %s; a shipping of the lot states a quantity of at most the other %s %s",
				receipted.String(), lots[lk].Unit, lk.Lot, lk.GTIN, ids[0], lotQty.Sub(receipted).String(), lots[lk].Unit)
		}
	}
	return nil
}

// Lots packed into serialized items of another lot: idxPackedUp [parent
// gtin, parent lot, child gtin, child lot] and idxPackedDown (the other
// way) while objPackCount of the pair counts children still packed.
// Recall checks and collateral alerts follow them (walkGoods).
const (
	idxPackedUp   = "packing~up"
	idxPackedDown = "packing~down"
	objPackCount  = "packing~count"
)

// trackPacking counts, per child lot, what an aggregation into a
// serialized item adds or removes, and keeps the packing links while any
// child of that lot is still packed in the parent's lot.
func trackPacking(ctx contractapi.TransactionContextInterface, ev *api.TraceEvent) error {
	p := ev.Parent
	var order []LotKey
	n := map[LotKey]int{}
	add := func(g, l string) {
		k := LotKey{g, l}
		if g == p.GTIN && l == p.Lot {
			return
		}
		if n[k] == 0 {
			order = append(order, k)
		}
		n[k]++
	}
	for _, r := range ev.ChildItems {
		add(r.GTIN, r.Lot)
	}
	for _, r := range ev.ChildLots {
		add(r.GTIN, r.Lot)
	}
	for _, k := range order {
		ck, err := kit.Key(ctx, objPackCount, p.GTIN, p.Lot, k.GTIN, k.Lot)
		if err != nil {
			return err
		}
		var count int
		if _, err := kit.GetJSON(ctx, ck, &count); err != nil {
			return err
		}
		if ev.Action == "ADD" {
			count += n[k]
		} else {
			count -= n[k]
		}
		if count > 0 {
			if err := kit.PutJSON(ctx, ck, count); err != nil {
				return err
			}
			if err := kit.PutIndex(ctx, idxPackedUp, p.GTIN, p.Lot, k.GTIN, k.Lot); err != nil {
				return err
			}
			if err := kit.PutIndex(ctx, idxPackedDown, k.GTIN, k.Lot, p.GTIN, p.Lot); err != nil {
				return err
			}
			continue
		}
		if err := ctx.GetStub().DelState(ck); err != nil {
			return kit.Errf(api.CodeInternal, "delete state: %v", err)
		}
		if err := kit.DelIndex(ctx, idxPackedUp, p.GTIN, p.Lot, k.GTIN, k.Lot); err != nil {
			return err
		}
		if err := kit.DelIndex(ctx, idxPackedDown, k.GTIN, k.Lot, p.GTIN, p.Lot); err != nil {
			return err
		}
	}
	return nil
}

// idxHeldBy [gtin, lot, creditCode]: the enterprise held the lot's goods
// at some time (received, stored or was handed them). Never removed: it
// answers "did this seller ever have these goods".
const idxHeldBy = "held~lot"

// EverHeld reports whether the enterprise owns the lot or ever held its
// goods.
func EverHeld(ctx contractapi.TransactionContextInterface, l *api.Lot, creditCode string) (bool, error) {
	if l.Producer.CreditCode == creditCode {
		return true, nil
	}
	k, err := kit.Key(ctx, idxHeldBy, l.GTIN, l.Lot, creditCode)
	if err != nil {
		return false, err
	}
	v, err := ctx.GetStub().GetState(k)
	if err != nil {
		return false, kit.Errf(api.CodeInternal, "read state: %v", err)
	}
	return v != nil, nil
}

// endCustody removes the enterprise's custody and open hand-overs of a
// lot: it shipped the goods out or handed them on.
func endCustody(ctx contractapi.TransactionContextInterface, gtin, lot, creditCode string) error {
	for _, idx := range []string{idxCustody, idxHandover} {
		tails, err := kit.IndexTails(ctx, idx, []string{gtin, lot, creditCode})
		if err != nil {
			return err
		}
		for _, tl := range tails {
			if err := kit.DelIndex(ctx, idx, gtin, lot, creditCode, tl[0]); err != nil {
				return err
			}
		}
	}
	return nil
}

func lotKeys(refs []api.LotRef) []LotKey {
	out := make([]LotKey, 0, len(refs))
	for _, r := range refs {
		out = append(out, LotKey{r.GTIN, r.Lot})
	}
	return out
}

// touchedLots lists, once each and in order, the lots an event moves or
// observes: named lots, and the lots of named items (children included).
func touchedLots(ev *api.TraceEvent) []LotKey {
	var out []LotKey
	add := func(g, l string) {
		k := LotKey{g, l}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, r := range ev.Lots {
		add(r.GTIN, r.Lot)
	}
	for _, r := range ev.Items {
		add(r.GTIN, r.Lot)
	}
	for _, r := range ev.ChildLots {
		add(r.GTIN, r.Lot)
	}
	for _, r := range ev.ChildItems {
		add(r.GTIN, r.Lot)
	}
	if p := ev.Parent; p != nil && p.SSCC == "" {
		add(p.GTIN, p.Lot)
	}
	return out
}

func childURIs(ev *api.TraceEvent) []string {
	var out []string
	for _, r := range ev.ChildLots {
		out = append(out, lotURI(r.GTIN, r.Lot))
	}
	for _, r := range ev.ChildItems {
		out = append(out, itemURI(r.GTIN, r.Serial))
	}
	return out
}

// checkAggregation: an item is in at most one container at a time (a lot
// may be spread over many); DELETE removes only children the container
// holds.
func checkAggregation(ctx contractapi.TransactionContextInterface, ev *api.TraceEvent) error {
	if ev.Action == "DELETE" {
		for _, child := range childURIs(ev) {
			k, err := kit.Key(ctx, idxChildren, ev.Parent.ID, child)
			if err != nil {
				return err
			}
			v, err := ctx.GetStub().GetState(k)
			if err != nil {
				return kit.Errf(api.CodeInternal, "read state: %v", err)
			}
			if v == nil {
				return kit.Errf(api.CodeConflict, "%s is not in %s", child, ev.Parent.ID)
			}
		}
		return nil
	}
	for _, ci := range ev.ChildItems {
		child := itemURI(ci.GTIN, ci.Serial)
		parents, err := kit.IndexTails(ctx, idxParents, []string{child})
		if err != nil {
			return err
		}
		for _, p := range parents {
			if p[0] != ev.Parent.ID {
				return kit.Errf(api.CodeConflict, "%s is already in %s; unpack it first", child, p[0])
			}
		}
	}
	return nil
}

// flagExcursions marks each reading outside the storage range of any
// product the event concerns, and the event when any reading is.
func flagExcursions(ctx contractapi.TransactionContextInterface, ev *api.TraceEvent) error {
	var products []*api.Product
	seen := map[string]bool{}
	for _, lk := range touchedLots(ev) {
		if seen[lk.GTIN] {
			continue
		}
		seen[lk.GTIN] = true
		p, err := LoadProduct(ctx, lk.GTIN)
		if err != nil {
			return err
		}
		products = append(products, p)
	}
	for i := range ev.SensorReadings {
		r := &ev.SensorReadings[i]
		lo, hi := kit.Decimal(r.MinValue), kit.Decimal(r.MaxValue)
		for _, p := range products {
			if p.StorageMinC != "" && lo.LessThan(kit.Decimal(p.StorageMinC)) || p.StorageMaxC != "" && hi.GreaterThan(kit.Decimal(p.StorageMaxC)) {
				r.Excursion = true
			}
		}
		ev.Excursion = ev.Excursion || r.Excursion
	}
	return nil
}
