package contracts

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
)

// finParseValueDate reads a value date, which may not be after today.
func finParseValueDate(s string, today money.Date) (money.Date, error) {
	d, err := money.ParseDate(s)
	if err != nil {
		return d, errf(api.CodeInvalidArgument, "valueDate: %v", err)
	}
	if d.After(today) {
		return d, errf(api.CodeRuleViolation, "valueDate %s is after today (%s, Asia/Shanghai)", d, today)
	}
	return d, nil
}

func insParseDate(field, s string) (money.Date, error) {
	d, err := money.ParseDate(s)
	if err != nil {
		return d, errf(api.CodeInvalidArgument, "%s: %v", field, err)
	}
	return d, nil
}

func wrClip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
