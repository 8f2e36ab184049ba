package httpapi

import (
	"reflect"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/demo"
)

// The bank's private term sheet over HTTP (issue 17): the bank records it,
// the applicant reads it, another bank is refused with the chaincode's
// code, a third party checks a sheet it was shown against the ledger's
// hash; malformed requests are refused by the gateway and change nothing.
func TestPrivateTermsOverHTTP(t *testing.T) {
	e := newEnv(t)
	finID := demoEntities(t, e)["finance"]["financing"].(string)
	e.addMember(demo.BankMSP, "other-bank", 301, "bank")
	path := "/api/v1/financings/" + finID + "/private-terms"
	sheet := api.PrivateTerms{InternalNotes: "内部评级 B+；借款人去年出口额下降", Haircuts: map[string]string{"recall": "0.6", "excursion": "0.25"}, Covenants: []string{"monthly stock report"}}

	hash := func() string {
		t.Helper()
		var f api.FinancingView
		e.do("GET", "/api/v1/financings/"+finID, "bank", nil).json(t, &f)
		return f.PrivateTermsHash
	}
	if r := e.do("GET", path, "bank", nil); r.status != 404 || r.errorCode(t) != "NOT_FOUND" {
		t.Errorf("private terms before any are recorded: %d %s", r.status, r.body)
	}
	if r := e.do("POST", path, "tea-coop", sheet); r.status != 403 || r.errorCode(t) != "FORBIDDEN" {
		t.Errorf("the applicant records the bank's terms: %d %s", r.status, r.body)
	}
	r := e.do("POST", path, "bank", sheet, "Idempotency-Key", "terms-1")
	var w struct {
		TxID   string        `json:"txId"`
		Result api.Financing `json:"result"`
	}
	r.json(t, &w)
	if r.status != 200 || w.TxID == "" || w.Result.ID != finID || len(w.Result.PrivateTermsHash) != 64 {
		t.Fatalf("the bank records its terms: %d %s", r.status, r.body)
	}
	if again := e.do("POST", path, "bank", sheet, "Idempotency-Key", "terms-1"); string(again.body) != string(r.body) {
		t.Errorf("a retry with the same Idempotency-Key: %d %s", again.status, again.body)
	}
	recorded := w.Result.PrivateTermsHash
	if got := hash(); got != recorded {
		t.Errorf("the financing's privateTermsHash %q, the write answered %q", got, recorded)
	}

	for _, tc := range []struct {
		name, user string
		status     int
		code       string
	}{
		{"the bank", "bank", 200, ""},
		{"the applicant", "tea-coop", 200, ""},
		{"another bank", "other-bank", 403, "FORBIDDEN"},
		{"an insurer", "insurer", 403, "FORBIDDEN"},
	} {
		t.Run("read by "+tc.name, func(t *testing.T) {
			r := e.do("GET", path, tc.user, nil)
			if r.status != tc.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, tc.status)
			}
			if tc.code != "" {
				if got := r.errorCode(t); got != tc.code {
					t.Errorf("code %s, want %s", got, tc.code)
				}
				return
			}
			var got api.PrivateTerms
			r.json(t, &got)
			if !reflect.DeepEqual(got, sheet) {
				t.Errorf("read %+v, recorded %+v", got, sheet)
			}
		})
	}

	tampered := sheet
	tampered.Haircuts = map[string]string{"recall": "0.1", "excursion": "0.25"}
	for _, tc := range []struct {
		name  string
		user  string
		shown api.PrivateTerms
		want  bool
	}{
		{"an insurer shown the recorded sheet", "insurer", sheet, true},
		{"an insurer shown a tampered sheet", "insurer", tampered, false},
		{"another bank shown the recorded sheet", "other-bank", sheet, true},
	} {
		t.Run("check by "+tc.name, func(t *testing.T) {
			var got api.PrivateTermsCheck
			r := e.do("POST", path+"/check", tc.user, tc.shown)
			r.json(t, &got)
			if r.status != 200 || got.FinancingID != finID || !got.Recorded || got.Matches != tc.want {
				t.Errorf("%d %s, want matches=%v", r.status, r.body, tc.want)
			}
		})
	}

	// Refused by the gateway before the ledger: nothing changes.
	for _, tc := range []struct {
		name, method, path string
		body               any
		code               string
	}{
		{"unknown field", "POST", path, `{"internalNotes":"x","principal":"1.00"}`, "INVALID_ARGUMENT"},
		{"wrong field type", "POST", path, `{"covenants":"one"}`, "INVALID_ARGUMENT"},
		{"an array, not an object", "POST", path, `[]`, "INVALID_ARGUMENT"},
		{"null", "POST", path, `null`, "INVALID_ARGUMENT"},
		{"not JSON", "POST", path, `{"internalNotes":`, "MALFORMED_JSON"},
		{"trailing data", "POST", path, `{"internalNotes":"x"} {}`, "MALFORMED_JSON"},
		{"an empty body", "POST", path, ``, "MALFORMED_JSON"},
		{"check with an unknown field", "POST", path + "/check", `{"notes":"x"}`, "INVALID_ARGUMENT"},
		{"record under a malformed id", "POST", "/api/v1/financings/F-1/private-terms", sheet, "INVALID_ARGUMENT"},
		{"read under a malformed id", "GET", "/api/v1/financings/f-2026-06698607a04bfbf7/private-terms", nil, "INVALID_ARGUMENT"},
		{"check under a malformed id", "POST", "/api/v1/financings/WR-2026-06698607A04BFBF7/private-terms/check", sheet, "INVALID_ARGUMENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(tc.method, tc.path, "bank", tc.body)
			if r.status != 400 || r.errorCode(t) != tc.code {
				t.Errorf("%d %s, want 400 %s", r.status, r.body, tc.code)
			}
		})
	}
	if got := hash(); got != recorded {
		t.Errorf("after refused requests the financing's privateTermsHash is %q, was %q", got, recorded)
	}
	var got api.PrivateTerms
	e.do("GET", path, "tea-coop", nil).json(t, &got)
	if !reflect.DeepEqual(got, sheet) {
		t.Errorf("after refused requests the sheet reads %+v", got)
	}
}
