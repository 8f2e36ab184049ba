package contracttest

import (
	"encoding/json"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

func TestRegistry(t *testing.T) {
	n := New(t)
	tea := n.Enterprise(PlatformMSP, "英德红茶合作社", "producer", "processor")
	bank := n.Enterprise(BankMSP, "清远农商银行", "bank")

	var who api.Caller
	Into(n.T, &who)(n.C.WhoAmI(n.Ctx, tea.Identity))
	if who.Enterprise == nil || who.Enterprise.CreditCode != tea.CreditCode || !who.HasKind("producer") || who.Admin {
		t.Errorf("WhoAmI = %+v", who)
	}
	who = api.Caller{}
	Into(n.T, &who)(n.C.WhoAmI(n.Ctx, n.Admins[BankMSP]))
	if !who.Admin || who.Enterprise != nil || who.MSPID != BankMSP {
		t.Errorf("admin WhoAmI = %+v", who)
	}

	var view api.EnterpriseView
	Into(n.T, &view)(n.C.GetEnterprise(n.Ctx, bank.Identity, tea.CreditCode))
	if view.Name != "英德红茶合作社" || len(view.Members) != 1 || view.Members[0].ID != tea.ID() || view.MSPID != PlatformMSP {
		t.Errorf("GetEnterprise = %+v", view)
	}

	var list []api.Enterprise
	Into(n.T, &list)(n.C.ListEnterprises(n.Ctx, bank.Identity, BankMSP))
	if len(list) != 1 || list[0].CreditCode != bank.CreditCode {
		t.Errorf("ListEnterprises(BankMSP) = %+v", list)
	}
	Into(n.T, &list)(n.C.ListEnterprises(n.Ctx, bank.Identity, ""))
	if len(list) != 2 {
		t.Errorf("ListEnterprises() has %d, want 2", len(list))
	}

	reg := func(code, name string, kinds ...string) string {
		in, _ := json.Marshal(map[string]any{"creditCode": code, "name": name, "kinds": kinds})
		return string(in)
	}
	bind := func(id string) string {
		in, _ := json.Marshal(map[string]string{"id": id})
		return string(in)
	}
	other := n.Enrol(BankMSP, bank.CreditCode, "second clerk")
	tests := []struct {
		name string
		as   string // org admin, or "member"
		fn   api.Tx
		args []string
		want string
	}{
		{"member cannot register", "member", api.TxRegisterEnterprise, []string{reg(CreditCode(t, 90), "X", "bank")}, "FORBIDDEN"},
		{"bad check character", PlatformMSP, api.TxRegisterEnterprise, []string{reg("91441800MA5000090X", "X", "bank")}, "INVALID_ARGUMENT"},
		{"unknown kind", PlatformMSP, api.TxRegisterEnterprise, []string{reg(CreditCode(t, 91), "X", "pirate")}, "INVALID_ARGUMENT"},
		{"no name", PlatformMSP, api.TxRegisterEnterprise, []string{reg(CreditCode(t, 92), " ", "producer")}, "INVALID_ARGUMENT"},
		{"unknown field", PlatformMSP, api.TxRegisterEnterprise, []string{`{"creditCode":"x","bogus":1}`}, "INVALID_ARGUMENT"},
		{"not JSON", PlatformMSP, api.TxRegisterEnterprise, []string{`{`}, "INVALID_ARGUMENT"},
		{"duplicate", PlatformMSP, api.TxRegisterEnterprise, []string{reg(tea.CreditCode, "Again", "producer")}, "ALREADY_EXISTS"},
		{"wrong organisation binds", BankMSP, api.TxBindMember, []string{tea.CreditCode, bind(other.ID())}, "FORBIDDEN"},
		{"bind twice", BankMSP, api.TxBindMember, []string{bank.CreditCode, bind(other.ID())}, "ALREADY_EXISTS"},
		{"bad member id", BankMSP, api.TxBindMember, []string{bank.CreditCode, bind("not-an-id")}, "INVALID_ARGUMENT"},
		{"unknown enterprise", BankMSP, api.TxGetEnterprise, []string{CreditCode(t, 93)}, "NOT_FOUND"},
		{"unbind stranger", BankMSP, api.TxUnbindMember, []string{bank.CreditCode, tea.ID()}, "NOT_FOUND"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := tea.Identity
			if tc.as != "member" {
				id = n.Admins[tc.as]
			}
			_, err := n.Submit(id, tc.fn, tc.args...)
			if got := Code(err); got != tc.want {
				t.Errorf("code = %q, want %q (%v)", got, tc.want, err)
			}
		})
	}

	n.OK(n.C.UnbindMember(n.Ctx, n.Admins[BankMSP], bank.CreditCode, other.ID()))
	who = api.Caller{}
	Into(n.T, &who)(n.C.WhoAmI(n.Ctx, other.Identity))
	if who.Enterprise != nil {
		t.Errorf("unbound identity still resolves to %s", who.Enterprise.CreditCode)
	}
}
