package kit

import (
	"encoding/json"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
)

// TimeLayout is how timestamps appear in state and answers.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

func UnmarshalState(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return Errf(api.CodeInternal, "corrupt state entry: %v", err)
	}
	return nil
}

// Key builds a composite key; attributes are checked identifiers, so an
// error here is an internal fault, not client input.
func Key(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) (string, error) {
	k, err := ctx.GetStub().CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", Errf(api.CodeInvalidArgument, "bad key part: %v", err)
	}
	return k, nil
}

// GetJSON reads a state entry into v; found is false when it does not exist.
func GetJSON(ctx contractapi.TransactionContextInterface, k string, v any) (bool, error) {
	raw, err := ctx.GetStub().GetState(k)
	if err != nil {
		return false, Errf(api.CodeInternal, "read state: %v", err)
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, Errf(api.CodeInternal, "corrupt state entry: %v", err)
	}
	return true, nil
}

func PutJSON(ctx contractapi.TransactionContextInterface, k string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return Errf(api.CodeInternal, "encode state: %v", err)
	}
	if err := ctx.GetStub().PutState(k, b); err != nil {
		return Errf(api.CodeInternal, "write state: %v", err)
	}
	return nil
}

// indexMarker is the value of index entries; the key carries the data.
func indexMarker() []byte { return []byte{0} }

func PutIndex(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) error {
	k, err := Key(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().PutState(k, indexMarker()); err != nil {
		return Errf(api.CodeInternal, "write index: %v", err)
	}
	return nil
}

func DelIndex(ctx contractapi.TransactionContextInterface, objectType string, attrs ...string) error {
	k, err := Key(ctx, objectType, attrs...)
	if err != nil {
		return err
	}
	if err := ctx.GetStub().DelState(k); err != nil {
		return Errf(api.CodeInternal, "delete index: %v", err)
	}
	return nil
}

// IndexTails lists the last n attributes of every index entry under a
// partial key, in key order.
func IndexTails(ctx contractapi.TransactionContextInterface, objectType string, prefix []string) ([][]string, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(objectType, prefix)
	if err != nil {
		return nil, Errf(api.CodeInternal, "index query: %v", err)
	}
	defer it.Close()
	var out [][]string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, Errf(api.CodeInternal, "index query: %v", err)
		}
		_, attrs, err := ctx.GetStub().SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, Errf(api.CodeInternal, "index key: %v", err)
		}
		out = append(out, attrs[len(prefix):])
	}
	return out, nil
}

// TxTime is the transaction's timestamp, the only clock chaincode may use.
func TxTime(ctx contractapi.TransactionContextInterface) (time.Time, error) {
	ts, err := ctx.GetStub().GetTxTimestamp()
	if err != nil {
		return time.Time{}, Errf(api.CodeInternal, "transaction timestamp: %v", err)
	}
	return ts.AsTime().UTC(), nil
}

func Emit(ctx contractapi.TransactionContextInterface, name string, ev api.Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return Errf(api.CodeInternal, "encode event: %v", err)
	}
	if err := ctx.GetStub().SetEvent(name, b); err != nil {
		return Errf(api.CodeInternal, "set event: %v", err)
	}
	return nil
}

// TailIDs lists the last attribute of every index entry under a partial
// Key: the ids an index lists for it, in key order.
func TailIDs(ctx contractapi.TransactionContextInterface, objectType string, prefix ...string) ([]string, error) {
	tails, err := IndexTails(ctx, objectType, prefix)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(tails))
	for i, t := range tails {
		ids[i] = t[len(t)-1]
	}
	return ids, nil
}
