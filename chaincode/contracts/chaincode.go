package contracts

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// The nine contracts of the chaincode, each assembled from the domain
// transaction sets that make it up. Only transaction functions may be
// exported methods of a set: the contract API exposes every one.
type (
	registryContract struct {
		contractapi.Contract
		*Registry
	}
	traceContract struct {
		contractapi.Contract
		*Trace
		*TraceReads
	}
	receiptContract struct {
		contractapi.Contract
		*Receipts
		*PledgeRelease
	}
	financeContract struct {
		contractapi.Contract
		*Finance
	}
	creditContract struct {
		contractapi.Contract
		*Credit
	}
	insuranceContract struct {
		contractapi.Contract
		*Insurance
	}
	receivableContract struct {
		contractapi.Contract
		*Receivables
	}
	riskContract struct {
		contractapi.Contract
		*Risk
		*RiskReview
	}
	gradeContract struct {
		contractapi.Contract
		*Grade
	}
)

// assemble builds the contracts, wiring each domain to the ones above it
// that it tells or asks (through the small interfaces it declares).
func assemble() []contractapi.ContractInterface {
	registry := &registryContract{Registry: &Registry{}}
	registry.Name = "registry"
	trace := &traceContract{Trace: newTrace(receiptQuantities{}, financingWatch{}), TraceReads: &TraceReads{}}
	trace.Name = "trace"
	receipt := &receiptContract{Receipts: &Receipts{}, PledgeRelease: &PledgeRelease{}}
	receipt.Name = "receipt"
	finance := &financeContract{Finance: &Finance{}}
	finance.Name = "finance"
	credit := &creditContract{Credit: &Credit{}}
	credit.Name = "credit"
	insurance := &insuranceContract{Insurance: newInsurance(financingLender{})}
	insurance.Name = "insurance"
	receivable := &receivableContract{Receivables: newReceivables(financingLender{})}
	receivable.Name = "receivable"
	risk := &riskContract{Risk: &Risk{}, RiskReview: &RiskReview{}}
	risk.Name = "risk"
	grade := &gradeContract{Grade: &Grade{}}
	grade.Name = "grade"
	return []contractapi.ContractInterface{registry, trace, receipt, finance, credit, insurance, receivable, risk, grade}
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
