package contracttest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/gateway/identity"
)

// genesisGrants restates the genesis governance as the specification:
// which organisation grants which kinds.
var genesisGrants = map[string][]string{
	PlatformMSP:  {"customs_broker", "exporter", "logistics", "processor", "producer"},
	WarehouseMSP: {"logistics", "warehouse"},
	BankMSP:      {"bank"},
	InsurerMSP:   {"insurer"},
	RegulatorMSP: {"customs", "inspector", "regulator"},
}

var allKinds = []string{"producer", "processor", "logistics", "warehouse", "exporter", "customs_broker", "customs", "bank", "insurer", "inspector", "regulator"}

// gateCodes are the refusals of a caller that lacks the grant.
var gateCodes = []string{"FORBIDDEN", "UNREGISTERED", "KIND_NOT_GRANTABLE"}

func isGate(code string) bool { return slices.Contains(gateCodes, code) }

// authWorld is the trace world plus a victim exporter, a lot of the tea
// producer and one of a chicken farm.
type authWorld struct {
	*trWorld
	victim        *Member // an exporter a self-made regulator would sanction
	farm          *Member
	leaf, chicken string // GTINs
}

func newAuthWorld(t *testing.T) *authWorld {
	t.Helper()
	w := &authWorld{trWorld: trSetup(t)}
	w.victim = w.Enterprise(PlatformMSP, "清远出口贸易公司", "exporter")
	w.farm = w.Enterprise(PlatformMSP, "清远走地鸡场", "producer")
	w.leaf = w.product(w.by["producer"], nil)
	w.lot(w.by["producer"], w.leaf, "TEA1", "500", "kg")
	w.chicken = w.product(w.farm, trObj{"category": "poultry"})
	w.lot(w.farm, w.chicken, "FLOCK1", "2000", "head")
	return w
}

// act tries, as m, one write that only the kind may make, and returns the
// chaincode code ("" when it went through). The writes are chosen so that
// an entitled caller gets past the kind check: either success or a
// business refusal that is not a gate code.
func (w *authWorld) act(m *identity.Identity, kind string, seq int) string {
	w.t.Helper()
	var fn api.Tx
	var args []string
	switch kind {
	case "producer", "processor":
		fn, args = api.TxCreateProduct, []string{trJSON(map[string]any{"gtin": w.newGTIN(), "nameZh": "茶", "category": "tea", "giStatus": "NONE"})}
	case "regulator":
		fn, args = api.TxRecordSanction, []string{w.victim.CreditCode, trJSON(map[string]string{"reason": fmt.Sprintf("attack %d", seq), "basis": "清综试〔2026〕1号"})}
	case "inspector":
		fn, args = api.TxIssueCertificate, []string{trJSON(map[string]any{"type": "QUARANTINE", "number": fmt.Sprintf("AT-%d", seq), "subjects": []trObj{trLotRef(w.leaf, "TEA1")},
			"documentSha256": strings.Repeat("3", 64), "validFrom": "2026-03-01", "validUntil": "2026-04-01", "result": "PASS"})}
	case "warehouse":
		fn, args = api.TxIssueReceipt, []string{trJSON(wrIssueInput(w.leaf, "TEA1", "500", "5000000.00", "CNY", w.victim.CreditCode))}
	case "bank":
		fn, args = api.TxApproveFinancing, []string{"F-2026-0000000000000001", trJSON(wrTerms("1000.00", "0.05", 90, "0.6"))}
	case "insurer":
		fn, args = api.TxSetCreditLimit, []string{trJSON(insLimitInput(w.victim.CreditCode, insBuyer{Name: "Hamburg Tee GmbH", Country: "DE", RegistrationID: fmt.Sprintf("HRB-%d", 20000+seq)}, "10000.00", "USD", "2026-03-01", "2027-02-28"))}
	case "exporter":
		fn, args = api.TxDeclareShipment, []string{trJSON(map[string]any{"policyId": "PL-2026-0000000000000001"})}
	case "logistics":
		fn, args = api.TxRecordEvent, []string{trJSON(trObj{"type": "ObjectEvent", "bizStep": "departing", "eventTime": w.eventTime(), "lots": []trObj{trLotRef(w.leaf, "TEA1")}})}
	case "customs_broker":
		fn, args = api.TxRecordDeclaration, []string{trJSON(api.DeclarationInput{Number: fmt.Sprintf("516820261%09d", seq), TradeMode: api.TradeMode9710,
			Exporter: w.victim.CreditCode, Consignee: api.BuyerInput{Name: "Hamburg Tee GmbH", Country: "DE", RegistrationID: "HRB-1"}, Destination: "DE", Currency: "USD",
			Lines:    []api.DeclarationLine{{HSCode: "0902301000", Description: "红茶", Quantity: "500", Unit: "kg", Value: "5000.00", Lots: []api.LotRef{{GTIN: w.leaf, Lot: "TEA1"}}}},
			Invoices: []string{fmt.Sprintf("AT-INV-%d", seq)}})}
	case "customs":
		fn, args = api.TxReleaseDeclaration, []string{"516820269999999999", `{"releaseDate":"2026-03-01"}`}
	default:
		w.t.Fatalf("no act for kind %s", kind)
	}
	_, err := w.Submit(m, fn, args...)
	return Code(err)
}

