package httpapi

import (
	"testing"

	"github.com/qingchain/qingchain/gateway/demo"
)

func TestInsurerFlowOverHTTP(t *testing.T) {
	e := newEnv(t)
	ins := demoEntities(t, e)["insurance"]
	ents := demoEntities(t, e)["enterprises"]
	code := func(user string) string { return ents[user].(map[string]any)["creditCode"].(string) }

	// The paid claim: 15,000.00 × 0.90 = 13,500.00 indemnity, paid to the
	// assignee bank, which takes its loan's interest and principal; the rest
	// goes to the exporter.
	var claim struct {
		Status    string `json:"status"`
		Indemnity string `json:"indemnity"`
		Payment   struct {
			Beneficiary string `json:"beneficiary"`
			ToInterest  string `json:"toInterest"`
			ToPrincipal string `json:"toPrincipal"`
			ToBank      string `json:"toBank"`
			ToInsured   string `json:"toInsured"`
		} `json:"payment"`
	}
	r := e.do("GET", "/api/v1/claims/"+ins["paidClaim"].(string), "insurer", nil)
	r.json(t, &claim)
	if r.status != 200 || claim.Status != "PAID" || claim.Indemnity != "13500.00" || claim.Payment.Beneficiary != code("bank") || claim.Payment.ToPrincipal != "10000.00" {
		t.Errorf("claim: %d %s", r.status, r.body)
	}
	var loan struct {
		PrincipalOutstanding string `json:"principalOutstanding"`
	}
	e.do("GET", "/api/v1/financings/"+ins["policyFinancing"].(string), "bank", nil).json(t, &loan)
	if loan.PrincipalOutstanding != "0.00" {
		t.Errorf("the claim did not repay the policy loan: outstanding %s", loan.PrincipalOutstanding)
	}

	// Visibility: the insurer and the insured see the policy; another
	// insurer does not. The bank sees the shipment assigned to it.
	policy := "/api/v1/policies/" + ins["policy"].(string)
	for user, want := range map[string]int{"insurer": 200, "exporter": 200} {
		if r := e.do("GET", policy, user, nil); r.status != want {
			t.Errorf("%s reads the policy: %d", user, r.status)
		}
	}
	e.addMember(demo.PlatformMSP, "other-exporter", 501, "exporter")
	if r := e.do("GET", policy, "other-exporter", nil); r.status != 403 && r.status != 404 {
		t.Errorf("a stranger reads the policy: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/shipments/"+ins["assignedShipment"].(string), "bank", nil); r.status != 200 {
		t.Errorf("the assignee bank reads the shipment: %d %s", r.status, r.body)
	}

	// The same invoice twice is refused, across the whole ledger, in any
	// case, width or padding; the same sale under another number is a
	// likely duplicate of the demo's receivable HY-2026-0611.
	for _, tc := range []struct{ invoice, want string }{
		{"HY-2026-0611", "DUPLICATE_INVOICE"},
		{" hy-2026-0611 ", "DUPLICATE_INVOICE"},
		{"ＨＹ－２０２６－０６１１", "DUPLICATE_INVOICE"},
		{"HY-2026-0612", "LIKELY_DUPLICATE_RECEIVABLE"},
	} {
		dup := map[string]any{"buyer": map[string]string{"creditCode": code("exporter")}, "invoiceNumber": tc.invoice, "amount": "96000.00", "currency": "CNY",
			"issueDate": "2026-11-01", "dueDate": "2027-01-31", "lots": []map[string]string{{"gtin": demo.GTINBlackTea, "lot": demo.LotTeaExport}}}
		if r := e.do("POST", "/api/v1/receivables", "tea-coop", dup); r.status != 409 || r.errorCode(t) != tc.want {
			t.Errorf("invoice %q: %d %s, want 409 %s", tc.invoice, r.status, r.body, tc.want)
		}
	}
	// The receivable financing shows the pledge's registry registration.
	var rvLoan struct {
		Terms struct {
			RegistrationNo string `json:"registrationNo"`
		} `json:"terms"`
	}
	e.do("GET", "/api/v1/financings/"+ins["receivableFinancing"].(string), "bank", nil).json(t, &rvLoan)
	if rvLoan.Terms.RegistrationNo != "04362371000360816245" {
		t.Errorf("receivable financing's registration number %q", rvLoan.Terms.RegistrationNo)
	}

	// The grade and the record behind it; a sanction stops new financing.
	var grade struct {
		Grade     string `json:"grade"`
		LTVFactor string `json:"ltvFactor"`
	}
	if r := e.do("GET", "/api/v1/enterprises/"+code("exporter")+"/credit", "bank", nil); r.status != 200 {
		t.Fatalf("credit: %d %s", r.status, r.body)
	} else {
		r.json(t, &grade)
	}
	if grade.Grade == "" || grade.LTVFactor == "" {
		t.Errorf("grade %+v", grade)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+code("tea-coop")+"/sanctions", "regulator", map[string]string{"reason": "虚假仓单 false warehouse receipt", "basis": "清综试〔2026〕12号"}); r.status != 201 {
		t.Fatalf("sanction: %d %s", r.status, r.body)
	}
	free := demoEntities(t, e)["finance"]["unpledgedReceipt"].(string)
	r = e.do("POST", "/api/v1/financings", "tea-coop", map[string]any{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": code("bank"), "collateral": []string{free}, "requestedPrincipal": "1000.00", "currency": "CNY", "purpose": "x"})
	if r.status != 422 || r.errorCode(t) != "SANCTIONED" {
		t.Errorf("a sanctioned enterprise applies: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+code("tea-coop")+"/sanctions", "bank", map[string]string{"reason": "x", "basis": "y"}); r.status != 403 {
		t.Errorf("a bank records a sanction: %d", r.status)
	}
}
