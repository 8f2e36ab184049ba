// Package trace is the goods' record: products, lots and serialized items,
// EPCIS-style events with custody and handovers, recalls, and the walks
// over them (custody, recalls, lineage) that higher domains ask
// (certificates on lots are certs'). It asks receipts and tells financing
// only through the interfaces New takes (Receipts, Watch).
package trace
