package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/demo"
)

// The demo's two trades over HTTP: the bank's four-flow view of each, the
// regulator's list of mismatches, and refusals of what a client may not
// send or see.
func TestTradeOverHTTP(t *testing.T) {
	e := newEnv(t)
	trade := demoEntities(t, e)["trade"]
	verified := trade["verified"].(map[string]any)
	mismatch := trade["mismatch"].(map[string]any)

	view := func(user, id string) api.TradeVerification {
		t.Helper()
		r := e.do("GET", "/api/v1/trades/"+id, user, nil)
		if r.status != 200 {
			t.Fatalf("GET trade %s as %s: %d %s", id, user, r.status, r.body)
		}
		var v api.TradeVerification
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := view("bank", verified["receivable"].(string))
	if v.Verdict != api.TradeVerified || v.Declared.TradeModes[0] != api.TradeMode9710 || v.Money.Net != "11985.00" || v.Goods.Quantity != "1200" {
		t.Errorf("verified trade: %+v", v)
	}
	m := view("bank", mismatch["receivable"].(string))
	if m.Verdict != api.TradeMismatch || m.Declared.Value != "80000.00" || m.Invoice.Amount != "8000.00" || m.Money.Payers[0].Country != "VG" {
		t.Errorf("mismatched trade: %+v", m)
	}
	r := e.do("GET", "/api/v1/trade-mismatches", "regulator", nil)
	var list []api.TradeVerification
	json.Unmarshal(r.body, &list)
	if r.status != 200 || len(list) != 1 || list[0].Invoice.Number != demo.InvoiceMismatch {
		t.Errorf("mismatches: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/declarations/"+mismatch["declaration"].(string), "customs", nil)
	if r.status != 200 {
		t.Errorf("declaration: %d %s", r.status, r.body)
	}

	tests := []struct {
		name, method, path, user string
		body                     any
		status                   int
		code                     string
	}{
		{"mismatches are the regulator's", "GET", "/api/v1/trade-mismatches", "bank", nil, 403, "FORBIDDEN"},
		{"a receipt is not a trade", "GET", "/api/v1/trades/WR-2026-0123456789ABCDEF", "bank", nil, 400, "INVALID_ARGUMENT"},
		{"unknown trade", "GET", "/api/v1/trades/RV-2026-0123456789ABCDEF", "bank", nil, 404, "NOT_FOUND"},
		{"a short declaration number", "GET", "/api/v1/declarations/51682026", "bank", nil, 400, "INVALID_ARGUMENT"},
		{"an exporter records a declaration", "POST", "/api/v1/declarations", "exporter", map[string]any{"number": "516820261000000999"}, 403, "FORBIDDEN"},
		{"a declaration that is not an object", "POST", "/api/v1/declarations", "customs-broker", []int{1}, 400, "INVALID_ARGUMENT"},
		{"release again", "POST", "/api/v1/declarations/" + verified["declaration"].(string) + "/release", "customs", map[string]string{"releaseDate": "2026-01-01"}, 409, "CONFLICT"},
		{"release with an unknown field", "POST", "/api/v1/declarations/" + verified["declaration"].(string) + "/release", "customs", map[string]any{"date": 1}, 400, "INVALID_ARGUMENT"},
		{"an insurer records money", "POST", "/api/v1/fx-receipts", "insurer", map[string]any{"amount": "1.00"}, 403, "FORBIDDEN"},
		{"verify takes no fields", "POST", "/api/v1/trades/" + verified["receivable"].(string) + "/verify", "bank", map[string]any{"x": 1}, 400, "INVALID_ARGUMENT"},
		{"the shopper's producer sees no trade", "GET", "/api/v1/trades/" + verified["receivable"].(string), "chicken-farm", nil, 403, "FORBIDDEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, tt.user, tt.body)
			var got struct {
				Error struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			json.Unmarshal(r.body, &got)
			if r.status != tt.status || got.Error.Code != tt.code {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
		})
	}
	// The bank verifies again: same verdict, recorded.
	r = e.do("POST", "/api/v1/trades/"+verified["receivable"].(string)+"/verify", "bank", nil)
	if r.status != 200 {
		t.Errorf("verify: %d %s", r.status, r.body)
	}
}