// For every organisation × every kind: the organisation's admin registers
// an enterprise of that kind and binds a member, who then acts as that
// kind. Where the organisation may not grant the kind, registration is
// refused (KIND_NOT_GRANTABLE) and the act too; where the kind carries
// public trust, the act is refused until the zone regulator approves, and
// again after a revocation.
func TestAuthorityKindMatrix(t *testing.T) {
	w := newAuthWorld(t)
	seq := 0
	for _, org := range Orgs {
		for _, kind := range allKinds {
			t.Run(org+"/"+kind, func(t *testing.T) {
				seq++
				grantable := slices.Contains(genesisGrants[org], kind)
				code := CreditCode(t, 9000+seq)
				in, _ := json.Marshal(map[string]any{"creditCode": code, "name": "attacker " + org + " " + kind, "kinds": []string{kind}})
				_, err := w.Submit(w.Admins[org], api.TxRegisterEnterprise, string(in))
				if !grantable {
					trCheckCode(t, err, "KIND_NOT_GRANTABLE")
					// Nothing registered: the member cannot be bound, so it
					// acts as an unregistered identity.
					ca, _ := w.Ledger.CA(org)
					id, _ := ca.Issue("attacker", identity.RoleClient, nil)
					if got := w.act(id, kind, seq); !isGate(got) {
						t.Errorf("ungrantable %s of %s acted: %q", kind, org, got)
					}
					return
				}
				trCheckCode(t, err, "")
				m := w.Enrol(org, code, fmt.Sprintf("member %d", seq))
				trust := slices.Contains(TrustKinds, kind)
				if got := w.act(m.Identity, kind, seq); trust && !isGate(got) || !trust && isGate(got) {
					t.Fatalf("before approval (trust kind %v): act code %q", trust, got)
				}
				if !trust {
					return
				}
				// Only the zone regulator approves: not the organisation's
				// own admin, not a regulator-org member without the kind.
				if org != RegulatorMSP {
					_, err = w.C.ApproveKind(w.Ctx, w.Admins[org], code, kind)
					trCheckCode(t, err, "FORBIDDEN")
				}
				_, err = w.C.ApproveKind(w.Ctx, w.by["inspector"].Identity, code, kind)
				trCheckCode(t, err, "FORBIDDEN")
				w.OK(w.C.ApproveKind(w.Ctx, w.by["regulator"].Identity, code, kind))
				if got := w.act(m.Identity, kind, seq); isGate(got) {
					t.Fatalf("after approval: act refused %q", got)
				}
				w.OK(w.C.RevokeKind(w.Ctx, w.Admins[org], code, kind, "attack test"))
				if got := w.act(m.Identity, kind, seq+1000); !isGate(got) {
					t.Fatalf("after revocation: act code %q", got)
				}
			})
		}
	}
}

