package registry

import (
	"regexp"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

const (
	objGovernance         = "governance"
	objGovernanceProposal = "governance~proposal"
	proposalOpen          = "OPEN"
	proposalAdopted       = "ADOPTED"
)

// genesisGovernance is the zone's founding configuration, in force until
// the organisations adopt another. It names the pilot zone's five
// organisations (network/configtx.yaml).
func genesisGovernance() api.Governance {
	return api.Governance{
		Version:      0,
		RegulatorMSP: "RegulatorMSP",
		Orgs: []api.OrgGrant{
			{MSPID: "BankMSP", Kinds: []string{api.KindBank}},
			{MSPID: "InsurerMSP", Kinds: []string{api.KindInsurer}},
			{MSPID: "PlatformMSP", Kinds: []string{api.KindCustomsBroker, api.KindExporter, api.KindLogistics, api.KindProcessor, api.KindProducer}},
			{MSPID: "RegulatorMSP", Kinds: []string{api.KindCustoms, api.KindInspector, api.KindRegulator}},
			{MSPID: "WarehouseMSP", Kinds: []string{api.KindLogistics, api.KindWarehouse}},
		},
		TrustKinds: []string{api.KindBank, api.KindCustoms, api.KindCustomsBroker, api.KindInspector, api.KindInsurer, api.KindRegulator, api.KindWarehouse},
	}
}

// loadGovernance reads the configuration in force (a real read, so a
// transaction that relied on it is invalidated if it changes meanwhile).
func loadGovernance(ctx contractapi.TransactionContextInterface) (*api.Governance, error) {
	var g api.Governance
	found, err := kit.GetJSON(ctx, objGovernance, &g)
	if err != nil {
		return nil, err
	}
	if !found {
		g = genesisGovernance()
	}
	return &g, nil
}

// mayGrant reports whether admins of msp may grant kind.
func mayGrant(g *api.Governance, msp, kind string) bool {
	for _, o := range g.Orgs {
		if o.MSPID == msp {
			return slices.Contains(o.Kinds, kind)
		}
	}
	return false
}

func isMember(g *api.Governance, msp string) bool {
	return slices.ContainsFunc(g.Orgs, func(o api.OrgGrant) bool { return o.MSPID == msp })
}

func needsApproval(g *api.Governance, kind string) bool {
	return slices.Contains(g.TrustKinds, kind)
}

// majority is the number of organisations whose admins must approve a
// change: more than half of the organisations listed.
func majority(g *api.Governance) int { return len(g.Orgs)/2 + 1 }

// GetGovernance returns the configuration in force.
func (r *Registry) GetGovernance(ctx contractapi.TransactionContextInterface) (string, error) {
	g, err := loadGovernance(ctx)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(g)
}

var mspIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ProposeGovernance proposes a new configuration. Only an admin of an
// organisation listed in the configuration in force may propose; the
// proposer's organisation counts as its first approval.
func (r *Registry) ProposeGovernance(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	c, cur, err := governanceAdmin(ctx)
	if err != nil {
		return "", err
	}
	var in api.GovernanceInput
	if err := kit.DecodeArg("governance", input, &in); err != nil {
		return "", err
	}
	next, err := checkGovernance(in)
	if err != nil {
		return "", err
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return "", err
	}
	p := api.GovernanceProposal{ID: ctx.GetStub().GetTxID(), BaseVersion: cur.Version, Config: next, ProposedBy: c.MSPID,
		ProposedAt: now.Format(kit.TimeLayout), Approvals: []string{c.MSPID}, Needed: majority(cur), Status: proposalOpen}
	if err := adoptIfMajority(ctx, cur, &p); err != nil {
		return "", err
	}
	k, err := kit.Key(ctx, objGovernanceProposal, p.ID)
	if err != nil {
		return "", err
	}
	if err := kit.PutJSON(ctx, k, p); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "GovernanceProposed", api.Event{Entity: "governance", ID: p.ID, Action: "proposed", By: c.MSPID, Data: map[string]string{"status": p.Status}}); err != nil {
		return "", err
	}
	return kit.ToJSON(p)
}

// ApproveGovernance adds the caller's organisation's approval to a
// proposal; the proposal takes effect in the transaction that brings a
// majority. A proposal made against an older configuration is stale.
func (r *Registry) ApproveGovernance(ctx contractapi.TransactionContextInterface, proposalID string) (string, error) {
	c, cur, err := governanceAdmin(ctx)
	if err != nil {
		return "", err
	}
	k, p, err := loadProposal(ctx, proposalID)
	if err != nil {
		return "", err
	}
	// Approving moves the proposal toward adoption: it must still be open.
	if err := proposalLife().Check("adopt", p.ID, p.Status); err != nil {
		return "", err
	}
	switch {
	case p.BaseVersion != cur.Version:
		return "", kit.Errf(api.CodeConflict, "governance proposal %s was made against version %d; version %d is in force", p.ID, p.BaseVersion, cur.Version)
	case slices.Contains(p.Approvals, c.MSPID):
		return "", kit.Errf(api.CodeConflict, "%s has already approved governance proposal %s", c.MSPID, p.ID)
	}
	p.Approvals = append(p.Approvals, c.MSPID)
	slices.Sort(p.Approvals)
	p.Needed = majority(cur)
	if err := adoptIfMajority(ctx, cur, p); err != nil {
		return "", err
	}
	if err := kit.PutJSON(ctx, k, p); err != nil {
		return "", err
	}
	if err := kit.Emit(ctx, "GovernanceApproved", api.Event{Entity: "governance", ID: p.ID, Action: "approved", By: c.MSPID, Data: map[string]string{"status": p.Status}}); err != nil {
		return "", err
	}
	return kit.ToJSON(p)
}

