package registry

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/uscc"
)

func allKinds() []string {
	return []string{api.KindBank, api.KindCustoms, api.KindCustomsBroker, api.KindExporter, api.KindInspector, api.KindInsurer, api.KindLogistics, api.KindProcessor, api.KindProducer, api.KindRegulator, api.KindWarehouse}
}

const (
	objEnterprise       = "enterprise"
	objMember           = "member"
	idxEnterpriseByMSP  = "enterprise~msp"
	idxMemberOfEnterpr  = "enterprise~member"
	maxMembersPerListed = 1000
)

// Registry is the on-ledger enterprise registry: which enterprise each
// member identity acts for, and what kinds of business that enterprise does.
type Registry struct{}

// RegisterEnterprise registers an enterprise in the caller's organisation.
// Only an organisation admin (OU "admin") may do so, and only with kinds
// that the governance configuration lets that organisation grant. Kinds
// that carry public trust wait for the zone regulator's approval.
func (r *Registry) RegisterEnterprise(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	if !c.Admin {
		return "", kit.Errf(api.CodeForbidden, "only an organisation admin registers enterprises")
	}
	var in api.EnterpriseInput
	if err := kit.DecodeArg("enterprise", input, &in); err != nil {
		return "", err
	}
	if err := uscc.Validate(in.CreditCode); err != nil {
		return "", kit.Errf(api.CodeInvalidArgument, "creditCode: %v", err)
	}
	e := api.Enterprise{CreditCode: in.CreditCode, MSPID: c.MSPID, Status: api.EnterpriseActive, RegisteredBy: c.ID, TxID: ctx.GetStub().GetTxID()}
	if e.Name, err = kit.CleanText("name", in.Name, true, 100); err != nil {
		return "", err
	}
	if e.NameEn, err = kit.CleanText("nameEn", in.NameEn, false, 200); err != nil {
		return "", err
	}
	kinds, err := checkKinds(in.Kinds)
	if err != nil {
		return "", err
	}
	g, err := loadGovernance(ctx)
	if err != nil {
		return "", err
	}
	for _, kind := range kinds {
		if !mayGrant(g, c.MSPID, kind) {
			return "", kit.Errf(api.CodeKindNotGrantable, "%s may not grant the %s kind (governance version %d)", c.MSPID, kind, g.Version)
		}
	}
	k, err := kit.Key(ctx, objEnterprise, e.CreditCode)
	if err != nil {
		return "", err
	}
	var existing api.Enterprise
	if found, err := kit.GetJSON(ctx, k, &existing); err != nil {
		return "", err
	} else if found {
		// Say nothing about the other party's record.
		return "", kit.Errf(api.CodeAlreadyExists, "enterprise %s is already registered", e.CreditCode)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	e.RegisteredAt = now.Format(kit.TimeLayout)
	for _, kind := range kinds {
		e.Grants = append(e.Grants, newGrant(ctx, g, kind, c, now.Format(kit.TimeLayout)))
	}
	e.LastChange = &api.GrantChange{Action: "registered", By: c.MSPID, At: e.RegisteredAt, TxID: e.TxID}
	if err := saveEnterprise(ctx, g, &e); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxEnterpriseByMSP, e.MSPID, e.CreditCode); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "EnterpriseRegistered", api.Event{Entity: "enterprise", ID: e.CreditCode, Action: "registered", By: c.MSPID, Data: map[string]any{"kinds": e.Kinds, "pendingKinds": e.Pending}}); err != nil {
		return "", err
	}
	return kit.ToJSON(e)
}

func newGrant(ctx contractapi.TransactionContextInterface, g *api.Governance, kind string, by *api.Caller, at string) api.KindGrant {
	gr := api.KindGrant{Kind: kind, Status: api.GrantActive, GrantedBy: by.MSPID, GrantedAt: at, GrantTx: ctx.GetStub().GetTxID()}
	if needsApproval(g, kind) {
		gr.Status = api.GrantPending
	}
	return gr
}