// Each row is an attack from the findings or one an attacker would try
// next; each is refused with a stable code and changes nothing.
func TestAuthorityAttacks(t *testing.T) {
	w := newAuthWorld(t)
	prod, logi, wh, insp := w.by["producer"], w.by["logistics"], w.by["warehouse"], w.by["inspector"]
	reg := func(org string, kinds ...string) func() error {
		return func() error {
			w.serial++
			in, _ := json.Marshal(map[string]any{"creditCode": CreditCode(t, 8000+w.serial), "name": "x", "kinds": kinds})
			_, err := w.Submit(w.Admins[org], api.TxRegisterEnterprise, string(in))
			return err
		}
	}
	event := func(m *Member, step, gtin, lot, when string) func() error {
		return func() error {
			ev := trObj{"type": "ObjectEvent", "bizStep": step, "eventTime": when, "lots": []trObj{trLotRef(gtin, lot)}}
			_, err := w.Submit(m.Identity, api.TxRecordEvent, trJSON(ev))
			return err
		}
	}
	now := func() string { return w.eventTime() }
	platformUser, _ := func() (*identity.Identity, error) {
		ca, _ := w.Ledger.CA(PlatformMSP)
		return ca.Issue("platform user", identity.RoleClient, nil)
	}()
	// A warehouse registered but not approved, with a member.
	pendingWH := w.Register(WarehouseMSP, "未批准仓库", "warehouse")
	pendingMember := w.Enrol(WarehouseMSP, pendingWH, "clerk")
	// The chicken farm's flock, handed to the logistics firm which then
	// ships it on: its custody ends.
	w.handOver(w.farm, w.chicken, "FLOCK1", logi)
	w.mustEvent(logi, trObj{"type": "ObjectEvent", "bizStep": "shipping", "eventTime": now(), "lots": []trObj{trLotRef(w.chicken, "FLOCK1")}})
	// The tea lot in the warehouse under a live receipt.
	w.handOver(prod, w.leaf, "TEA1", wh)
	w.mustEvent(wh, trObj{"type": "ObjectEvent", "bizStep": "receiving", "eventTime": now(), "lots": []trObj{trLotQty(w.leaf, "TEA1", "500", "kg")}})
	var receipt api.Receipt
	Result(w.t, &receipt)(w.C.IssueReceipt(w.Ctx, wh.Identity, wrIssueInput(w.leaf, "TEA1", "500", "300000.00", "CNY", prod.CreditCode)))

	tests := []struct {
		name   string
		attack func() error
		want   string
		// setup is how many blocks the attack's own preparation writes
		// before the refused step.
		setup uint64
	}{
		{"platform admin registers a regulator", reg(PlatformMSP, "regulator"), "KIND_NOT_GRANTABLE", 0},
		{"platform admin registers a warehouse", reg(PlatformMSP, "producer", "warehouse"), "KIND_NOT_GRANTABLE", 0},
		{"bank admin registers a regulator", reg(BankMSP, "regulator"), "KIND_NOT_GRANTABLE", 0},
		{"bank admin registers an inspector", reg(BankMSP, "inspector"), "KIND_NOT_GRANTABLE", 0},
		{"insurer admin registers a bank", reg(InsurerMSP, "bank"), "KIND_NOT_GRANTABLE", 0},
		{"bank admin binds a PlatformMSP identity to its bank", func() error {
			in, _ := json.Marshal(map[string]string{"id": platformUser.ID()})
			_, err := w.Submit(w.Admins[BankMSP], api.TxBindMember, w.by["bank"].CreditCode, string(in))
			return err
		}, "FORBIDDEN", 0},
		{"bank admin grants its bank the regulator kind", func() error {
			_, err := w.C.GrantKind(w.Ctx, w.Admins[BankMSP], w.by["bank"].CreditCode, "regulator")
			return err
		}, "KIND_NOT_GRANTABLE", 0},
		{"platform admin grants a kind to another organisation's enterprise", func() error {
			_, err := w.C.GrantKind(w.Ctx, w.Admins[PlatformMSP], wh.CreditCode, "producer")
			return err
		}, "FORBIDDEN", 0},
		{"warehouse admin approves its own warehouse", func() error {
			_, err := w.C.ApproveKind(w.Ctx, w.Admins[WarehouseMSP], pendingWH, "warehouse")
			return err
		}, "FORBIDDEN", 0},
		{"unapproved warehouse mints a receipt", func() error {
			_, err := w.C.IssueReceipt(w.Ctx, pendingMember.Identity, wrIssueInput(w.leaf, "TEA1", "500", "5000000.00", "CNY", pendingWH))
			return err
		}, "FORBIDDEN", 0},
		{"inspector revokes the bank's kind", func() error {
			_, err := w.C.RevokeKind(w.Ctx, insp.Identity, w.by["bank"].CreditCode, "bank", "x")
			return err
		}, "FORBIDDEN", 0},
		{"tea cooperative records feeding on the chicken farm's flock", event(prod, "feeding", w.chicken, "FLOCK1", now()), "NOT_CUSTODIAN", 0},
		{"tea cooperative records non-conformance on the flock", func() error {
			ev := trObj{"type": "ObjectEvent", "bizStep": "processing", "disposition": "non_conformant", "eventTime": now(), "lots": []trObj{trLotRef(w.chicken, "FLOCK1")}}
			_, err := w.Submit(prod.Identity, api.TxRecordEvent, trJSON(ev))
			return err
		}, "NOT_CUSTODIAN", 0},
		{"carrier records on goods it already shipped on", event(logi, "departing", w.chicken, "FLOCK1", now()), "NOT_CUSTODIAN", 0},
		{"carrier never handed the tea records on it", event(logi, "arriving", w.leaf, "TEA1", now()), "NOT_CUSTODIAN", 0},
		{"warehouse receives goods nobody handed it", event(w.by["warehouse"], "receiving", w.chicken, "FLOCK1", now()), "NOT_CUSTODIAN", 0},
		{"producer back-dates an event by a month", event(prod, "withering", w.leaf, "TEA1", "2026-02-01T08:00:00+08:00"), "EVENT_TOO_OLD", 0},
		{"sensor readings back-dated by a month", func() error {
			ev := trObj{"type": "ObjectEvent", "bizStep": "sensor_reporting", "eventTime": now(), "lots": []trObj{trLotRef(w.leaf, "TEA1")},
				"sensorReadings": []trObj{{"from": "2026-02-01T08:00:00+08:00", "to": "2026-02-01T09:00:00+08:00", "type": "temperature", "minValue": "1", "maxValue": "2", "uom": "CEL"}}}
			_, err := w.Submit(wh.Identity, api.TxRecordEvent, trJSON(ev))
			return err
		}, "EVENT_TOO_OLD", 0},
		{"warehouse hands over goods under a live receipt", func() error {
			_, err := w.C.HandOver(w.Ctx, wh.Identity, w.leaf, "TEA1", logi.CreditCode)
			return err
		}, "CONFLICT", 0},
		{"a stranger hands over the farm's flock", func() error {
			_, err := w.C.HandOver(w.Ctx, prod.Identity, w.chicken, "FLOCK1", prod.CreditCode)
			return err
		}, "INVALID_ARGUMENT", 0},
		{"a stranger hands the farm's flock to itself via another firm", func() error {
			_, err := w.C.HandOver(w.Ctx, prod.Identity, w.chicken, "FLOCK1", wh.CreditCode)
			return err
		}, "NOT_CUSTODIAN", 0},
		{"shipping names a destination that is not registered", func() error {
			ev := trObj{"type": "ObjectEvent", "bizStep": "shipping", "eventTime": now(), "lots": []trObj{trLotRef(w.chicken, "FLOCK1")}, "destination": CreditCode(t, 7777)}
			_, err := w.Submit(w.farm.Identity, api.TxRecordEvent, trJSON(ev))
			return err
		}, "NOT_FOUND", 0},
		{"one organisation adopts a governance change alone", func() error {
			in := trJSON(map[string]any{"regulatorMsp": PlatformMSP, "orgs": []trObj{{"mspId": PlatformMSP, "kinds": allKinds}}})
			c, err := w.Submit(w.Admins[PlatformMSP], api.TxProposeGovernance, in)
			if err != nil {
				return err
			}
			var p api.GovernanceProposal
			json.Unmarshal(c.Payload, &p)
			if p.Status != "OPEN" {
				return fmt.Errorf("proposal %s after one approval", p.Status)
			}
			_, err = w.C.ApproveGovernance(w.Ctx, w.Admins[PlatformMSP], p.ID)
			return err
		}, "CONFLICT", 1},
		{"a member (not an admin) proposes governance", func() error {
			_, err := w.Submit(w.by["regulator"].Identity, api.TxProposeGovernance, trJSON(map[string]any{"regulatorMsp": RegulatorMSP, "orgs": []trObj{{"mspId": RegulatorMSP, "kinds": []string{"regulator"}}}}))
			return err
		}, "FORBIDDEN", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := w.height()
			trCheckCode(t, tc.attack(), tc.want)
			if got := w.height(); got != h+tc.setup {
				t.Errorf("a refused attack wrote a block (height %d → %d)", h, got)
			}
		})
	}
	// The self-made regulator of the findings never existed: the victim's
	// record carries no sanction.
	var sanctions []api.Sanction
	Into(w.T, &sanctions)(w.C.ListSanctions(w.Ctx, w.victim.Identity, w.victim.CreditCode))
	if len(sanctions) != 0 {
		t.Errorf("victim has %d sanctions", len(sanctions))
	}
	// ALREADY_EXISTS says nothing of the other party's record.
	in, _ := json.Marshal(map[string]any{"creditCode": wh.CreditCode, "name": "x", "kinds": []string{"logistics"}})
	_, err := w.Submit(w.Admins[WarehouseMSP], api.TxRegisterEnterprise, string(in))
	trCheckCode(t, err, "ALREADY_EXISTS")
	if err != nil && strings.Contains(err.Error(), "企业") {
		t.Errorf("ALREADY_EXISTS names the existing enterprise: %v", err)
	}
}

