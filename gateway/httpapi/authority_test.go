package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway/demo"
)

// The authority rules over HTTP, on the demo zone: kinds an organisation
// may not grant, a trust kind pending until the regulator approves it,
// writes on goods the caller does not hold, and custody passed by a
// hand-over.
func TestAuthorityOverHTTP(t *testing.T) {
	e := newEnv(t)
	ents := demoEntities(t, e)["enterprises"]
	code := func(user string) string { return ents[user].(map[string]any)["creditCode"].(string) }
	now := func() string { return time.Now().Add(-time.Minute).Format(time.RFC3339) }
	flockEvent := map[string]any{"type": "ObjectEvent", "bizStep": "feeding", "eventTime": now(),
		"lots": []map[string]string{{"gtin": demo.GTINLiveBird, "lot": demo.LotFlock}}}

	if r := e.do("GET", "/api/v1/governance", "bank", nil); r.status != 200 || !strings.Contains(string(r.body), `"regulatorMsp":"RegulatorMSP"`) {
		t.Fatalf("governance: %d %s", r.status, r.body)
	}
	tests := []struct {
		name, method, path, user string
		body                     any
		status                   int
		code                     string
	}{
		{"platform admin registers a regulator", "POST", "/api/v1/enterprises", "platform-admin",
			map[string]any{"creditCode": demo.CreditCode(601), "name": "自封监管", "kinds": []string{"regulator"}}, 403, "KIND_NOT_GRANTABLE"},
		{"bank admin registers a warehouse", "POST", "/api/v1/enterprises", "bank-admin",
			map[string]any{"creditCode": demo.CreditCode(602), "name": "银行仓", "kinds": []string{"warehouse"}}, 403, "KIND_NOT_GRANTABLE"},
		{"bank approves a kind", "POST", "/api/v1/enterprises/" + code("warehouse") + "/kinds/warehouse/approve", "bank", nil, 403, "FORBIDDEN"},
		{"tea cooperative records feeding on the farm's flock", "POST", "/api/v1/events", "tea-coop", flockEvent, 403, "NOT_CUSTODIAN"},
		{"back-dated event", "POST", "/api/v1/events", "chicken-farm", map[string]any{"type": "ObjectEvent", "bizStep": "feeding", "eventTime": time.Now().AddDate(0, -2, 0).Format(time.RFC3339),
			"lots": []map[string]string{{"gtin": demo.GTINLiveBird, "lot": demo.LotFlock}}}, 422, "EVENT_TOO_OLD"},
		{"hand-over by a stranger", "POST", "/api/v1/lots/" + demo.GTINLiveBird + "/" + demo.LotFlock + "/handovers", "tea-coop", map[string]string{"to": code("logistics")}, 403, "NOT_CUSTODIAN"},
		{"hand-over to a bad code", "POST", "/api/v1/lots/" + demo.GTINLiveBird + "/" + demo.LotFlock + "/handovers", "chicken-farm", map[string]string{"to": "nope"}, 400, "INVALID_ARGUMENT"},
		{"revoke without a reason", "POST", "/api/v1/enterprises/" + code("bank") + "/kinds/bank/revoke", "regulator", map[string]string{}, 400, "INVALID_ARGUMENT"},
		{"approve a bad kind", "POST", "/api/v1/enterprises/" + code("bank") + "/kinds/BANK!/approve", "regulator", nil, 400, "INVALID_ARGUMENT"},
		{"bad proposal id", "GET", "/api/v1/governance/proposals/xyz", "bank", nil, 400, "INVALID_ARGUMENT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, tc.user, tc.body)
			if r.status != tc.status || r.errorCode(t) != tc.code {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tc.status, tc.code)
			}
		})
	}

	// A second bank registers: pending until the regulator approves it.
	other := demo.CreditCode(603)
	if r := e.do("POST", "/api/v1/enterprises", "bank-admin", map[string]any{"creditCode": other, "name": "第二银行", "kinds": []string{"bank"}}); r.status != 201 ||
		!strings.Contains(string(r.body), `"kinds":[]`) || !strings.Contains(string(r.body), `"pendingKinds":["bank"]`) {
		t.Fatalf("register bank: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+other+"/kinds/bank/approve", "regulator", nil); r.status != 200 || !strings.Contains(string(r.body), `"kinds":["bank"]`) {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/enterprises/"+other+"/history", "bank", nil); r.status != 200 || strings.Count(string(r.body), `"txId"`) < 2 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}

	// The farm hands the flock to the carrier, which may then record on it.
	if r := e.do("POST", "/api/v1/lots/"+demo.GTINLiveBird+"/"+demo.LotFlock+"/handovers", "chicken-farm", map[string]string{"to": code("logistics")}); r.status != 201 {
		t.Fatalf("hand-over: %d %s", r.status, r.body)
	}
	ev := map[string]any{"type": "ObjectEvent", "bizStep": "loading", "eventTime": now(), "lots": []map[string]string{{"gtin": demo.GTINLiveBird, "lot": demo.LotFlock}}}
	if r := e.do("POST", "/api/v1/events", "logistics", ev); r.status != 201 {
		t.Fatalf("carrier loads: %d %s", r.status, r.body)
	}
}