// saveEnterprise recomputes the kinds in effect and writes the record.
func saveEnterprise(ctx contractapi.TransactionContextInterface, g *api.Governance, e *api.Enterprise) error {
	slices.SortFunc(e.Grants, func(a, b api.KindGrant) int { return strings.Compare(a.Kind, b.Kind) })
	effectiveKinds(g, e)
	k, err := kit.Key(ctx, objEnterprise, e.CreditCode)
	if err != nil {
		return err
	}
	return kit.PutJSON(ctx, k, e)
}

// effectiveKinds fills Kinds and Pending from the grants under the
// configuration in force: a grant counts while it is active, its
// organisation may still grant the kind, and (for a trust kind) the zone
// regulator approved it.
func effectiveKinds(g *api.Governance, e *api.Enterprise) {
	e.Kinds, e.Pending = []string{}, nil
	for _, gr := range e.Grants {
		switch {
		case gr.Status == api.GrantPending:
			e.Pending = append(e.Pending, gr.Kind)
		case gr.Status != api.GrantActive, !mayGrant(g, e.MSPID, gr.Kind):
		case needsApproval(g, gr.Kind) && gr.ApprovedBy == "":
			e.Pending = append(e.Pending, gr.Kind)
		default:
			e.Kinds = append(e.Kinds, gr.Kind)
		}
	}
}

