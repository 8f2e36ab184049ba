package httpapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway/apidoc/apidoctest"
)

// docServer is a gateway over an empty ledger: enough to serve its own
// description, which needs no state.
func docServer(t *testing.T) *Server {
	t.Helper()
	return newLimitEnv(t, nil).srv
}

func get(t *testing.T, s *Server, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec
}

// The document the gateway serves, generated from the real route table,
// passes an OpenAPI validator independent of the generator: the
// specification's schema, and every example against its schema.
func TestOpenAPIDocumentValidates(t *testing.T) {
	s := docServer(t)
	served := get(t, s, specPath)
	if ct := served.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	// scripts/openapi-lint.sh lints what is served here.
	if out := os.Getenv("QC_OPENAPI_OUT"); out != "" {
		if err := os.WriteFile(out, served.Body.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := apidoctest.Check(served.Body.Bytes())
	for _, e := range r.Errors {
		t.Error(e)
	}
	// Each operation has a success example at least, most a request too,
	// and every error response one per code.
	if n := len(s.routes); r.Examples < 3*n {
		t.Errorf("%d examples checked for %d operations", r.Examples, n)
	}
}

// The document and the router describe the same API, in both directions.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := docServer(t)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(get(t, s, specPath).Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	param := regexp.MustCompile(`[:*]([A-Za-z]+)`)
	var registered []string
	for _, r := range s.Routes() {
		registered = append(registered, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(documented)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route registered but not documented: %s", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("route documented but not registered: %s", d)
		}
	}
	if len(documented) != len(registered) {
		t.Errorf("%d operations documented, %d routes registered", len(documented), len(registered))
	}
}

// Every operation says what it is (operationId, summary, tag), shows an
// example of its answer, and documents its failures.
func TestOpenAPIOperationsComplete(t *testing.T) {
	s := docServer(t)
	doc, err := openapi3.NewLoader().LoadFromData(s.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) != 1 {
				t.Errorf("%s: operationId %q, summary %q, tags %v", where, op.OperationID, op.Summary, op.Tags)
			}
			if rb := op.RequestBody; rb != nil && rb.Value.Content.Get("application/json").Example == nil {
				t.Errorf("%s: a request body without example", op.OperationID)
			}
			var success, failures int
			for status, resp := range op.Responses.Map() {
				if strings.HasPrefix(status, "2") {
					success++
					for mt, media := range resp.Value.Content {
						if media.Example == nil && !strings.HasPrefix(mt, "image/") {
							t.Errorf("%s: %s %s has no example", op.OperationID, status, mt)
						}
					}
					continue
				}
				failures++
				for code, ex := range resp.Value.Content.Get("application/json").Examples {
					if ex.Value == nil || !strings.Contains(*resp.Value.Description, code) {
						t.Errorf("%s: %s example %s undocumented", op.OperationID, status, code)
					}
				}
			}
			if success != 1 {
				t.Errorf("%s: %d success responses", op.OperationID, success)
			}
			if op.Security != nil && len(*op.Security) > 0 && failures == 0 {
				t.Errorf("%s: an authenticated operation that documents no failure", op.OperationID)
			}
		}
	}
}

// The reference page is served as one self-contained page: it names every
// operation, and neither it nor its policy lets a browser fetch anything
// from anywhere, the gateway included.
func TestDocsPage(t *testing.T) {
	s := docServer(t)
	rec := get(t, s, docsPath)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "img-src 'none'", "form-action 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	doc, err := openapi3.NewLoader().LoadFromData(s.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	apidoctest.CheckPage(t, rec.Body.Bytes(), csp, doc)
	page := rec.Body.String()
	for _, leak := range []string{"http://", "https://", "url(", "@import"} {
		if i := strings.Index(page, leak); i >= 0 && !allowedMention(page, i) {
			t.Errorf("page holds %q: %.80s", leak, page[i:])
		}
	}
}

// allowedMention: an absolute URL may appear in the page's text (an
// example's value, say), never in an attribute or the style a browser
// would act on; CheckPage has looked at the attributes, so what is left
// to rule out is the style.
func allowedMention(page string, i int) bool {
	style := strings.Index(page, "<style")
	end := strings.Index(page, "</style>")
	return style < 0 || i < style || i > end
}

// Every unified social credit code the document shows, in a parameter's
// example or in a body's, carries its GB 32100-2015 check character: an
// example a client copies must be one the gateway accepts.
func TestOpenAPICreditCodesValid(t *testing.T) {
	s := docServer(t)
	// Any value of a credit code's shape, in an array or under a key,
	// but a customs declaration number (18 digits too): under the keys
	// that hold one, or in a list of declarations.
	shaped := regexp.MustCompile(`(?:"(\w+)":|[\[,])"([0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10})"`)
	declarations := map[string]bool{}
	for _, m := range regexp.MustCompile(`"declarations":\[([^\]]*)\]`).FindAllSubmatch(s.OpenAPI(), -1) {
		for _, n := range regexp.MustCompile(`[0-9]{18}`).FindAll(m[1], -1) {
			declarations[string(n)] = true
		}
	}
	found := map[string]bool{}
	for _, m := range shaped.FindAllSubmatch(s.OpenAPI(), -1) {
		switch key, v := string(m[1]), string(m[2]); {
		case key == "customsDeclarationNo", key == "number", key == "declaration", declarations[v]:
		default:
			found[v] = true
		}
	}
	if len(found) < 5 {
		t.Errorf("only %d credit codes found in the document", len(found))
	}
	if !found[creditCodeParam.Example] {
		t.Errorf("the credit code parameter's example %s is not in the document", creditCodeParam.Example)
	}
	for code := range found {
		if err := uscc.Validate(code); err != nil {
			t.Errorf("%s: %v", code, err)
		}
	}
}

