package kit

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// Debt is what a buyer's payment is checked against: an insured
// shipment's invoice or a receivable. Kind, ID and SinceWhat only name it
// in refusals.
type Debt struct {
	Kind, ID    string
	Currency    string
	Total, Paid string // stored amounts
	Since       string // stored date; no payment is valued before it
	SinceWhat   string // e.g. "the invoice date"
}

// Payment is a payment that passed CheckPayment.
type Payment struct {
	Amount      decimal.Decimal
	Currency    money.Currency
	ValueDate   money.Date
	Paid        decimal.Decimal // paid before this payment
	Outstanding decimal.Decimal // owed before this payment
	Now         time.Time
	Today       money.Date
}

// CheckPayment checks a payment of amount valued on valueDate against d:
// a positive amount in d's currency, a value date neither after today nor
// before d.Since, and no more than is outstanding. Shipments and
// receivables take buyers' payments by the same rules.
func CheckPayment(ctx contractapi.TransactionContextInterface, d Debt, amount, valueDate string) (Payment, error) {
	cur, err := money.LookupCurrency(d.Currency)
	if err != nil {
		return Payment{}, Errf(api.CodeInternal, "%s %s: %v", d.Kind, d.ID, err)
	}
	pay, err := money.ParsePositiveAmount(amount, cur)
	if err != nil {
		return Payment{}, Errf(api.CodeInvalidArgument, "amount: %v", err)
	}
	now, today, err := Today(ctx)
	if err != nil {
		return Payment{}, err
	}
	vd, err := ParseValueDate(valueDate, today)
	if err != nil {
		return Payment{}, err
	}
	if vd.Before(StoredDate(d.Since)) {
		return Payment{}, Errf(api.CodeRuleViolation, "valueDate %s is before %s %s", vd, d.SinceWhat, d.Since)
	}
	total, paid, err := ParseStoredPair(d.Total, d.Paid, cur)
	if err != nil {
		return Payment{}, err
	}
	outstanding := total.Sub(paid)
	if pay.GreaterThan(outstanding) {
		return Payment{}, Errf(api.CodeRuleViolation, "payment %s is more than the %s outstanding on %s %s", money.Format(pay, cur), money.Format(outstanding, cur), d.Kind, d.ID)
	}
	return Payment{Amount: pay, Currency: cur, ValueDate: vd, Paid: paid, Outstanding: outstanding, Now: now, Today: today}, nil
}
