package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/apidoc"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/idempotency"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
)

// ReadModel is what the gateway serves lists, statistics and events from:
// the projection's store and the projector that feeds it.
type ReadModel struct {
	Store     readmodel.Store
	Projector *readmodel.Projector
	// Hooks keeps webhooks and their delivery log (webhooks.go); without
	// it the webhook routes answer READ_MODEL_UNAVAILABLE.
	Hooks readmodel.WebhookStore
	// MaxLagBlocks is how far behind the ledger the projection may be
	// before /readyz reports it (default 100 blocks).
	MaxLagBlocks uint64
}

// IdempotencyStore keeps Idempotency-Key records: the embedded
// idempotency.Store (bbolt, one gateway) or the read model's database
// (sqlstore.Idempotency, shared by the gateways on one PostgreSQL).
type IdempotencyStore interface {
	// Acquire serialises the requests of one scope until release.
	Acquire(ctx context.Context, scope string) (release func(), err error)
	Get(scope, fingerprint string) (*idempotency.Response, error)
	Put(scope string, r *idempotency.Response) error
	Delete(scope string) error
}

// listRoute describes one list of the projection.
type listRoute struct {
	kind, path, id, tag, summary string
	example                      jsonObject // one item as the chaincode shows it (abridged)
}

// raw is a JSON value for an example.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

func listRoutes() []listRoute {
	return []listRoute{
		{readmodel.KindFinancing, "financings", "browseFinancings", "financings", "Financings the caller is party to (as bank or applicant), from the read model", jsonObject{"id": raw(`"F-2026-489AE7776800A605"`), "type": raw(`"WAREHOUSE_RECEIPT_PLEDGE"`), "applicant": raw(`"91441800QC00000011"`), "bank": raw(`"91441800QC0000007K"`), "currency": raw(`"CNY"`), "principalOutstanding": raw(`"120598.69"`), "status": raw(`"ACTIVE"`), "appliedAt": raw(`"2026-11-01T10:00:00.001Z"`)}},
		{readmodel.KindReceivable, "receivables", "browseReceivables", "receivables", "Receivables: the caller's as seller, creditor or buyer; every one for banks and regulators; from the read model", jsonObject{"id": raw(`"RV-2026-156A28D11338D89F"`), "seller": raw(`"91441800QC00000011"`), "status": raw(`"CONFIRMED"`), "issueDate": raw(`"2026-11-05"`)}},
		{readmodel.KindClaim, "claims", "browseClaims", "insurance", "Claims the caller is party to (insurer, insured, beneficiary, assignee bank); every one for regulators; from the read model", jsonObject{"id": raw(`"CM-2026-0123456789ABCDEF"`), "shipmentId": raw(`"SH-2026-1B09F18DC712A3E2"`), "insurer": raw(`"91441800QC0000008N"`), "status": raw(`"PAID"`), "indemnity": raw(`"13500.00"`), "currency": raw(`"USD"`)}},
		{readmodel.KindReceipt, "receipts", "browseReceipts", "receipts", "Warehouse receipts (any registered enterprise), from the read model", jsonObject{"id": raw(`"WR-2026-897F01BE30A991DA"`), "gtin": raw(`"06901234500028"`), "warehouse": raw(`"91441800QC0000006G"`), "holder": raw(`"91441800QC00000011"`), "status": raw(`"PLEDGED"`)}},
		{readmodel.KindShipment, "shipments", "browseShipments", "insurance", "Declared shipments the caller is party to (insurer, insured, assignee or financing bank); every one for regulators; from the read model", jsonObject{"id": raw(`"SH-2026-1B09F18DC712A3E2"`), "policyId": raw(`"PO-2026-0123456789ABCDEF"`), "invoiceAmount": raw(`"15000.00"`), "currency": raw(`"USD"`), "status": raw(`"CLAIM_PAID"`)}},
		{readmodel.KindPolicy, "policies", "browsePolicies", "insurance", "Insurance policies the caller is party to; every one for regulators; from the read model", jsonObject{"id": raw(`"PO-2026-0123456789ABCDEF"`), "insurer": raw(`"91441800QC0000008N"`), "insured": raw(`"91441800QC0000005D"`), "status": raw(`"ACTIVE"`)}},
		{readmodel.KindLot, "lots", "browseLots", "trace", "Lots with their recall status, from the read model", jsonObject{"gtin": raw(`"06901234500028"`), "lot": raw(`"BT-2026-06A"`), "recallStatus": raw(`{"status": "NONE"}`)}},
		{readmodel.KindProduct, "products", "browseProducts", "trace", "Products, from the read model", jsonObject{"gtin": raw(`"06901234500028"`), "nameZh": raw(`"英德红茶"`)}},
		{readmodel.KindEnterprise, "enterprises", "browseEnterprises", "registry", "Registered enterprises, from the read model", jsonObject{"creditCode": raw(`"91441800QC00000011"`), "name": raw(`"英德茶业有限公司"`), "kinds": raw(`["producer", "exporter"]`), "status": raw(`"ACTIVE"`)}},
	}
}

