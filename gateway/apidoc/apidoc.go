// Package apidoc builds the gateway's OpenAPI document and its reference page from the route table and the API's Go types.
//
// The route table carries one Operation per route: what it is for, its
// parameters, the zero values of its request and result types and
// examples. Build derives the JSON Schemas from those Go types by
// reflection (kin-openapi's openapi3gen, honouring json tags), the error
// responses from the gateway's code→status table, and checks the whole
// document, examples included, before anyone serves it.
package apidoc

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
)

// Info is what the document says about the API as a whole.
type Info struct {
	Title, Version, Description string
	// Auth describes the bearer API key that operations with Auth need.
	Auth string
	// Tags in the order the reference page shows them; every operation's
	// Tag must be one of them.
	Tags []Tag
}

// Tag is a group of operations.
type Tag struct {
	Name, Description string
}

// Operation is one route's documentation.
type Operation struct {
	// Method and Path as registered with Gin: /api/v1/financings/:id.
	Method, Path string
	// ID is the operationId, unique in the document.
	ID, Summary, Description, Tag string
	// Auth: the route needs Authorization: Bearer <api key>.
	Auth bool
	// Idempotent: the route honours an Idempotency-Key header.
	Idempotent bool
	// Params are the path and query parameters; every :name of Path must
	// be one of them.
	Params []Param
	// Body is the zero value of the JSON request body's type (nil: no body).
	Body any
	// BodyOptional: the operation also takes no body at all.
	BodyOptional bool
	// Result is the zero value of the success body's type (nil: no JSON body).
	Result any
	// Status is the success status (0: 200).
	Status int
	// ContentTypes are the success media types (default application/json
	// when Result is set). JSON types carry Result's schema; text types
	// and SVG a string; any other (image/png) a binary string.
	ContentTypes []string
	// Errors are the codes this route answers with beyond those Build
	// derives from its shape (see derivedErrors).
	Errors []Failure
	// Required lists the request body's fields the operation cannot do
	// without, as dotted JSON names ("buyer.name"; through an array to
	// its items: "lots.gtin"). Request bodies are schemas of their own,
	// not the components responses share, because what a transaction
	// requires is its own rule: a field the answer always carries may be
	// optional on the way in, and one type may serve two transactions that
	// require different fields of it.
	Required []string
	// Example is required for every operation with a Body or a Result.
	Example *Example
}

// Param is a path or query parameter. Path parameters are always required.
type Param struct {
	Name string
	// In is "path" or "query".
	In          string
	Description string
	// Type is "" (a string), "integer" or "date" (YYYY-MM-DD).
	Type      string
	Pattern   string
	Enum      []string
	MaxLength uint64
	// Min and Max bound an integer (Max only when > 0).
	Min, Max float64
	// Default is the value a query parameter takes when absent.
	Default string
	// Example is required for path parameters.
	Example  string
	Required bool
}

// Failure is an error code an operation answers with, and when.
type Failure struct {
	Code, When string
}

// Example is one request and its answer. Body and Result may be written
// as maps or as values of the operation's types: Build passes them through
// those types, as the gateway would, so an unknown field is an error.
type Example struct {
	// Body is the request body.
	Body any
	// Result is the success body for JSON media types.
	Result any
	// Text is the success body for text media types (and SVG).
	Text string
}

// ErrorBody is the one error shape every endpoint answers with.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the error itself: a stable code, a message for people and,
// when a transaction is concerned, its id.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	TxID    string `json:"txId,omitempty"`
}

// Names of shared components.
const (
	securityScheme    = "apiKey"
	idempotencyHeader = "IdempotencyKey"
	errorSchema       = "ErrorBody"
)

