package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/identity"
)

// addMember registers an extra enterprise through the API and gives its
// member identity a key, as an operator would.
func (e *env) addMember(org, user string, seq int, kinds ...string) string {
	e.t.Helper()
	admin := map[string]string{demo.BankMSP: "bank-admin", demo.PlatformMSP: "platform-admin"}[org]
	code := demo.CreditCode(seq)
	if r := e.do("POST", "/api/v1/enterprises", admin, map[string]any{"creditCode": code, "name": user, "kinds": kinds}); r.status != 201 {
		e.t.Fatalf("register %s: %d %s", user, r.status, r.body)
	}
	// Kinds that carry public trust take effect once the zone regulator
	// approves them.
	for _, k := range kinds {
		if k == "bank" || k == "warehouse" || k == "insurer" || k == "inspector" || k == "customs_broker" || k == "regulator" {
			if r := e.do("POST", "/api/v1/enterprises/"+code+"/kinds/"+k+"/approve", "regulator-admin", nil); r.status != 200 {
				e.t.Fatalf("approve %s as %s: %d %s", user, k, r.status, r.body)
			}
		}
	}
	ca, _ := e.ledger.CA(org)
	id, _ := ca.Issue(user, identity.RoleClient, nil)
	e.wallet.PutIdentity(user, id)
	key, _, err := e.wallet.AddKey(user)
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[user] = key
	if r := e.do("POST", "/api/v1/enterprises/"+code+"/members", admin, map[string]string{"id": id.ID()}); r.status != 201 {
		e.t.Fatalf("bind %s: %d %s", user, r.status, r.body)
	}
	return code
}

func demoEntities(t *testing.T, e *env) map[string]map[string]any {
	t.Helper()
	var ents map[string]map[string]any
	raw, err := readFile(e.dir, demo.EntitiesFile)
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(raw, &ents)
	return ents
}

