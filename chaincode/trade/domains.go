package trade

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/insurance"
	"github.com/qingchain/qingchain/chaincode/receivables"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/risk"
	"github.com/qingchain/qingchain/chaincode/trace"
)

// Domains are the chaincode's domains as trade asks them: the registry,
// receivables and insured shipments, trace's lots and the risk register.
// Every one lies below trade in the dependency order (finance, above it,
// asks trade's Gate).
func Domains() Deps {
	d := domains{}
	return Deps{Registry: d, Papers: d, Goods: d, Flags: d}
}

type domains struct{}

func (domains) RequireKind(ctx contractapi.TransactionContextInterface, action string, kinds ...string) (*api.Caller, error) {
	return registry.RequireKind(ctx, action, kinds...)
}

func (domains) Enterprise(ctx contractapi.TransactionContextInterface, creditCode string) (*api.Enterprise, error) {
	return registry.LoadEnterprise(ctx, creditCode)
}

func (domains) Receivable(ctx contractapi.TransactionContextInterface, id string) (*api.Receivable, error) {
	return receivables.Load(ctx, id)
}

func (domains) Shipment(ctx contractapi.TransactionContextInterface, id string) (*api.Shipment, error) {
	return insurance.LoadShipment(ctx, id)
}

func (domains) InvoiceKey(number string) string { return insurance.NormalizeInvoiceNumber(number) }

func (domains) Lot(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.Lot, error) {
	return trace.LoadLot(ctx, gtin, lot)
}

func (domains) LatestShipping(ctx contractapi.TransactionContextInterface, gtin, lot string) (*api.TraceEvent, error) {
	return risk.LatestShipping(ctx, gtin, lot)
}

func (domains) Raise(ctx contractapi.TransactionContextInterface, entity, id string, f *api.RiskFlag, now time.Time) (bool, error) {
	return risk.Raise(ctx, entity, id, f, now)
}
