// Package tracedoc reads the chaincode's trace documents on the gateway's
// side: which lot an event is about, for views that show one lot's story
// out of a trace that also holds its inputs'.
package tracedoc

import "github.com/qingchain/qingchain/chaincode/api"

// Touches reports whether e names the lot (gtin, lot): among the lots it
// observes, outputs or packs, as an item's lot, or as its parent.
func Touches(e api.TraceEvent, gtin, lot string) bool {
	for _, refs := range [][]api.LotRef{e.Lots, e.Outputs, e.ChildLots} {
		for _, r := range refs {
			if r.GTIN == gtin && r.Lot == lot {
				return true
			}
		}
	}
	for _, refs := range [][]api.ItemRef{e.Items, e.ChildItems} {
		for _, r := range refs {
			if r.GTIN == gtin && r.Lot == lot {
				return true
			}
		}
	}
	return e.Parent != nil && e.Parent.GTIN == gtin && e.Parent.Lot == lot
}

// FirstLot is the first lot e names, the one a timeline labels it with.
func FirstLot(e api.TraceEvent) string {
	for _, refs := range [][]api.LotRef{e.Lots, e.Outputs, e.ChildLots} {
		if len(refs) > 0 {
			return refs[0].Lot
		}
	}
	return ""
}
