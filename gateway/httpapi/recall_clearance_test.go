package httpapi

import (
	"testing"
)

// A recalled receipt over HTTP: its pledge is 422 RISK_BLOCKED, its
// redemption 422 RECALLED, until the regulator clears it with
// POST /receipts/{id}/recall-clearance {"note"}.
func TestRecallClearanceOverHTTP(t *testing.T) {
	e := newEnv(t)
	fin := demoEntities(t, e)["finance"]
	free := fin["unpledgedReceipt"].(string)
	var seeded struct {
		Bank string `json:"bank"`
	}
	e.do("GET", "/api/v1/financings/"+fin["financing"].(string), "bank", nil).json(t, &seeded)
	var rc struct {
		GTIN string `json:"gtin"`
		Lot  string `json:"lot"`
	}
	e.do("GET", "/api/v1/receipts/"+free, "bank", nil).json(t, &rc)
	if r := e.do("POST", "/api/v1/recalls", "regulator", map[string]string{"gtin": rc.GTIN, "lot": rc.Lot, "reason": "抽检不合格 failed a spot check"}); r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}

	r := e.do("POST", "/api/v1/financings", "tea-coop", map[string]any{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": seeded.Bank, "collateral": []string{free}, "requestedPrincipal": "1000.00", "currency": "CNY", "purpose": "test"})
	var app struct {
		Result struct {
			ID string `json:"id"`
		} `json:"result"`
	}
	r.json(t, &app)
	if r.status != 201 || app.Result.ID == "" {
		t.Fatalf("application: %d %s", r.status, r.body)
	}
	terms := map[string]any{"principal": "1000.00", "annualRate": "0.05", "termDays": 90, "maxLtv": "0.70"}
	if r := e.do("POST", "/api/v1/financings/"+app.Result.ID+"/approve", "bank", terms); r.status != 422 || r.errorCode(t) != "RISK_BLOCKED" {
		t.Errorf("approving a pledge of recalled goods: %d %s", r.status, r.body)
	}
	terms["overrides"] = []map[string]string{{"code": "PLEDGED_GOODS", "reason": "not raised"}}
	if r := e.do("POST", "/api/v1/financings/"+app.Result.ID+"/approve", "bank", terms); r.status != 400 || r.errorCode(t) != "INVALID_ARGUMENT" {
		t.Errorf("overriding a flag not raised: %d %s", r.status, r.body)
	}

	if r := e.do("POST", "/api/v1/receipts/"+free+"/redemption", "tea-coop", nil); r.status != 422 || r.errorCode(t) != "RECALLED" {
		t.Fatalf("redeeming recalled goods: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/receipts/"+free+"/recall-clearance", "regulator", map[string]string{"note": ""}); r.status != 400 {
		t.Errorf("clearance without a note: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/receipts/"+free+"/recall-clearance", "bank", map[string]string{"note": "not mine"}); r.status != 403 {
		t.Errorf("a bank clears: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/receipts/"+free+"/recall-clearance", "regulator", map[string]string{"note": "复检合格 retested"})
	var cleared struct {
		Result struct {
			RecallClearances []struct {
				Note    string   `json:"note"`
				Recalls []string `json:"recalls"`
			} `json:"recallClearances"`
		} `json:"result"`
	}
	r.json(t, &cleared)
	if r.status != 200 || len(cleared.Result.RecallClearances) != 1 || cleared.Result.RecallClearances[0].Note != "复检合格 retested" {
		t.Fatalf("clearance: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/receipts/"+free+"/redemption", "tea-coop", nil); r.status != 200 {
		t.Errorf("redeeming cleared goods: %d %s", r.status, r.body)
	}
}