// Every code the chaincode answers with is documented on some operation,
// each under the status the error table gives it: a client can learn
// from the document alone what a refusal means.
func TestOpenAPIDocumentsEveryChaincodeCode(t *testing.T) {
	s := docServer(t)
	doc, err := openapi3.NewLoader().LoadFromData(s.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	statuses := ErrorStatuses()
	documented := map[api.Code][]string{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, resp := range op.Responses.Map() {
				mt := resp.Value.Content.Get("application/json")
				if mt == nil {
					continue
				}
				for code := range mt.Examples {
					documented[api.Code(code)] = append(documented[api.Code(code)], op.OperationID)
					if want := strconv.Itoa(statuses[api.Code(code)]); status != want {
						t.Errorf("%s: %s documented under %s, the error table says %s", op.OperationID, code, status, want)
					}
				}
			}
		}
	}
	for _, code := range api.Codes() {
		if len(documented[code]) == 0 {
			t.Errorf("%s is documented on no operation", code)
		}
	}
	for _, c := range []struct {
		op   string
		code api.Code
	}{
		{"approveFinancing", api.CodeLTVExceeded},
		{"approveFinancing", api.CodeAlreadyPledged},
		{"createReceivable", api.CodeDuplicateInvoice},
		{"recordEvent", api.CodeNotCustodian},
	} {
		if !slices.Contains(documented[c.code], c.op) {
			t.Errorf("%s does not document %s", c.op, c.code)
		}
	}
}

// Every operation that takes a body says which of its fields it requires
// (none is an answer too): a new route cannot inherit "every field
// without omitempty" by default.
func TestEveryBodyStatesItsRequiredFields(t *testing.T) {
	required := requiredFields()
	for _, r := range docServer(t).routes {
		if _, ok := required[r.ID]; r.Body != nil && !ok && r.Required == nil {
			t.Errorf("%s takes a %T and states no required fields (requiredFields in examples.go)", r.ID, r.Body)
		}
	}
}

// What the document calls required, the chaincode refuses to do without:
// each operation's example, accepted in shape, is sent without one
// required field at a time, as a caller the operation is for, and is
// refused as an invalid argument before anything is written.
func TestRequiredFieldsAreRequired(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo ledger")
	}
	e := newEnv(t)
	examples, err := routeExamples()
	if err != nil {
		t.Fatal(err)
	}
	required := requiredFields()
	ents := demoEntities(t, e)
	// Ids differ from one ledger to the next: this one's.
	policy, free := ents["insurance"]["policy"].(string), ents["finance"]["unpledgedReceipt"].(string)
	for _, c := range []struct{ op, user, path string }{
		{"registerEnterprise", "platform-admin", "/api/v1/enterprises"},
		{"createProduct", "tea-coop", "/api/v1/products"},
		{"commissionLot", "tea-coop", "/api/v1/lots"},
		{"issueCertificate", "inspector", "/api/v1/certificates"},
		{"setCreditLimit", "insurer", "/api/v1/credit-limits"},
		{"issuePolicy", "insurer", "/api/v1/policies"},
		{"createReceivable", "tea-coop", "/api/v1/receivables"},
		{"applyForFinancing", "tea-coop", "/api/v1/financings"},
		{"issueReceipt", "warehouse", "/api/v1/receipts"},
		{"recordEvent", "tea-coop", "/api/v1/events"},
		{"proposeGovernance", "platform-admin", "/api/v1/governance/proposals"},
		{"grantKind", "platform-admin", "/api/v1/enterprises/" + creditCodeParam.Example + "/kinds"},
		{"commissionItems", "tea-coop", "/api/v1/lots/06901234500028/BT-2026-06A/items"},
		{"handOver", "tea-coop", "/api/v1/lots/06901234500028/BT-2026-06A/handovers"},
		{"declareShipment", "exporter", "/api/v1/policies/" + policy + "/shipments"},
		{"requestAssignment", "exporter", "/api/v1/policies/" + policy + "/assignments"},
		{"splitReceipt", "tea-coop", "/api/v1/receipts/" + free + "/split"},
		{"freezeReceipt", "regulator", "/api/v1/receipts/" + free + "/freeze"},
		{"transferReceipt", "tea-coop", "/api/v1/receipts/" + free + "/transfer"},
		{"recallLot", "tea-coop", "/api/v1/recalls"},
		// Last, and on another enterprise than the others': it stands.
		{"recordSanction", "regulator", "/api/v1/enterprises/91441800QC00000024/sanctions"},
	} {
		var body map[string]json.RawMessage
		if err := json.Unmarshal(examples[c.op].Body.(json.RawMessage), &body); err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		if _, ok := body["shipmentId"]; ok {
			body["shipmentId"], _ = json.Marshal(ents["insurance"]["claimableShipment"])
		}
		n := 0
		for _, field := range required[c.op] {
			if strings.Contains(field, ".") {
				continue // nested: its parent's removal is tried
			}
			n++
			without := maps.Clone(body)
			delete(without, field)
			r := e.do("POST", c.path, c.user, without)
			var got struct {
				Error Error `json:"error"`
			}
			json.Unmarshal(r.body, &got)
			if r.status != http.StatusBadRequest || got.Error.Code != api.CodeInvalidArgument {
				t.Errorf("%s without %s: %d %s, want 400 INVALID_ARGUMENT", c.op, field, r.status, r.body)
			}
		}
		if n == 0 {
			t.Errorf("%s: no required field tried", c.op)
		}
		// And whole, the example is no invalid argument: what refused
		// it above was the missing field.
		if r := e.do("POST", c.path, c.user, body); r.status == http.StatusBadRequest {
			t.Errorf("%s: the example itself is refused: %s", c.op, r.body)
		}
	}
}
