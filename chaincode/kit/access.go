package kit

import (
	"strings"

	"github.com/qingchain/qingchain/chaincode/api"
)

// MayAct insists that the caller acts for an active enterprise doing one of
// the given kinds of business.
func MayAct(c *api.Caller, action string, kinds ...string) error {
	if c.Enterprise == nil {
		return Errf(api.CodeUnregistered, "identity is not bound to any registered enterprise; an admin of %s must bind it first", c.MSPID)
	}
	if c.Enterprise.Status != api.EnterpriseActive {
		return Errf(api.CodeForbidden, "enterprise %s is %s", c.Enterprise.CreditCode, c.Enterprise.Status)
	}
	for _, k := range kinds {
		if c.HasKind(k) {
			return nil
		}
	}
	return Errf(api.CodeForbidden, "%s requires an enterprise of kind %s; %s is %s", action, strings.Join(kinds, " or "), c.Enterprise.CreditCode, strings.Join(c.Enterprise.Kinds, ", "))
}

// MayRead: the parties named, or a regulator.
func MayRead(c *api.Caller, parties ...string) bool {
	if c.HasKind(api.KindRegulator) {
		return true
	}
	for _, p := range parties {
		if p != "" && p == c.Enterprise.CreditCode {
			return true
		}
	}
	return false
}
