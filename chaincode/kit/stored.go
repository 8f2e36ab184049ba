package kit

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// ParseStored reads an amount the ledger wrote; failure is corruption.
func ParseStored(s string, cur money.Currency) (decimal.Decimal, error) {
	d, err := money.ParseAmount(s, cur)
	if err != nil {
		return d, Errf(api.CodeInternal, "stored amount: %v", err)
	}
	return d, nil
}

func AddStored(s string, d decimal.Decimal, cur money.Currency) (string, error) {
	v, err := ParseStored(s, cur)
	if err != nil {
		return "", err
	}
	return money.Format(v.Add(d), cur), nil
}

// StoredDate reads a date this contract wrote (zero Date if corrupt,
// which every comparison then treats as long past).
func StoredDate(s string) money.Date {
	d, _ := money.ParseDate(s)
	return d
}

func ParseStoredPair(a, b string, cur money.Currency) (decimal.Decimal, decimal.Decimal, error) {
	x, err := ParseStored(a, cur)
	if err != nil {
		return x, x, err
	}
	y, err := ParseStored(b, cur)
	return x, y, err
}

// PutNew refuses an id that is taken (a derived id never collides, but
// a collision must not overwrite).
func PutNew(ctx contractapi.TransactionContextInterface, obj, id string) error {
	k, err := Key(ctx, obj, id)
	if err != nil {
		return err
	}
	if old, err := ctx.GetStub().GetState(k); err != nil {
		return Errf(api.CodeInternal, "read state: %v", err)
	} else if old != nil {
		return Errf(api.CodeAlreadyExists, "id %s is taken; submit again", id)
	}
	return nil
}

// Save stamps and writes an entity.
func Save(ctx contractapi.TransactionContextInterface, obj, id string, v any, updatedAt, txID *string, now time.Time) error {
	*updatedAt, *txID = now.Format(TimeLayout), ctx.GetStub().GetTxID()
	k, err := Key(ctx, obj, id)
	if err != nil {
		return err
	}
	return PutJSON(ctx, k, v)
}

func Load(ctx contractapi.TransactionContextInterface, obj, prefix, what, id string, v any) error {
	if !WellFormedID(id, prefix) {
		return Errf(api.CodeInvalidArgument, "%s id %q is not of the form %s-YYYY-XXXXXXXXXXXXXXXX", what, ClipBytes(id), prefix)
	}
	k, err := Key(ctx, obj, id)
	if err != nil {
		return err
	}
	found, err := GetJSON(ctx, k, v)
	if err != nil {
		return err
	}
	if !found {
		return Errf(api.CodeNotFound, "%s %s does not exist", what, id)
	}
	return nil
}
