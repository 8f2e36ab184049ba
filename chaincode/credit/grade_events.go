package credit

import (
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/shopspring/decimal"
)

// RecordClaim adds a paid claim to the insured's credit record.
func RecordClaim(ctx contractapi.TransactionContextInterface, creditCode string, indemnity decimal.Decimal, cur money.Currency, now time.Time) error {
	return update(ctx, creditCode, now, func(r *api.CreditRecord) error {
		return addTo(&r.Claims, indemnity, cur)
	})
}

// RecordSanction counts a sanction recorded (+1) or lifted (-1).
func RecordSanction(ctx contractapi.TransactionContextInterface, creditCode string, delta int, now time.Time) error {
	return update(ctx, creditCode, now, func(r *api.CreditRecord) error {
		if delta > 0 {
			r.Sanctions.Recorded++
		}
		r.Sanctions.Active += delta
		if r.Sanctions.Active < 0 {
			return kit.Errf(api.CodeInternal, "credit record of %s counts fewer sanctions than are lifted", creditCode)
		}
		return nil
	})
}