// Build generates the OpenAPI 3 document of ops. codes is the gateway's
// table from error codes to HTTP statuses; every code an operation answers
// with must be in it. The document is validated (examples included) before
// it is returned.
func Build(info Info, ops []Operation, codes map[string]int) (*openapi3.T, error) {
	b := &builder{codes: codes, schemas: openapi3.Schemas{}, examples: openapi3.Examples{}, responses: openapi3.ResponseBodies{},
		names: map[string]reflect.Type{}}
	b.gen = openapi3gen.NewGenerator(
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{ExportComponentSchemas: true, ExportTopLevelSchema: true}),
		openapi3gen.CreateTypeNameGenerator(b.typeName),
		openapi3gen.SchemaCustomizer(customize),
	)
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info:    &openapi3.Info{Title: info.Title, Version: info.Version, Description: info.Description},
		// The gateway serves from its own origin: links stay relative.
		Servers: openapi3.Servers{{URL: "/"}},
		Paths:   openapi3.NewPathsWithCapacity(len(ops)),
		Components: &openapi3.Components{
			Schemas:   b.schemas,
			Examples:  b.examples,
			Responses: b.responses,
			SecuritySchemes: openapi3.SecuritySchemes{securityScheme: {Value: &openapi3.SecurityScheme{
				Type: "http", Scheme: "bearer", Description: info.Auth}}},
			Parameters: openapi3.ParametersMap{idempotencyHeader: {Value: &openapi3.Parameter{
				Name: "Idempotency-Key", In: openapi3.ParameterInHeader,
				Description: "A retry with the same key and body returns the first answer and writes nothing",
				Schema:      openapi3.NewStringSchema().WithMinLength(1).WithMaxLength(255).WithPattern(`^[\x21-\x7e]{1,255}$`).NewRef(),
				Example:     "apply-2026-06-12-001"}}},
		},
		Security: openapi3.SecurityRequirements{{securityScheme: []string{}}},
	}
	errRef, err := b.schemaOf(ErrorBody{})
	if err != nil {
		return nil, err
	}
	b.errRef = errRef
	tags := map[string]bool{}
	for _, t := range info.Tags {
		doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t.Name, Description: t.Description})
		tags[t.Name] = true
	}
	seen := map[string]bool{}
	for _, op := range ops {
		switch {
		case op.ID == "" || op.Summary == "":
			return nil, fmt.Errorf("apidoc: %s %s: operation id and summary are required", op.Method, op.Path)
		case seen[op.ID]:
			return nil, fmt.Errorf("apidoc: operation id %s used twice", op.ID)
		case !tags[op.Tag]:
			return nil, fmt.Errorf("apidoc: %s: tag %q is not among the document's tags", op.ID, op.Tag)
		}
		seen[op.ID] = true
		o, err := b.operation(op)
		if err != nil {
			return nil, fmt.Errorf("apidoc: %s: %w", op.ID, err)
		}
		doc.AddOperation(openAPIPath(op.Path), op.Method, o)
	}
	if err := b.nameErr; err != nil {
		return nil, err
	}
	// The generator's own checks: refs resolve, examples match their
	// schemas. They run on the document as built, every $ref carrying
	// its value, rather than on it encoded and loaded again, which would
	// triple what building costs each server; the tests check the
	// encoded document with an independent validator.
	if err := openapi3.NewLoader().ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("apidoc: the generated document's references do not resolve: %w", err)
	}
	ctx := openapi3.WithValidationOptions(context.Background(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaFormatValidation())
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("apidoc: the generated document is invalid: %w", err)
	}
	return doc, nil
}

type builder struct {
	codes   map[string]int
	gen     *openapi3gen.Generator
	schemas openapi3.Schemas
	errRef  *openapi3.SchemaRef
	// examples and responses are the error examples and responses
	// operations share (errorExample, errorResponse).
	examples  openapi3.Examples
	responses openapi3.ResponseBodies
	// names maps component names to the Go type that took them, so that
	// two types of one name in different packages are an error, not a
	// silent merge.
	names   map[string]reflect.Type
	nameErr error
}

var (
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	timeType      = reflect.TypeFor[time.Time]()
	numberType    = reflect.TypeFor[json.Number]()
)

func marshals(t reflect.Type) bool {
	return t.Implements(textMarshaler) || t.Implements(jsonMarshaler) ||
		reflect.PointerTo(t).Implements(textMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler)
}

