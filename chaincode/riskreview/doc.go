// Package riskreview is the risk contract's side that reads across the
// domains: assessing a receivable or a shipment against everything the
// ledger knows (its goods, its financing), and who may read or resolve its
// flags. It sits above finance so that risk itself stays below it.
package riskreview
