package contracttest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/gateway/identity"
)

// authModel is an independent statement of the governance rules: which
// kinds each enterprise holds in effect after a sequence of registrations,
// grants, approvals and revocations.
type authModel struct {
	ents map[string]*modelEnt
}

type modelEnt struct {
	code, org string
	status    map[string]string // kind -> PENDING_APPROVAL | ACTIVE | REVOKED
	approved  map[string]bool
	member    *identity.Identity
}

func (e *modelEnt) holds(kind string) bool {
	if e.status[kind] != "ACTIVE" || !slices.Contains(genesisGrants[e.org], kind) {
		return false
	}
	return !slices.Contains(TrustKinds, kind) || e.approved[kind]
}

// acceptedWrite is a fact the ledger accepted, with the kind it needed.
type acceptedWrite struct {
	txID, enterprise string
	kinds            []string
	step             int
}

// Random onboarding, grants, approvals, revocations and writes by random
// callers. After every step the ledger's answer matches the model (a write
// goes through exactly when its caller holds a needed kind), and at the
// end every accepted write is checked against the ledger's own history:
// the writer's enterprise, as recorded in force at the write's block, held
// a needed kind.
func TestAuthorityProperty(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { authProperty(t, seed, 150) })
	}
}

func authProperty(t *testing.T, seed uint64, steps int) {
	n := New(t)
	rng := rand.New(rand.NewPCG(seed, 0xA0791))
	m := &authModel{ents: map[string]*modelEnt{}}
	// The zone regulator and the targets of writes, onboarded properly.
	zone := n.Enterprise(RegulatorMSP, "清远综试区管委会", "regulator")
	victim := n.Enterprise(PlatformMSP, "出口商", "exporter")
	grower := n.Enterprise(PlatformMSP, "茶园", "producer")
	gtin := wrGTIN(t, 77)
	n.OK(n.C.CreateProduct(n.Ctx, grower.Identity, api.ProductInput{GTIN: gtin, NameZh: "茶", Category: "tea", GIStatus: "NONE"}))
	n.OK(n.C.CommissionLot(n.Ctx, grower.Identity, trLotInput(gtin, "P1", "10", "kg")))
	m.ents[zone.CreditCode] = &modelEnt{code: zone.CreditCode, org: RegulatorMSP, status: map[string]string{"regulator": "ACTIVE"}, approved: map[string]bool{"regulator": true}, member: zone.Identity}

	var accepted []acceptedWrite
	seq := 0
	pickEnt := func() *modelEnt {
		codes := make([]string, 0, len(m.ents))
		for c := range m.ents {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		return m.ents[codes[rng.IntN(len(codes))]]
	}
	pickOrg := func() string { return Orgs[rng.IntN(len(Orgs))] }
	pickKind := func() string { return allKinds[rng.IntN(len(allKinds))] }
	// zoneRegulator: the regulator organisation's admin, or a member of an
	// enterprise of that organisation that holds the regulator kind.
	type actor struct {
		id    *identity.Identity
		admin string // organisation, when an admin
		ent   *modelEnt
	}
	pickActor := func() actor {
		if rng.IntN(2) == 0 {
			org := pickOrg()
			return actor{id: n.Admins[org], admin: org}
		}
		e := pickEnt()
		return actor{id: e.member, ent: e}
	}
	isZone := func(a actor) bool {
		if a.admin != "" {
			return a.admin == RegulatorMSP
		}
		return a.ent.org == RegulatorMSP && a.ent.holds("regulator")
	}
	check := func(step int, what string, err error, want bool) {
		t.Helper()
		got := Code(err)
		if want && got != "" || !want && (got == "" || !isGate(got) && got != "CONFLICT") {
			t.Fatalf("step %d: %s: code %q, model says allowed=%v", step, what, got, want)
		}
	}

	for step := 0; step < steps; step++ {
		seq++
		switch op := rng.IntN(10); {
		case op < 2: // register
			org := pickOrg()
			// Mostly kinds the organisation may grant, so that the ledger
			// fills with enterprises that act; sometimes any kind.
			kindOf := func() string {
				if rng.IntN(10) < 7 {
					g := genesisGrants[org]
					return g[rng.IntN(len(g))]
				}
				return pickKind()
			}
			kinds := []string{kindOf()}
			if rng.IntN(3) == 0 {
				kinds = append(kinds, kindOf())
			}
			code := CreditCode(t, 5000+seq)
			in, _ := json.Marshal(map[string]any{"creditCode": code, "name": fmt.Sprint("企业", seq), "kinds": kinds})
			_, err := n.Submit(n.Admins[org], api.TxRegisterEnterprise, string(in))
			ok := true
			for _, k := range kinds {
				ok = ok && slices.Contains(genesisGrants[org], k)
			}
			check(step, "register "+org+" "+strings.Join(kinds, ","), err, ok)
			if ok {
				e := &modelEnt{code: code, org: org, status: map[string]string{}, approved: map[string]bool{}}
				for _, k := range kinds {
					e.status[k] = "ACTIVE"
					if slices.Contains(TrustKinds, k) {
						e.status[k] = "PENDING_APPROVAL"
					}
				}
				e.member = n.Enrol(org, code, fmt.Sprint("member ", seq)).Identity
				m.ents[code] = e
			}
		case op < 3: // grant
			e, kind, a := pickEnt(), pickKind(), pickActor()
			_, err := n.C.GrantKind(n.Ctx, a.id, e.code, kind)
			ok := a.admin == e.org && slices.Contains(genesisGrants[e.org], kind) && (e.status[kind] == "" || e.status[kind] == "REVOKED")
			check(step, "grant "+kind+" to "+e.code, err, ok)
			if ok {
				e.status[kind], e.approved[kind] = "ACTIVE", false
				if slices.Contains(TrustKinds, kind) {
					e.status[kind] = "PENDING_APPROVAL"
				}
			}
		case op < 5: // approve
			e, a := pickEnt(), pickActor()
			if rng.IntN(2) == 0 {
				a = actor{id: n.Admins[RegulatorMSP], admin: RegulatorMSP}
			}
			kind := pickKind()
			for k, st := range e.status { // prefer a pending kind
				if st == "PENDING_APPROVAL" && rng.IntN(2) == 0 {
					kind = k
				}
			}
			_, err := n.C.ApproveKind(n.Ctx, a.id, e.code, kind)
			ok := isZone(a) && e.status[kind] == "PENDING_APPROVAL"
			check(step, "approve "+kind+" of "+e.code, err, ok)
			if ok {
				e.status[kind], e.approved[kind] = "ACTIVE", true
			}
		case op < 6: // revoke
			e, kind, a := pickEnt(), pickKind(), pickActor()
			if e == m.ents[zone.CreditCode] && rng.IntN(4) != 0 {
				continue // keep a zone regulator most of the time
			}
			_, err := n.C.RevokeKind(n.Ctx, a.id, e.code, kind, "property test")
			ok := (a.admin == e.org || isZone(a)) && e.status[kind] != "" && e.status[kind] != "REVOKED"
			check(step, "revoke "+kind+" of "+e.code, err, ok)
			if ok {
				e.status[kind] = "REVOKED"
			}
		default: // a write that needs a kind
			e := pickEnt()
			var fn api.Tx
			var args, need []string
			// Mostly a write the enterprise may make, when it may make one.
			which := rng.IntN(4)
			if rng.IntN(10) < 6 {
				for w, k := range []string{"producer", "regulator", "inspector", "insurer"} {
					if e.holds(k) || k == "producer" && e.holds("processor") {
						which = w
					}
				}
			}
			switch which {
			case 0:
				fn, need = api.TxCreateProduct, []string{"producer", "processor"}
				args = []string{trJSON(map[string]any{"gtin": wrGTIN(t, 1000+seq), "nameZh": "茶", "category": "tea", "giStatus": "NONE"})}
			case 1:
				fn, need = api.TxRecordSanction, []string{"regulator"}
				args = []string{victim.CreditCode, trJSON(map[string]string{"reason": fmt.Sprint("step ", step), "basis": "清综试〔2026〕1号"})}
			case 2:
				fn, need = api.TxIssueCertificate, []string{"inspector"}
				args = []string{trJSON(map[string]any{"type": "QUARANTINE", "number": fmt.Sprint("PT-", seq), "subjects": []trObj{trLotRef(gtin, "P1")},
					"documentSha256": strings.Repeat("4", 64), "validFrom": "2026-03-01", "validUntil": "2026-05-01", "result": "PASS"})}
			default:
				fn, need = api.TxSetCreditLimit, []string{"insurer"}
				args = []string{trJSON(insLimitInput(victim.CreditCode, insBuyer{Name: "Rotterdam Thee BV", Country: "NL", RegistrationID: fmt.Sprint("KVK-", seq)}, "5000.00", "EUR", "2026-04-01", "2027-03-31"))}
			}
			ok := slices.ContainsFunc(need, e.holds)
			c, err := n.Submit(e.member, fn, args...)
			if got := Code(err); ok && got != "" || !ok && !isGate(got) {
				t.Fatalf("step %d: %s by %s: code %q, model says allowed=%v", step, fn, e.code, got, ok)
			}
			if ok {
				accepted = append(accepted, acceptedWrite{txID: c.TxID, enterprise: e.code, kinds: need, step: step})
			}
		}
	}

	// The ledger's own account: the writer's enterprise as recorded in
	// force at the write's block held a needed kind.
	ctx := context.Background()
	for _, a := range accepted {
		tx, err := n.Ledger.Transaction(ctx, a.txID)
		if err != nil {
			t.Fatal(err)
		}
		var hist []api.EnterpriseVersion
		Into(n.T, &hist)(n.C.GetEnterpriseHistory(n.Ctx, zone.Identity, a.enterprise))
		var inForce *api.Enterprise
		for _, v := range hist { // newest first
			vt, err := n.Ledger.Transaction(ctx, v.TxID)
			if err != nil {
				t.Fatal(err)
			}
			if vt.BlockNumber < tx.BlockNumber {
				inForce = v.Enterprise
				break
			}
		}
		if inForce == nil || !slices.ContainsFunc(a.kinds, func(k string) bool { return slices.Contains(inForce.Kinds, k) }) {
			t.Errorf("step %d: write %s by %s accepted, but the enterprise in force held %v", a.step, a.txID, a.enterprise, inForce)
		}
	}
	if len(accepted) == 0 {
		t.Errorf("seed %d: no write was accepted; the property was not exercised", seed)
	}
	t.Logf("seed %d: %d steps, %d enterprises, %d writes accepted", seed, steps, len(m.ents), len(accepted))
}
