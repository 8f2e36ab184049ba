package registry

import (
	"slices"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// Party checks that a credit code names an active enterprise of a kind.
func Party(ctx contractapi.TransactionContextInterface, field, creditCode, kind string) (string, error) {
	if creditCode == "" {
		return "", kit.Errf(api.CodeInvalidArgument, "%s is required", field)
	}
	e, err := LoadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if e.Status != api.EnterpriseActive || !slices.Contains(e.Kinds, kind) {
		return "", kit.Errf(api.CodeRuleViolation, "%s %s is not an active %s", field, e.CreditCode, kind)
	}
	return e.CreditCode, nil
}

// ActiveEnterprise checks that a credit code names a registered, active
// enterprise.
func ActiveEnterprise(ctx contractapi.TransactionContextInterface, field, creditCode string) (string, error) {
	if creditCode == "" {
		return "", kit.Errf(api.CodeInvalidArgument, "%s is required", field)
	}
	e, err := LoadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if e.Status != api.EnterpriseActive {
		return "", kit.Errf(api.CodeRuleViolation, "%s %s is %s", field, e.CreditCode, e.Status)
	}
	return e.CreditCode, nil
}