// Query parameters of the read model's routes.
var (
	statusFilterParam = apidoc.Param{Name: "status", In: "query", Description: "Only rows in this status (the chaincode's status names, e.g. ACTIVE)", Pattern: statusPattern.String()}
	partyFilterParam  = apidoc.Param{Name: "party", In: "query", Description: "Only rows naming this enterprise (credit code) in any role", Pattern: creditCodeParam.Pattern}
	productParam      = apidoc.Param{Name: "product", In: "query", Description: "Only rows about this product (GTIN-8/12/13/14)", Pattern: gtinParam.Pattern}
	fromParam         = apidoc.Param{Name: "from", In: "query", Description: "Only rows whose business date (applied, issued, filed, shipped...) is on or after this day", Type: "date"}
	toParam           = apidoc.Param{Name: "to", In: "query", Description: "Only rows whose business date is on or before this day", Type: "date"}
	sortParam         = apidoc.Param{Name: "sort", In: "query", Description: "Order by business date (then id) or by id", Enum: []string{"day", "id"}, Default: "day"}
	orderParam        = apidoc.Param{Name: "order", In: "query", Description: "Ascending or descending", Enum: []string{"asc", "desc"}, Default: "asc"}
	pageCursorParam   = apidoc.Param{Name: "cursor", In: "query", Description: "nextCursor of the previous page (the same filters and order); absent for the first page", Pattern: cursorPattern.String(), MaxLength: 200}
	pageLimitParam    = apidoc.Param{Name: "limit", In: "query", Description: "Rows per page", Type: "integer", Min: 1, Max: readmodel.MaxLimit, Default: "50"}
	afterParam        = apidoc.Param{Name: "after", In: "query", Description: "Start after this event id (as Last-Event-ID does; 0: from the first event)", Type: "integer", Min: 0}
)

var statusPattern = regexp.MustCompile(`^[A-Z][A-Z_]{0,31}$`)

// listPage is a page of a list: the chaincode's views of the rows (what
// readmodel.Page encodes to).
type listPage struct {
	Items      []jsonObject `json:"items"`
	NextCursor string       `json:"nextCursor,omitempty"`
}

// readModelRoutes are the routes the read model serves.
func (s *Server) readModelRoutes() []Route {
	var out []Route
	for _, l := range listRoutes() {
		out = append(out, Route{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lists/" + l.path, ID: l.id, Tag: l.tag, Summary: l.summary, Auth: true,
			Params: params(statusFilterParam, partyFilterParam, productParam, fromParam, toParam, sortParam, orderParam, pageCursorParam, pageLimitParam), Result: listPage{},
			Example: &apidoc.Example{Result: listPage{Items: []jsonObject{l.example}, NextCursor: "eyJkIjoiMjAyNi0xMS0wMSIsImkiOiJGLTIwMjYtNDg5QUU3Nzc2ODAwQTYwNSJ9"}}},
			handle: s.list(l.kind)})
	}
	out = append(out,
		Route{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/stats", ID: "getStatistics", Tag: "readmodel", Summary: "The zone's statistics (统计监测), exact decimals per currency or unit: export value and volume by product, destination country and month; financing disbursed, outstanding, repaid and defaulted by bank and instrument; insured value, premiums, claims paid and loss ratio by insurer; goods in custody by warehouse; recalls, temperature excursions and shoppers' scans by product. The regulator gets the zone's figures, anyone else the sums over what they may read", Auth: true, Result: Statistics{},
			Example: &apidoc.Example{Result: exampleStatistics()}},
			handle: s.stats},
		Route{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/events", ID: "followEvents", Tag: "readmodel", Summary: "Server-Sent Events: every ledger event the caller may see, from Last-Event-ID (or ?after) on, then live; each event's id is its sequence number in the ledger's order", Auth: true, Params: params(afterParam), ContentTypes: []string{"text/event-stream"},
			Example: &apidoc.Example{Text: "retry: 2000\n\nid: 97\nevent: FinancingApplied\ndata: {\"seq\":97,\"position\":{\"block\":97,\"index\":0},\"txId\":\"dd9ebc47757c9780ddaf9f7f69360c2f39b8c2339049d11032c8999e72fe76ff\",\"name\":\"FinancingApplied\",\"entity\":\"financing\",\"id\":\"F-2026-62333E484C4335EE\",\"action\":\"applied\",\"by\":\"91441800QC00000037\",\"data\":{\"bank\":\"91441800QC0000007K\"}}\n\n"}},
			handle: s.followEvents},
	)
	return append(out, s.webhookRoutes()...)
}

