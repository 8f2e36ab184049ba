package trade

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
)

// Trade verification reads what other domains own: who is calling, the
// papers that carry invoices, the goods and their shipping, and the risk
// flags the collateral rules act on. It asks for them through these
// interfaces, which the chaincode's assembly implements over those
// domains, so that trade depends on none of them and none on trade.

// Registry answers who the caller is and what an enterprise is.
type Registry interface {
	// RequireKind resolves the caller and insists that it acts for an
	// active enterprise doing one of the kinds.
	RequireKind(ctx contractapi.TransactionContextInterface, action string, kinds ...string) (*api.Caller, error)
	// Enterprise is a registered enterprise (NOT_FOUND when none).
	Enterprise(ctx contractapi.TransactionContextInterface, creditCode string) (*api.Enterprise, error)
}

// Papers are the receivables and insured shipments that carry invoices.
type Papers interface {
	Receivable(ctx contractapi.TransactionContextInterface, id string) (*api.Receivable, error)
	Shipment(ctx contractapi.TransactionContextInterface, id string) (*api.Shipment, error)
	// InvoiceKey is an invoice number as the papers compare it (case,
	// full-width forms and surrounding spaces aside).
	InvoiceKey(number string) string
}

// Goods are the ledger's lots and what happened to them.
type Goods interface {
	Lot(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.Lot, error)
	// LatestShipping is the latest shipping event naming the lot, nil when
	// there is none.
	LatestShipping(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.TraceEvent, error)
}

// Flags is the risk domain's register of flags.
type Flags interface {
	// Raise records a flag on an entity unless it has one of that code;
	// it reports whether it wrote one.
	Raise(ctx contractapi.TransactionContextInterface, entity, id string, f *api.RiskFlag, now time.Time) (bool, error)
}

// Deps are the domains trade asks.
type Deps struct {
	Registry Registry
	Papers   Papers
	Goods    Goods
	Flags    Flags
}
