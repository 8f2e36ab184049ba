// Package receivables is the receivable: created by the seller on goods it
// sold, confirmed or rejected by the buyer, paid, overdue and defaulted,
// with the risk checks a lender relies on. Collections reach the financing
// only through the Lender interface New takes.
package receivables
