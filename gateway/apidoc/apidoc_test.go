package apidoc_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/gateway/apidoc"
	"github.com/qingchain/qingchain/gateway/apidoc/apidoctest"
)

// A small API with the shapes the real one has: an embedded struct, a
// time, a date that marshals itself, a map, slices, a named string type,
// optional and pointer fields, raw JSON.
type (
	loanKind string
	amount   struct {
		Value    string `json:"value"`
		Currency string `json:"currency"`
	}
	record struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"createdAt"`
	}
	loan struct {
		record
		Kind      loanKind          `json:"kind"`
		Principal amount            `json:"principal"`
		Postings  []amount          `json:"postings"`
		Due       money.Date        `json:"due"`
		Labels    map[string]string `json:"labels,omitempty"`
		Note      string            `json:"note,omitempty"`
		Parent    *amount           `json:"parent,omitempty"`
		Pledge    *amount           `json:"pledge"`
		Extra     json.RawMessage   `json:"extra,omitempty"`
		Internal  string            `json:"-"`
	}
	applyRequest struct {
		Kind    loanKind `json:"kind"`
		Amount  amount   `json:"amount"`
		Purpose string   `json:"purpose,omitempty"`
	}
	written struct {
		TxID        string `json:"txId"`
		BlockNumber uint64 `json:"blockNumber"`
	}
)

var codes = map[string]int{
	"INVALID_ARGUMENT": 400, "MALFORMED_JSON": 400, "BODY_TOO_LARGE": 413, "UNSUPPORTED_MEDIA_TYPE": 415,
	"UNAUTHENTICATED": 401, "UNREGISTERED": 403, "FORBIDDEN": 403, "TOO_MANY_FAILED_AUTHENTICATIONS": 429,
	"NOT_FOUND": 404, "ALREADY_EXISTS": 409, "CONFLICT": 409, "ALREADY_PLEDGED": 409,
	"RULE_VIOLATION": 422, "IDEMPOTENCY_KEY_REUSED": 422,
	"LEDGER_UNAVAILABLE": 503, "TIMEOUT": 503, "COMMIT_PENDING": 503, "INTERNAL": 500,
}

var info = apidoc.Info{Title: "Sample", Version: "1.0.0", Description: "A sample API.", Auth: "API key",
	Tags: []apidoc.Tag{{Name: "loans", Description: "Loans"}, {Name: "operations", Description: "Running it"}}}

var loanID = apidoc.Param{Name: "id", In: "path", Pattern: `^F-[0-9]{4}-[0-9A-F]{16}$`, Example: "F-2026-0123456789ABCDEF", Description: "Loan id"}

var exampleLoan = loan{record: record{ID: "F-2026-0123456789ABCDEF", CreatedAt: time.Date(2026, 6, 12, 9, 30, 0, 0, time.UTC)},
	Kind: "RECEIPT", Principal: amount{"800000.00", "CNY"}, Postings: []amount{}, Due: mustDate("2026-12-12")}

func mustDate(s string) money.Date {
	d, err := money.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func sample() []apidoc.Operation {
	return []apidoc.Operation{
		{Method: "GET", Path: "/healthz", ID: "healthz", Summary: "Liveness", Tag: "operations",
			Result: map[string]string{}, Example: &apidoc.Example{Result: map[string]string{"status": "ok"}}},
		{Method: "GET", Path: "/metrics", ID: "metrics", Summary: "Metrics", Tag: "operations",
			ContentTypes: []string{"text/plain"}, Example: &apidoc.Example{Text: "up 1\n"}},
		{Method: "GET", Path: "/api/v1/loans", ID: "listLoans", Summary: "Loans", Tag: "loans", Auth: true,
			Params: []apidoc.Param{{Name: "asOf", In: "query", Type: "date", Example: "2026-06-30"},
				{Name: "limit", In: "query", Type: "integer", Min: 1, Max: 200, Default: "50", Example: "20"}},
			Result: []loan{}, Example: &apidoc.Example{Result: []loan{exampleLoan}}},
		{Method: "GET", Path: "/api/v1/loans/:id", ID: "getLoan", Summary: "A loan", Tag: "loans", Auth: true,
			Params: []apidoc.Param{loanID}, Result: loan{}, Example: &apidoc.Example{Result: exampleLoan}},
		{Method: "POST", Path: "/api/v1/loans", ID: "applyForLoan", Summary: "Apply", Description: "Apply for a loan.",
			Tag: "loans", Auth: true, Idempotent: true, Status: http.StatusCreated, Body: applyRequest{}, Result: written{},
			Errors: []apidoc.Failure{{Code: "ALREADY_PLEDGED", When: "the collateral backs another loan"}},
			Example: &apidoc.Example{Body: applyRequest{Kind: "RECEIPT", Amount: amount{"800000.00", "CNY"}},
				Result: written{TxID: strings.Repeat("ab", 32), BlockNumber: 42}}},
	}
}

func build(t *testing.T, ops []apidoc.Operation) *openapi3.T {
	t.Helper()
	doc, err := apidoc.Build(info, ops, codes)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestBuildValidates(t *testing.T) {
	b, err := json.Marshal(build(t, sample()))
	if err != nil {
		t.Fatal(err)
	}
	r := apidoctest.Check(b)
	for _, e := range r.Errors {
		t.Error(e)
	}
	if r.Examples < 10 {
		t.Errorf("only %d examples checked", r.Examples)
	}
}

func TestSchemasFromTypes(t *testing.T) {
	doc := build(t, sample())
	l := doc.Components.Schemas["loan"]
	if l == nil || l.Value == nil {
		t.Fatalf("no component schema for loan: %v", keys(doc.Components.Schemas))
	}
	s := l.Value
	wantRequired := []string{"id", "createdAt", "kind", "principal", "postings", "due", "pledge"}
	if got := slices.Sorted(slices.Values(s.Required)); !slices.Equal(got, slices.Sorted(slices.Values(wantRequired))) {
		t.Errorf("required %v, want %v", got, wantRequired)
	}
	if _, ok := s.Properties["Internal"]; ok {
		t.Error(`json:"-" field documented`)
	}
	p := s.Properties
	switch {
	case p["createdAt"].Value.Format != "date-time":
		t.Errorf("time.Time: %+v", p["createdAt"].Value)
	case !p["due"].Value.Type.Is("string"):
		t.Errorf("money.Date: %+v", p["due"].Value)
	case p["principal"].Ref != "#/components/schemas/amount" || p["postings"].Value.Items.Ref != "#/components/schemas/amount":
		t.Errorf("amount not reused by $ref: %q %q", p["principal"].Ref, p["postings"].Value.Items.Ref)
	case !p["labels"].Value.Type.Is("object") || !p["labels"].Value.AdditionalProperties.Schema.Value.Type.Is("string"):
		t.Errorf("map: %+v", p["labels"].Value)
	case !p["kind"].Value.Type.Is("string"):
		t.Errorf("named string type: %+v", p["kind"].Value)
	case len(p["pledge"].Value.AnyOf) != 2 || p["pledge"].Value.AnyOf[0].Ref != "#/components/schemas/amount" || !p["pledge"].Value.AnyOf[1].Value.Nullable:
		t.Errorf("a pointer without omitempty may be null: %+v", p["pledge"].Value)
	case p["extra"].Value.Type != nil || len(p["extra"].Value.AnyOf) != 6 || !p["extra"].Value.AnyOf[5].Value.Nullable:
		t.Errorf("json.RawMessage is any JSON value, null too: %+v", p["extra"].Value)
	}
	if doc.Components.Schemas["amount"] == nil || doc.Components.Schemas["ErrorBody"] == nil {
		t.Errorf("components: %v", keys(doc.Components.Schemas))
	}
}

func keys[V any](m map[string]V) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
}

func TestErrorsDerived(t *testing.T) {
	doc := build(t, sample())
	statuses := func(path, method string) []string {
		return slices.Sorted(func(yield func(string) bool) {
			for st := range doc.Paths.Find(path).GetOperation(method).Responses.Map() {
				if !yield(st) {
					return
				}
			}
		})
	}
	for _, c := range []struct {
		path, method string
		want         []string
	}{
		{"/healthz", "GET", []string{"200"}},
		{"/api/v1/loans/{id}", "GET", []string{"200", "400", "401", "403", "404", "429", "500", "503"}},
		{"/api/v1/loans", "POST", []string{"201", "400", "401", "403", "409", "413", "415", "422", "429", "500", "503"}},
	} {
		if got := statuses(c.path, c.method); !slices.Equal(got, c.want) {
			t.Errorf("%s %s: statuses %v, want %v", c.method, c.path, got, c.want)
		}
	}
	conflict := doc.Paths.Find("/api/v1/loans").Post.Responses.Status(409).Value
	for _, code := range []string{"ALREADY_EXISTS", "CONFLICT", "ALREADY_PLEDGED"} {
		if !strings.Contains(*conflict.Description, code) || conflict.Content.Get("application/json").Examples[code] == nil {
			t.Errorf("409 does not document %s: %s", code, *conflict.Description)
		}
	}
}

func TestBuildRefuses(t *testing.T) {
	for name, change := range map[string]func(ops []apidoc.Operation) []apidoc.Operation{
		"duplicate id":      func(ops []apidoc.Operation) []apidoc.Operation { ops[1].ID = ops[0].ID; return ops },
		"unknown tag":       func(ops []apidoc.Operation) []apidoc.Operation { ops[0].Tag = "nope"; return ops },
		"unknown code":      func(ops []apidoc.Operation) []apidoc.Operation { ops[4].Errors[0].Code = "NOPE"; return ops },
		"no example":        func(ops []apidoc.Operation) []apidoc.Operation { ops[3].Example = nil; return ops },
		"undescribed param": func(ops []apidoc.Operation) []apidoc.Operation { ops[3].Params = nil; return ops },
		"param not in path": func(ops []apidoc.Operation) []apidoc.Operation { ops[2].Params[0].In = "path"; return ops },
		"bad param example": func(ops []apidoc.Operation) []apidoc.Operation { ops[3].Params[0].Example = "F-1"; return ops },
		"bad body example": func(ops []apidoc.Operation) []apidoc.Operation {
			ops[4].Example.Body = map[string]any{"kind": 7}
			return ops
		},
		"unknown field in example": func(ops []apidoc.Operation) []apidoc.Operation {
			ops[4].Example.Body = map[string]any{"kind": "RECEIPT", "amonut": map[string]string{}}
			return ops
		},
		"same type name twice": func(ops []apidoc.Operation) []apidoc.Operation {
			type amount struct {
				Cents int `json:"cents"`
			}
			ops[0].Result, ops[0].Example.Result = amount{}, amount{}
			return ops
		},
	} {
		if _, err := apidoc.Build(info, change(sample()), codes); err == nil {
			t.Errorf("%s: built", name)
		}
	}
}

// The validator is the test's only witness: it must catch a bad example.
func TestCheckCatchesBadExamples(t *testing.T) {
	bad := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/x/{id}":{"get":{
		"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string","pattern":"^F-[0-9]{4}$"},"example":"G-1"}],
		"responses":{"200":{"description":"OK","content":{"application/json":{
			"schema":{"type":"object","required":["due"],"properties":{"due":{"type":"string","format":"date"}}},
			"example":{"due":"2026-13-45"}}}}}}}}}`
	if r := apidoctest.Check([]byte(bad)); len(r.Errors) < 2 {
		t.Errorf("bad examples passed: %v", r.Errors)
	}
}

