package client

import (
	"context"
	"encoding/json"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// ApplyForFinancing applies to a bank for a financing against collateral.
func (c *Client) ApplyForFinancing(ctx context.Context, as *identity.Identity, in api.FinancingApplication) (Written[api.Financing], error) {
	return submitDoc[api.Financing](ctx, c, as, api.TxApplyForFinancing, in)
}

// ApproveFinancing is the bank's approval with its terms.
func (c *Client) ApproveFinancing(ctx context.Context, as *identity.Identity, financingID string, terms api.FinancingTerms) (Written[api.Financing], error) {
	return submitDoc[api.Financing](ctx, c, as, api.TxApproveFinancing, terms, financingID)
}

// RejectFinancing is the bank's refusal.
func (c *Client) RejectFinancing(ctx context.Context, as *identity.Identity, financingID, reason string) (Written[api.Financing], error) {
	return submit[api.Financing](ctx, c, as, api.TxRejectFinancing, financingID, reason)
}

// WithdrawFinancing withdraws an application.
func (c *Client) WithdrawFinancing(ctx context.Context, as *identity.Identity, financingID string) (Written[api.Financing], error) {
	return submit[api.Financing](ctx, c, as, api.TxWithdrawFinancing, financingID)
}

// DisburseFinancing records the disbursement on a value date (YYYY-MM-DD).
func (c *Client) DisburseFinancing(ctx context.Context, as *identity.Identity, financingID, valueDate string) (Written[api.Financing], error) {
	return submit[api.Financing](ctx, c, as, api.TxDisburseFinancing, financingID, valueDate)
}

// RecordRepayment records a repayment of amount on a value date.
func (c *Client) RecordRepayment(ctx context.Context, as *identity.Identity, financingID, amount, valueDate string) (Written[api.Financing], error) {
	return submit[api.Financing](ctx, c, as, api.TxRecordRepayment, financingID, amount, valueDate)
}

// CloseFinancing closes a repaid financing.
func (c *Client) CloseFinancing(ctx context.Context, as *identity.Identity, financingID string) (Written[api.Financing], error) {
	return submit[api.Financing](ctx, c, as, api.TxCloseFinancing, financingID)
}

// DeclareDefault declares the borrower in default.
func (c *Client) DeclareDefault(ctx context.Context, as *identity.Identity, financingID string) (Written[api.Financing], error) {
	return submit[api.Financing](ctx, c, as, api.TxDeclareDefault, financingID)
}

// GetFinancing reads a financing with what it owes as of a date ("" for
// today).
func (c *Client) GetFinancing(ctx context.Context, as *identity.Identity, financingID, asOfDate string) (api.FinancingView, error) {
	return evaluate[api.FinancingView](ctx, c, as, api.TxGetFinancing, financingID, asOfDate)
}

// ListFinancings lists the financings the caller is party to.
func (c *Client) ListFinancings(ctx context.Context, as *identity.Identity) ([]api.Financing, error) {
	return evaluate[[]api.Financing](ctx, c, as, api.TxListFinancings)
}

// AddCollateral adds a receipt to a financing's collateral (meeting a
// margin call).
func (c *Client) AddCollateral(ctx context.Context, as *identity.Identity, financingID, receiptID string) (Written[api.Financing], error) {
	return submit[api.Financing](ctx, c, as, api.TxAddCollateral, financingID, receiptID)
}

// GetEncumbrances reads the encumbrance register of a lot.
func (c *Client) GetEncumbrances(ctx context.Context, as *identity.Identity, gtin, lot string) (api.Encumbrance, error) {
	return evaluate[api.Encumbrance](ctx, c, as, api.TxGetEncumbrances, gtin, lot)
}

// GetCreditRecord tallies an enterprise's record on the ledger.
func (c *Client) GetCreditRecord(ctx context.Context, as *identity.Identity, creditCode string) (api.CreditRecord, error) {
	return evaluate[api.CreditRecord](ctx, c, as, api.TxGetCreditRecord, creditCode)
}

// GetCreditGrade grades an enterprise from its credit record.
func (c *Client) GetCreditGrade(ctx context.Context, as *identity.Identity, creditCode string) (api.CreditGrade, error) {
	return evaluate[api.CreditGrade](ctx, c, as, api.TxGetCreditGrade, creditCode)
}

// PrivateTermsTransient is the transient field a private term sheet
// travels in: never an argument, so never in a block.
const PrivateTermsTransient = "terms"

// RecordPrivateTerms is the bank recording its private term sheet of a
// financing; the sheet goes as transient data to the bank's and the
// applicant's organisations' peers, its hash onto the financing.
func (c *Client) RecordPrivateTerms(ctx context.Context, as *identity.Identity, financingID string, terms api.PrivateTerms) (Written[api.Financing], error) {
	req, err := termsRequest(api.TxRecordPrivateTerms, financingID, terms)
	if err != nil {
		return Written[api.Financing]{}, err
	}
	commit, err := c.ledger.Submit(ctx, as, req)
	if err != nil {
		return Written[api.Financing]{}, err
	}
	w := Written[api.Financing]{Commit: commit}
	return w, c.decode(api.TxRecordPrivateTerms, commit.Payload, &w.Result)
}

// GetPrivateTerms reads a financing's private term sheet (its bank and its
// applicant only).
func (c *Client) GetPrivateTerms(ctx context.Context, as *identity.Identity, financingID string) (api.PrivateTerms, error) {
	return evaluate[api.PrivateTerms](ctx, c, as, api.TxGetPrivateTerms, financingID)
}

// CheckPrivateTerms asks whether a term sheet one was shown is the one
// recorded for a financing (any enterprise; compares hashes).
func (c *Client) CheckPrivateTerms(ctx context.Context, as *identity.Identity, financingID string, shown api.PrivateTerms) (api.PrivateTermsCheck, error) {
	var out api.PrivateTermsCheck
	req, err := termsRequest(api.TxCheckPrivateTerms, financingID, shown)
	if err != nil {
		return out, err
	}
	raw, err := c.ledger.Evaluate(ctx, as, req)
	if err != nil {
		return out, err
	}
	return out, c.decode(api.TxCheckPrivateTerms, raw, &out)
}

func termsRequest(tx api.Tx, financingID string, terms api.PrivateTerms) (gateway.Request, error) {
	raw, err := json.Marshal(terms)
	if err != nil {
		return gateway.Request{}, err
	}
	return gateway.Request{Function: string(tx), Args: []string{financingID}, Transient: map[string][]byte{PrivateTermsTransient: raw}}, nil
}
