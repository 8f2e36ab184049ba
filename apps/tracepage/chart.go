package tracepage

import (
	"html/template"
	"math"
	"time"

	"github.com/qingchain/qingchain/apps/svgchart"
)

// Reading is one interval of a cold-chain sensor.
type Reading struct {
	From, To  time.Time
	Min, Max  float64
	Excursion bool
}

// Chart is an inline SVG of readings against the allowed range, with a
// summary line per sensor series and how many readings only the summary
// counts.
type Chart struct {
	SVG        template.HTML
	Unit       string
	Range      string
	Excursions int
	Count      int
	Series     []SeriesLine
	Hidden     int
}

// SeriesLine summarises one sensor series: where, how many readings, the
// range and mean, and its excursions (count, worst value, longest).
type SeriesLine struct {
	Where                string
	Readings, Excursions int
	Min, Max, Mean       string
	Worst, Longest       string
}

// MaxBars is how many bars a chart draws at most.
const MaxBars = 96

// Downsample merges time-ordered readings into at most n bars: each bar
// spans consecutive readings, from the lowest minimum to the highest
// maximum, and is an excursion when any of them is.
func Downsample(rs []Reading, n int) []Reading {
	if n < 1 || len(rs) <= n {
		return rs
	}
	out := make([]Reading, 0, n)
	for i := 0; i < n; i++ {
		lo, hi := i*len(rs)/n, (i+1)*len(rs)/n
		b := rs[lo]
		for _, r := range rs[lo+1 : hi] {
			if r.From.Before(b.From) {
				b.From = r.From
			}
			if r.To.After(b.To) {
				b.To = r.To
			}
			b.Min, b.Max = math.Min(b.Min, r.Min), math.Max(b.Max, r.Max)
			b.Excursion = b.Excursion || r.Excursion
		}
		out = append(out, b)
	}
	return out
}

// NewChart draws readings (min–max bars over time) with the allowed band
// [lo, hi] shaded; bars outside the band are red. Floats are fine here: this
// is drawing, not money or ledger state.
func NewChart(readings []Reading, lo, hi *float64, unit string) *Chart {
	if len(readings) == 0 {
		return nil
	}
	const w, h, padL, padR, padT, padB = 320.0, 130.0, 34.0, 6.0, 8.0, 18.0
	t0, t1 := readings[0].From, readings[0].To
	vmin, vmax := readings[0].Min, readings[0].Max
	excursions := 0
	for _, r := range readings {
		if r.From.Before(t0) {
			t0 = r.From
		}
		if r.To.After(t1) {
			t1 = r.To
		}
		vmin, vmax = math.Min(vmin, r.Min), math.Max(vmax, r.Max)
		if r.Excursion {
			excursions++
		}
	}
	if lo != nil {
		vmin = math.Min(vmin, *lo)
	}
	if hi != nil {
		vmax = math.Max(vmax, *hi)
	}
	vmin, vmax = math.Floor(vmin-1), math.Ceil(vmax+1)
	span := t1.Sub(t0).Seconds()
	if span <= 0 {
		span = 1
	}
	x := func(t time.Time) float64 { return padL + (w-padL-padR)*t.Sub(t0).Seconds()/span }
	y := func(v float64) float64 { return padT + (h-padT-padB)*(vmax-v)/(vmax-vmin) }
	f := svgchart.F

	cv := svgchart.NewCanvas("", int(w), int(h), "", "temperature chart")
	if lo != nil && hi != nil {
		cv.Rect("", padL, y(*hi), w-padL-padR, y(*lo)-y(*hi), "#e3f4e8")
	}
	for _, v := range []float64{vmin, vmax} {
		cv.Text(2, y(v)+3, 10, "", f(v)+unit)
	}
	for _, band := range []*float64{lo, hi} {
		if band != nil {
			cv.Line(padL, y(*band), w-padR, y(*band), "#2e7d32", "3 2")
		}
	}
	for _, r := range readings {
		x0, x1 := x(r.From), x(r.To)
		if x1-x0 < 2 {
			x1 = x0 + 2
		}
		class, color := "reading", "#1565c0"
		if r.Excursion {
			class, color = "reading excursion", "#c62828"
		}
		cv.Rect(class, x0, y(r.Max), math.Max(x1-x0-1, 1), math.Max(y(r.Min)-y(r.Max), 1.5), color)
	}
	cv.Text(padL, h-4, 10, "", t0.Format("01-02 15:04"))
	cv.Text(w-padR, h-4, 10, "end", t1.Format("01-02 15:04"))
	c := &Chart{SVG: cv.HTML(), Unit: unit, Excursions: excursions, Count: len(readings)}
	if lo != nil && hi != nil {
		c.Range = f(*lo) + "–" + f(*hi) + unit
	}
	return c
}
