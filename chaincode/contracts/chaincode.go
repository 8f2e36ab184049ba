package contracts

import (
	"encoding/json"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// timeLayout is how timestamps appear in state and answers.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// New assembles Qingchain's chaincode from its contracts.
func New() (*contractapi.ContractChaincode, error) {
	registry := &Registry{}
	registry.Name = "registry"
	trace := newTrace()
	receipts := &Receipts{}
	receipts.Name = "receipt"
	finance := &Finance{}
	finance.Name = "finance"
	credit := &Credit{}
	credit.Name = "credit"
	insurance := &Insurance{}
	insurance.Name = "insurance"
	receivables := &Receivables{}
	receivables.Name = "receivable"
	risk := &Risk{}
	risk.Name = "risk"
	grade := &Grade{}
	grade.Name = "grade"
	cc, err := contractapi.NewChaincode(registry, trace, receipts, finance, credit, insurance, receivables, risk, grade)
	if err != nil {
		return nil, err
	}
	cc.Info.Title = "qingchain"
	cc.Info.Version = "1.0.0"
	return cc, nil
}

func jsonUnmarshal(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return errf(CodeInternal, "corrupt state entry: %v", err)
	}
	return nil
}
