package client

import (
	"context"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// IssueReceipt is a warehouse's receipt for goods in its custody.
func (c *Client) IssueReceipt(ctx context.Context, as *identity.Identity, in api.ReceiptInput) (Written[api.Receipt], error) {
	return submitDoc[api.Receipt](ctx, c, as, api.TxIssueReceipt, in)
}

// TransferReceipt endorses a receipt over to another enterprise.
func (c *Client) TransferReceipt(ctx context.Context, as *identity.Identity, receiptID, toCreditCode string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxTransferReceipt, receiptID, toCreditCode)
}

// SplitReceipt splits a receipt into parts; the answer is the new receipts.
func (c *Client) SplitReceipt(ctx context.Context, as *identity.Identity, receiptID string, in api.SplitInput) (Written[[]api.Receipt], error) {
	return submitDoc[[]api.Receipt](ctx, c, as, api.TxSplitReceipt, in, receiptID)
}

// RequestRedemption asks the warehouse to release the goods.
func (c *Client) RequestRedemption(ctx context.Context, as *identity.Identity, receiptID string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxRequestRedemption, receiptID)
}

// WithdrawRedemption withdraws a redemption request.
func (c *Client) WithdrawRedemption(ctx context.Context, as *identity.Identity, receiptID string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxWithdrawRedemption, receiptID)
}

// ConfirmRedemption is the warehouse's confirmation that the goods left.
func (c *Client) ConfirmRedemption(ctx context.Context, as *identity.Identity, receiptID string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxConfirmRedemption, receiptID)
}

// CancelReceipt cancels a receipt.
func (c *Client) CancelReceipt(ctx context.Context, as *identity.Identity, receiptID, reason string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxCancelReceipt, receiptID, reason)
}

// FreezeReceipt freezes a receipt (a regulator's or court's order).
func (c *Client) FreezeReceipt(ctx context.Context, as *identity.Identity, receiptID, reason string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxFreezeReceipt, receiptID, reason)
}

// UnfreezeReceipt lifts a freeze.
func (c *Client) UnfreezeReceipt(ctx context.Context, as *identity.Identity, receiptID, reason string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxUnfreezeReceipt, receiptID, reason)
}

// ClearRecalledReceipt records that a recall does not touch the goods of a
// receipt.
func (c *Client) ClearRecalledReceipt(ctx context.Context, as *identity.Identity, receiptID, note string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxClearRecalledReceipt, receiptID, note)
}

// ReleasePledge releases a receipt's pledge once its financing is over.
func (c *Client) ReleasePledge(ctx context.Context, as *identity.Identity, receiptID string) (Written[api.Receipt], error) {
	return submit[api.Receipt](ctx, c, as, api.TxReleasePledge, receiptID)
}

// GetReceipt reads a receipt.
func (c *Client) GetReceipt(ctx context.Context, as *identity.Identity, receiptID string) (api.Receipt, error) {
	return evaluate[api.Receipt](ctx, c, as, api.TxGetReceipt, receiptID)
}

// GetReceiptHistory lists every change of a receipt.
func (c *Client) GetReceiptHistory(ctx context.Context, as *identity.Identity, receiptID string) ([]api.ReceiptChange, error) {
	return evaluate[[]api.ReceiptChange](ctx, c, as, api.TxGetReceiptHistory, receiptID)
}

// GetReceiptVerification is a bank's due-diligence view of a receipt, in
// one evaluation with the caller's rights.
func (c *Client) GetReceiptVerification(ctx context.Context, as *identity.Identity, receiptID string) (api.ReceiptVerification, error) {
	return evaluate[api.ReceiptVerification](ctx, c, as, api.TxGetReceiptVerification, receiptID)
}

// ListReceiptsByHolder lists the receipts an enterprise holds.
func (c *Client) ListReceiptsByHolder(ctx context.Context, as *identity.Identity, creditCode string) ([]api.Receipt, error) {
	return evaluate[[]api.Receipt](ctx, c, as, api.TxListReceiptsByHolder, creditCode)
}

// ListReceiptsByWarehouse lists the receipts a warehouse issued.
func (c *Client) ListReceiptsByWarehouse(ctx context.Context, as *identity.Identity, creditCode string) ([]api.Receipt, error) {
	return evaluate[[]api.Receipt](ctx, c, as, api.TxListReceiptsByWarehouse, creditCode)
}
