// Package receipts is the warehouse receipt: issue on goods in the
// warehouse's recorded custody, transfer, split, redemption, cancellation,
// freezes and recall clearances, and the reads a lender makes before
// taking one as collateral. Pledges are financing's; receipts only carry
// them.
package receipts
