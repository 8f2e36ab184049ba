package trace

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/registry"
)

// Trace is the traceability contract, modelled on GS1 EPCIS 2.0: products
// (GTIN), lots (GTIN + lot) commissioned at an origin, serialized items
// under a lot, events (what, when, where, why, how), certificates and
// recalls. Every record carries the id of the transaction that created it,
// so a reader can prove it on the ledger.
//
// State layout (composite keys):
//
//	product [gtin]                           Product
//	lot [gtin, lot]                          Lot
//	item [gtin, serial]                      Item (a serial is unique per GTIN, as an SGTIN is)
//	traceEvent [sha-256 hex]                 TraceEvent
//	certificate [id]                         Certificate
//	recall [gtin, lot]                       Recall
//
// Indexes (value: one zero byte, except where said):
//
//	item~lot [gtin, lot, serial]             items of a lot
//	event~lot [gtin, lot, utcTime, eventHex] events naming a lot as a whole; value: the event's class (Class)
//	event~item [gtin, serial, utcTime, hex]  events naming an item; value: the event's class
//	lineage~up [outGtin, outLot, inGtin, inLot]   inputs of a lot
//	lineage~down [inGtin, inLot, outGtin, outLot] outputs made from a lot
//	aggregation~parent [parentURI, childURI] current children of a container
//	aggregation~child [childURI, parentURI]  current containers of a child
//	custody~lot [gtin, lot, creditCode, eventHex] who holds a lot (receiving/storing)
//	certificate~lot [gtin, lot, certId]      certificates naming a lot
//	receipt~lot [gtin, lot, receiptId]       written by the warehouse-receipt contract; read here
type Trace struct {
	receipts Receipts
	watch    Watch
}

// Receipts is what trace asks about the warehouse receipts on a lot's
// goods, which stay put while a receipt is live; the receipts domain,
// above trace, answers it.
type Receipts interface {
	// OnLot lists the live receipts on the lot's goods, in id order.
	OnLot(ctx contractapi.TransactionContextInterface, gtin, lot string) ([]string, error)
	// Quantity is the quantity of goods a receipt is for; ok is false when
	// the receipt cannot be read.
	Quantity(ctx contractapi.TransactionContextInterface, receiptID string) (quantity string, ok bool)
}

// Watch is told of events on goods that may back financings (a
// recall, a cold-chain excursion); the financing domain, above trace,
// alerts the financings and answers which it reached.
type Watch interface {
	Alert(ctx contractapi.TransactionContextInterface, typ string, lots []LotKey, source string, now time.Time) ([]string, error)
}

// New is the trace contract, asking receipts about the goods under
// warehouse receipts and telling watch of events on goods.
func New(receipts Receipts, watch Watch) *Trace {
	return &Trace{receipts: receipts, watch: watch}
}

const (
	objProduct    = "product"
	objLot        = "lot"
	objItem       = "item"
	objTraceEvent = "traceEvent"
	objRecall     = "recall"

	idxItemOfLot     = "item~lot"
	idxEventOfLot    = "event~lot"
	idxEventOfItem   = "event~item"
	idxInputs        = "lineage~up"
	idxOutputs       = "lineage~down"
	idxChildren      = "aggregation~parent"
	idxParents       = "aggregation~child"
	idxCustody       = "custody~lot"
	giNone           = "NONE"
	maxSerialsPerTx  = 500
	digitalLinkHost  = "https://id.gs1.org"
	cstOffsetSeconds = 8 * 3600
)

// GIRegistered is the giStatus of a product registered as a geographical
// indication (only its lots may carry a GI certificate, see certs).
const GIRegistered = "GI_REGISTERED"

// ActorOf is the caller as an api.Actor: its enterprise and MSP.
func ActorOf(c *api.Caller) api.Actor {
	return api.Actor{CreditCode: c.Enterprise.CreditCode, Name: c.Enterprise.Name, MSPID: c.MSPID}
}

