package apidoc

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed page.html
var pageTemplate string

//go:embed page.css
var pageCSS string

// Page is the reference page of a document: one self-contained HTML page,
// no script, its style inline, nothing fetched from anywhere.
type Page struct {
	HTML []byte
	// CSP is the Content-Security-Policy to serve it with: nothing may be
	// loaded, and the one style element is allowed by its hash.
	CSP string
}

// Render renders the reference page of doc, a document Build returned;
// docURL is where the gateway serves the document itself.
func Render(doc *openapi3.T, docURL string) (Page, error) {
	t, err := template.New("page").Funcs(template.FuncMap{"prose": prose, "typeWithLink": typeWithLink}).Parse(pageTemplate)
	if err != nil {
		return Page{}, err
	}
	v, err := pageView(doc, docURL)
	if err != nil {
		return Page{}, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return Page{}, err
	}
	sum := sha256.Sum256([]byte(pageCSS))
	csp := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
	return Page{HTML: buf.Bytes(), CSP: csp}, nil
}

type (
	view struct {
		Title, Version, Description, DocURL, Auth string
		CSS                                       template.CSS
		Tags                                      []tagView
		Schemas                                   []schemaView
	}
	tagView struct {
		Name, Description string
		Ops               []opView
	}
	opView struct {
		ID, Method, Path, Summary, Description string
		Auth, Idempotent                       bool
		Params                                 []paramView
		// ExampleURL is the path with the parameters' examples.
		ExampleURL string
		Body       *mediaView
		Success    []responseView
		Errors     []errorView
	}
	paramView struct {
		Name, In, Type, Notes, Description, Example string
		Required                                    bool
	}
	mediaView struct {
		Type    string
		Fields  []fieldView
		Example string
	}
	responseView struct {
		Status      string
		Description string
		Media       []mediaView
	}
	errorView struct {
		Status string
		Codes  []codeView
	}
	codeView  struct{ Code, When string }
	fieldView struct {
		Name, Type, Ref, Notes string
		Required               bool
		// Depth indents the fields of an inline object.
		Depth int
	}
	schemaView struct {
		Name   string
		Fields []fieldView
	}
)