// GrantKind grants one more kind to an enterprise. Only an admin of the
// enterprise's own organisation may, and only a kind that organisation
// may grant.
func (r *Registry) GrantKind(ctx contractapi.TransactionContextInterface, creditCode, kind string) (string, error) {
	c, e, g, err := grantAction(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if !c.Admin || c.MSPID != e.MSPID {
		return "", kit.Errf(api.CodeForbidden, "only an admin of %s grants kinds to %s", e.MSPID, e.CreditCode)
	}
	if _, err := checkKinds([]string{kind}); err != nil {
		return "", err
	}
	if !mayGrant(g, c.MSPID, kind) {
		return "", kit.Errf(api.CodeKindNotGrantable, "%s may not grant the %s kind (governance version %d)", c.MSPID, kind, g.Version)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	at := now.Format(kit.TimeLayout)
	i := slices.IndexFunc(e.Grants, func(gr api.KindGrant) bool { return gr.Kind == kind })
	if i >= 0 && e.Grants[i].Status != api.GrantRevoked {
		return "", kit.Errf(api.CodeConflict, "%s already holds the %s kind (%s)", e.CreditCode, kind, e.Grants[i].Status)
	}
	gr := newGrant(ctx, g, kind, c, at)
	if i >= 0 {
		e.Grants[i] = gr
	} else {
		e.Grants = append(e.Grants, gr)
	}
	e.LastChange = &api.GrantChange{Action: "granted", Kind: kind, By: c.MSPID, At: at, TxID: ctx.GetStub().GetTxID()}
	return finishGrantChange(ctx, g, e, "KindGranted", "kind-granted", c.MSPID)
}

// ApproveKind is the zone regulator's approval of a trust kind granted to
// an enterprise; only then does the kind take effect.
func (r *Registry) ApproveKind(ctx contractapi.TransactionContextInterface, creditCode, kind string) (string, error) {
	c, e, g, err := grantAction(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if !isZoneRegulator(c, g) {
		return "", kit.Errf(api.CodeForbidden, "only the zone regulator (%s) approves kinds", g.RegulatorMSP)
	}
	i := slices.IndexFunc(e.Grants, func(gr api.KindGrant) bool { return gr.Kind == kind })
	if i < 0 || !waitingForApproval(g, e.Grants[i]) {
		return "", kit.Errf(api.CodeConflict, "%s has no %s grant waiting for approval", e.CreditCode, kit.Clip(kind))
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	at := now.Format(kit.TimeLayout)
	gr := &e.Grants[i]
	if err := grantLife().Apply("approve", e.CreditCode+" "+kind, &gr.Status); err != nil {
		return "", err
	}
	gr.ApprovedBy, gr.ApprovedAt, gr.ApproveTx = approverOf(c), at, ctx.GetStub().GetTxID()
	e.LastChange = &api.GrantChange{Action: "approved", Kind: kind, By: approverOf(c), At: at, TxID: ctx.GetStub().GetTxID()}
	return finishGrantChange(ctx, g, e, "KindApproved", "kind-approved", c.MSPID)
}

// RevokeKind withdraws a kind (granted or still waiting for approval).
// The enterprise's organisation admin or the zone regulator may revoke;
// it takes effect on the next transaction.
func (r *Registry) RevokeKind(ctx contractapi.TransactionContextInterface, creditCode, kind, reason string) (string, error) {
	c, e, g, err := grantAction(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if !(c.Admin && c.MSPID == e.MSPID) && !isZoneRegulator(c, g) {
		return "", kit.Errf(api.CodeForbidden, "only an admin of %s or the zone regulator revokes kinds of %s", e.MSPID, e.CreditCode)
	}
	why, err := kit.CleanText("reason", reason, true, 500)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(e.Grants, func(gr api.KindGrant) bool { return gr.Kind == kind })
	if i < 0 || e.Grants[i].Status == api.GrantRevoked {
		return "", kit.Errf(api.CodeConflict, "%s holds no %s grant to revoke", e.CreditCode, kit.Clip(kind))
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	at := now.Format(kit.TimeLayout)
	by := c.MSPID
	if isZoneRegulator(c, g) && !(c.Admin && c.MSPID == e.MSPID) {
		by = approverOf(c)
	}
	gr := &e.Grants[i]
	if err := grantLife().Apply("revoke", e.CreditCode+" "+kind, &gr.Status); err != nil {
		return "", err
	}
	gr.RevokedBy, gr.RevokedAt, gr.RevokeTx, gr.Reason = by, at, ctx.GetStub().GetTxID(), why
	e.LastChange = &api.GrantChange{Action: "revoked", Kind: kind, By: by, At: at, TxID: ctx.GetStub().GetTxID()}
	return finishGrantChange(ctx, g, e, "KindRevoked", "kind-revoked", c.MSPID)
}

// waitingForApproval: granted and not yet approved, including an active
// grant of a kind that the governance has since made a trust kind.
func waitingForApproval(g *api.Governance, gr api.KindGrant) bool {
	return gr.Status == api.GrantPending || gr.Status == api.GrantActive && gr.ApprovedBy == "" && needsApproval(g, gr.Kind)
}

func finishGrantChange(ctx contractapi.TransactionContextInterface, g *api.Governance, e *api.Enterprise, name, action, by string) (string, error) {
	if err := saveEnterprise(ctx, g, e); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, name, api.Event{Entity: "enterprise", ID: e.CreditCode, Action: action, By: by, Data: map[string]any{"kind": e.LastChange.Kind, "kinds": e.Kinds}}); err != nil {
		return "", err
	}
	return kit.ToJSON(e)
}

// isZoneRegulator: an admin of the zone regulator's organisation, or a
// member of an enterprise of that organisation holding the regulator kind.
func isZoneRegulator(c *api.Caller, g *api.Governance) bool {
	if c.MSPID != g.RegulatorMSP {
		return false
	}
	return c.Admin || c.HasKind(api.KindRegulator)
}

func approverOf(c *api.Caller) string {
	if c.Enterprise != nil && !c.Admin {
		return c.Enterprise.CreditCode
	}
	return c.MSPID
}

// grantAction resolves the caller and loads the enterprise a grant,
// approval or revocation changes, with the configuration in force.
func grantAction(ctx contractapi.TransactionContextInterface, creditCode string) (*api.Caller, *api.Enterprise, *api.Governance, error) {
	c, err := identify(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	g, err := loadGovernance(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	e, err := loadEnterpriseWith(ctx, g, creditCode)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, e, g, nil
}

// GetEnterpriseHistory lists every recorded state of an enterprise,
// newest first: its registration and each grant, approval and revocation.
func (r *Registry) GetEnterpriseHistory(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	if _, err := LoadEnterprise(ctx, creditCode); err != nil {
		return "", err
	}
	k, err := kit.Key(ctx, objEnterprise, creditCode)
	if err != nil {
		return "", err
	}
	it, err := ctx.GetStub().GetHistoryForKey(k)
	if err != nil {
		return "", kit.Errf(api.CodeInternal, "history: %v", err)
	}
	defer it.Close()
	out := []api.EnterpriseVersion{}
	for it.HasNext() && len(out) < maxHistoryVersions {
		m, err := it.Next()
		if err != nil {
			return "", kit.Errf(api.CodeInternal, "history: %v", err)
		}
		v := api.EnterpriseVersion{TxID: m.TxId}
		if m.Timestamp != nil {
			v.Timestamp = m.Timestamp.AsTime().UTC().Format(kit.TimeLayout)
		}
		if !m.IsDelete {
			var e api.Enterprise
			if err := kit.UnmarshalState(m.Value, &e); err != nil {
				return "", err
			}
			v.Enterprise = &e
		}
		out = append(out, v)
	}
	return kit.ToJSON(out)
}

const maxHistoryVersions = 500

// BindMember binds an identity of the enterprise's organisation to it. Only
// that organisation's admin may bind; an identity acts for one enterprise.
func (r *Registry) BindMember(ctx contractapi.TransactionContextInterface, creditCode, input string) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	e, err := LoadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if !c.Admin || c.MSPID != e.MSPID {
		return "", kit.Errf(api.CodeForbidden, "only an admin of %s binds members of %s", e.MSPID, e.CreditCode)
	}
	var in api.BindInput
	if err := kit.DecodeArg("member", input, &in); err != nil {
		return "", err
	}
	if err := checkClientID(in.ID); err != nil {
		return "", err
	}
	// The member must be an identity of the admin's own organisation: one
	// issued by the CA that issued the admin's certificate.
	if issuerOfClientID(in.ID) != issuerOfClientID(c.ID) {
		return "", kit.Errf(api.CodeForbidden, "the identity was not issued by %s's certificate authority; members bind only to an enterprise of their own organisation", e.MSPID)
	}
	label, err := kit.CleanText("label", in.Label, false, 100)
	if err != nil {
		return "", err
	}
	mk, err := kit.Key(ctx, objMember, e.MSPID, in.ID)
	if err != nil {
		return "", err
	}
	var existing api.Member
	if found, err := kit.GetJSON(ctx, mk, &existing); err != nil {
		return "", err
	} else if found {
		return "", kit.Errf(api.CodeAlreadyExists, "identity is already bound to enterprise %s", existing.CreditCode)
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	m := api.Member{MSPID: e.MSPID, ID: in.ID, Label: label, CreditCode: e.CreditCode, BoundAt: now.Format(kit.TimeLayout), BoundBy: c.ID}
	if err := kit.PutJSON(ctx, mk, m); err != nil {
		return "", err
	}
	if err := kit.PutIndex(ctx, idxMemberOfEnterpr, e.CreditCode, e.MSPID, in.ID); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "MemberBound", api.Event{Entity: "enterprise", ID: e.CreditCode, Action: "member-bound", By: c.MSPID}); err != nil {
		return "", err
	}
	return kit.ToJSON(m)
}

// UnbindMember removes a member identity from an enterprise.
func (r *Registry) UnbindMember(ctx contractapi.TransactionContextInterface, creditCode, memberID string) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	e, err := LoadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if !c.Admin || c.MSPID != e.MSPID {
		return "", kit.Errf(api.CodeForbidden, "only an admin of %s unbinds members of %s", e.MSPID, e.CreditCode)
	}
	if err := checkClientID(memberID); err != nil {
		return "", err
	}
	mk, err := kit.Key(ctx, objMember, e.MSPID, memberID)
	if err != nil {
		return "", err
	}
	var m api.Member
	if found, err := kit.GetJSON(ctx, mk, &m); err != nil {
		return "", err
	} else if !found || m.CreditCode != e.CreditCode {
		return "", kit.Errf(api.CodeNotFound, "identity is not a member of %s", e.CreditCode)
	}
	if err := ctx.GetStub().DelState(mk); err != nil {
		return "", kit.Errf(api.CodeInternal, "delete member: %v", err)
	}
	if err := kit.DelIndex(ctx, idxMemberOfEnterpr, e.CreditCode, e.MSPID, memberID); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "MemberUnbound", api.Event{Entity: "enterprise", ID: e.CreditCode, Action: "member-unbound", By: c.MSPID}); err != nil {
		return "", err
	}
	return kit.ToJSON(m)
}

// GetEnterprise returns an enterprise and its members.
func (r *Registry) GetEnterprise(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	e, err := LoadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	v := api.EnterpriseView{Enterprise: *e, Members: []api.Member{}}
	tails, err := kit.IndexTails(ctx, idxMemberOfEnterpr, []string{e.CreditCode})
	if err != nil {
		return "", err
	}
	for _, t := range tails {
		if len(v.Members) >= maxMembersPerListed {
			break
		}
		mk, err := kit.Key(ctx, objMember, t[0], t[1])
		if err != nil {
			return "", err
		}
		var m api.Member
		if found, err := kit.GetJSON(ctx, mk, &m); err != nil {
			return "", err
		} else if found {
			v.Members = append(v.Members, m)
		}
	}
	return kit.ToJSON(v)
}

// ListEnterprises lists the enterprises of one organisation (MSP ID), or of
// all organisations when mspID is empty.
func (r *Registry) ListEnterprises(ctx contractapi.TransactionContextInterface, mspID string) (string, error) {
	out := []api.Enterprise{}
	if mspID == "" {
		g, err := loadGovernance(ctx)
		if err != nil {
			return "", err
		}
		it, err := ctx.GetStub().GetStateByPartialCompositeKey(objEnterprise, nil)
		if err != nil {
			return "", kit.Errf(api.CodeInternal, "list: %v", err)
		}
		defer it.Close()
		for it.HasNext() {
			kv, err := it.Next()
			if err != nil {
				return "", kit.Errf(api.CodeInternal, "list: %v", err)
			}
			var e api.Enterprise
			if err := kit.UnmarshalState(kv.Value, &e); err != nil {
				return "", err
			}
			effectiveKinds(g, &e) // the kinds in effect now, as LoadEnterprise
			out = append(out, e)
		}
		return kit.ToJSON(out)
	}
	g, err := loadGovernance(ctx)
	if err != nil {
		return "", err
	}
	tails, err := kit.IndexTails(ctx, idxEnterpriseByMSP, []string{mspID})
	if err != nil {
		return "", err
	}
	for _, t := range tails {
		e, err := loadEnterpriseWith(ctx, g, t[0])
		if err != nil {
			return "", err
		}
		out = append(out, *e)
	}
	return kit.ToJSON(out)
}

// WhoAmI resolves the caller through the registry.
func (r *Registry) WhoAmI(ctx contractapi.TransactionContextInterface) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(c)
}

// identify resolves the caller: MSP ID, cid ID, admin OU, and the enterprise
// the identity is bound to (nil when unbound).
func identify(ctx contractapi.TransactionContextInterface) (*api.Caller, error) {
	ci := ctx.GetClientIdentity()
	msp, err := ci.GetMSPID()
	if err != nil {
		return nil, kit.Errf(api.CodeForbidden, "cannot read caller's MSP ID: %v", err)
	}
	id, err := ci.GetID()
	if err != nil {
		return nil, kit.Errf(api.CodeForbidden, "cannot read caller's identity: %v", err)
	}
	admin, err := cid.HasOUValue(ctx.GetStub(), "admin")
	if err != nil {
		admin = false
	}
	c := &api.Caller{MSPID: msp, ID: id, Admin: admin}
	mk, err := kit.Key(ctx, objMember, msp, id)
	if err != nil {
		return nil, err
	}
	var m api.Member
	found, err := kit.GetJSON(ctx, mk, &m)
	if err != nil {
		return nil, err
	}
	if found {
		e, err := LoadEnterprise(ctx, m.CreditCode)
		if err != nil {
			return nil, err
		}
		c.Enterprise = e
	}
	return c, nil
}

// RequireKind resolves the caller and insists that its enterprise is active
// and does one of the given kinds of business.
func RequireKind(ctx contractapi.TransactionContextInterface, action string, kinds ...string) (*api.Caller, error) {
	c, err := identify(ctx)
	if err != nil {
		return nil, err
	}
	if err := kit.MayAct(c, action, kinds...); err != nil {
		return nil, err
	}
	return c, nil
}

// RequireEnterprise resolves the caller and insists that it acts for an
// active enterprise, whatever its kinds.
func RequireEnterprise(ctx contractapi.TransactionContextInterface, action string) (*api.Caller, error) {
	return RequireKind(ctx, action, allKinds()...)
}

func LoadEnterprise(ctx contractapi.TransactionContextInterface, creditCode string) (*api.Enterprise, error) {
	// The kinds in effect follow the configuration in force now, so that a
	// governance change takes effect on the next transaction.
	g, err := loadGovernance(ctx)
	if err != nil {
		return nil, err
	}
	return loadEnterpriseWith(ctx, g, creditCode)
}

// loadEnterpriseWith loads an enterprise with its kinds in effect under g.
func loadEnterpriseWith(ctx contractapi.TransactionContextInterface, g *api.Governance, creditCode string) (*api.Enterprise, error) {
	if err := uscc.Validate(creditCode); err != nil {
		return nil, kit.Errf(api.CodeInvalidArgument, "creditCode: %v", err)
	}
	k, err := kit.Key(ctx, objEnterprise, creditCode)
	if err != nil {
		return nil, err
	}
	var e api.Enterprise
	found, err := kit.GetJSON(ctx, k, &e)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, kit.Errf(api.CodeNotFound, "enterprise %s is not registered", creditCode)
	}
	effectiveKinds(g, &e)
	return &e, nil
}

func checkKinds(kinds []string) ([]string, error) {
	if len(kinds) == 0 {
		return nil, kit.Errf(api.CodeInvalidArgument, "kinds: at least one of %s", strings.Join(allKinds(), ", "))
	}
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		if !slices.Contains(allKinds(), k) {
			return nil, kit.Errf(api.CodeInvalidArgument, "kinds: unknown kind %q (one of %s)", k, strings.Join(allKinds(), ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

// issuerOfClientID is the issuer part of a cid.GetID value
// (base64 of "x509::<subject>::<issuer>").
func issuerOfClientID(id string) string {
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil {
		return ""
	}
	i := strings.LastIndex(string(raw), "::")
	if i < 0 {
		return ""
	}
	return string(raw[i+2:])
}

// checkClientID insists on the form cid.GetID produces: base64 of
// "x509::<subject>::<issuer>".
func checkClientID(id string) error {
	if id == "" || len(id) > 2048 {
		return kit.Errf(api.CodeInvalidArgument, "member id is empty or too long")
	}
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || !strings.HasPrefix(string(raw), "x509::") || strings.Count(string(raw), "::") < 2 {
		return kit.Errf(api.CodeInvalidArgument, "member id must be a client identity id (base64 of x509::subject::issuer)")
	}
	return nil
}
