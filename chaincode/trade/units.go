package trade

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// A dimension is what a quantity measures: "mass" and "volume" for goods
// weighed or measured (their units convert exactly into grams and
// millilitres), or the unit itself for goods counted in packing units or
// items ("box", "carton", "piece"): 3 boxes and 3 cartons do not compare.
//
// unitScale is a unit's size in its dimension's base unit; ok is false for
// a counted unit.
func unitScale(unit string) (dim string, scale decimal.Decimal, ok bool) {
	switch unit {
	case "g":
		return "mass", decimal.NewFromInt(1), true
	case "kg":
		return "mass", decimal.NewFromInt(1000), true
	case "t":
		return "mass", decimal.NewFromInt(1_000_000), true
	case "mL":
		return "volume", decimal.NewFromInt(1), true
	case "L":
		return "volume", decimal.NewFromInt(1000), true
	}
	return "count:" + unit, decimal.NewFromInt(1), false
}

// dimMeasured reports whether a dimension is weighed or measured (and so
// takes the quantity tolerance) rather than counted.
func dimMeasured(dim string) bool { return !strings.HasPrefix(dim, "count:") }

// quantity is a total in one dimension: in base units, and the first unit
// it was given in (to show it in).
type quantity struct {
	dim  string
	base decimal.Decimal
	unit string
}

// in writes the quantity in unit (of its dimension), exactly.
func (q quantity) in(unit string) string {
	_, scale, _ := unitScale(unit)
	return q.base.Div(scale).String()
}

// quantities are totals per dimension, in the order first seen.
type quantities []quantity

func (qs *quantities) add(q decimal.Decimal, unit string) {
	if q.Sign() == 0 || unit == "" {
		return
	}
	dim, scale, _ := unitScale(unit)
	for i := range *qs {
		if (*qs)[i].dim == dim {
			(*qs)[i].base = (*qs)[i].base.Add(q.Mul(scale))
			return
		}
	}
	*qs = append(*qs, quantity{dim: dim, base: q.Mul(scale), unit: unit})
}

func (qs quantities) get(dim string) (quantity, bool) {
	for _, q := range qs {
		if q.dim == dim {
			return q, true
		}
	}
	return quantity{}, false
}

// single is the total when there is one dimension, in its first unit;
// empty otherwise.
func (qs quantities) single() (string, string) {
	if len(qs) != 1 {
		return "", ""
	}
	return qs[0].in(qs[0].unit), qs[0].unit
}

func (qs quantities) units() string {
	var u []string
	for _, q := range qs {
		u = append(u, q.unit)
	}
	return strings.Join(u, "+")
}

// exceeds reports whether qs holds more than limit in some dimension, or
// a dimension limit does not have.
func (qs quantities) exceeds(limit quantities) bool {
	for _, q := range qs {
		l, ok := limit.get(q.dim)
		if !ok || q.base.GreaterThan(l.base) {
			return true
		}
	}
	return false
}

// unionDims lists the dimensions of a and b, sorted.
func unionDims(a, b quantities) []string {
	var dims []string
	for _, q := range append(append(quantities{}, a...), b...) {
		if !slices.Contains(dims, q.dim) {
			dims = append(dims, q.dim)
		}
	}
	slices.Sort(dims)
	return dims
}
