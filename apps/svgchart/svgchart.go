// Package svgchart draws small charts as inline SVG on the server, for
// pages that work without JavaScript: a Canvas of escaped elements (the
// shopper's cold-chain chart draws on it too) and bar and line charts of
// exact decimals with a table of the same figures for screen readers and
// for anyone who wants the numbers.
package svgchart

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Canvas writes one SVG element. Coordinates are floats: they are pixels,
// not money; every label is text the caller formatted exactly, escaped
// here.
type Canvas struct {
	b strings.Builder
}

// NewCanvas opens an SVG of the given size. With a title, the SVG is an
// image labelled by its <title> and <desc> (ids derived from id, which must
// be unique on the page); without, aria-label names it.
func NewCanvas(id string, w, h int, title, desc string) *Canvas {
	c := &Canvas{}
	if title == "" {
		fmt.Fprintf(&c.b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, esc(desc))
		return c
	}
	fmt.Fprintf(&c.b, `<svg class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`, esc(id), w, h, esc(id), esc(id))
	fmt.Fprintf(&c.b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	return c
}

// Rect draws a rectangle; class may be empty.
func (c *Canvas) Rect(class string, x, y, w, h float64, fill string) {
	fmt.Fprintf(&c.b, `<rect%s x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, classAttr(class), F(x), F(y), F(w), F(h), esc(fill))
}

// Line draws a line; dash is a stroke-dasharray or empty.
func (c *Canvas) Line(x1, y1, x2, y2 float64, stroke, dash string) {
	d := ""
	if dash != "" {
		d = ` stroke-dasharray="` + esc(dash) + `"`
	}
	fmt.Fprintf(&c.b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s"%s/>`, F(x1), F(x2), F(y1), F(y2), esc(stroke), d)
}

// Polyline draws a line through the points.
func (c *Canvas) Polyline(class string, xs, ys []float64, stroke string) {
	pts := make([]string, len(xs))
	for i := range xs {
		pts[i] = F(xs[i]) + "," + F(ys[i])
	}
	fmt.Fprintf(&c.b, `<polyline%s points="%s" fill="none" stroke="%s" stroke-width="2"/>`, classAttr(class), strings.Join(pts, " "), esc(stroke))
}

// Circle draws a dot.
func (c *Canvas) Circle(class string, x, y, r float64, fill string) {
	fmt.Fprintf(&c.b, `<circle%s cx="%s" cy="%s" r="%s" fill="%s"/>`, classAttr(class), F(x), F(y), F(r), esc(fill))
}

// Text writes escaped text; anchor is "", "middle" or "end".
func (c *Canvas) Text(x, y float64, size int, anchor, text string) {
	a := ""
	if anchor != "" {
		a = ` text-anchor="` + esc(anchor) + `"`
	}
	fmt.Fprintf(&c.b, `<text x="%s" y="%s" font-size="%d"%s>%s</text>`, F(x), F(y), size, a, esc(text))
}

// HTML closes the SVG and returns it. Everything in it was escaped or
// formatted here, which is why it may be trusted as HTML.
func (c *Canvas) HTML() template.HTML {
	c.b.WriteString(`</svg>`)
	return template.HTML(c.b.String()) // #nosec G203 -- built from escaped parts only
}

// F formats a pixel coordinate with one decimal.
func F(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func esc(s string) string { return template.HTMLEscapeString(s) }

func classAttr(class string) string {
	if class == "" {
		return ""
	}
	return ` class="` + esc(class) + `"`
}

// Point is one figure of a chart: what it is (Key, as the data names it),
// its label for readers, and its exact value.
type Point struct {
	Key, Label string
	Value      decimal.Decimal
}

// Row is a line of a chart's table: the key, the label and the exact
// figure.
type Row struct {
	Key, Label, Value string
}

// Chart is a drawn chart and its figures as a table.
type Chart struct {
	ID, Title, Desc, Unit string
	SVG                   template.HTML
	Rows                  []Row
}

// MaxPoints bounds what one chart draws; the table still lists every
// figure.
const MaxPoints = 60

// Kind of chart.
type Kind int

// Bar draws a bar per point; Line draws the points joined in order (a
// series over months).
const (
	Bar Kind = iota
	Line
)

// Spec says what to draw.
type Spec struct {
	ID    string // unique on the page; letters, digits and dashes
	Kind  Kind
	Title string
	Desc  string
	Unit  string // currency or unit, shown with the axis
}

// geometry of every chart (the viewBox; CSS scales it to the width).
const (
	width, height          = 360.0, 170.0
	padL, padR, padT, padB = 58.0, 8.0, 10.0, 36.0
	ticks                  = 4
)

// New draws points. Values may be negative (the axis then spans zero);
// the axis' ticks are exact decimals (1, 2 or 5 times a power of ten), so
// no label shows float noise.
func New(s Spec, points []Point) *Chart {
	c := &Chart{ID: s.ID, Title: s.Title, Desc: s.Desc, Unit: s.Unit}
	for _, p := range points {
		c.Rows = append(c.Rows, Row{Key: p.Key, Label: p.Label, Value: p.Value.String()})
	}
	drawn := points
	if len(drawn) > MaxPoints {
		drawn = drawn[len(drawn)-MaxPoints:]
	}
	lo, hi := decimal.Zero, decimal.Zero
	for _, p := range drawn {
		lo, hi = decimal.Min(lo, p.Value), decimal.Max(hi, p.Value)
	}
	step := niceStep(hi.Sub(lo))
	lo = floorTo(lo, step)
	hi = ceilTo(hi, step)
	if hi.Equal(lo) {
		hi = lo.Add(step)
	}
	span := hi.Sub(lo).InexactFloat64()
	y := func(v decimal.Decimal) float64 {
		return padT + (height-padT-padB)*hi.Sub(v).InexactFloat64()/span
	}
	cv := NewCanvas(s.ID, int(width), int(height), s.Title, s.Desc)
	for v := lo; v.LessThanOrEqual(hi); v = v.Add(step) {
		cv.Line(padL, y(v), width-padR, y(v), "#d0d7de", "2 2")
		cv.Text(padL-4, y(v)+3, 9, "end", v.String())
	}
	cv.Text(2, padT+2, 9, "", s.Unit)
	n := len(drawn)
	if n == 0 {
		c.SVG = cv.HTML()
		return c
	}
	slot := (width - padL - padR) / float64(n)
	labelEvery := 1 + n/8 // at most about eight labels fit under the axis
	xs, ys := make([]float64, n), make([]float64, n)
	for i, p := range drawn {
		x := padL + slot*float64(i)
		xs[i], ys[i] = x+slot/2, y(p.Value)
		if s.Kind == Bar {
			top, bottom := y(decimal.Max(p.Value, decimal.Zero)), y(decimal.Min(p.Value, decimal.Zero))
			cv.Rect("bar", x+slot*0.15, top, slot*0.7, max(bottom-top, 1), "#1565c0")
		}
		if i%labelEvery == 0 {
			cv.Text(x+slot/2, height-padB+12, 9, "middle", shorten(p.Label, int(slot*float64(labelEvery)/5.5)))
		}
	}
	if s.Kind == Line {
		cv.Polyline("line", xs, ys, "#1565c0")
		for i := range xs {
			cv.Circle("point", xs[i], ys[i], 2.5, "#1565c0")
		}
	}
	cv.Line(padL, y(decimal.Zero), width-padR, y(decimal.Zero), "#57606a", "")
	c.SVG = cv.HTML()
	return c
}

// niceStep is the tick step for a span: the smallest of 1, 2 or 5 × 10^k
// that covers it in ticks steps.
func niceStep(span decimal.Decimal) decimal.Decimal {
	if !span.IsPositive() {
		return decimal.NewFromInt(1)
	}
	raw := span.Div(decimal.NewFromInt(ticks))
	// 10^k at or below raw: from the digits of its integer part, or of
	// its leading fractional zeros.
	k := int32(len(raw.Truncate(0).String())) - 1
	if raw.LessThan(decimal.NewFromInt(1)) {
		k = -1
		for decimal.New(1, k).GreaterThan(raw) {
			k--
		}
	}
	for {
		for _, m := range []int64{1, 2, 5} {
			if st := decimal.New(m, k); st.GreaterThanOrEqual(raw) {
				return st
			}
		}
		k++
	}
}

func floorTo(v, step decimal.Decimal) decimal.Decimal {
	return v.Div(step).Floor().Mul(step)
}

func ceilTo(v, step decimal.Decimal) decimal.Decimal {
	return v.Div(step).Ceil().Mul(step)
}

// shorten cuts a label to n runes (at least 3), marking the cut.
func shorten(s string, n int) string {
	n = max(n, 3)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
