package credit

import (
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/shopspring/decimal"
)

// obj [creditCode] holds an enterprise's credit record: one key per
// enterprise, so a grade can be computed from it with one read.
const obj = "credit"

func addTo(t *api.Tally, amount decimal.Decimal, cur money.Currency) error {
	t.Count++
	i, found := slices.BinarySearchFunc(t.Amounts, cur.Code, func(m api.Money, code string) int { return strings.Compare(m.Currency, code) })
	if !found {
		t.Amounts = slices.Insert(t.Amounts, i, api.Money{Amount: money.Format(decimal.Zero, cur), Currency: cur.Code})
	}
	v, err := kit.ParseStored(t.Amounts[i].Amount, cur)
	if err != nil {
		return err
	}
	t.Amounts[i].Amount = money.Format(v.Add(amount), cur)
	return nil
}

// Credit is the credit-record contract, "credit". Its records are written
// by the finance, insurance, receivable and risk contracts; it only answers
// questions (the grade computed from a record: grade.go).
type Credit struct{}

// GetCreditRecord returns an enterprise's credit record (all zero when it
// has none yet). The enterprise itself, banks, insurers and regulators may
// read it.
func (c *Credit) GetCreditRecord(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a credit record")
	if err != nil {
		return "", err
	}
	if creditCode != caller.Enterprise.CreditCode && !caller.HasKind(api.KindBank) && !caller.HasKind(api.KindInsurer) && !caller.HasKind(api.KindRegulator) {
		return "", kit.Errf(api.CodeForbidden, "only %s itself, banks, insurers and regulators read its credit record", creditCode)
	}
	if _, err := registry.LoadEnterprise(ctx, creditCode); err != nil {
		return "", err
	}
	rec, err := Load(ctx, creditCode)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(rec)
}

func Load(ctx contractapi.TransactionContextInterface, creditCode string) (*api.CreditRecord, error) {
	k, err := kit.Key(ctx, obj, creditCode)
	if err != nil {
		return nil, err
	}
	rec := &api.CreditRecord{CreditCode: creditCode}
	if _, err := kit.GetJSON(ctx, k, rec); err != nil {
		return nil, err
	}
	for _, t := range []*api.Tally{&rec.OnTime, &rec.Late, &rec.Defaults, &rec.Claims} {
		if t.Amounts == nil {
			t.Amounts = []api.Money{}
		}
	}
	return rec, nil
}

func update(ctx contractapi.TransactionContextInterface, creditCode string, now time.Time, change func(*api.CreditRecord) error) error {
	rec, err := Load(ctx, creditCode)
	if err != nil {
		return err
	}
	if err := change(rec); err != nil {
		return err
	}
	rec.UpdatedAt, rec.TxID = now.Format(kit.TimeLayout), ctx.GetStub().GetTxID()
	k, err := kit.Key(ctx, obj, creditCode)
	if err != nil {
		return err
	}
	return kit.PutJSON(ctx, k, rec)
}

// RecordRepayment adds a repayment to the applicant's record.
func RecordRepayment(ctx contractapi.TransactionContextInterface, creditCode string, amount decimal.Decimal, cur money.Currency, onTime bool, now time.Time) error {
	return update(ctx, creditCode, now, func(r *api.CreditRecord) error {
		if onTime {
			return addTo(&r.OnTime, amount, cur)
		}
		return addTo(&r.Late, amount, cur)
	})
}

// RecordDefault adds a default, with what was owed, to the record.
func RecordDefault(ctx contractapi.TransactionContextInterface, creditCode string, owed decimal.Decimal, cur money.Currency, now time.Time) error {
	return update(ctx, creditCode, now, func(r *api.CreditRecord) error {
		return addTo(&r.Defaults, owed, cur)
	})
}
