package httpapi

import (
	"strings"
	"testing"

	"github.com/qingchain/qingchain/gateway/demo"
)

// The register and the collateral alerts over HTTP, on the demo: the
// refused double financing, the register of the export tea, the chicken
// pledge in a margin call, and the bank's due-diligence view of its receipt.
func TestEncumbranceOverHTTP(t *testing.T) {
	e := newEnv(t)
	ents := demoEntities(t, e)
	dbl, mc := ents["doubleFinancing"], ents["marginCall"]
	if dbl["refusedWith"] != "ALREADY_ENCUMBERED" {
		t.Fatalf("demo.json doubleFinancing %v", dbl)
	}
	r := e.do("GET", "/api/v1/lots/"+demo.GTINBlackTea+"/"+demo.LotTeaExport+"/encumbrances", "bank", nil)
	if r.status != 200 || !strings.Contains(string(r.body), dbl["goodsBack"].(string)) {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/lots/"+demo.GTINBlackTea+"/"+demo.LotTeaExport+"/encumbrances", "tea-coop", nil); r.status != 403 {
		t.Errorf("a producer reads the register: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/receipts/"+mc["receipt"].(string)+"/verification", "bank", nil)
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, `"type":"EXCURSION"`) || !strings.Contains(body, `"shortfall":"14900.00"`) || !strings.Contains(body, mc["financing"].(string)) {
		t.Fatalf("due diligence of the pledged chicken: %d %s", r.status, body)
	}
	// Top-up over HTTP: bad input, then the wrong party.
	fin := mc["financing"].(string)
	if r := e.do("POST", "/api/v1/financings/"+fin+"/collateral", "meat-processor", map[string]string{"receiptId": "nope"}); r.status != 400 {
		t.Errorf("bad receipt id: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/financings/"+fin+"/collateral", "bank", map[string]string{"receiptId": mc["receipt"].(string)}); r.status != 403 {
		t.Errorf("the bank tops up: %d %s", r.status, r.body)
	}
}
