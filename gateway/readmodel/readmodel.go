// Package readmodel is the gateway's read model: a projection of the
// ledger's chaincode events into SQL tables that serve lists, statistics
// and notifications.
//
// Every writing transaction emits one chaincode event whose payload names
// an entity, its id, the action and the acting party. The projector follows
// Ledger.Events from a stored checkpoint and, for each event, writes the
// event to the event log and refreshes the rows of the entities it touched.
// Where the event's data is not enough to build a row (it rarely is), the
// projector reads the entity through the ledger with the entity's Get*
// query (see Source), so a row is always the chaincode's own view of the
// entity. Rows, event and checkpoint are written in one database
// transaction, so an event is applied exactly once.
//
// The package holds the domain; the stores are adapters:
// readmodel/sqlstore (database/sql, one schema and one set of goose
// migrations), opened by readmodel/sqlite (embedded, pure Go) or
// readmodel/postgres (pgx).
package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Kinds of rows the projection keeps, one per list.
const (
	KindFinancing  = "financing"
	KindReceivable = "receivable"
	KindClaim      = "claim"
	KindReceipt    = "receipt"
	KindShipment   = "shipment"
	KindPolicy     = "policy"
	KindLot        = "lot"
	KindEnterprise = "enterprise"
	KindProduct    = "product"
	// KindDeclaration rows are export declarations (trade:GetDeclaration).
	KindDeclaration = "declaration"
	// KindTrade rows are the last recorded verification of a paper's
	// invoice (a receivable or an insured shipment, by the paper's id),
	// from its TradeVerified event.
	KindTrade = "trade"
)

// Kinds lists every kind of row, in a fixed order.
func Kinds() []string {
	return []string{KindFinancing, KindReceivable, KindClaim, KindReceipt, KindShipment, KindPolicy, KindLot, KindEnterprise, KindProduct, KindDeclaration, KindTrade}
}

// Position locates an event on the ledger: its block and its index among
// the events of that block (every valid writing transaction emits exactly
// one event, so this is the transaction's index among the block's valid
// writing transactions).
type Position struct {
	Block uint64 `json:"block"`
	Index int    `json:"index"`
}

// Less orders positions.
func (p Position) Less(q Position) bool {
	return p.Block < q.Block || p.Block == q.Block && p.Index < q.Index
}

// Checkpoint is how far the projection has applied the ledger: the last
// event applied and its sequence number (Seq 0: nothing yet).
type Checkpoint struct {
	Seq int64
	Pos Position
}

