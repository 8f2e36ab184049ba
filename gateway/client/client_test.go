package client_test

import (
	"reflect"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
)

// Every transaction of the chaincode has its typed method, named as the
// function, and the client has no method for a transaction that does not
// exist.
func TestEveryTransactionHasAMethod(t *testing.T) {
	typ := reflect.TypeFor[*client.Client]()
	known := map[string]bool{}
	for _, tx := range api.Transactions() {
		known[tx.Function()] = true
		if _, ok := typ.MethodByName(tx.Function()); !ok {
			t.Errorf("no method for %s", tx)
		}
	}
	plumbing := map[string]bool{"Submit": true, "Evaluate": true, "Ledger": true}
	for i := range typ.NumMethod() {
		if m := typ.Method(i).Name; !known[m] && !plumbing[m] {
			t.Errorf("method %s names no transaction", m)
		}
	}
}