// GetGovernanceProposal returns a proposal.
func (r *Registry) GetGovernanceProposal(ctx contractapi.TransactionContextInterface, proposalID string) (string, error) {
	_, p, err := loadProposal(ctx, proposalID)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(p)
}

func loadProposal(ctx contractapi.TransactionContextInterface, proposalID string) (string, *api.GovernanceProposal, error) {
	if err := checkTxIDArg("proposalId", proposalID); err != nil {
		return "", nil, err
	}
	k, err := kit.Key(ctx, objGovernanceProposal, proposalID)
	if err != nil {
		return "", nil, err
	}
	var p api.GovernanceProposal
	if found, err := kit.GetJSON(ctx, k, &p); err != nil {
		return "", nil, err
	} else if !found {
		return "", nil, kit.Errf(api.CodeNotFound, "governance proposal %s does not exist", proposalID)
	}
	return k, &p, nil
}

// governanceAdmin insists on an admin of an organisation listed in the
// configuration in force.
func governanceAdmin(ctx contractapi.TransactionContextInterface) (*api.Caller, *api.Governance, error) {
	c, err := identify(ctx)
	if err != nil {
		return nil, nil, err
	}
	g, err := loadGovernance(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !c.Admin || !isMember(g, c.MSPID) {
		return nil, nil, kit.Errf(api.CodeForbidden, "only an admin of an organisation in the zone's governance may propose or approve its changes")
	}
	return c, g, nil
}

func adoptIfMajority(ctx contractapi.TransactionContextInterface, cur *api.Governance, p *api.GovernanceProposal) error {
	// Only approvals of organisations in the configuration in force count.
	n := 0
	for _, a := range p.Approvals {
		if isMember(cur, a) {
			n++
		}
	}
	if n < majority(cur) {
		return nil
	}
	now, err := kit.TxTime(ctx)
	if err != nil {
		return err
	}
	next := p.Config
	next.Version = cur.Version + 1
	next.AdoptedAt = now.Format(kit.TimeLayout)
	next.AdoptedTx = ctx.GetStub().GetTxID()
	next.ProposalID = p.ID
	if err := kit.PutJSON(ctx, objGovernance, next); err != nil {
		return err
	}
	if err := proposalLife().Apply("adopt", p.ID, &p.Status); err != nil {
		return err
	}
	p.Config = next
	return nil
}

// checkGovernance validates a proposed configuration and returns it in
// canonical form (organisations and kinds sorted, no duplicates).
func checkGovernance(in api.GovernanceInput) (api.Governance, error) {
	g := api.Governance{RegulatorMSP: in.RegulatorMSP}
	if len(in.Orgs) == 0 || len(in.Orgs) > 50 {
		return g, kit.Errf(api.CodeInvalidArgument, "orgs: 1 to 50 organisations")
	}
	for _, o := range in.Orgs {
		if !mspIDPattern.MatchString(o.MSPID) {
			return g, kit.Errf(api.CodeInvalidArgument, "orgs: %q is not an MSP ID", kit.Clip(o.MSPID))
		}
		if slices.ContainsFunc(g.Orgs, func(x api.OrgGrant) bool { return x.MSPID == o.MSPID }) {
			return g, kit.Errf(api.CodeInvalidArgument, "orgs: %s is listed twice", o.MSPID)
		}
		kinds := []string{}
		if len(o.Kinds) > 0 {
			var err error
			if kinds, err = checkKinds(o.Kinds); err != nil {
				return g, err
			}
		}
		g.Orgs = append(g.Orgs, api.OrgGrant{MSPID: o.MSPID, Kinds: kinds})
	}
	slices.SortFunc(g.Orgs, func(a, b api.OrgGrant) int { return strings.Compare(a.MSPID, b.MSPID) })
	if !mayGrant(&g, g.RegulatorMSP, api.KindRegulator) {
		return g, kit.Errf(api.CodeInvalidArgument, "regulatorMsp must be a listed organisation that grants the regulator kind")
	}
	g.TrustKinds = []string{}
	if len(in.TrustKinds) > 0 {
		var err error
		if g.TrustKinds, err = checkKinds(in.TrustKinds); err != nil {
			return g, err
		}
	}
	return g, nil
}

var txIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func checkTxIDArg(field, id string) error {
	if !txIDPattern.MatchString(id) {
		return kit.Errf(api.CodeInvalidArgument, "%s must be a transaction id (64 lower-case hex digits)", field)
	}
	return nil
}