// readModel is the configured read model, or the refusal to answer
// without one.
func (s *Server) readModel() (*ReadModel, error) {
	if s.cfg.ReadModel == nil || s.cfg.ReadModel.Store == nil {
		return nil, gateway.Errorf(gateway.CodeReadModelUnavailable, "this gateway runs without a read model")
	}
	return s.cfg.ReadModel, nil
}

// viewer is who the caller is for the read model: its enterprise and
// the kinds in effect, as the chaincode tells it (WhoAmI).
func (s *Server) viewer(ctx context.Context, c *gin.Context) (readmodel.Viewer, error) {
	me, err := client.New(s.ledger).WhoAmI(ctx, caller(c))
	if err != nil {
		return readmodel.Viewer{}, err
	}
	return readmodel.ViewerOfCaller(me), nil
}

// storeError classifies a store failure: a refused query is the client's,
// anything else the read model's.
func storeError(err error) error {
	if errors.Is(err, sqlstore.ErrBadQuery) {
		return invalidArgument("%v", err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return gateway.Errorf(gateway.CodeTimeout, "read model: %v", err)
	}
	return gateway.Errorf(gateway.CodeReadModelUnavailable, "read model: %v", err)
}

func (s *Server) list(kind string) handler {
	return func(c *gin.Context) error {
		rm, err := s.readModel()
		if err != nil {
			return err
		}
		q, err := readListQuery(c, kind)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.LedgerTimeout)
		defer cancel()
		if q.Viewer, err = s.viewer(ctx, c); err != nil {
			return err
		}
		page, err := rm.Store.List(ctx, q)
		if err != nil {
			return storeError(err)
		}
		c.JSON(http.StatusOK, page) // listPage's shape, the documents as stored
		return nil
	}
}

// readListQuery reads and checks a list's query parameters.
func readListQuery(c *gin.Context, kind string) (readmodel.Query, error) {
	q := readmodel.Query{Kind: kind, Status: c.Query("status"), Cursor: c.Query("cursor"), Sort: c.Query("sort")}
	if q.Status != "" && !statusPattern.MatchString(q.Status) {
		return q, invalidArgument("status must be upper-case letters and underscores")
	}
	if p := c.Query("party"); p != "" {
		if err := uscc.Validate(p); err != nil {
			return q, invalidArgument("party: %v", err)
		}
		q.Party = p
	}
	if p := c.Query("product"); p != "" {
		g, err := gs1.NormalizeGTIN(p)
		if err != nil {
			return q, invalidArgument("product: %v", err)
		}
		q.Product = g
	}
	for _, d := range []struct {
		name string
		to   *string
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := c.Query(d.name); v != "" {
			day, err := money.ParseDate(v)
			if err != nil {
				return q, invalidArgument("%s: %v", d.name, err)
			}
			*d.to = day.String()
		}
	}
	if q.Sort != "" && q.Sort != "day" && q.Sort != "id" {
		return q, invalidArgument("sort must be day or id")
	}
	switch c.Query("order") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, invalidArgument("order must be asc or desc")
	}
	if q.Cursor != "" && !cursorPattern.MatchString(q.Cursor) {
		return q, invalidArgument("cursor is not one this gateway gave")
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > readmodel.MaxLimit {
			return q, invalidArgument("limit must be an integer from 1 to %d", readmodel.MaxLimit)
		}
		q.Limit = n
	}
	return q, nil
}

// readModelBehind reports, for /readyz, a read model further behind the
// ledger than MaxLagBlocks (nil when there is none or it keeps up).
func (s *Server) readModelBehind(ctx context.Context) *Error {
	rm := s.cfg.ReadModel
	if rm == nil || rm.Projector == nil {
		return nil
	}
	projected, ledger, err := rm.Projector.Heights(ctx)
	if err != nil {
		return &Error{Code: gateway.CodeLedgerUnavailable, Message: "the ledger is not reachable"}
	}
	most := rm.MaxLagBlocks
	if most == 0 {
		most = 100
	}
	if ledger > projected && ledger-projected > most {
		return &Error{Code: gateway.CodeReadModelUnavailable, Message: fmt.Sprintf("the read model is %d blocks behind the ledger (at %d of %d)", ledger-projected, projected, ledger)}
	}
	return nil
}
