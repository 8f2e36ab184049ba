// Package risk raises, lists and resolves risk flags on receivables and
// shipments (value mismatches, goods never shipped, pledged or recalled
// goods, a seller that never held them), decides which ones block
// financing, and records the regulator's sanctions.
package risk