// typeName names the component schema of a struct type. Types that marshal
// themselves (a date, a decimal) are not objects: the empty name keeps
// them inline, where customize gives them their JSON type; so does
// openapi3gen a generic type. A name another package took first is
// prefixed with the package's (epcis.Location after api.Location:
// EpcisLocation).
func (b *builder) typeName(t reflect.Type) string {
	if t == timeType || marshals(t) {
		return ""
	}
	name := t.Name()
	if prev, ok := b.names[name]; ok && prev != t && name != "" {
		if prev.PkgPath() == t.PkgPath() && b.nameErr == nil {
			b.nameErr = fmt.Errorf("apidoc: two types of %s are named %s", t.PkgPath(), name)
		}
		pkg := path.Base(t.PkgPath())
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + strings.ToUpper(name[:1]) + name[1:]
		if prev, ok := b.names[name]; ok && prev != t && b.nameErr == nil {
			b.nameErr = fmt.Errorf("apidoc: two types are named %s, in %s and in %s", name, prev.PkgPath(), t.PkgPath())
		}
	}
	b.names[name] = t
	return name
}

// customize adds what openapi3gen leaves out: which properties are
// required (those without omitempty), that a pointer to a struct without
// omitempty may be null, and the JSON type of a value that marshals itself.
func customize(_ string, t reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
	customizeSchema(t, s, true)
	return nil
}

// nullableRef is ref or null, as OpenAPI 3.0 can say it: nullable adds
// null only to the types of its own schema object, never through an
// allOf to another's, so null is its own branch.
func nullableRef(ref *openapi3.SchemaRef) *openapi3.SchemaRef {
	return &openapi3.SchemaRef{Value: &openapi3.Schema{AnyOf: openapi3.SchemaRefs{ref, nullOnly()}}}
}

// nullOnly is a schema only null passes, in 3.0's words: nullable needs a
// type beside it, and the enum leaves no value of that type.
func nullOnly() *openapi3.SchemaRef {
	return (&openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Nullable: true, Enum: []any{nil}}).NewRef()
}

// orNull is the first branch beside null of a schema made by nullableRef
// or by customize for any JSON value: s is that or null.
func orNull(s *openapi3.Schema) (*openapi3.SchemaRef, bool) {
	if s == nil || len(s.AnyOf) < 2 {
		return nil, false
	}
	n := s.AnyOf[len(s.AnyOf)-1].Value
	if n == nil || !n.Nullable || len(n.Enum) != 1 || n.Enum[0] != nil {
		return nil, false
	}
	return s.AnyOf[0], true
}

// isNullableRef reports whether s is what nullableRef makes.
func isNullableRef(s *openapi3.Schema) bool {
	ref, ok := orNull(s)
	return ok && len(s.AnyOf) == 2 && ref.Ref != ""
}

// customizeRequest is customize for request bodies, written in place:
// nothing is required but what the operation names (applyRequired), and
// a pointer, which openapi3gen makes nullable, needs no wrapping.
func customizeRequest(_ string, t reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
	customizeSchema(t, s, false)
	return nil
}

func customizeSchema(t reflect.Type, s *openapi3.Schema, component bool) {
	if t == numberType {
		// A string in Go that encoding/json writes as a JSON number.
		s.Type = &openapi3.Types{openapi3.TypeNumber}
		return
	}
	if t.Kind() == reflect.Struct && t != timeType && !marshals(t) {
		s.Required = nil
		for _, f := range jsonFields(t) {
			if f.omitEmpty || !component {
				continue
			}
			s.Required = append(s.Required, f.name)
			// openapi3gen drops nullable where it puts a $ref (a sibling of
			// $ref is ignored in 3.0), and 3.0 has no null type to name:
			// the ref, or an object that can only be null.
			if p := s.Properties[f.name]; p != nil && p.Ref != "" && f.typ.Kind() == reflect.Pointer {
				s.Properties[f.name] = nullableRef(p)
			}
		}
	}
	if s.Type == nil && marshals(t) && t != timeType {
		if kind := jsonKind(t); kind != "" {
			s.Type = &openapi3.Types{kind}
		} else {
			// Any JSON value, null too: 3.0 refuses null unless told,
			// and tells it only beside a type; each type is named, as an
			// empty branch would make the others moot.
			for _, kind := range []string{openapi3.TypeObject, openapi3.TypeArray, openapi3.TypeString, openapi3.TypeNumber, openapi3.TypeBoolean} {
				branch := &openapi3.Schema{Type: &openapi3.Types{kind}}
				if kind == openapi3.TypeArray {
					branch.Items = openapi3.NewSchemaRef("", &openapi3.Schema{})
				}
				s.AnyOf = append(s.AnyOf, branch.NewRef())
			}
			s.AnyOf = append(s.AnyOf, nullOnly())
		}
		s.Properties = nil
	}
}