// CreateProduct registers a product (GTIN). The caller's enterprise, a
// producer or processor, becomes its owner.
func (t *Trace) CreateProduct(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	c, err := registry.RequireKind(ctx, "creating a product", api.KindProducer, api.KindProcessor)
	if err != nil {
		return "", err
	}
	var in api.ProductInput
	if err := kit.DecodeArg("product", input, &in); err != nil {
		return "", err
	}
	p := api.Product{Owner: ActorOf(c), TxID: ctx.GetStub().GetTxID()}
	if p.GTIN, err = kit.CheckGTIN("gtin", in.GTIN); err != nil {
		return "", err
	}
	if p.NameZh, err = kit.CleanText("nameZh", in.NameZh, true, 100); err != nil {
		return "", err
	}
	if p.NameEn, err = kit.CleanText("nameEn", in.NameEn, false, 200); err != nil {
		return "", err
	}
	if p.Category, err = kit.CleanText("category", in.Category, true, 50); err != nil {
		return "", err
	}
	if p.GIStatus, err = kit.OneOf("giStatus", in.GIStatus, giNone, GIRegistered); err != nil {
		return "", err
	}
	if p.GIName, err = kit.CleanText("giName", in.GIName, p.GIStatus == GIRegistered, 100); err != nil {
		return "", err
	}
	if p.GIStatus == giNone && p.GIName != "" {
		return "", kit.Errf(api.CodeInvalidArgument, "giName is only for a product with giStatus %s", GIRegistered)
	}
	if in.StorageMinC != "" {
		if p.StorageMinC, err = kit.CheckBounded("storageMinC", in.StorageMinC, -100, 100, 2); err != nil {
			return "", err
		}
	}
	if in.StorageMaxC != "" {
		if p.StorageMaxC, err = kit.CheckBounded("storageMaxC", in.StorageMaxC, -100, 100, 2); err != nil {
			return "", err
		}
	}
	if p.StorageMinC != "" && p.StorageMaxC != "" && kit.Decimal(p.StorageMinC).GreaterThan(kit.Decimal(p.StorageMaxC)) {
		return "", kit.Errf(api.CodeInvalidArgument, "storageMinC %s is above storageMaxC %s", p.StorageMinC, p.StorageMaxC)
	}
	k, err := kit.Key(ctx, objProduct, p.GTIN)
	if err != nil {
		return "", err
	}
	var existing api.Product
	if found, err := kit.GetJSON(ctx, k, &existing); err != nil {
		return "", err
	} else if found {
		return "", kit.Errf(api.CodeAlreadyExists, "product %s is already registered by %s", p.GTIN, existing.Owner.CreditCode)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	p.CreatedAt = now.Format(kit.TimeLayout)
	if err := kit.PutJSON(ctx, k, p); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "ProductCreated", api.Event{Entity: "product", ID: p.GTIN, Action: "created", By: p.Owner.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(p)
}

// GetProduct returns a product.
func (t *Trace) GetProduct(ctx contractapi.TransactionContextInterface, gtin string) (string, error) {
	g, err := kit.CheckGTIN("gtin", gtin)
	if err != nil {
		return "", err
	}
	p, err := LoadProduct(ctx, g)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(p)
}

// CommissionLot commissions a lot of a product at its origin. Only the
// product's owner enterprise commissions its lots; it is the lot's
// producer.
func (t *Trace) CommissionLot(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	c, err := registry.RequireKind(ctx, "commissioning a lot", api.KindProducer, api.KindProcessor)
	if err != nil {
		return "", err
	}
	var in api.LotInput
	if err := kit.DecodeArg("lot", input, &in); err != nil {
		return "", err
	}
	l := api.Lot{Producer: ActorOf(c), TxID: ctx.GetStub().GetTxID()}
	if l.GTIN, err = kit.CheckGTIN("gtin", in.GTIN); err != nil {
		return "", err
	}
	if l.Lot, err = kit.CheckLot("lot", in.Lot); err != nil {
		return "", err
	}
	if l.Origin.Place, err = kit.CleanText("origin.place", in.Origin.Place, true, 100); err != nil {
		return "", err
	}
	if l.Origin.PlaceEn, err = kit.CleanText("origin.placeEn", in.Origin.PlaceEn, false, 200); err != nil {
		return "", err
	}
	if l.Origin.Latitude, err = kit.CheckBounded("origin.latitude", in.Origin.Latitude, -90, 90, 7); err != nil {
		return "", err
	}
	if l.Origin.Longitude, err = kit.CheckBounded("origin.longitude", in.Origin.Longitude, -180, 180, 7); err != nil {
		return "", err
	}
	if l.Origin.Country, err = kit.CheckCountry("origin.country", in.Origin.Country); err != nil {
		return "", err
	}
	date, err := kit.CheckDate("date", in.Date)
	if err != nil {
		return "", err
	}
	l.Date = date.String()
	if l.Quantity, err = kit.CheckQuantity("quantity", in.Quantity); err != nil {
		return "", err
	}
	if l.Unit, err = kit.CheckUnit("unit", in.Unit); err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	// A lot is dated in China time; a day of slack covers other zones.
	if today := money.DateOf(now.Add(cstOffsetSeconds * 1e9)); date.After(today.AddDays(1)) {
		return "", kit.Errf(api.CodeInvalidArgument, "date %s is in the future", l.Date)
	}
	p, err := LoadProduct(ctx, l.GTIN)
	if err != nil {
		return "", err
	}
	if p.Owner.CreditCode != c.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the owner of product %s (%s) commissions its lots", p.GTIN, p.Owner.CreditCode)
	}
	k, err := kit.Key(ctx, objLot, l.GTIN, l.Lot)
	if err != nil {
		return "", err
	}
	var existing api.Lot
	if found, err := kit.GetJSON(ctx, k, &existing); err != nil {
		return "", err
	} else if found {
		return "", kit.Errf(api.CodeAlreadyExists, "lot %s of %s is already commissioned", l.Lot, l.GTIN)
	}
	l.CommissionedAt = now.Format(kit.TimeLayout)
	if err := kit.PutJSON(ctx, k, l); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "LotCommissioned", api.Event{Entity: "lot", ID: LotPath(l.GTIN, l.Lot), Action: "commissioned", By: l.Producer.CreditCode}); err != nil {
		return "", err
	}
	return kit.ToJSON(l)
}

