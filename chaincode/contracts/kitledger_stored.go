package contracts

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// finParseStored reads an amount the ledger wrote; failure is corruption.
func finParseStored(s string, cur money.Currency) (decimal.Decimal, error) {
	d, err := money.ParseAmount(s, cur)
	if err != nil {
		return d, errf(api.CodeInternal, "stored amount: %v", err)
	}
	return d, nil
}

func finAddStored(s string, d decimal.Decimal, cur money.Currency) (string, error) {
	v, err := finParseStored(s, cur)
	if err != nil {
		return "", err
	}
	return money.Format(v.Add(d), cur), nil
}

// insStoredDate reads a date this contract wrote (zero Date if corrupt,
// which every comparison then treats as long past).
func insStoredDate(s string) money.Date {
	d, _ := money.ParseDate(s)
	return d
}

func insParse2(a, b string, cur money.Currency) (decimal.Decimal, decimal.Decimal, error) {
	x, err := finParseStored(a, cur)
	if err != nil {
		return x, x, err
	}
	y, err := finParseStored(b, cur)
	return x, y, err
}

// insPutNew refuses an id that is taken (a derived id never collides, but
// a collision must not overwrite).
func insPutNew(ctx contractapi.TransactionContextInterface, obj, id string) error {
	k, err := key(ctx, obj, id)
	if err != nil {
		return err
	}
	if old, err := ctx.GetStub().GetState(k); err != nil {
		return errf(api.CodeInternal, "read state: %v", err)
	} else if old != nil {
		return errf(api.CodeAlreadyExists, "id %s is taken; submit again", id)
	}
	return nil
}

// insSave stamps and writes an entity.
func insSave(ctx contractapi.TransactionContextInterface, obj, id string, v any, updatedAt, txID *string, now time.Time) error {
	*updatedAt, *txID = now.Format(timeLayout), ctx.GetStub().GetTxID()
	k, err := key(ctx, obj, id)
	if err != nil {
		return err
	}
	return putJSON(ctx, k, v)
}

func insLoad(ctx contractapi.TransactionContextInterface, obj, prefix, what, id string, v any) error {
	if !finWellFormedID(id, prefix) {
		return errf(api.CodeInvalidArgument, "%s id %q is not of the form %s-YYYY-XXXXXXXXXXXXXXXX", what, wrClip(id), prefix)
	}
	k, err := key(ctx, obj, id)
	if err != nil {
		return err
	}
	found, err := getJSON(ctx, k, v)
	if err != nil {
		return err
	}
	if !found {
		return errf(api.CodeNotFound, "%s %s does not exist", what, id)
	}
	return nil
}