func TestBankFlowOverHTTP(t *testing.T) {
	e := newEnv(t)
	fin := demoEntities(t, e)["finance"]
	pledged, free, finID := fin["pledgedReceipt"].(string), fin["unpledgedReceipt"].(string), fin["financing"].(string)

	// The seeded financing: disbursed, two repayments, payoff as of a date.
	var f struct {
		Status               string `json:"status"`
		PrincipalOutstanding string `json:"principalOutstanding"`
		Postings             []struct {
			Kind string `json:"kind"`
		} `json:"postings"`
		AsOf struct {
			Date            string `json:"date"`
			InterestAccrued string `json:"interestAccrued"`
			Payoff          string `json:"payoff"`
		} `json:"asOf"`
	}
	r := e.do("GET", "/api/v1/financings/"+finID, "bank", nil)
	r.json(t, &f)
	if r.status != 200 || f.Status != "ACTIVE" || len(f.Postings) != 3 || f.PrincipalOutstanding == "" || f.AsOf.Payoff == "" {
		t.Fatalf("financing %d: %s", r.status, r.body)
	}

	// Due diligence on the pledged receipt.
	var v ReceiptVerification
	r = e.do("GET", "/api/v1/receipts/"+pledged+"/verification", "bank", nil)
	r.json(t, &v)
	if r.status != 200 || string(v.Pledge) == "null" || len(v.Custody) == 0 || len(v.Certificates) == 0 || v.Recalled || v.Proof == nil {
		t.Errorf("verification: %d %s", r.status, r.body)
	}
	if !strings.Contains(string(v.Pledge), finID) {
		t.Errorf("pledge %s does not name %s", v.Pledge, finID)
	}

	// Visibility: a bank sees only its own financings, an applicant its own.
	other := e.addMember(demo.BankMSP, "other-bank", 301, "bank")
	if r := e.do("GET", "/api/v1/financings/"+finID, "other-bank", nil); r.status != 403 && r.status != 404 {
		t.Errorf("another bank reads the financing: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/financings/"+finID, "insurer", nil); r.status != 403 && r.status != 404 {
		t.Errorf("the insurer reads the financing: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/financings/"+finID, "tea-coop", nil); r.status != 200 {
		t.Errorf("the applicant cannot read its financing: %d", r.status)
	}
	var mine []map[string]any
	e.do("GET", "/api/v1/financings", "other-bank", nil).json(t, &mine)
	if len(mine) != 0 {
		t.Errorf("another bank lists %d financings", len(mine))
	}

	// Pledging the pledged receipt again is 409 ALREADY_PLEDGED; too high a
	// loan-to-value on the free one is 422 LTV_EXCEEDED.
	apply := func(bank, receipt, principal string) string {
		r := e.do("POST", "/api/v1/financings", "tea-coop", map[string]any{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": bank, "collateral": []string{receipt}, "requestedPrincipal": principal, "currency": "CNY", "purpose": "test"})
		if r.status != 201 {
			return r.errorCode(t)
		}
		var w struct {
			Result struct {
				ID string `json:"id"`
			} `json:"result"`
		}
		r.json(t, &w)
		return w.Result.ID
	}
	if got := apply(other, pledged, "1000.00"); got != "ALREADY_PLEDGED" {
		t.Errorf("applying against a pledged receipt: %s", got)
	}
	id := apply(other, free, "150000.00")
	if !financingIDPattern.MatchString(id) {
		t.Fatalf("application: %s", id)
	}
	r = e.do("POST", "/api/v1/financings/"+id+"/approve", "other-bank", map[string]any{"principal": "150000.00", "annualRate": "0.05", "termDays": 90, "maxLtv": "0.70"})
	if r.status != 422 || r.errorCode(t) != "LTV_EXCEEDED" {
		t.Errorf("LTV 150000/180000 over 0.70: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/financings/"+id+"/approve", "bank", map[string]any{"principal": "100000.00", "annualRate": "0.05", "termDays": 90, "maxLtv": "0.70"}); r.status != 403 {
		t.Errorf("a bank approving another bank's application: %d", r.status)
	}
	for _, bad := range []struct{ path, body string }{
		{"/api/v1/financings/F-1/approve", `{}`},
		{"/api/v1/financings/" + id + "/disburse", `{"valueDate":"2026-02-30"}`},
		{"/api/v1/financings/" + id + "/repayments", `{"amount":"","valueDate":"2026-01-01"}`},
		{"/api/v1/receipts/" + free + "/transfer", `{"to":"nobody"}`},
		{"/api/v1/receipts/" + free + "/release", `{"extra":1}`},
	} {
		if r := e.do("POST", bad.path, "other-bank", bad.body); r.status != 400 {
			t.Errorf("POST %s %s: %d %s", bad.path, bad.body, r.status, r.body)
		}
	}
}

// Concurrent approvals of applications against one receipt through the
// gateway: exactly one pledge; the rest get 409 ALREADY_PLEDGED (the gateway
// retries MVCC conflicts, and a retry finds the receipt pledged).
func TestConcurrentApprovalsOverHTTP(t *testing.T) {
	e := newEnv(t)
	free := demoEntities(t, e)["finance"]["unpledgedReceipt"].(string)
	const n = 8
	banks := make([]string, n)
	ids := make([]string, n)
	for i := range n {
		banks[i] = fmt.Sprintf("bank-%d", i)
		code := e.addMember(demo.BankMSP, banks[i], 400+i, "bank")
		r := e.do("POST", "/api/v1/financings", "tea-coop", map[string]any{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": code, "collateral": []string{free}, "requestedPrincipal": "100000.00", "currency": "CNY", "purpose": "working capital"})
		var w struct {
			Result struct {
				ID string `json:"id"`
			} `json:"result"`
		}
		if r.status != 201 {
			t.Fatalf("application %d: %d %s", i, r.status, r.body)
		}
		r.json(t, &w)
		ids[i] = w.Result.ID
	}
	var wg sync.WaitGroup
	codes := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/api/v1/financings/"+ids[i]+"/approve", banks[i], map[string]any{"principal": "100000.00", "annualRate": "0.04", "termDays": 60, "maxLtv": "0.70"})
			if r.status == 200 {
				codes[i] = "OK"
			} else {
				codes[i] = r.errorCode(t)
			}
		}()
	}
	wg.Wait()
	ok, pledged := 0, 0
	for _, c := range codes {
		switch c {
		case "OK":
			ok++
		case "ALREADY_PLEDGED":
			pledged++
		}
	}
	if ok != 1 || pledged != n-1 {
		t.Errorf("outcomes %v: want one approval and %d ALREADY_PLEDGED", codes, n-1)
	}
	var hist []map[string]any
	e.do("GET", "/api/v1/receipts/"+free+"/history", "tea-coop", nil).json(t, &hist)
	pledges := 0
	for _, h := range hist {
		if b, _ := json.Marshal(h); strings.Contains(string(b), `"status":"PLEDGED"`) {
			pledges++
		}
	}
	if pledges != 1 {
		t.Errorf("receipt history shows %d pledged states, want 1", pledges)
	}
}
