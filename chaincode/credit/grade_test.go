package credit

import (
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
)

// The grading rule, row by row: each row is a credit record's counts and
// the grade it must give, with a word that must appear in the reasons.
func TestGradeCompute(t *testing.T) {
	type in = api.GradeInputs
	tests := []struct {
		name   string
		in     api.GradeInputs
		grade  string
		reason string
	}{
		{"no record at all", in{}, "B", "0 on-time"},
		{"two on time", in{OnTime: 2}, "B", "A needs 3"},
		{"three on time", in{OnTime: 3}, "A", "3 on-time"},
		{"ten on time, one late", in{OnTime: 10, Late: 1}, "A", "1 late"},
		{"nine on time, one late", in{OnTime: 9, Late: 1}, "B", "a tenth"},
		{"three on time, one claim", in{OnTime: 3, Claims: 1}, "A", "1 claim"},
		{"three on time, two claims", in{OnTime: 3, Claims: 2}, "B", "A allows 1"},
		{"three claims", in{OnTime: 20, Claims: 3}, "C", "3 insurance claims"},
		{"late outnumber on time", in{OnTime: 1, Late: 2}, "C", "more late"},
		{"one late, none on time", in{Late: 1}, "C", "more late"},
		{"late equal on time", in{OnTime: 2, Late: 2}, "B", "a tenth"},
		{"one default", in{OnTime: 50, Defaults: 1}, "C", "1 default"},
		{"two defaults", in{OnTime: 50, Defaults: 2}, "D", "2 defaults"},
		{"sanction in force", in{OnTime: 50, SanctionsActive: 1, SanctionsRecorded: 1}, "D", "in force"},
		{"sanction in force and defaults", in{SanctionsActive: 2, SanctionsRecorded: 2, Defaults: 3}, "D", "3 defaults"},
		{"sanction lifted", in{OnTime: 50, SanctionsRecorded: 1}, "B", "lifted"},
		{"one default beats a perfect record", in{OnTime: 1000, Defaults: 1}, "C", "default"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, reasons := compute(tc.in)
			if g != tc.grade {
				t.Errorf("grade %s, want %s (%v)", g, tc.grade, reasons)
			}
			if !strings.Contains(strings.Join(reasons, "; "), tc.reason) {
				t.Errorf("reasons %q do not mention %q", reasons, tc.reason)
			}
			// The same counts always give the same answer.
			g2, r2 := compute(tc.in)
			if g2 != g || strings.Join(r2, "|") != strings.Join(reasons, "|") {
				t.Errorf("not deterministic: %s %v then %s %v", g, reasons, g2, r2)
			}
		})
	}
	for grade, want := range map[string]string{"A": "1", "B": "1", "C": "0.8", "D": "0.5"} {
		if got := GradeFactor(grade).String(); got != want {
			t.Errorf("factor of %s = %s, want %s", grade, got, want)
		}
	}
}

// Worse counts never give a better grade: adding a default, a late
// repayment, a claim or a sanction to any record in a grid never improves
// its grade, and adding an on-time repayment never worsens it.
func TestGradeMonotone(t *testing.T) {
	rank := map[string]int{"A": 0, "B": 1, "C": 2, "D": 3}
	for onTime := 0; onTime <= 12; onTime++ {
		for late := 0; late <= 4; late++ {
			for defaults := 0; defaults <= 3; defaults++ {
				for claims := 0; claims <= 4; claims++ {
					for sanc := 0; sanc <= 2; sanc++ {
						base := api.GradeInputs{OnTime: onTime, Late: late, Defaults: defaults, Claims: claims, SanctionsRecorded: sanc}
						g, _ := compute(base)
						worse := []api.GradeInputs{base, base, base, base, base}
						worse[0].Defaults++
						worse[1].Late++
						worse[2].Claims++
						worse[3].SanctionsRecorded++
						worse[4].SanctionsActive++
						worse[4].SanctionsRecorded++
						for _, w := range worse {
							if gw, _ := compute(w); rank[gw] < rank[g] {
								t.Fatalf("%+v is %s but the worse %+v is %s", base, g, w, gw)
							}
						}
						better := base
						better.OnTime++
						if gb, _ := compute(better); rank[gb] > rank[g] {
							t.Fatalf("%+v is %s but with one more on-time repayment %s", base, g, gb)
						}
					}
				}
			}
		}
	}
}