// applyRequired marks the fields at paths (see Operation.Required)
// required in s, a request body's schema written in place.
func applyRequired(s *openapi3.Schema, paths []string) error {
	for _, p := range paths {
		cur := s
		names := strings.Split(p, ".")
		for i, name := range names {
			for cur != nil && cur.Type.Is(openapi3.TypeArray) && cur.Items != nil {
				cur = cur.Items.Value
			}
			if cur == nil || cur.Properties[name] == nil {
				return fmt.Errorf("required field %s: the body has no %s", p, strings.Join(names[:i+1], "."))
			}
			if i == len(names)-1 {
				if !slices.Contains(cur.Required, name) {
					cur.Required = append(cur.Required, name)
				}
				break
			}
			cur = cur.Properties[name].Value
		}
	}
	return nil
}

type jsonField struct {
	name      string
	typ       reflect.Type
	omitEmpty bool
}

// jsonFields lists the fields encoding/json writes for a struct: exported,
// not "-", those of untagged embedded structs promoted, by their JSON names.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for _, f := range reflect.VisibleFields(t) {
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-":
			continue
		case f.Anonymous && name == "" && (f.Type.Kind() == reflect.Struct || f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct):
			continue // its fields are promoted and listed themselves
		case !f.IsExported(), f.Type.Kind() == reflect.Func, f.Type.Kind() == reflect.Chan:
			continue
		case len(f.Index) > 1 && !promoted(t, f.Index):
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		out = append(out, jsonField{name: name, typ: f.Type, omitEmpty: omit})
	}
	return out
}

// promoted reports whether the field at index is reached through embedded
// structs that encoding/json flattens (untagged embedded ones).
func promoted(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		f := t.Field(i)
		if !f.Anonymous {
			return false
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
			return false
		}
		t = f.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	return true
}

// jsonKind is the JSON type a self-marshalling type writes, read from its
// zero value: a text marshaler always writes a string. It is "" (any JSON
// value) when the zero value tells nothing, as json.RawMessage's null.
func jsonKind(t reflect.Type) string {
	if t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return openapi3.TypeString
	}
	b, err := json.Marshal(reflect.New(t).Interface())
	if err != nil || len(b) == 0 {
		return ""
	}
	switch b[0] {
	case 'n':
		return ""
	case '"':
		return openapi3.TypeString
	case 't', 'f':
		return openapi3.TypeBoolean
	case '{':
		return openapi3.TypeObject
	case '[':
		return openapi3.TypeArray
	default:
		return openapi3.TypeNumber
	}
}

