package client

import (
	"context"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// SetCreditLimit is an insurer's credit limit on an overseas buyer.
func (c *Client) SetCreditLimit(ctx context.Context, as *identity.Identity, in api.CreditLimitInput) (Written[api.CreditLimitView], error) {
	return submitDoc[api.CreditLimitView](ctx, c, as, api.TxSetCreditLimit, in)
}

// GetCreditLimit reads a credit limit with what is used of it.
func (c *Client) GetCreditLimit(ctx context.Context, as *identity.Identity, limitID string) (api.CreditLimitView, error) {
	return evaluate[api.CreditLimitView](ctx, c, as, api.TxGetCreditLimit, limitID)
}

// ListCreditLimits lists the credit limits the caller is party to.
func (c *Client) ListCreditLimits(ctx context.Context, as *identity.Identity) ([]api.CreditLimitView, error) {
	return evaluate[[]api.CreditLimitView](ctx, c, as, api.TxListCreditLimits)
}

// IssuePolicy issues an export credit insurance policy.
func (c *Client) IssuePolicy(ctx context.Context, as *identity.Identity, in api.PolicyInput) (Written[api.Policy], error) {
	return submitDoc[api.Policy](ctx, c, as, api.TxIssuePolicy, in)
}

// GetPolicy reads a policy.
func (c *Client) GetPolicy(ctx context.Context, as *identity.Identity, policyID string) (api.Policy, error) {
	return evaluate[api.Policy](ctx, c, as, api.TxGetPolicy, policyID)
}

// ListPolicies lists the policies the caller is party to.
func (c *Client) ListPolicies(ctx context.Context, as *identity.Identity) ([]api.Policy, error) {
	return evaluate[[]api.Policy](ctx, c, as, api.TxListPolicies)
}

// DeclareShipment declares an insured shipment under a policy.
func (c *Client) DeclareShipment(ctx context.Context, as *identity.Identity, in api.ShipmentInput) (Written[api.ShipmentView], error) {
	return submitDoc[api.ShipmentView](ctx, c, as, api.TxDeclareShipment, in)
}

// GetShipment reads a shipment.
func (c *Client) GetShipment(ctx context.Context, as *identity.Identity, shipmentID string) (api.ShipmentView, error) {
	return evaluate[api.ShipmentView](ctx, c, as, api.TxGetShipment, shipmentID)
}

// ListShipments lists a policy's shipments.
func (c *Client) ListShipments(ctx context.Context, as *identity.Identity, policyID string) ([]api.ShipmentView, error) {
	return evaluate[[]api.ShipmentView](ctx, c, as, api.TxListShipments, policyID)
}

// RecordShipmentPayment records the buyer's payment for a shipment.
func (c *Client) RecordShipmentPayment(ctx context.Context, as *identity.Identity, shipmentID, amount, valueDate string) (Written[api.ShipmentView], error) {
	return submit[api.ShipmentView](ctx, c, as, api.TxRecordShipmentPayment, shipmentID, amount, valueDate)
}

// ReportBuyerDefault reports that the buyer has not paid.
func (c *Client) ReportBuyerDefault(ctx context.Context, as *identity.Identity, shipmentID string) (Written[api.ShipmentView], error) {
	return submit[api.ShipmentView](ctx, c, as, api.TxReportBuyerDefault, shipmentID)
}

// RequestAssignment asks the insurer to assign the claim proceeds of a
// shipment declared under policyID to a bank.
func (c *Client) RequestAssignment(ctx context.Context, as *identity.Identity, shipmentID, bank, policyID string) (Written[api.Assignment], error) {
	return submit[api.Assignment](ctx, c, as, api.TxRequestAssignment, shipmentID, bank, policyID)
}

// AcceptAssignment is the insurer's acceptance.
func (c *Client) AcceptAssignment(ctx context.Context, as *identity.Identity, assignmentID string) (Written[api.Assignment], error) {
	return submit[api.Assignment](ctx, c, as, api.TxAcceptAssignment, assignmentID)
}

// RejectAssignment is the insurer's refusal.
func (c *Client) RejectAssignment(ctx context.Context, as *identity.Identity, assignmentID, reason string) (Written[api.Assignment], error) {
	return submit[api.Assignment](ctx, c, as, api.TxRejectAssignment, assignmentID, reason)
}

// ReleaseAssignment is the bank's release of an assignment.
func (c *Client) ReleaseAssignment(ctx context.Context, as *identity.Identity, assignmentID string) (Written[api.Assignment], error) {
	return submit[api.Assignment](ctx, c, as, api.TxReleaseAssignment, assignmentID)
}

// GetAssignment reads an assignment.
func (c *Client) GetAssignment(ctx context.Context, as *identity.Identity, assignmentID string) (api.Assignment, error) {
	return evaluate[api.Assignment](ctx, c, as, api.TxGetAssignment, assignmentID)
}

// ListAssignments lists the assignments the caller is party to.
func (c *Client) ListAssignments(ctx context.Context, as *identity.Identity) ([]api.Assignment, error) {
	return evaluate[[]api.Assignment](ctx, c, as, api.TxListAssignments)
}

// FileClaim files a claim on a shipment.
func (c *Client) FileClaim(ctx context.Context, as *identity.Identity, shipmentID string, in api.ClaimInput) (Written[api.Claim], error) {
	return submitDoc[api.Claim](ctx, c, as, api.TxFileClaim, in, shipmentID)
}

// ApproveClaim is the insurer's approval.
func (c *Client) ApproveClaim(ctx context.Context, as *identity.Identity, claimID, note string) (Written[api.Claim], error) {
	return submit[api.Claim](ctx, c, as, api.TxApproveClaim, claimID, note)
}

// RejectClaim is the insurer's refusal.
func (c *Client) RejectClaim(ctx context.Context, as *identity.Identity, claimID, reason string) (Written[api.Claim], error) {
	return submit[api.Claim](ctx, c, as, api.TxRejectClaim, claimID, reason)
}

// PayClaim records the insurer's payment of an approved claim.
func (c *Client) PayClaim(ctx context.Context, as *identity.Identity, claimID, paymentDate string) (Written[api.Claim], error) {
	return submit[api.Claim](ctx, c, as, api.TxPayClaim, claimID, paymentDate)
}

// GetClaim reads a claim.
func (c *Client) GetClaim(ctx context.Context, as *identity.Identity, claimID string) (api.Claim, error) {
	return evaluate[api.Claim](ctx, c, as, api.TxGetClaim, claimID)
}

// ListClaims lists the claims the caller is party to.
func (c *Client) ListClaims(ctx context.Context, as *identity.Identity) ([]api.Claim, error) {
	return evaluate[[]api.Claim](ctx, c, as, api.TxListClaims)
}
