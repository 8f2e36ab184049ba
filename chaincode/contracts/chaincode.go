package contracts

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/certs"
	"github.com/qingchain/qingchain/chaincode/credit"
	"github.com/qingchain/qingchain/chaincode/finance"
	"github.com/qingchain/qingchain/chaincode/insurance"
	"github.com/qingchain/qingchain/chaincode/lineage"
	"github.com/qingchain/qingchain/chaincode/receipts"
	"github.com/qingchain/qingchain/chaincode/receivables"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/qingchain/qingchain/chaincode/risk"
	"github.com/qingchain/qingchain/chaincode/riskreview"
	"github.com/qingchain/qingchain/chaincode/terms"
	"github.com/qingchain/qingchain/chaincode/trace"
	"github.com/qingchain/qingchain/chaincode/trade"
)

// The ten contracts of the chaincode, each assembled from the domain
// transaction sets that make it up. Only transaction functions may be
// exported methods of a set: the contract API exposes every one.
type (
	registryContract struct {
		contractapi.Contract
		*registry.Registry
	}
	traceContract struct {
		contractapi.Contract
		*trace.Trace
		*certs.Certs
		*lineage.TraceReads
	}
	receiptContract struct {
		contractapi.Contract
		*receipts.Receipts
		*finance.PledgeRelease
	}
	financeContract struct {
		contractapi.Contract
		*finance.Finance
		*terms.Terms
	}
	creditContract struct {
		contractapi.Contract
		*credit.Credit
	}
	insuranceContract struct {
		contractapi.Contract
		*insurance.Insurance
	}
	receivableContract struct {
		contractapi.Contract
		*receivables.Receivables
	}
	riskContract struct {
		contractapi.Contract
		*risk.Risk
		*riskreview.RiskReview
	}
	gradeContract struct {
		contractapi.Contract
		*credit.Grade
	}
	tradeContract struct {
		contractapi.Contract
		*trade.Trade
	}
)

// assemble builds the contracts, wiring each domain to the ones above it
// that it tells or asks (through the small interfaces it declares).
func assemble() []contractapi.ContractInterface {
	registryC := &registryContract{Registry: &registry.Registry{}}
	registryC.Name = "registry"
	traceC := &traceContract{Trace: trace.New(receipts.Quantities{}, finance.Watch{}), Certs: &certs.Certs{}, TraceReads: &lineage.TraceReads{}}
	traceC.Name = "trace"
	receiptC := &receiptContract{Receipts: receipts.New(finance.Reads{}), PledgeRelease: &finance.PledgeRelease{}}
	receiptC.Name = "receipt"
	financeC := &financeContract{Finance: &finance.Finance{}, Terms: &terms.Terms{}}
	financeC.Name = "finance"
	creditC := &creditContract{Credit: &credit.Credit{}}
	creditC.Name = "credit"
	insuranceC := &insuranceContract{Insurance: insurance.New(finance.Lender{})}
	insuranceC.Name = "insurance"
	receivableC := &receivableContract{Receivables: receivables.New(finance.Lender{})}
	receivableC.Name = "receivable"
	riskC := &riskContract{Risk: &risk.Risk{}, RiskReview: &riskreview.RiskReview{}}
	riskC.Name = "risk"
	gradeC := &gradeContract{Grade: &credit.Grade{}}
	gradeC.Name = "grade"
	tradeC := &tradeContract{Trade: trade.New(trade.Domains())}
	tradeC.Name = "trade"
	return []contractapi.ContractInterface{registryC, traceC, receiptC, financeC, creditC, insuranceC, receivableC, riskC, gradeC, tradeC}
}

// New assembles Qingchain's chaincode from its contracts.
func New() (*contractapi.ContractChaincode, error) {
	cc, err := contractapi.NewChaincode(assemble()...)
	if err != nil {
		return nil, err
	}
	cc.Info.Title = "qingchain"
	cc.Info.Version = "1.0.0"
	return cc, nil
}
