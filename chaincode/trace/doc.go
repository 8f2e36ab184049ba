// Package trace is the goods' record: products, lots and serialized items,
// EPCIS-style events with custody and handovers, certificates and recalls,
// and the walks over them (custody, recalls, lineage) that higher domains
// ask. It asks receipts and tells financing only through the interfaces
// New takes (Receipts, Watch).
package trace
