package contracts

import (
	"strings"

	"github.com/qingchain/qingchain/chaincode/api"
)

// mayAct insists that the caller acts for an active enterprise doing one of
// the given kinds of business.
func mayAct(c *Caller, action string, kinds ...string) error {
	if c.Enterprise == nil {
		return errf(api.CodeUnregistered, "identity is not bound to any registered enterprise; an admin of %s must bind it first", c.MSPID)
	}
	if c.Enterprise.Status != EnterpriseActive {
		return errf(api.CodeForbidden, "enterprise %s is %s", c.Enterprise.CreditCode, c.Enterprise.Status)
	}
	for _, k := range kinds {
		if c.HasKind(k) {
			return nil
		}
	}
	return errf(api.CodeForbidden, "%s requires an enterprise of kind %s; %s is %s", action, strings.Join(kinds, " or "), c.Enterprise.CreditCode, strings.Join(c.Enterprise.Kinds, ", "))
}

// insMayRead: the parties named, or a regulator.
func insMayRead(c *Caller, parties ...string) bool {
	if c.HasKind(KindRegulator) {
		return true
	}
	for _, p := range parties {
		if p != "" && p == c.Enterprise.CreditCode {
			return true
		}
	}
	return false
}
