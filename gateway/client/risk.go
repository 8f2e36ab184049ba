package client

import (
	"context"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// AssessRisk runs the risk rules on a receivable or shipment and records
// the flags they raise.
func (c *Client) AssessRisk(ctx context.Context, as *identity.Identity, entity, entityID string) (Written[[]api.RiskFlag], error) {
	return submit[[]api.RiskFlag](ctx, c, as, api.TxAssessRisk, entity, entityID)
}

// GetRiskFlags reads the flags of a receivable or shipment.
func (c *Client) GetRiskFlags(ctx context.Context, as *identity.Identity, entity, entityID string) ([]api.RiskFlag, error) {
	return evaluate[[]api.RiskFlag](ctx, c, as, api.TxGetRiskFlags, entity, entityID)
}

// ResolveRiskFlag resolves a flag with a note.
func (c *Client) ResolveRiskFlag(ctx context.Context, as *identity.Identity, entity, entityID, code, note string) (Written[api.RiskFlag], error) {
	return submit[api.RiskFlag](ctx, c, as, api.TxResolveRiskFlag, entity, entityID, code, note)
}

// RecordSanction is the regulator's sanction of an enterprise.
func (c *Client) RecordSanction(ctx context.Context, as *identity.Identity, creditCode string, in api.SanctionInput) (Written[api.Sanction], error) {
	return submitDoc[api.Sanction](ctx, c, as, api.TxRecordSanction, in, creditCode)
}

// LiftSanction lifts a sanction.
func (c *Client) LiftSanction(ctx context.Context, as *identity.Identity, sanctionID, reason string) (Written[api.Sanction], error) {
	return submit[api.Sanction](ctx, c, as, api.TxLiftSanction, sanctionID, reason)
}

// ListSanctions lists an enterprise's sanctions.
func (c *Client) ListSanctions(ctx context.Context, as *identity.Identity, creditCode string) ([]api.Sanction, error) {
	return evaluate[[]api.Sanction](ctx, c, as, api.TxListSanctions, creditCode)
}
