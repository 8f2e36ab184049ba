// Package tracedoc reads the chaincode's trace documents on the gateway's
// side: which lot an event is about, for views that show one lot's story
// out of a trace that also holds its inputs'.
package tracedoc

import "github.com/qingchain/qingchain/chaincode/api"

// Touches reports whether e names the lot (gtin, lot): among the lots it
// observes, outputs or packs, as an item's lot, or as its parent.
func Touches(e api.TraceEvent, gtin, lot string) bool { return e.Touches(gtin, lot) }

// FirstLot is the first lot e names, the one a timeline labels it with.
func FirstLot(e api.TraceEvent) string {
	for _, refs := range [][]api.LotRef{e.Lots, e.Outputs, e.ChildLots} {
		if len(refs) > 0 {
			return refs[0].Lot
		}
	}
	return ""
}