// Event is a decoded chaincode event as the projection records it. Seq
// numbers the events 1, 2, 3... in ledger order; it is the SSE event id.
type Event struct {
	Seq    int64           `json:"seq"`
	Pos    Position        `json:"position"`
	TxID   string          `json:"txId"`
	Name   string          `json:"name"`
	Entity string          `json:"entity"`
	ID     string          `json:"id"`
	Action string          `json:"action"`
	By     string          `json:"by,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Ref names one entity.
type Ref struct {
	Kind string
	ID   string
}

// Party is an enterprise (credit code) named on a row in a role.
type Party struct {
	Role string
	Code string
}

// Figure is an amount a row contributes to a statistic, with the
// dimensions it is grouped by.
type Figure struct {
	Name     string
	Currency string
	Amount   decimal.Decimal
	Dim1     string
	Dim2     string
	Month    string // YYYY-MM
}

// Row is one projected entity: the chaincode's JSON view of it, with the
// columns lists filter and sort on.
type Row struct {
	Kind    string
	ID      string
	Status  string
	Product string // GTIN, where the entity concerns goods
	Day     string // the entity's business date, YYYY-MM-DD
	Parties []Party
	Refs    []Ref // other entities it names (refreshed with it)
	Figures []Figure
	Doc     json.RawMessage
}

// EventFigure is a counter an event contributes to (recalls, excursions).
type EventFigure struct {
	Name    string
	Product string
	Month   string
}

// ErrConflict means another projector advanced the checkpoint first.
var ErrConflict = errors.New("readmodel: checkpoint moved; another projector is applying")

// Tx is one database transaction of the projector.
type Tx interface {
	// PutRow inserts or replaces a row with its parties and figures.
	PutRow(ctx context.Context, r Row) error
	// AddEvent records an event in the event log with what it counts for.
	AddEvent(ctx context.Context, e Event, figures []EventFigure) error
	// Advance moves the checkpoint from want to to; ErrConflict when the
	// stored checkpoint is no longer want.
	Advance(ctx context.Context, want, to Checkpoint) error
}

// Store is where the projection lives.
type Store interface {
	// Checkpoint is how far the projection has applied.
	Checkpoint(ctx context.Context) (Checkpoint, error)
	// Update runs fn in one transaction, committed when fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	// Row reads one row (found false when absent).
	Row(ctx context.Context, ref Ref) (Row, bool, error)
	// Refs lists every row of a kind.
	Refs(ctx context.Context, kind string) ([]Ref, error)
	// EventByTx finds the event a transaction emitted, once applied.
	EventByTx(ctx context.Context, txID string) (Event, bool, error)
	// Reset empties every projected table and the checkpoint (a rebuild
	// from block 0 follows).
	Reset(ctx context.Context) error
	// List answers a list query.
	List(ctx context.Context, q Query) (Page, error)
	// Events lists events after seq, oldest first, at most limit.
	Events(ctx context.Context, v Viewer, after int64, limit int) ([]Event, error)
	// Stats sums a figure by its dimensions.
	Stats(ctx context.Context, v Viewer, q StatsQuery) ([]StatsRow, error)
	// Dump returns every projected table's rows in a canonical text form,
	// for comparing two projections.
	Dump(ctx context.Context) (map[string][]string, error)
	Close() error
}

// Viewer is who reads: an enterprise with the kinds in effect. Anonymous
// (CreditCode "") sees only what the chaincode shows anyone.
type Viewer struct {
	CreditCode string
	Kinds      []string
}

// Has reports whether the viewer does business of kind k.
func (v Viewer) Has(k string) bool {
	for _, x := range v.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Query is a list query.
type Query struct {
	Kind    string
	Viewer  Viewer
	Status  string
	Party   string // rows naming this enterprise in any role
	Product string // GTIN
	From    string // Day >= From (YYYY-MM-DD)
	To      string // Day <= To
	Sort    string // "day" (default) or "id"
	Desc    bool
	Cursor  string
	Limit   int
}

// Page is one page of a list.
type Page struct {
	Items      []json.RawMessage `json:"items"`
	NextCursor string            `json:"nextCursor,omitempty"`
}

// MaxLimit caps a page.
const MaxLimit = 500

// Normalize checks a query and fills defaults.
func (q *Query) Normalize() error {
	if !knownKind(q.Kind) {
		return fmt.Errorf("readmodel: unknown kind %q", q.Kind)
	}
	switch q.Sort {
	case "":
		q.Sort = "day"
	case "day", "id":
	default:
		return fmt.Errorf("readmodel: sort must be day or id, not %q", q.Sort)
	}
	for _, d := range []string{q.From, q.To} {
		if d == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("readmodel: date %q is not YYYY-MM-DD", d)
		}
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	if q.Limit > MaxLimit {
		q.Limit = MaxLimit
	}
	return nil
}

func knownKind(k string) bool {
	_, ok := RuleOf(k)
	return ok
}

// FigureScans is the statistic of shoppers' scans by product: per GTIN
// (Dim1), the scans counted (Count) over the items' scan records, which
// the store keeps beside the projection (they are off the ledger).
const FigureScans = "scans"

// StatsQuery names a figure and how to group it.
type StatsQuery struct {
	Figure  string
	ByDim1  bool
	ByDim2  bool
	ByMonth bool
	Events  bool // an event counter (EventFigure) rather than a row figure
}

// StatsRow is one group of a statistic: the sum per currency (empty for
// counters) and the number of contributions.
type StatsRow struct {
	Dim1     string          `json:"dim1,omitempty"`
	Dim2     string          `json:"dim2,omitempty"`
	Month    string          `json:"month,omitempty"`
	Currency string          `json:"currency,omitempty"`
	Sum      decimal.Decimal `json:"sum"`
	Count    int64           `json:"count"`
}