var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func pageView(doc *openapi3.T, docURL string) (view, error) {
	v := view{Title: doc.Info.Title, Version: doc.Info.Version, Description: doc.Info.Description, DocURL: docURL,
		CSS: template.CSS(pageCSS)}
	if s := doc.Components.SecuritySchemes[securityScheme]; s != nil && s.Value != nil {
		v.Auth = s.Value.Description
	}
	byTag := map[string]*tagView{}
	for _, t := range doc.Tags {
		v.Tags = append(v.Tags, tagView{Name: t.Name, Description: t.Description})
	}
	for i := range v.Tags {
		byTag[v.Tags[i].Name] = &v.Tags[i]
	}
	paths := doc.Paths.Map()
	for _, p := range slices.Sorted(mapKeys(paths)) {
		ops := paths[p].Operations()
		for _, m := range methodOrder {
			o := ops[m]
			if o == nil {
				continue
			}
			ov, err := opViewOf(m, p, o)
			if err != nil {
				return view{}, fmt.Errorf("apidoc: page: %s: %w", o.OperationID, err)
			}
			if len(o.Tags) == 0 || byTag[o.Tags[0]] == nil {
				return view{}, fmt.Errorf("apidoc: page: %s has no known tag", o.OperationID)
			}
			byTag[o.Tags[0]].Ops = append(byTag[o.Tags[0]].Ops, ov)
		}
	}
	for _, name := range slices.Sorted(mapKeys(doc.Components.Schemas)) {
		v.Schemas = append(v.Schemas, schemaView{Name: name, Fields: fields(doc.Components.Schemas[name].Value, 0)})
	}
	return v, nil
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func opViewOf(method, p string, o *openapi3.Operation) (opView, error) {
	ov := opView{ID: o.OperationID, Method: method, Path: p, Summary: o.Summary, Description: o.Description,
		Auth: o.Security == nil || len(*o.Security) > 0}
	example, query := p, url.Values{}
	for _, pr := range o.Parameters {
		if pr.Ref == "#/components/parameters/"+idempotencyHeader {
			ov.Idempotent = true
			continue
		}
		q := pr.Value
		pv := paramView{Name: q.Name, In: q.In, Description: q.Description, Required: q.Required}
		if q.Schema != nil {
			pv.Type, pv.Notes = typeLabel(q.Schema), notes(q.Schema.Value)
		}
		if q.Example != nil {
			pv.Example = fmt.Sprint(q.Example)
			switch q.In {
			case openapi3.ParameterInPath:
				example = strings.Replace(example, "{"+q.Name+"}", pv.Example, 1)
			case openapi3.ParameterInQuery:
				query.Set(q.Name, pv.Example)
			}
		}
		ov.Params = append(ov.Params, pv)
	}
	if len(query) > 0 {
		example += "?" + query.Encode()
	}
	ov.ExampleURL = example
	if o.RequestBody != nil && o.RequestBody.Value != nil {
		for _, mt := range slices.Sorted(mapKeys(o.RequestBody.Value.Content)) {
			m, err := mediaViewOf(mt, o.RequestBody.Value.Content[mt])
			if err != nil {
				return ov, err
			}
			ov.Body = &m
		}
	}
	for _, st := range slices.Sorted(mapKeys(o.Responses.Map())) {
		r := o.Responses.Value(st).Value
		n, _ := strconv.Atoi(st)
		if n >= 400 {
			ev := errorView{Status: st + " " + http.StatusText(n)}
			if mt := r.Content.Get("application/json"); mt != nil {
				for _, code := range slices.Sorted(mapKeys(mt.Examples)) {
					ev.Codes = append(ev.Codes, codeView{Code: code, When: mt.Examples[code].Value.Summary})
				}
			}
			ov.Errors = append(ov.Errors, ev)
			continue
		}
		rv := responseView{Status: st, Description: *r.Description}
		for _, mt := range slices.Sorted(mapKeys(r.Content)) {
			m, err := mediaViewOf(mt, r.Content[mt])
			if err != nil {
				return ov, err
			}
			rv.Media = append(rv.Media, m)
		}
		ov.Success = append(ov.Success, rv)
	}
	return ov, nil
}

func mediaViewOf(mediaType string, mt *openapi3.MediaType) (mediaView, error) {
	m := mediaView{Type: mediaType}
	if mt.Schema != nil {
		if mt.Schema.Ref != "" || mt.Schema.Value.Properties == nil {
			m.Fields = []fieldView{{Name: "(body)", Type: typeLabel(mt.Schema), Ref: refName(mt.Schema), Notes: notes(mt.Schema.Value)}}
		} else {
			m.Fields = fields(mt.Schema.Value, 0)
		}
	}
	switch ex := mt.Example.(type) {
	case nil:
	case string:
		m.Example = ex
	default:
		b, err := json.MarshalIndent(ex, "", "  ")
		if err != nil {
			return m, err
		}
		m.Example = string(b)
	}
	return m, nil
}

// fields outlines an object's properties, inline objects indented under
// theirs; components are named, not expanded (they have their own entry).
func fields(s *openapi3.Schema, depth int) []fieldView {
	if s == nil {
		return nil
	}
	var out []fieldView
	for _, name := range slices.Sorted(mapKeys(s.Properties)) {
		p := s.Properties[name]
		out = append(out, fieldView{Name: name, Type: typeLabel(p), Ref: refName(p), Notes: notes(p.Value),
			Required: slices.Contains(s.Required, name), Depth: depth})
		if inner := inlineObject(p); inner != nil && depth < 4 {
			out = append(out, fields(inner, depth+1)...)
		}
	}
	return out
}

// inlineObject is the object schema written in place under r (directly or
// as an array's items), if any.
func inlineObject(r *openapi3.SchemaRef) *openapi3.Schema {
	for r != nil && r.Ref == "" && r.Value != nil {
		if r.Value.Properties != nil {
			return r.Value
		}
		r = r.Value.Items
	}
	return nil
}

func refName(r *openapi3.SchemaRef) string {
	for r != nil {
		if r.Ref != "" {
			return path.Base(r.Ref)
		}
		if r.Value == nil {
			return ""
		}
		switch {
		case isNullableRef(r.Value):
			r = r.Value.AnyOf[0]
		case r.Value.Items != nil:
			r = r.Value.Items
		case r.Value.AdditionalProperties.Schema != nil:
			r = r.Value.AdditionalProperties.Schema
		default:
			return ""
		}
	}
	return ""
}

func typeLabel(r *openapi3.SchemaRef) string {
	if r == nil {
		return "any"
	}
	if r.Ref != "" {
		return path.Base(r.Ref)
	}
	s := r.Value
	switch {
	case isNullableRef(s):
		return typeLabel(s.AnyOf[0])
	case s == nil || s.Type == nil || len(*s.Type) == 0:
		return "any"
	case s.Type.Is(openapi3.TypeArray):
		return "array of " + typeLabel(s.Items)
	case s.Type.Is(openapi3.TypeObject) && s.AdditionalProperties.Schema != nil:
		return "map of " + typeLabel(s.AdditionalProperties.Schema)
	}
	label := strings.Join(*s.Type, " or ")
	if s.Format != "" {
		label += " (" + s.Format + ")"
	}
	return label
}

// notes are the constraints worth reading next to a type.
func notes(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	var n []string
	if len(s.Enum) > 0 {
		var vs []string
		for _, e := range s.Enum {
			vs = append(vs, fmt.Sprint(e))
		}
		n = append(n, "one of "+strings.Join(vs, ", "))
	}
	if s.Pattern != "" {
		n = append(n, "pattern "+s.Pattern)
	}
	if s.MaxLength != nil {
		n = append(n, fmt.Sprintf("at most %d characters", *s.MaxLength))
	}
	// A bound worth telling, not the range of a Go uint64.
	if s.Type.Is(openapi3.TypeInteger) && (s.Min != nil && *s.Min > 0 || s.Max != nil && *s.Max < 1<<53) {
		n = append(n, fmt.Sprintf("%s to %s", num(s.Min), num(s.Max)))
	}
	if s.Default != nil {
		n = append(n, fmt.Sprintf("default %v", s.Default))
	}
	if _, null := orNull(s); s.Nullable || null {
		n = append(n, "may be null")
	}
	return strings.Join(n, "; ")
}

func num(f *float64) string {
	if f == nil {
		return "…"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// prose renders a description: paragraphs at blank lines, `code` spans
// as code, everything else escaped.
func prose(text string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, part := range strings.Split(para, "`") {
			// Odd parts sit between backticks.
			if i%2 == 1 {
				b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
			} else {
				b.WriteString(template.HTMLEscapeString(part))
			}
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// typeWithLink renders a type label whose component name links to the
// component's entry on the page.
func typeWithLink(label, ref string) template.HTML {
	before, after, ok := strings.Cut(label, ref)
	if !ok {
		return template.HTML(template.HTMLEscapeString(label))
	}
	return template.HTML(template.HTMLEscapeString(before) + `<a href="#schema-` + template.HTMLEscapeString(ref) + `">` +
		template.HTMLEscapeString(ref) + `</a>` + template.HTMLEscapeString(after))
}
