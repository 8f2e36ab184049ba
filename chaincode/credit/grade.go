package credit

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
	"github.com/qingchain/qingchain/chaincode/registry"
	"github.com/shopspring/decimal"
)

// Grade is the credit-grade contract, "grade": the grade (A to D) of an
// enterprise, computed from its credit record alone, every time it is
// asked (nothing stored, so it can never disagree with the record).
//
// The rules, first match wins (compute):
//
//	D  a sanction in force, or two or more defaults
//	C  one default; more late repayments than on-time ones; three or more claims
//	A  at least 3 on-time repayments, late ones at most a tenth of them,
//	   at most one claim, never sanctioned
//	B  everything else, including an enterprise with no record yet
//
// The grade enters financing approval: the bank's maxLtv is multiplied by
// 1 (A, B), 0.8 (C) or 0.5 (D). A and B share the factor because a new
// enterprise is B and a bank's own maximum is never raised by the ledger.
type Grade struct{}

// GetCreditGrade returns an enterprise's grade with its reasons and the
// record it was computed from. The enterprise itself, banks, insurers and
// regulators may read it.
func (g *Grade) GetCreditGrade(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	caller, err := registry.RequireEnterprise(ctx, "reading a credit grade")
	if err != nil {
		return "", err
	}
	if creditCode != caller.Enterprise.CreditCode && !caller.HasKind(api.KindBank) && !caller.HasKind(api.KindInsurer) && !caller.HasKind(api.KindRegulator) {
		return "", kit.Errf(api.CodeForbidden, "only %s itself, banks, insurers and regulators read its credit grade", creditCode)
	}
	if _, err := registry.LoadEnterprise(ctx, creditCode); err != nil {
		return "", err
	}
	cg, err := GradeOf(ctx, creditCode)
	if err != nil {
		return "", err
	}
	return kit.ToJSON(cg)
}

// GradeOf computes an enterprise's grade from its credit record (one read).
func GradeOf(ctx contractapi.TransactionContextInterface, creditCode string) (*api.CreditGrade, error) {
	rec, err := Load(ctx, creditCode)
	if err != nil {
		return nil, err
	}
	in := api.GradeInputs{
		OnTime: rec.OnTime.Count, Late: rec.Late.Count, Defaults: rec.Defaults.Count, Claims: rec.Claims.Count,
		SanctionsActive: rec.Sanctions.Active, SanctionsRecorded: rec.Sanctions.Recorded,
	}
	grade, reasons := compute(in)
	f := GradeFactor(grade)
	return &api.CreditGrade{CreditCode: creditCode, Grade: grade, LTVFactor: f.String(), Reasons: reasons, Inputs: in, Record: rec}, nil
}

// compute is the grading rule: a pure function of the counts, so every
// peer computes the same grade.
func compute(in api.GradeInputs) (string, []string) {
	var d, c []string
	if in.SanctionsActive > 0 {
		d = append(d, fmt.Sprintf("%d sanction(s) in force", in.SanctionsActive))
	}
	if in.Defaults >= 2 {
		d = append(d, fmt.Sprintf("%d defaults", in.Defaults))
	}
	if len(d) > 0 {
		return api.GradeD, d
	}
	if in.Defaults == 1 {
		c = append(c, "1 default")
	}
	if in.Late > in.OnTime {
		c = append(c, fmt.Sprintf("more late repayments (%d) than on-time ones (%d)", in.Late, in.OnTime))
	}
	if in.Claims >= 3 {
		c = append(c, fmt.Sprintf("%d insurance claims paid on its shipments", in.Claims))
	}
	if len(c) > 0 {
		return api.GradeC, c
	}
	var notA []string
	if in.OnTime < 3 {
		notA = append(notA, fmt.Sprintf("%d on-time repayments (A needs 3)", in.OnTime))
	}
	if in.Late*10 > in.OnTime {
		notA = append(notA, fmt.Sprintf("%d late repayments against %d on time (A allows a tenth)", in.Late, in.OnTime))
	}
	if in.Claims > 1 {
		notA = append(notA, fmt.Sprintf("%d insurance claims (A allows 1)", in.Claims))
	}
	if in.SanctionsRecorded > 0 {
		notA = append(notA, fmt.Sprintf("sanctioned before (%d, lifted)", in.SanctionsRecorded))
	}
	if len(notA) > 0 {
		return api.GradeB, notA
	}
	return api.GradeA, []string{fmt.Sprintf("%d on-time repayments, %d late, no default, %d claim(s), never sanctioned", in.OnTime, in.Late, in.Claims)}
}

// GradeFactor is what a grade multiplies a bank's maximum loan-to-value by.
func GradeFactor(grade string) decimal.Decimal {
	switch grade {
	case api.GradeC:
		return decimal.New(8, -1)
	case api.GradeD:
		return decimal.New(5, -1)
	}
	return decimal.NewFromInt(1)
}
