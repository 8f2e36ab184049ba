package kit

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
)

// ParseValueDate reads a value date, which may not be after today.
func ParseValueDate(s string, today money.Date) (money.Date, error) {
	d, err := money.ParseDate(s)
	if err != nil {
		return d, Errf(api.CodeInvalidArgument, "valueDate: %v", err)
	}
	if d.After(today) {
		return d, Errf(api.CodeRuleViolation, "valueDate %s is after today (%s, Asia/Shanghai)", d, today)
	}
	return d, nil
}

func ParseDate(field, s string) (money.Date, error) {
	d, err := money.ParseDate(s)
	if err != nil {
		return d, Errf(api.CodeInvalidArgument, "%s: %v", field, err)
	}
	return d, nil
}

func ClipBytes(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
