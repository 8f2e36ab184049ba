package client

import (
	"context"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// RecordDeclaration records an export declaration (a customs broker or
// customs).
func (c *Client) RecordDeclaration(ctx context.Context, as *identity.Identity, in api.DeclarationInput) (Written[api.Declaration], error) {
	return submitDoc[api.Declaration](ctx, c, as, api.TxRecordDeclaration, in)
}

// ReleaseDeclaration records customs' release of a declaration.
func (c *Client) ReleaseDeclaration(ctx context.Context, as *identity.Identity, number string, in api.DeclarationReleaseInput) (Written[api.Declaration], error) {
	return submitDoc[api.Declaration](ctx, c, as, api.TxReleaseDeclaration, in, number)
}

// GetDeclaration reads a declaration by its number.
func (c *Client) GetDeclaration(ctx context.Context, as *identity.Identity, number string) (api.Declaration, error) {
	return evaluate[api.Declaration](ctx, c, as, api.TxGetDeclaration, number)
}

// RecordFXReceipt records a foreign-exchange receipt or refund (the
// receiving bank).
func (c *Client) RecordFXReceipt(ctx context.Context, as *identity.Identity, in api.FXReceiptInput) (Written[api.FXReceipt], error) {
	return submitDoc[api.FXReceipt](ctx, c, as, api.TxRecordFXReceipt, in)
}

// GetFXReceipt reads a receipt or refund.
func (c *Client) GetFXReceipt(ctx context.Context, as *identity.Identity, id string) (api.FXReceipt, error) {
	return evaluate[api.FXReceipt](ctx, c, as, api.TxGetFXReceipt, id)
}

// VerifyTrade matches the four flows of a receivable's or insured
// shipment's invoice, records the verdict and raises its risk flags.
func (c *Client) VerifyTrade(ctx context.Context, as *identity.Identity, paperID string) (Written[api.TradeVerification], error) {
	return submit[api.TradeVerification](ctx, c, as, api.TxVerifyTrade, paperID)
}

// GetTradeVerification answers the four flows and their verdict as they
// stand, writing nothing.
func (c *Client) GetTradeVerification(ctx context.Context, as *identity.Identity, paperID string) (api.TradeVerification, error) {
	return evaluate[api.TradeVerification](ctx, c, as, api.TxGetTradeVerification, paperID)
}

// ListTradeMismatches is the regulator's list of trades last verified as
// MISMATCH.
func (c *Client) ListTradeMismatches(ctx context.Context, as *identity.Identity) ([]api.TradeVerification, error) {
	return evaluate[[]api.TradeVerification](ctx, c, as, api.TxListTradeMismatches)
}