// schemaOf generates the schema of v's type, its structs as components.
func (b *builder) schemaOf(v any) (*openapi3.SchemaRef, error) {
	ref, err := b.gen.NewSchemaRefForValue(v, b.schemas)
	if err != nil {
		return nil, fmt.Errorf("schema of %T: %w", v, err)
	}
	return ref, nil
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z][A-Za-z0-9_]*)`)

// openAPIPath turns Gin's /lots/:gtin/*rest into /lots/{gtin}/{rest}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

func (b *builder) operation(op Operation) (*openapi3.Operation, error) {
	o := &openapi3.Operation{OperationID: op.ID, Summary: op.Summary, Description: op.Description,
		Tags: []string{op.Tag}, Responses: openapi3.NewResponsesWithCapacity(8)}
	if op.Auth {
		o.Security = &openapi3.SecurityRequirements{{securityScheme: []string{}}}
	} else {
		o.Security = openapi3.NewSecurityRequirements()
	}
	if err := b.parameters(o, op); err != nil {
		return nil, err
	}
	if (op.Body != nil || op.Result != nil) && op.Example == nil {
		return nil, errors.New("an example is required")
	}
	if op.Body == nil && len(op.Required) > 0 {
		return nil, errors.New("required fields named for no body")
	}
	if op.Body != nil {
		// Written in place, by a generator of its own (one remembers
		// what it generated), its required fields those the operation
		// names (see Operation.Required).
		ref, err := openapi3gen.NewGenerator(openapi3gen.SchemaCustomizer(customizeRequest)).NewSchemaRefForValue(op.Body, nil)
		if err != nil {
			return nil, fmt.Errorf("schema of %T: %w", op.Body, err)
		}
		if err := applyRequired(ref.Value, op.Required); err != nil {
			return nil, err
		}
		if op.Example.Body == nil {
			return nil, errors.New("the example has no request body")
		}
		// A request is shown as a client writes it, fields it leaves out
		// left out, once it has passed the strict decoding the gateway
		// gives a body.
		if _, err := plainAs(op.Example.Body, op.Body); err != nil {
			return nil, err
		}
		ex, err := plain(op.Example.Body)
		if err != nil {
			return nil, err
		}
		mt := &openapi3.MediaType{Schema: ref, Example: ex}
		o.RequestBody = &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Required: !op.BodyOptional,
			Content: openapi3.Content{"application/json": mt}}}
	}
	if err := b.success(o, op); err != nil {
		return nil, err
	}
	return o, b.failures(o, op)
}

func (b *builder) parameters(o *openapi3.Operation, op Operation) error {
	inPath := map[string]bool{}
	for _, m := range ginParam.FindAllStringSubmatch(op.Path, -1) {
		inPath[m[1]] = true
	}
	for _, p := range op.Params {
		s := &openapi3.Schema{}
		switch p.Type {
		case "":
			s.Type = &openapi3.Types{openapi3.TypeString}
		case "date":
			s.Type, s.Format = &openapi3.Types{openapi3.TypeString}, "date"
		case "integer":
			s.Type = &openapi3.Types{openapi3.TypeInteger}
			s.Min = &p.Min
			if p.Max > 0 {
				s.Max = &p.Max
			}
		default:
			return fmt.Errorf("parameter %s: unknown type %q", p.Name, p.Type)
		}
		s.Pattern, s.MaxLength = p.Pattern, ptrIfSet(p.MaxLength)
		for _, e := range p.Enum {
			s.Enum = append(s.Enum, e)
		}
		param := &openapi3.Parameter{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required, Schema: s.NewRef()}
		switch p.In {
		case openapi3.ParameterInPath:
			if !inPath[p.Name] {
				return fmt.Errorf("path parameter %s is not in %s", p.Name, op.Path)
			}
			delete(inPath, p.Name)
			param.Required = true
			if p.Example == "" {
				return fmt.Errorf("path parameter %s has no example", p.Name)
			}
		case openapi3.ParameterInQuery:
		default:
			return fmt.Errorf("parameter %s: in must be path or query, not %q", p.Name, p.In)
		}
		var err error
		if param.Example, err = paramValue(p, p.Example); err != nil {
			return err
		}
		if s.Default, err = paramValue(p, p.Default); err != nil {
			return err
		}
		o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Value: param})
	}
	for name := range inPath {
		return fmt.Errorf("path parameter %s is not described", name)
	}
	if op.Idempotent {
		o.Parameters = append(o.Parameters, &openapi3.ParameterRef{Ref: "#/components/parameters/" + idempotencyHeader})
	}
	return nil
}

func ptrIfSet(n uint64) *uint64 {
	if n == 0 {
		return nil
	}
	return &n
}

// paramValue is a parameter's example or default in its own type (nil
// when unset).
func paramValue(p Param, v string) (any, error) {
	if v == "" {
		return nil, nil
	}
	if p.Type == "integer" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %q is not an integer", p.Name, v)
		}
		return n, nil
	}
	return v, nil
}

// plain turns a Go value into the JSON value it marshals to, so that the
// document holds (and validates) exactly what the gateway would send.
func plain(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("example: %w", err)
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// plainAs is example as a value of typ's type would carry it: decoded
// strictly (a field the type lacks is an error) and encoded again, the
// way the gateway reads a body and the chaincode writes an answer. An
// example may so be written as a map or a value of the type itself.
func plainAs(example, typ any) (any, error) {
	b, err := json.Marshal(example)
	if err != nil {
		return nil, fmt.Errorf("example: %w", err)
	}
	v := reflect.New(reflect.TypeOf(typ))
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v.Interface()); err != nil {
		return nil, fmt.Errorf("example is not a %T: %w", typ, err)
	}
	return plain(v.Interface())
}

func (b *builder) success(o *openapi3.Operation, op Operation) error {
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	types := op.ContentTypes
	if len(types) == 0 && op.Result != nil {
		types = []string{"application/json"}
	}
	resp := &openapi3.Response{Description: ptr(http.StatusText(status))}
	if len(types) > 0 {
		resp.Content = openapi3.Content{}
	}
	for _, t := range types {
		mt := &openapi3.MediaType{}
		switch {
		case isJSON(t):
			if op.Result == nil {
				return fmt.Errorf("%s needs a Result type", t)
			}
			ref, err := b.schemaOf(op.Result)
			if err != nil {
				return err
			}
			if op.Example.Result == nil {
				return errors.New("the example has no result")
			}
			ex, err := plainAs(op.Example.Result, op.Result)
			if err != nil {
				return err
			}
			mt.Schema, mt.Example = ref, ex
		case strings.HasPrefix(t, "text/") || t == "image/svg+xml":
			mt.Schema = openapi3.NewStringSchema().NewRef()
			if op.Example != nil && op.Example.Text != "" {
				mt.Example = op.Example.Text
			}
		default:
			mt.Schema = openapi3.NewStringSchema().WithFormat("binary").NewRef()
		}
		resp.Content[t] = mt
	}
	o.Responses.Set(strconv.Itoa(status), &openapi3.ResponseRef{Value: resp})
	return nil
}

func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

func ptr[T any](v T) *T { return &v }

// derivedWhen says when the gateway answers with each code Build derives
// from an operation's shape.
var derivedWhen = map[string]string{
	"INVALID_ARGUMENT":                "a parameter, header or field is malformed or out of range",
	"MALFORMED_JSON":                  "the body is not one JSON document of the expected shape",
	"BODY_TOO_LARGE":                  "the body is larger than the gateway accepts",
	"UNSUPPORTED_MEDIA_TYPE":          "the body is not application/json",
	"UNAUTHENTICATED":                 "no API key, or an unknown or revoked one",
	"TOO_MANY_FAILED_AUTHENTICATIONS": "too many failed authentications from this address; see Retry-After",
	"UNREGISTERED":                    "the key's identity is bound to no enterprise",
	"FORBIDDEN":                       "the caller may not do this",
	"NOT_FOUND":                       "nothing is recorded under this id",
	"ALREADY_EXISTS":                  "it is recorded already",
	"CONFLICT":                        "the state does not allow this transition, or the ledger kept changing under it",
	"RULE_VIOLATION":                  "a business rule refuses it",
	"IDEMPOTENCY_KEY_REUSED":          "the Idempotency-Key was used for a different request",
	"LEDGER_UNAVAILABLE":              "the ledger is unavailable; try again later",
	"TIMEOUT":                         "the ledger did not answer in time",
	"COMMIT_PENDING":                  "handed to ordering, commit not confirmed yet; retry with the same Idempotency-Key (see Retry-After)",
	"INTERNAL":                        "a fault of the gateway's; the message names the request id",
}

// derivedErrors are the codes an operation answers with by its shape:
// input to check, a key to authenticate, an id to find, a transaction to
// commit. op.Errors adds the codes particular to it.
func derivedErrors(op Operation) []string {
	var codes []string
	write := op.Method == http.MethodPost
	if len(op.Params) > 0 || write || op.Idempotent {
		codes = append(codes, "INVALID_ARGUMENT")
	}
	if write {
		codes = append(codes, "MALFORMED_JSON", "BODY_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE")
	}
	if op.Auth {
		codes = append(codes, "UNAUTHENTICATED", "TOO_MANY_FAILED_AUTHENTICATIONS", "UNREGISTERED", "FORBIDDEN")
	}
	if strings.ContainsAny(op.Path, ":*") {
		codes = append(codes, "NOT_FOUND")
	}
	if write && op.Auth {
		if op.Status == http.StatusCreated {
			codes = append(codes, "ALREADY_EXISTS")
		}
		codes = append(codes, "CONFLICT", "RULE_VIOLATION", "COMMIT_PENDING")
	}
	if op.Idempotent {
		codes = append(codes, "IDEMPOTENCY_KEY_REUSED")
	}
	if op.Auth {
		codes = append(codes, "LEDGER_UNAVAILABLE", "TIMEOUT", "INTERNAL")
	}
	return codes
}

// failures adds one response per error status, listing its codes, with an
// example of each.
func (b *builder) failures(o *openapi3.Operation, op Operation) error {
	var all []Failure
	for _, c := range derivedErrors(op) {
		all = append(all, Failure{Code: c, When: derivedWhen[c]})
	}
	for _, f := range op.Errors {
		if f.When == "" {
			return fmt.Errorf("error %s: say when", f.Code)
		}
		if i := slices.IndexFunc(all, func(g Failure) bool { return g.Code == f.Code }); i >= 0 {
			all[i].When = f.When // the operation knows better
			continue
		}
		all = append(all, f)
	}
	byStatus := map[int][]Failure{}
	var statuses []int
	for _, f := range all {
		st, ok := b.codes[f.Code]
		if !ok {
			return fmt.Errorf("error code %s is not in the gateway's code table", f.Code)
		}
		if _, ok := byStatus[st]; !ok {
			statuses = append(statuses, st)
		}
		byStatus[st] = append(byStatus[st], f)
	}
	slices.Sort(statuses)
	for _, st := range statuses {
		fs := byStatus[st]
		var lines, codes []string
		shared := true
		examples := openapi3.Examples{}
		for _, f := range fs {
			lines = append(lines, "`"+f.Code+"`: "+f.When)
			codes = append(codes, f.Code)
			shared = shared && f.When == derivedWhen[f.Code]
			ex, err := b.errorExample(f)
			if err != nil {
				return err
			}
			examples[f.Code] = ex
		}
		desc := strings.Join(lines, "\n\n")
		resp := &openapi3.Response{Description: &desc,
			Content: openapi3.Content{"application/json": &openapi3.MediaType{Schema: b.errRef, Examples: examples}}}
		o.Responses.Set(strconv.Itoa(st), b.errorResponse(resp, codes, shared))
	}
	return nil
}

// errorResponse is resp, an error response listing codes. One that says
// of each code only what every operation says is a component that the
// operations answering with the same codes refer to, named after them
// (NOT_FOUND, UNREGISTERED-FORBIDDEN); written out in each operation,
// these few responses were half of the document.
func (b *builder) errorResponse(resp *openapi3.Response, codes []string, shared bool) *openapi3.ResponseRef {
	if !shared {
		return &openapi3.ResponseRef{Value: resp}
	}
	name := strings.Join(codes, "-")
	if prev := b.responses[name]; prev != nil {
		resp = prev.Value
	} else {
		b.responses[name] = &openapi3.ResponseRef{Value: resp}
	}
	return &openapi3.ResponseRef{Ref: "#/components/responses/" + name, Value: resp}
}

// errorExample is the example of an error code. A code said of when the
// gateway answers with it in the words every operation shares is one
// example among the document's components, which each operation refers
// to: written out again in each, the same hundred examples would be most
// of the document.
func (b *builder) errorExample(f Failure) (*openapi3.ExampleRef, error) {
	v, err := plain(ErrorBody{Error: ErrorDetail{Code: f.Code, Message: f.When}})
	if err != nil {
		return nil, err
	}
	ex := &openapi3.Example{Summary: f.When, Value: v}
	if f.When != derivedWhen[f.Code] {
		return &openapi3.ExampleRef{Value: ex}, nil
	}
	if b.examples[f.Code] == nil {
		b.examples[f.Code] = &openapi3.ExampleRef{Value: ex}
	}
	return &openapi3.ExampleRef{Ref: "#/components/examples/" + f.Code, Value: ex}, nil
}
