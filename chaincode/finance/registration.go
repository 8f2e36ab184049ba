package finance

import (
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// The public registration of a receivable pledge.
//
// A pledge of receivables (应收账款质押) is perfected against third parties by
// registration in the PBoC Credit Reference Center's movable-property
// financing registry (动产融资统一登记公示系统, 中登网), which answers with a
// registration number. The bank records that number when it approves a
// RECEIVABLE financing:
//   - required: missing or malformed is 400 INVALID_ARGUMENT. The accepted
//     form is 16 to 30 ASCII digits (surrounding white space trimmed): the
//     registry's registration certificate numbers are all digits, in
//     practice 20 to 24 long; the wider range leaves room for other
//     generations of the number without letting text or separators in.
//   - unique across the ledger: the index financing~registration
//     [registrationNo] -> financing id is read and written by the approving
//     transaction, so of two approvals citing one number one commits and
//     the other is refused (409 REGISTRATION_EXISTS) or invalidated under
//     MVCC. The refusal names the other financing only when the approving
//     bank is its bank too; another bank learns only that the number is
//     taken.
//   - never released: the registry's numbers are unique and a registration
//     stays attached to the financing it was recorded on, also after the
//     financing is closed or defaulted; a closed financing's number is not
//     reused.
//   - stored in the financing's Terms.RegistrationNo, so GetFinancing (and
//     the due-diligence views built on it) shows it.

// idxRegistration [registrationNo] -> financing id.
const idxRegistration = "financing~registration"

// checkRegistrationNo checks the form of a registry registration number
// and returns it trimmed.
func checkRegistrationNo(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", kit.Errf(api.CodeInvalidArgument, "registrationNo: a RECEIVABLE financing needs the pledge's registration number in the movable-property financing registry (动产融资统一登记公示系统)")
	}
	if len(s) < 16 || len(s) > 30 || strings.Trim(s, "0123456789") != "" {
		return "", kit.Errf(api.CodeInvalidArgument, "registrationNo: %q is not a registration number of the movable-property financing registry (16 to 30 digits)", kit.Clip(s))
	}
	return s, nil
}

// recordRegistration records the receivable pledge's registration number
// on financing f, which its bank is approving: checks the form, refuses a
// number another financing holds, writes the index and f.Terms.
func recordRegistration(ctx contractapi.TransactionContextInterface, f *api.Financing, regNo string) error {
	no, err := checkRegistrationNo(regNo)
	if err != nil {
		return err
	}
	k, err := kit.Key(ctx, idxRegistration, no)
	if err != nil {
		return err
	}
	v, err := ctx.GetStub().GetState(k)
	if err != nil {
		return kit.Errf(api.CodeInternal, "read state: %v", err)
	}
	if v != nil && string(v) != f.ID {
		other, err := Load(ctx, string(v))
		if err != nil {
			return err
		}
		if other.Bank == f.Bank {
			return kit.Errf(api.CodeRegistrationExists, "registration %s is recorded on your financing %s", no, other.ID)
		}
		return kit.Errf(api.CodeRegistrationExists, "registration %s is recorded on another financing", no)
	}
	if err := ctx.GetStub().PutState(k, []byte(f.ID)); err != nil {
		return kit.Errf(api.CodeInternal, "write index: %v", err)
	}
	if f.Terms == nil {
		return kit.Errf(api.CodeInternal, "financing %s has no terms to record the registration on", f.ID)
	}
	f.Terms.RegistrationNo = no
	return nil
}
