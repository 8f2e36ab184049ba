package client

import (
	"context"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// WhoAmI is the caller as the registry sees it: its identity, enterprise
// and the kinds in effect.
func (c *Client) WhoAmI(ctx context.Context, as *identity.Identity) (api.Caller, error) {
	return evaluate[api.Caller](ctx, c, as, api.TxWhoAmI)
}

// GetGovernance is the ledger's governance configuration in effect.
func (c *Client) GetGovernance(ctx context.Context, as *identity.Identity) (api.Governance, error) {
	return evaluate[api.Governance](ctx, c, as, api.TxGetGovernance)
}

// ProposeGovernance proposes a new governance configuration.
func (c *Client) ProposeGovernance(ctx context.Context, as *identity.Identity, in api.GovernanceInput) (Written[api.GovernanceProposal], error) {
	return submitDoc[api.GovernanceProposal](ctx, c, as, api.TxProposeGovernance, in)
}

// ApproveGovernance adds the caller organisation's approval to a proposal.
func (c *Client) ApproveGovernance(ctx context.Context, as *identity.Identity, proposalID string) (Written[api.GovernanceProposal], error) {
	return submit[api.GovernanceProposal](ctx, c, as, api.TxApproveGovernance, proposalID)
}

// GetGovernanceProposal reads a governance proposal.
func (c *Client) GetGovernanceProposal(ctx context.Context, as *identity.Identity, proposalID string) (api.GovernanceProposal, error) {
	return evaluate[api.GovernanceProposal](ctx, c, as, api.TxGetGovernanceProposal, proposalID)
}

// RegisterEnterprise registers an enterprise in the caller's organisation.
func (c *Client) RegisterEnterprise(ctx context.Context, as *identity.Identity, in api.EnterpriseInput) (Written[api.Enterprise], error) {
	return submitDoc[api.Enterprise](ctx, c, as, api.TxRegisterEnterprise, in)
}

// GrantKind grants an enterprise a kind of business.
func (c *Client) GrantKind(ctx context.Context, as *identity.Identity, creditCode, kind string) (Written[api.Enterprise], error) {
	return submit[api.Enterprise](ctx, c, as, api.TxGrantKind, creditCode, kind)
}

// ApproveKind is the zone regulator's approval of a kind that carries
// public trust.
func (c *Client) ApproveKind(ctx context.Context, as *identity.Identity, creditCode, kind string) (Written[api.Enterprise], error) {
	return submit[api.Enterprise](ctx, c, as, api.TxApproveKind, creditCode, kind)
}

// RevokeKind revokes a kind, with the reason on the record.
func (c *Client) RevokeKind(ctx context.Context, as *identity.Identity, creditCode, kind, reason string) (Written[api.Enterprise], error) {
	return submit[api.Enterprise](ctx, c, as, api.TxRevokeKind, creditCode, kind, reason)
}

// GetEnterpriseHistory lists every version of an enterprise's record.
func (c *Client) GetEnterpriseHistory(ctx context.Context, as *identity.Identity, creditCode string) ([]api.EnterpriseVersion, error) {
	return evaluate[[]api.EnterpriseVersion](ctx, c, as, api.TxGetEnterpriseHistory, creditCode)
}

// BindMember binds an identity of the enterprise's organisation to it.
func (c *Client) BindMember(ctx context.Context, as *identity.Identity, creditCode string, in api.BindInput) (Written[api.Member], error) {
	return submitDoc[api.Member](ctx, c, as, api.TxBindMember, in, creditCode)
}

// UnbindMember ends a member's binding.
func (c *Client) UnbindMember(ctx context.Context, as *identity.Identity, creditCode, memberID string) (Written[api.Member], error) {
	return submit[api.Member](ctx, c, as, api.TxUnbindMember, creditCode, memberID)
}

// GetEnterprise reads an enterprise, with the kinds in effect.
func (c *Client) GetEnterprise(ctx context.Context, as *identity.Identity, creditCode string) (api.EnterpriseView, error) {
	return evaluate[api.EnterpriseView](ctx, c, as, api.TxGetEnterprise, creditCode)
}

// ListEnterprises lists the enterprises of an organisation ("" for all).
func (c *Client) ListEnterprises(ctx context.Context, as *identity.Identity, mspID string) ([]api.Enterprise, error) {
	return evaluate[[]api.Enterprise](ctx, c, as, api.TxListEnterprises, mspID)
}
