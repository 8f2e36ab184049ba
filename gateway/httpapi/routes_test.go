package httpapi

import (
	"regexp"
	"strings"
	"testing"
)

// The route table is the router: every route the router holds is in the
// table once, and the table describes each fully enough to document it.
func TestRouteTableIsTheRouter(t *testing.T) {
	e := newEnv(t)
	registered := map[string]int{}
	for _, r := range e.srv.Routes() {
		registered[r.Method+" "+r.Path]++
	}
	ops := e.srv.Operations()
	if len(ops) != len(registered) {
		t.Errorf("%d operations for %d routes", len(ops), len(registered))
	}
	ids := map[string]bool{}
	param := regexp.MustCompile(`[:*]([A-Za-z]+)`)
	for _, op := range ops {
		key := op.Method + " " + op.Path
		if registered[key] != 1 {
			t.Errorf("%s: registered %d times", key, registered[key])
		}
		if op.ID == "" || op.Summary == "" || op.Tag == "" {
			t.Errorf("%s: operationId %q, summary %q, tag %q", key, op.ID, op.Summary, op.Tag)
		}
		if ids[op.ID] {
			t.Errorf("%s: operationId %s used twice", key, op.ID)
		}
		ids[op.ID] = true
		for _, m := range param.FindAllStringSubmatch(op.Path, -1) {
			found := false
			for _, p := range op.Params {
				found = found || p.Name == m[1] && p.In == "path" && p.Example != ""
			}
			if !found {
				t.Errorf("%s: path parameter %s undocumented or without example", key, m[1])
			}
		}
		if strings.HasPrefix(op.Path, "/api/v1/") && op.Path != "/api/v1/openapi.json" && !op.Auth {
			t.Errorf("%s: an API route without the API key", key)
		}
		if op.Method == "POST" && (!op.Idempotent || op.Result == nil) {
			t.Errorf("%s: a write that takes no Idempotency-Key or has no result type", key)
		}
	}
}

// Every code the gateway raises is in the one error table.
func TestErrorTableHasEveryGatewayCode(t *testing.T) {
	statuses := ErrorStatuses()
	for _, code := range []string{"MALFORMED_JSON", "BODY_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "METHOD_NOT_ALLOWED", "UNAUTHENTICATED",
		"TOO_MANY_FAILED_AUTHENTICATIONS", "IDEMPOTENCY_KEY_REUSED", "LEDGER_UNAVAILABLE", "TIMEOUT", "COMMIT_PENDING"} {
		found := false
		for c := range statuses {
			found = found || string(c) == code
		}
		if !found {
			t.Errorf("%s has no status", code)
		}
	}
}
