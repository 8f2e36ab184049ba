// Package apidoctest checks an OpenAPI document the way a client's tools
// would: with pb33f's libopenapi and libopenapi-validator, a parser and
// JSON Schema validator independent of kin-openapi, which generates the
// document. Only tests import it.
package apidoctest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"golang.org/x/net/html"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// Report is what the validator found.
type Report struct {
	// Errors: the document does not parse, does not pass the OpenAPI
	// specification's own schema, or an example does not match its schema.
	Errors []string
	// Examples is how many examples were checked.
	Examples int
}

// Check validates doc against the OpenAPI specification and every example
// in it (parameters, request bodies, responses) against its schema, with
// format assertions on (date, date-time).
func Check(doc []byte) Report {
	var r Report
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		r.Errors = append(r.Errors, "parse: "+err.Error())
		return r
	}
	if ok, errs := schema_validation.ValidateOpenAPIDocument(d); !ok {
		for _, e := range errs {
			r.Errors = append(r.Errors, "document: "+describe(e))
		}
	}
	m, err := d.BuildV3Model()
	if err != nil {
		r.Errors = append(r.Errors, "model: "+err.Error())
		return r
	}
	// The schemas are read as the document's version says (3.0: nullable).
	version := float32(3.1)
	if strings.HasPrefix(m.Model.Version, "3.0") {
		version = 3.0
	}
	v := schema_validation.NewSchemaValidator(config.WithFormatAssertions())
	check := func(where string, s *base.SchemaProxy, example *yaml.Node, examples *orderedmap.Map[string, *base.Example]) {
		if s == nil {
			return
		}
		schema := s.Schema()
		if schema == nil {
			r.Errors = append(r.Errors, where+": schema does not resolve: "+fmt.Sprint(s.GetBuildError()))
			return
		}
		nodes := map[string]*yaml.Node{}
		if example != nil {
			nodes["example"] = example
		}
		for name, ex := range examples.FromOldest() {
			nodes["examples/"+name] = ex.Value
		}
		for name, n := range nodes {
			r.Examples++
			var value any
			if err := n.Decode(&value); err != nil {
				r.Errors = append(r.Errors, where+" "+name+": "+err.Error())
				continue
			}
			b, err := json.Marshal(value)
			if err != nil {
				r.Errors = append(r.Errors, where+" "+name+": "+err.Error())
				continue
			}
			if ok, errs := v.ValidateSchemaBytesWithVersion(schema, b, version); !ok {
				for _, e := range errs {
					r.Errors = append(r.Errors, where+" "+name+": "+describe(e))
				}
			}
		}
	}
	content := func(where string, c *orderedmap.Map[string, *v3.MediaType]) {
		for mt, media := range c.FromOldest() {
			check(where+" "+mt, media.Schema, media.Example, media.Examples)
		}
	}
	if m.Model.Components != nil {
		for name, p := range m.Model.Components.Parameters.FromOldest() {
			check("components.parameters."+name, p.Schema, p.Example, p.Examples)
		}
	}
	for path, item := range m.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			for _, p := range op.Parameters {
				check(where+" parameter "+p.Name, p.Schema, p.Example, p.Examples)
			}
			if op.RequestBody != nil {
				content(where+" request", op.RequestBody.Content)
			}
			if op.Responses != nil {
				for code, resp := range op.Responses.Codes.FromOldest() {
					content(where+" "+code, resp.Content)
				}
			}
		}
	}
	return r
}

func describe(e *liberrors.ValidationError) string {
	s := e.Message
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	for _, f := range e.SchemaValidationErrors {
		s += fmt.Sprintf("; %s at %s (%s)", f.Reason, f.FieldPath, f.KeywordLocation)
	}
	return s
}

// CheckPage checks a reference page as a browser would load it: it names
// every operation of doc, runs no script, loads nothing (no src at all, no
// stylesheet link), links only within itself or to the gateway's own
// paths, and its one style element is the one csp allows by hash.
func CheckPage(t testing.TB, page []byte, csp string, doc *openapi3.T) {
	t.Helper()
	ids := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(page))
	inStyle := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Errorf("page does not parse: %v", z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch tok.Data {
			case "script", "iframe", "object", "embed", "img", "link", "base", "form":
				t.Errorf("page has a <%s> element", tok.Data)
			case "style":
				inStyle = true
			}
			for _, a := range tok.Attr {
				switch {
				case a.Key == "id":
					ids[a.Val] = true
				case a.Key == "src" || a.Key == "srcset" || a.Key == "style" || strings.HasPrefix(a.Key, "on"):
					t.Errorf("page has %s=%q on <%s>", a.Key, a.Val, tok.Data)
				case a.Key == "href" && !(strings.HasPrefix(a.Val, "#") || strings.HasPrefix(a.Val, "/") && !strings.HasPrefix(a.Val, "//")):
					t.Errorf("page links outside the gateway: href=%q", a.Val)
				}
			}
		case html.TextToken:
			if inStyle {
				sum := sha256.Sum256([]byte(tok.Data))
				if want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
					t.Errorf("the CSP %q does not allow the page's style (%s)", csp, want)
				}
			}
		case html.EndTagToken:
			inStyle = false
		}
	}
	n := 0
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			n++
			if !ids[op.OperationID] {
				t.Errorf("page has no entry for %s", op.OperationID)
			}
		}
	}
	if n == 0 {
		t.Error("the document has no operations")
	}
}
