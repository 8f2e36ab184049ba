package svgchart

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	v, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct{ span, want string }{
		{"0", "1"},
		{"4", "1"},
		{"5", "2"},
		{"170598.69", "50000"},
		{"400000", "100000"},
		{"0.3", "0.1"},
		{"0.0004", "0.0001"},
		{"0.0009", "0.0005"},
		{"13500", "5000"},
	} {
		if got := niceStep(d(t, tc.span)); !got.Equal(d(t, tc.want)) {
			t.Errorf("niceStep(%s) = %s, want %s", tc.span, got, tc.want)
		}
	}
}

// tickLabels are the axis labels of a drawn chart.
func tickLabels(t *testing.T, svg string) []string {
	t.Helper()
	re := regexp.MustCompile(`<text x="[0-9.]+" y="[0-9.-]+" font-size="9" text-anchor="end">([^<]*)</text>`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(svg, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name      string
		kind      Kind
		points    []Point
		wantTicks []string
		wantRows  []Row
		wantBars  int
	}{
		{"decimals stay exact", Bar, []Point{{Label: "BE", Value: d(t, "0.1")}, {Label: "DE", Value: d(t, "0.2")}},
			[]string{"0", "0.05", "0.1", "0.15", "0.2"}, []Row{{Label: "BE", Value: "0.1"}, {Label: "DE", Value: "0.2"}}, 2},
		{"money", Bar, []Point{{Label: "Bank A", Value: d(t, "170598.69")}, {Label: "Bank B", Value: d(t, "79401.31")}},
			[]string{"0", "50000", "100000", "150000", "200000"}, []Row{{Label: "Bank A", Value: "170598.69"}, {Label: "Bank B", Value: "79401.31"}}, 2},
		{"negative spans zero", Bar, []Point{{Label: "a", Value: d(t, "-3")}, {Label: "b", Value: d(t, "5")}},
			[]string{"-4", "-2", "0", "2", "4", "6"}, []Row{{Label: "a", Value: "-3"}, {Label: "b", Value: "5"}}, 2},
		{"line over months", Line, []Point{{Label: "2026-10", Value: d(t, "6000")}, {Label: "2026-11", Value: d(t, "88000")}},
			[]string{"0", "50000", "100000"}, []Row{{Label: "2026-10", Value: "6000"}, {Label: "2026-11", Value: "88000"}}, 0},
		{"nothing", Bar, nil, []string{"0", "1"}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Spec{ID: "c1", Kind: tc.kind, Title: "T", Desc: "D", Unit: "USD"}, tc.points)
			svg := string(c.SVG)
			if err := xml.Unmarshal([]byte(svg), new(any)); err != nil {
				t.Fatalf("not well-formed XML: %v\n%s", err, svg)
			}
			if got := tickLabels(t, svg); strings.Join(got, ",") != strings.Join(tc.wantTicks, ",") {
				t.Errorf("ticks = %v, want %v", got, tc.wantTicks)
			}
			if len(c.Rows) != len(tc.wantRows) {
				t.Fatalf("rows = %v, want %v", c.Rows, tc.wantRows)
			}
			for i := range c.Rows {
				if c.Rows[i] != tc.wantRows[i] {
					t.Errorf("row %d = %v, want %v", i, c.Rows[i], tc.wantRows[i])
				}
			}
			if got := strings.Count(svg, `class="bar"`); got != tc.wantBars {
				t.Errorf("bars = %d, want %d", got, tc.wantBars)
			}
			if tc.kind == Line && len(tc.points) > 0 && !strings.Contains(svg, "<polyline") {
				t.Error("a line chart without a line")
			}
			if !strings.Contains(svg, `aria-labelledby="c1-t c1-d"`) || !strings.Contains(svg, `<title id="c1-t">T</title>`) {
				t.Errorf("not labelled by its title and description: %s", svg)
			}
		})
	}
}

func TestNewEscapes(t *testing.T) {
	evil := `<script>alert("x")</script>&`
	c := New(Spec{ID: `a"b`, Title: evil, Desc: evil, Unit: evil}, []Point{{Label: evil, Value: decimal.NewFromInt(1)}})
	svg := string(c.SVG)
	if strings.Contains(svg, "<script") || strings.Contains(svg, `id="a"b`) {
		t.Fatalf("unescaped text in %s", svg)
	}
	if err := xml.Unmarshal([]byte(svg), new(any)); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	if c.Rows[0].Label != evil {
		t.Errorf("the table's label is the text itself (the template escapes it), got %q", c.Rows[0].Label)
	}
}

func TestNewBoundsDrawnPoints(t *testing.T) {
	var ps []Point
	for i := 0; i < MaxPoints+10; i++ {
		ps = append(ps, Point{Label: "p", Value: decimal.NewFromInt(int64(i))})
	}
	c := New(Spec{ID: "x", Kind: Bar}, ps)
	if got := strings.Count(string(c.SVG), `class="bar"`); got != MaxPoints {
		t.Errorf("bars = %d, want %d", got, MaxPoints)
	}
	if len(c.Rows) != len(ps) {
		t.Errorf("table rows = %d, want every figure (%d)", len(c.Rows), len(ps))
	}
}