// GetLot returns a lot and whether a recall reaches it.
func (t *Trace) GetLot(ctx contractapi.TransactionContextInterface, gtin, lot string) (string, error) {
	l, err := LotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	rs, err := recallStatus(ctx, []api.LineageLot{{GTIN: l.GTIN, Lot: l.Lot}})
	if err != nil {
		return "", err
	}
	return kit.ToJSON(api.LotView{Lot: *l, RecallStatus: rs})
}

// CommissionItems commissions serialized items (1 to 500 serials, a JSON
// array of strings) under an existing lot. Only the lot's producer does
// so. A serial is unique per GTIN across all its lots.
func (t *Trace) CommissionItems(ctx contractapi.TransactionContextInterface, gtin, lot, serialsJSON string) (string, error) {
	c, err := registry.RequireKind(ctx, "commissioning items", api.KindProducer, api.KindProcessor)
	if err != nil {
		return "", err
	}
	g, err := kit.CheckGTIN("gtin", gtin)
	if err != nil {
		return "", err
	}
	if _, err := kit.CheckLot("lot", lot); err != nil {
		return "", err
	}
	var serials []string
	if err := kit.DecodeArg("serials", serialsJSON, &serials); err != nil {
		return "", err
	}
	if len(serials) == 0 || len(serials) > maxSerialsPerTx {
		return "", kit.Errf(api.CodeInvalidArgument, "serials: want 1 to %d serials, got %d", maxSerialsPerTx, len(serials))
	}
	seen := make(map[string]bool, len(serials))
	for i, s := range serials {
		if _, err := kit.CheckSerial("serials["+strconv.Itoa(i)+"]", s); err != nil {
			return "", err
		}
		if seen[s] {
			return "", kit.Errf(api.CodeInvalidArgument, "serials: %s appears twice", s)
		}
		seen[s] = true
	}
	l, err := LoadLot(ctx, g, lot)
	if err != nil {
		return "", err
	}
	if l.Producer.CreditCode != c.Enterprise.CreditCode {
		return "", kit.Errf(api.CodeForbidden, "only the producer of lot %s (%s) commissions its items", lot, l.Producer.CreditCode)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	items := make([]api.Item, 0, len(serials))
	for _, s := range serials {
		k, err := kit.Key(ctx, objItem, g, s)
		if err != nil {
			return "", err
		}
		var existing api.Item
		if found, err := kit.GetJSON(ctx, k, &existing); err != nil {
			return "", err
		} else if found {
			return "", kit.Errf(api.CodeAlreadyExists, "item %s of %s is already commissioned (lot %s)", s, g, existing.Lot)
		}
		it := api.Item{GTIN: g, Lot: lot, Serial: s, CommissionedBy: ActorOf(c), CommissionedAt: now.Format(kit.TimeLayout), TxID: ctx.GetStub().GetTxID()}
		if err := kit.PutJSON(ctx, k, it); err != nil {
			return "", err
		}
		if err := kit.PutIndex(ctx, idxItemOfLot, g, lot, s); err != nil {
			return "", err
		}
		items = append(items, it)
	}
	if err := kit.Emit(ctx, "ItemsCommissioned", api.Event{Entity: "lot", ID: LotPath(g, lot), Action: "items-commissioned", By: c.Enterprise.CreditCode, Data: map[string]int{"count": len(items)}}); err != nil {
		return "", err
	}
	return kit.ToJSON(items)
}

// GetItem returns a serialized item, whether a recall reaches it (through
// its lot, the lots upstream of it, or anything aggregated into it) and the
// container it is currently aggregated into. lot may be empty.
func (t *Trace) GetItem(ctx contractapi.TransactionContextInterface, gtin, lot, serial string) (string, error) {
	it, err := ItemArgs(ctx, gtin, lot, serial)
	if err != nil {
		return "", err
	}
	v, err := itemView(ctx, it)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(v)
}

func itemView(ctx contractapi.TransactionContextInterface, it *api.Item) (*api.ItemView, error) {
	starts, err := ItemUpstreamStarts(ctx, it)
	if err != nil {
		return nil, err
	}
	rs, err := recallStatus(ctx, starts)
	if err != nil {
		return nil, err
	}
	v := &api.ItemView{Item: *it, RecallStatus: rs}
	if v.Container, err = ContainerOf(ctx, it); err != nil {
		return nil, err
	}
	return v, nil
}

// ContainerOf is the container an item is aggregated into now ("" when
// none).
func ContainerOf(ctx contractapi.TransactionContextInterface, it *api.Item) (string, error) {
	parents, err := kit.IndexTails(ctx, idxParents, []string{itemURI(it.GTIN, it.Serial)})
	if err != nil || len(parents) == 0 {
		return "", err
	}
	return parents[0][0], nil
}

// LotKey names a lot.
type LotKey struct {
	GTIN string
	Lot  string
}

func LotArgs(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.Lot, error) {
	g, err := kit.CheckGTIN("gtin", gtin)
	if err != nil {
		return nil, err
	}
	if _, err := kit.CheckLot("lot", lot); err != nil {
		return nil, err
	}
	return LoadLot(ctx, g, lot)
}

func ItemArgs(ctx contractapi.TransactionContextInterface, gtin, lot, serial string) (*api.Item, error) {
	g, err := kit.CheckGTIN("gtin", gtin)
	if err != nil {
		return nil, err
	}
	if lot != "" {
		if _, err := kit.CheckLot("lot", lot); err != nil {
			return nil, err
		}
	}
	if _, err := kit.CheckSerial("serial", serial); err != nil {
		return nil, err
	}
	it, err := loadItem(ctx, g, serial)
	if err != nil {
		return nil, err
	}
	if lot != "" && it.Lot != lot {
		return nil, kit.Errf(api.CodeNotFound, "item %s of %s is not in lot %s", serial, g, lot)
	}
	return it, nil
}

func LoadProduct(ctx contractapi.TransactionContextInterface, gtin string) (*api.Product, error) {
	k, err := kit.Key(ctx, objProduct, gtin)
	if err != nil {
		return nil, err
	}
	var p api.Product
	if found, err := kit.GetJSON(ctx, k, &p); err != nil {
		return nil, err
	} else if !found {
		return nil, kit.Errf(api.CodeNotFound, "product %s is not registered", gtin)
	}
	return &p, nil
}

func LoadLot(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.Lot, error) {
	k, err := kit.Key(ctx, objLot, gtin, lot)
	if err != nil {
		return nil, err
	}
	var l api.Lot
	if found, err := kit.GetJSON(ctx, k, &l); err != nil {
		return nil, err
	} else if !found {
		return nil, kit.Errf(api.CodeNotFound, "lot %s of %s is not commissioned", lot, gtin)
	}
	return &l, nil
}

func loadItem(ctx contractapi.TransactionContextInterface, gtin, serial string) (*api.Item, error) {
	k, err := kit.Key(ctx, objItem, gtin, serial)
	if err != nil {
		return nil, err
	}
	var it api.Item
	if found, err := kit.GetJSON(ctx, k, &it); err != nil {
		return nil, err
	} else if !found {
		return nil, kit.Errf(api.CodeNotFound, "item %s of %s is not commissioned", serial, gtin)
	}
	return &it, nil
}

// LotPath is the Digital Link path of a lot, the id chaincode events use.
func LotPath(gtin, lot string) string { return gs1.Key{GTIN: gtin, Lot: lot}.Path() }

// lotURI, itemURI and ssccURI are the GS1 Digital Link URIs that name
// aggregation parents and children in the aggregation indexes (and are the
// EPCIS identifiers of the same objects).
func lotURI(gtin, lot string) string { return digitalLinkHost + LotPath(gtin, lot) }
func itemURI(gtin, serial string) string {
	return digitalLinkHost + gs1.Key{GTIN: gtin, Serial: serial}.Path()
}
func ssccURI(sscc string) string { return digitalLinkHost + "/00/" + sscc }

// parseObjectURI splits a URI made by lotURI or itemURI; SSCCs and anything
// else yield ok=false.
func parseObjectURI(u string) (k gs1.Key, ok bool) {
	if len(u) <= len(digitalLinkHost) || u[:len(digitalLinkHost)] != digitalLinkHost {
		return gs1.Key{}, false
	}
	k, err := gs1.ParsePath(u[len(digitalLinkHost):])
	if err != nil {
		return gs1.Key{}, false
	}
	return k, true
}

// Pages of a lot's events (ListLotEvents).
const (
	lotEventsDefaultLimit = 50
	lotEventsMaxLimit     = 200
	maxEventCursor        = 200
)

// ListLotEvents pages through every event naming a lot (the event~lot
// index), oldest first: limit events (1 to 200; empty for 50) after the
// position cursor names (empty for the start). The cursor is the opaque
// nextCursor of the previous page.
func (t *Trace) ListLotEvents(ctx contractapi.TransactionContextInterface, gtin, lot, cursor, limit string) (string, error) {
	l, err := LotArgs(ctx, gtin, lot)
	if err != nil {
		return "", err
	}
	n := lotEventsDefaultLimit
	if limit != "" {
		n, err = strconv.Atoi(limit)
		if err != nil || n < 1 || n > lotEventsMaxLimit || strings.TrimLeft(limit, "0123456789") != "" {
			return "", kit.Errf(api.CodeInvalidArgument, "limit: want a whole number from 1 to %d", lotEventsMaxLimit)
		}
	}
	var after Ref
	if cursor != "" {
		if after, err = parseEventCursor(cursor); err != nil {
			return "", err
		}
	}
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(idxEventOfLot, []string{l.GTIN, l.Lot})
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	var refs []Ref
	more := false
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return "", kit.Errf(api.CodeInternal, "index query: %v", err)
		}
		_, attrs, err := ctx.GetStub().SplitCompositeKey(kv.Key)
		if err != nil || len(attrs) != 4 {
			return "", kit.Errf(api.CodeInternal, "malformed event index key %q", kv.Key)
		}
		r := Ref{attrs[2], attrs[3]}
		if cursor != "" && CompareRefs(r, after) <= 0 {
			continue
		}
		if len(refs) == n {
			more = true
			break
		}
		refs = append(refs, r)
	}
	page := api.LotEventsPage{GTIN: l.GTIN, Lot: l.Lot, Events: make([]api.TraceEvent, 0, len(refs))}
	for _, r := range refs {
		ev, err := LoadEvent(ctx, r.Hex)
		if err != nil {
			return "", err
		}
		page.Events = append(page.Events, *ev)
	}
	if more {
		page.NextCursor = formatEventCursor(refs[len(refs)-1])
	}
	return kit.ToJSON(page)
}

// formatEventCursor names a position in a lot's event index: base64url
// (unpadded) of "<sort time>/<hex id>".
func formatEventCursor(r Ref) string {
	return base64.RawURLEncoding.EncodeToString([]byte(r.Time + "/" + r.Hex))
}

// parseEventCursor reads a cursor made by formatEventCursor and nothing
// else: a canonical encoding of a fixed-width UTC time and a lowercase
// SHA-256 hex digest.
func parseEventCursor(s string) (Ref, error) {
	bad := func() (Ref, error) {
		return Ref{}, kit.Errf(api.CodeInvalidArgument, "cursor: %q is not a cursor from a previous page", kit.Clip(s))
	}
	if len(s) > maxEventCursor {
		return bad()
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return bad()
	}
	tm, hx, ok := strings.Cut(string(b), "/")
	if !ok || len(tm) != len(kit.SortTimeLayout) || len(hx) != 64 {
		return bad()
	}
	pt, err := time.Parse(kit.SortTimeLayout, tm)
	if err != nil || pt.UTC().Format(kit.SortTimeLayout) != tm {
		return bad()
	}
	for i := 0; i < len(hx); i++ {
		if c := hx[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return bad()
		}
	}
	return Ref{tm, hx}, nil
}