func TestPage(t *testing.T) {
	doc := build(t, sample())
	p, err := apidoc.Render(doc, "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	apidoctest.CheckPage(t, p.HTML, p.CSP, doc)
	if !strings.Contains(p.CSP, "default-src 'none'") || !strings.Contains(p.CSP, "style-src 'sha256-") {
		t.Errorf("CSP %q", p.CSP)
	}
	for _, want := range []string{"F-2026-0123456789ABCDEF", "/api/v1/loans/F-2026-0123456789ABCDEF", "ALREADY_PLEDGED", "the collateral backs another loan",
		`href="#schema-amount"`, `href="/api/v1/openapi.json"`, "may be null"} {
		if !strings.Contains(string(p.HTML), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// A request body is a schema of its own: only the fields the operation
// names are required, down arrays and nested objects, and a name the body
// lacks is an error rather than a silent promise.
func TestRequestRequired(t *testing.T) {
	type (
		line struct {
			SKU string `json:"sku"`
			Qty string `json:"qty,omitempty"`
		}
		order struct {
			Buyer amount  `json:"buyer"`
			Lines []line  `json:"lines"`
			Note  string  `json:"note"`
			Ship  *amount `json:"ship"`
		}
	)
	op := func(required ...string) []apidoc.Operation {
		return []apidoc.Operation{{Method: "POST", Path: "/api/v1/orders", ID: "placeOrder", Summary: "Order", Tag: "loans",
			Auth: true, Idempotent: true, Body: order{}, Result: written{}, Required: required,
			Example: &apidoc.Example{Body: map[string]any{"buyer": map[string]string{"value": "1.00", "currency": "CNY"}, "lines": []map[string]string{{"sku": "T-1"}}},
				Result: written{TxID: strings.Repeat("ab", 32), BlockNumber: 1}}}}
	}
	doc := build(t, append(sample(), op("buyer", "buyer.value", "lines.sku")...))
	body := doc.Paths.Find("/api/v1/orders").Post.RequestBody.Value.Content.Get("application/json").Schema
	if body.Ref != "" {
		t.Fatalf("request body is a $ref %s, not its own schema", body.Ref)
	}
	for _, c := range []struct {
		where string
		s     *openapi3.Schema
		want  []string
	}{
		{"body", body.Value, []string{"buyer"}},
		{"buyer", body.Value.Properties["buyer"].Value, []string{"value"}},
		{"lines items", body.Value.Properties["lines"].Value.Items.Value, []string{"sku"}},
		{"ship", body.Value.Properties["ship"].Value, nil},
	} {
		if got := slices.Sorted(slices.Values(c.s.Required)); !slices.Equal(got, c.want) {
			t.Errorf("%s: required %v, want %v", c.where, got, c.want)
		}
	}
	if !body.Value.Properties["ship"].Value.Nullable {
		t.Error("a pointer in a request may be null")
	}
	// The response component of the same type keeps its own rule.
	if got := doc.Components.Schemas["amount"].Value.Required; !slices.Equal(slices.Sorted(slices.Values(got)), []string{"currency", "value"}) {
		t.Errorf("amount component: required %v", got)
	}
	for _, bad := range []string{"buyer.cents", "nope", "note.x"} {
		if _, err := apidoc.Build(info, op(bad), codes); err == nil {
			t.Errorf("required %q: built", bad)
		}
	}
	if _, err := apidoc.Build(info, append(sample()[:1:1], apidoc.Operation{Method: "GET", Path: "/x", ID: "x", Summary: "x", Tag: "loans",
		Required: []string{"a"}}), codes); err == nil {
		t.Error("required fields without a body: built")
	}
}

type (
	counted struct {
		N json.Number `json:"n"`
	}
	// ErrorDetail is also the name of apidoc's: a document may hold
	// both, under two names.
	ErrorDetail struct {
		ID string `json:"id"`
	}
)

// Component names: a name another package took first is prefixed with
// the package's; a number that Go holds as a string is a number.
func TestComponentNames(t *testing.T) {
	ops := sample()
	ops[0].Result, ops[0].Example.Result = struct {
		A ErrorDetail        `json:"a"`
		B apidoc.ErrorDetail `json:"b"`
	}{}, map[string]any{"a": map[string]string{"id": "x"}, "b": map[string]string{"code": "C", "message": "m"}}
	ops[1].Result, ops[1].ContentTypes, ops[1].Example = counted{}, nil, &apidoc.Example{Result: map[string]any{"n": 3}}
	doc := build(t, ops)
	for _, name := range []string{"counted", "ErrorDetail", "Apidoc_testErrorDetail"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("no component %s: %v", name, keys(doc.Components.Schemas))
		}
	}
	if n := doc.Components.Schemas["counted"].Value.Properties["n"].Value; !n.Type.Is("number") {
		t.Errorf("json.Number: %+v", n)
	}
}
