package contracts

import (
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// crObj [creditCode] holds an enterprise's credit record: one key per
// enterprise, so a grade can be computed from it with one read.
const crObj = "credit"

func addTo(t *Tally, amount decimal.Decimal, cur money.Currency) error {
	t.Count++
	i, found := slices.BinarySearchFunc(t.Amounts, cur.Code, func(m Money, code string) int { return strings.Compare(m.Currency, code) })
	if !found {
		t.Amounts = slices.Insert(t.Amounts, i, Money{Amount: money.Format(decimal.Zero, cur), Currency: cur.Code})
	}
	v, err := finParseStored(t.Amounts[i].Amount, cur)
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
	caller, err := requireEnterprise(ctx, "reading a credit record")
	if err != nil {
		return "", err
	}
	if creditCode != caller.Enterprise.CreditCode && !caller.HasKind(KindBank) && !caller.HasKind(KindInsurer) && !caller.HasKind(KindRegulator) {
		return "", errf(api.CodeForbidden, "only %s itself, banks, insurers and regulators read its credit record", creditCode)
	}
	if _, err := loadEnterprise(ctx, creditCode); err != nil {
		return "", err
	}
	rec, err := crLoad(ctx, creditCode)
	if err != nil {
		return "", err
	}
	return toJSON(rec)
}

func crLoad(ctx contractapi.TransactionContextInterface, creditCode string) (*CreditRecord, error) {
	k, err := key(ctx, crObj, creditCode)
	if err != nil {
		return nil, err
	}
	rec := &CreditRecord{CreditCode: creditCode}
	if _, err := getJSON(ctx, k, rec); err != nil {
		return nil, err
	}
	for _, t := range []*Tally{&rec.OnTime, &rec.Late, &rec.Defaults, &rec.Claims} {
		if t.Amounts == nil {
			t.Amounts = []Money{}
		}
	}
	return rec, nil
}

func crUpdate(ctx contractapi.TransactionContextInterface, creditCode string, now time.Time, change func(*CreditRecord) error) error {
	rec, err := crLoad(ctx, creditCode)
	if err != nil {
		return err
	}
	if err := change(rec); err != nil {
		return err
	}
	rec.UpdatedAt, rec.TxID = now.Format(timeLayout), ctx.GetStub().GetTxID()
	k, err := key(ctx, crObj, creditCode)
	if err != nil {
		return err
	}
	return putJSON(ctx, k, rec)
}

// crRecordRepayment adds a repayment to the applicant's record.
func crRecordRepayment(ctx contractapi.TransactionContextInterface, creditCode string, amount decimal.Decimal, cur money.Currency, onTime bool, now time.Time) error {
	return crUpdate(ctx, creditCode, now, func(r *CreditRecord) error {
		if onTime {
			return addTo(&r.OnTime, amount, cur)
		}
		return addTo(&r.Late, amount, cur)
	})
}

// crRecordDefault adds a default, with what was owed, to the record.
func crRecordDefault(ctx contractapi.TransactionContextInterface, creditCode string, owed decimal.Decimal, cur money.Currency, now time.Time) error {
	return crUpdate(ctx, creditCode, now, func(r *CreditRecord) error {
		return addTo(&r.Defaults, owed, cur)
	})
}