// Governance changes with a majority of organisations: adopted in the
// transaction of the third of five approvals, then in force on the next
// transaction (a kind the platform could not grant becomes grantable); a
// proposal made against the older version is stale.
func TestAuthorityGovernanceChange(t *testing.T) {
	w := newAuthWorld(t)
	var g api.Governance
	Into(w.T, &g)(w.C.GetGovernance(w.Ctx, w.unbound))
	if g.Version != 0 || g.RegulatorMSP != RegulatorMSP || len(g.Orgs) != 5 {
		t.Fatalf("genesis %+v", g)
	}
	orgs := []trObj{}
	for _, o := range g.Orgs {
		kinds := o.Kinds
		if o.MSPID == PlatformMSP {
			kinds = append(slices.Clone(kinds), "warehouse")
		}
		orgs = append(orgs, trObj{"mspId": o.MSPID, "kinds": kinds})
	}
	in := trJSON(map[string]any{"regulatorMsp": RegulatorMSP, "orgs": orgs, "trustKinds": g.TrustKinds})
	var p, stale api.GovernanceProposal
	w.must(&p, w.Admins[PlatformMSP], api.TxProposeGovernance, in)
	w.must(&stale, w.Admins[BankMSP], api.TxProposeGovernance, in)
	_, err := w.Submit(w.Admins[PlatformMSP], api.TxRegisterEnterprise, trJSON(map[string]any{"creditCode": CreditCode(t, 6001), "name": "平台仓", "kinds": []string{"warehouse"}}))
	trCheckCode(t, err, "KIND_NOT_GRANTABLE")
	Result(w.t, &p)(w.C.ApproveGovernance(w.Ctx, w.Admins[WarehouseMSP], p.ID))
	if p.Status != "OPEN" || len(p.Approvals) != 2 {
		t.Fatalf("after two approvals %+v", p)
	}
	Result(w.t, &p)(w.C.ApproveGovernance(w.Ctx, w.Admins[RegulatorMSP], p.ID))
	if p.Status != "ADOPTED" || p.Config.Version != 1 {
		t.Fatalf("after three approvals %+v", p)
	}
	Into(w.T, &g)(w.C.GetGovernance(w.Ctx, w.unbound))
	if g.Version != 1 || g.ProposalID != p.ID {
		t.Fatalf("in force %+v", g)
	}
	w.must(nil, w.Admins[PlatformMSP], api.TxRegisterEnterprise, trJSON(map[string]any{"creditCode": CreditCode(t, 6001), "name": "平台仓", "kinds": []string{"warehouse"}}))
	_, err = w.C.ApproveGovernance(w.Ctx, w.Admins[InsurerMSP], stale.ID)
	trCheckCode(t, err, "CONFLICT")
	// The enterprise's history shows its registration and each change.
	w.OK(w.C.ApproveKind(w.Ctx, w.by["regulator"].Identity, CreditCode(t, 6001), "warehouse"))
	w.OK(w.C.RevokeKind(w.Ctx, w.by["regulator"].Identity, CreditCode(t, 6001), "warehouse", "no bonded licence"))
	var hist []api.EnterpriseVersion
	Into(w.T, &hist)(w.C.GetEnterpriseHistory(w.Ctx, w.unbound, CreditCode(t, 6001)))
	var actions []string
	for _, v := range hist {
		actions = append(actions, v.Enterprise.LastChange.Action)
	}
	if want := []string{"revoked", "approved", "registered"}; !slices.Equal(actions, want) {
		t.Errorf("history actions %v, want %v", actions, want)
	}
}
