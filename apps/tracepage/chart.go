package tracepage

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
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
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="temperature chart">`, int(w), int(h))
	if lo != nil && hi != nil {
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="#e3f4e8"/>`, f(padL), f(y(*hi)), f(w-padL-padR), f(y(*lo)-y(*hi)))
	}
	for _, v := range []float64{vmin, vmax} {
		fmt.Fprintf(&b, `<text x="2" y="%s" font-size="10">%s%s</text>`, f(y(v)+3), f(v), unit)
	}
	if lo != nil {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#2e7d32" stroke-dasharray="3 2"/>`, f(padL), f(w-padR), f(y(*lo)), f(y(*lo)))
	}
	if hi != nil {
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#2e7d32" stroke-dasharray="3 2"/>`, f(padL), f(w-padR), f(y(*hi)), f(y(*hi)))
	}
	for _, r := range readings {
		x0, x1 := x(r.From), x(r.To)
		if x1-x0 < 2 {
			x1 = x0 + 2
		}
		color := "#1565c0"
		if r.Excursion {
			color = "#c62828"
		}
		fmt.Fprintf(&b, `<rect class="reading%s" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			map[bool]string{true: " excursion", false: ""}[r.Excursion], f(x0), f(y(r.Max)), f(math.Max(x1-x0-1, 1)), f(math.Max(y(r.Min)-y(r.Max), 1.5)), color)
	}
	fmt.Fprintf(&b, `<text x="%s" y="%d" font-size="10">%s</text>`, f(padL), int(h)-4, t0.Format("01-02 15:04"))
	fmt.Fprintf(&b, `<text x="%s" y="%d" font-size="10" text-anchor="end">%s</text>`, f(w-padR), int(h)-4, t1.Format("01-02 15:04"))
	b.WriteString(`</svg>`)
	c := &Chart{SVG: template.HTML(b.String()), Unit: unit, Excursions: excursions, Count: len(readings)}
	if lo != nil && hi != nil {
		c.Range = f(*lo) + "–" + f(*hi) + unit
	}
	return c
}
