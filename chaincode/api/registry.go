package api

import (
	"slices"
)

// Governance is the ledger configuration that says which organisation may
// grant which kinds of business, which kinds carry public trust (and so
// take effect only once the zone regulator approves them), and which
// organisation is the zone regulator's. Only a majority of the listed
// organisations' admins can change it (ProposeGovernance,
// ApproveGovernance).
type Governance struct {
	Version      int        `json:"version"`
	RegulatorMSP string     `json:"regulatorMsp"`
	Orgs         []OrgGrant `json:"orgs"`
	TrustKinds   []string   `json:"trustKinds"`
	AdoptedAt    string     `json:"adoptedAt,omitempty"`
	AdoptedTx    string     `json:"adoptedTx,omitempty"`
	ProposalID   string     `json:"proposalId,omitempty"`
}

// OrgGrant is one organisation and the kinds its admins may grant to the
// enterprises of that organisation.
type OrgGrant struct {
	MSPID string   `json:"mspId"`
	Kinds []string `json:"kinds"`
}

// GovernanceProposal is a proposed new configuration and the
// organisations whose admins approved it.
type GovernanceProposal struct {
	ID          string     `json:"id"`
	BaseVersion int        `json:"baseVersion"`
	Config      Governance `json:"config"`
	ProposedBy  string     `json:"proposedBy"`
	ProposedAt  string     `json:"proposedAt"`
	Approvals   []string   `json:"approvals"`
	Needed      int        `json:"needed"`
	Status      string     `json:"status"`
}

type GovernanceInput struct {
	RegulatorMSP string     `json:"regulatorMsp"`
	Orgs         []OrgGrant `json:"orgs"`
	TrustKinds   []string   `json:"trustKinds"`
}

const KindProducer = "producer"

const KindProcessor = "processor"

const KindLogistics = "logistics"

const KindWarehouse = "warehouse"

const KindExporter = "exporter"

const KindBank = "bank"

const KindInsurer = "insurer"

const KindInspector = "inspector"

const KindRegulator = "regulator"

// KindCustomsBroker declares goods to customs on exporters' behalf.
const KindCustomsBroker = "customs_broker"

// KindCustoms is the customs authority (海关): it releases export
// declarations. A public-trust kind the zone regulator's organisation
// grants, as it grants the inspector kind.
const KindCustoms = "customs"

const GrantPending = "PENDING_APPROVAL"

const GrantActive = "ACTIVE"

const GrantRevoked = "REVOKED"

const EnterpriseActive = "ACTIVE"

// Enterprise is a registered enterprise. Kinds lists the kinds of
// business in effect: granted by its organisation under the governance
// configuration in force and, where the kind carries public trust,
// approved by the zone regulator. Grants keeps every grant with its state.
type Enterprise struct {
	CreditCode   string       `json:"creditCode"`
	Name         string       `json:"name"`
	NameEn       string       `json:"nameEn,omitempty"`
	MSPID        string       `json:"mspId"`
	Kinds        []string     `json:"kinds"`
	Grants       []KindGrant  `json:"grants"`
	Status       string       `json:"status"`
	RegisteredAt string       `json:"registeredAt"`
	RegisteredBy string       `json:"registeredBy"`
	TxID         string       `json:"txId"`
	Pending      []string     `json:"pendingKinds,omitempty"`
	LastChange   *GrantChange `json:"lastChange,omitempty"`
}

// KindGrant is one kind granted to an enterprise.
type KindGrant struct {
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	GrantedBy  string `json:"grantedBy"`
	GrantedAt  string `json:"grantedAt"`
	GrantTx    string `json:"grantTx"`
	ApprovedBy string `json:"approvedBy,omitempty"`
	ApprovedAt string `json:"approvedAt,omitempty"`
	ApproveTx  string `json:"approveTx,omitempty"`
	RevokedBy  string `json:"revokedBy,omitempty"`
	RevokedAt  string `json:"revokedAt,omitempty"`
	RevokeTx   string `json:"revokeTx,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// GrantChange says what the last write to the enterprise did, so that its
// key history reads as a log of grants, approvals and revocations.
type GrantChange struct {
	Action string `json:"action"`
	Kind   string `json:"kind,omitempty"`
	By     string `json:"by"`
	At     string `json:"at"`
	TxID   string `json:"txId"`
}

// Member binds one identity (MSP ID + cid ID) to an enterprise.
type Member struct {
	MSPID      string `json:"mspId"`
	ID         string `json:"id"`
	Label      string `json:"label,omitempty"`
	CreditCode string `json:"creditCode"`
	BoundAt    string `json:"boundAt"`
	BoundBy    string `json:"boundBy"`
}

// EnterpriseView is an enterprise with its members.
type EnterpriseView struct {
	Enterprise
	Members []Member `json:"members"`
}

// Caller is the identity behind a transaction, resolved through the registry.
type Caller struct {
	MSPID      string      `json:"mspId"`
	ID         string      `json:"id"`
	Admin      bool        `json:"admin"`
	Enterprise *Enterprise `json:"enterprise,omitempty"`
}

// HasKind reports whether the caller's enterprise does this kind of business.
func (c *Caller) HasKind(kind string) bool {
	return c.Enterprise != nil && slices.Contains(c.Enterprise.Kinds, kind)
}

type EnterpriseInput struct {
	CreditCode string   `json:"creditCode"`
	Name       string   `json:"name"`
	NameEn     string   `json:"nameEn"`
	Kinds      []string `json:"kinds"`
}

// EnterpriseVersion is one state of an enterprise in its key history.
type EnterpriseVersion struct {
	TxID       string      `json:"txId"`
	Timestamp  string      `json:"timestamp"`
	Enterprise *Enterprise `json:"enterprise"`
}

type BindInput struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}
