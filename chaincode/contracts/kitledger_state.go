package contracts

import (
	"encoding/json"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
)

// timeLayout is how timestamps appear in state and answers.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func jsonUnmarshal(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return errf(api.CodeInternal, "corrupt state entry: %v", err)
	}
	return nil
}

// key builds a composite key; attributes are checked identifiers, so an
// error here is an internal fault, not client input.
func key(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) (string, error) {
	k, err := ctx.GetStub().CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", errf(api.CodeInvalidArgument, "bad key part: %v", err)
	}
	return k, nil
}

// getJSON reads a state entry into v; found is false when it does not exist.
func getJSON(ctx contractapi.TransactionContextInterface, k string, v any) (bool, error) {
	raw, err := ctx.GetStub().GetState(k)
	if err != nil {
		return false, errf(api.CodeInternal, "read state: %v", err)
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, errf(api.CodeInternal, "corrupt state entry: %v", err)
	}
	return true, nil
}

func putJSON(ctx contractapi.TransactionContextInterface, k string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errf(api.CodeInternal, "encode state: %v", err)
	}
	if err := ctx.GetStub().PutState(k, b); err != nil {
		return errf(api.CodeInternal, "write state: %v", err)
	}
	return nil
}

// indexMarker is the value of index entries; the key carries the data.
var indexMarker = []byte{0}

func putIndex(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) error {
	k, err := key(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(k, indexMarker); err != nil {
		return errf(api.CodeInternal, "write index: %v", err)
	}
	return nil
}

func delIndex(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) error {
	k, err := key(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().DelState(k); err != nil {
		return errf(api.CodeInternal, "delete index: %v", err)
	}
	return nil
}

// indexTails lists the last n attributes of every index entry under a
// partial key, in key order.
func indexTails(ctx contractapi.TransactionContextInterface, objectType string, prefix []string) ([][]string, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(objectType, prefix)
	if err != nil {
		return nil, errf(api.CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	var out [][]string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, errf(api.CodeInternal, "index query: %v", err)
		}
		_, attrs, err := ctx.GetStub().SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, errf(api.CodeInternal, "index key: %v", err)
		}
		out = append(out, attrs[len(prefix):])
	}
	return out, nil
}

// txTime is the transaction's timestamp, the only clock chaincode may use.
func txTime(ctx contractapi.TransactionContextInterface) (time.Time, error) {
	ts, err := ctx.GetStub().GetTxTimestamp()
	if err != nil {
		return time.Time{}, errf(api.CodeInternal, "transaction timestamp: %v", err)
	}
	return ts.AsTime().UTC(), nil
}

func emit(ctx contractapi.TransactionContextInterface, name string, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return errf(api.CodeInternal, "encode event: %v", err)
	}
	if err := ctx.GetStub().SetEvent(name, b); err != nil {
		return errf(api.CodeInternal, "set event: %v", err)
	}
	return nil
}

// tailIDs lists the last attribute of every index entry under a partial
// key: the ids an index lists for it, in key order.
func tailIDs(ctx contractapi.TransactionContextInterface, objectType string, prefix ...string) ([]string, error) {
	tails, err := indexTails(ctx, objectType, prefix)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(tails))
	for i, t := range tails {
		ids[i] = t[len(t)-1]
	}
	return ids, nil
}
