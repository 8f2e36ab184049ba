package client

import (
	"context"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// CreateReceivable records a seller's invoice to a buyer.
func (c *Client) CreateReceivable(ctx context.Context, as *identity.Identity, in api.ReceivableInput) (Written[api.ReceivableView], error) {
	return submitDoc[api.ReceivableView](ctx, c, as, api.TxCreateReceivable, in)
}

// ConfirmReceivable is the buyer's confirmation of the debt.
func (c *Client) ConfirmReceivable(ctx context.Context, as *identity.Identity, receivableID string) (Written[api.ReceivableView], error) {
	return submit[api.ReceivableView](ctx, c, as, api.TxConfirmReceivable, receivableID)
}

// RejectReceivable is the buyer's refusal.
func (c *Client) RejectReceivable(ctx context.Context, as *identity.Identity, receivableID, reason string) (Written[api.ReceivableView], error) {
	return submit[api.ReceivableView](ctx, c, as, api.TxRejectReceivable, receivableID, reason)
}

// RecordReceivablePayment records a payment of the buyer.
func (c *Client) RecordReceivablePayment(ctx context.Context, as *identity.Identity, receivableID, amount, valueDate string) (Written[api.ReceivableView], error) {
	return submit[api.ReceivableView](ctx, c, as, api.TxRecordReceivablePayment, receivableID, amount, valueDate)
}

// MarkReceivableOverdue marks a receivable past its due date.
func (c *Client) MarkReceivableOverdue(ctx context.Context, as *identity.Identity, receivableID string) (Written[api.ReceivableView], error) {
	return submit[api.ReceivableView](ctx, c, as, api.TxMarkReceivableOverdue, receivableID)
}

// DeclareReceivableDefault declares the buyer in default.
func (c *Client) DeclareReceivableDefault(ctx context.Context, as *identity.Identity, receivableID string) (Written[api.ReceivableView], error) {
	return submit[api.ReceivableView](ctx, c, as, api.TxDeclareReceivableDefault, receivableID)
}

// GetReceivable reads a receivable with its risk flags.
func (c *Client) GetReceivable(ctx context.Context, as *identity.Identity, receivableID string) (api.ReceivableView, error) {
	return evaluate[api.ReceivableView](ctx, c, as, api.TxGetReceivable, receivableID)
}

// ListReceivables lists the receivables the caller is party to.
func (c *Client) ListReceivables(ctx context.Context, as *identity.Identity) ([]api.ReceivableView, error) {
	return evaluate[[]api.ReceivableView](ctx, c, as, api.TxListReceivables)
}
