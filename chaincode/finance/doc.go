// Package finance is financing against warehouse receipts, receivables
// and insured shipments: applications, approval (collateral pledged and
// encumbered in the same transaction), disbursement, repayments, margin
// calls, default and release, and the adapters (Lender, Watch) through
// which trace, insurance and receivables reach it.
package finance
