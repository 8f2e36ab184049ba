package contracts

import (
	"reflect"
	"slices"
	"testing"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
)

// TestTransactionsAreTheContracts holds api.Transactions to the functions
// the assembled chaincode exposes: every exported method of a contract,
// except those the contract API itself defines, is a transaction function.
// A function without a constant, or a constant without a function, fails.
func TestTransactionsAreTheContracts(t *testing.T) {
	if _, err := New(); err != nil {
		t.Fatalf("New: %v", err)
	}
	apiOwn := map[string]bool{}
	for _, iface := range []reflect.Type{
		reflect.TypeFor[contractapi.ContractInterface](),
		reflect.TypeFor[contractapi.IgnoreContractInterface](),
		reflect.TypeFor[contractapi.EvaluationContractInterface](),
		reflect.TypeFor[*contractapi.Contract](),
	} {
		for i := range iface.NumMethod() {
			apiOwn[iface.Method(i).Name] = true
		}
	}
	var exposed []api.Tx
	for _, c := range assemble() {
		typ := reflect.TypeOf(c)
		for i := range typ.NumMethod() {
			if name := typ.Method(i).Name; !apiOwn[name] {
				exposed = append(exposed, api.Tx(c.GetName()+":"+name))
			}
		}
	}
	declared := api.Transactions()
	for _, tx := range exposed {
		if !slices.Contains(declared, tx) {
			t.Errorf("%s is a transaction function without a constant in api.Transactions", tx)
		}
	}
	for _, tx := range declared {
		if !slices.Contains(exposed, tx) {
			t.Errorf("%s is in api.Transactions but no contract exposes it", tx)
		}
	}
	if seen := slices.Compact(slices.Sorted(slices.Values(declared))); len(seen) != len(declared) {
		t.Errorf("api.Transactions lists a transaction twice")
	}
}
