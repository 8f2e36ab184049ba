// Package pagekit holds what the regulator's and the insurer's pages
// share: who is signed in as the registry resolves it, the checks of
// form input with the API's error codes, words in two languages, and the
// mapping of read-model failures.
package pagekit

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
)

// Session is who is signed in: the identity the gateway signs with and
// the enterprise the registry binds it to.
type Session struct {
	ID *identity.Identity
	Me api.Caller
}

// Resolve asks the registry who an identity is (every page does, so a
// revoked kind takes effect at once, as on the API).
func Resolve(ctx context.Context, c *client.Client, id *identity.Identity) (Session, error) {
	me, err := c.WhoAmI(ctx, id)
	if err != nil {
		return Session{}, err
	}
	return Session{ID: id, Me: me}, nil
}

// Must refuses a session whose enterprise lacks the kind in effect,
// before anything is read, and otherwise gives its read-model viewer
// (the visibility of /api/v1/lists).
func Must(se Session, kind, page string) (readmodel.Viewer, error) {
	if !se.Me.HasKind(kind) {
		return readmodel.Viewer{}, gateway.Errorf(api.CodeForbidden, "the %s pages are for an enterprise with the %s kind in effect", page, kind)
	}
	return readmodel.ViewerOfCaller(se.Me), nil
}

// CheckCode checks a unified social credit code.
func CheckCode(code string) error {
	if err := uscc.Validate(code); err != nil {
		return gateway.Errorf(api.CodeInvalidArgument, "credit code: %v", err)
	}
	return nil
}

// CheckID checks an identifier the chaincode assigned.
func CheckID(p api.IDPrefix, id string) error {
	if !p.Valid(id) {
		return gateway.Errorf(api.CodeInvalidArgument, "id: want %s-YYYY- and 16 hex digits", p)
	}
	return nil
}

// Text trims a required form field and checks it is UTF-8 of at most n
// characters.
func Text(field, v string, n int) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", gateway.Errorf(api.CodeInvalidArgument, "%s: required", field)
	case !utf8.ValidString(v):
		return "", gateway.Errorf(api.CodeInvalidArgument, "%s: not UTF-8", field)
	case utf8.RuneCountInString(v) > n:
		return "", gateway.Errorf(api.CodeInvalidArgument, "%s: at most %d characters", field, n)
	}
	return v, nil
}

// StoreError says the read model could not answer; a refused query (the
// only outside part is a cursor) is the client's.
func StoreError(err error) error {
	if errors.Is(err, sqlstore.ErrBadQuery) {
		return gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	return gateway.Errorf(gateway.CodeReadModelUnavailable, "read model: %v", err)
}

// Texts answers a page's word for a key in the reader's language.
type Texts func(key string) string

// Translator answers words from a table of {Chinese, English} in one
// language ("zh" unless lang is English); a key it does not know shows as
// itself, so a missing word is visible rather than blank.
func Translator(words map[string][2]string, lang string) Texts {
	i := 0
	if strings.HasPrefix(lang, "en") {
		i = 1
	}
	return func(key string) string {
		if v, ok := words[key]; ok {
			return v[i]
		}
		return key
	}
}

// Deps are what a portal's service reads and writes with.
type Deps struct {
	Client *client.Client
	Store  readmodel.Store
	Log    *slog.Logger
}

// Resolve asks the registry who an identity is.
func (d *Deps) Resolve(ctx context.Context, id *identity.Identity) (Session, error) {
	return Resolve(ctx, d.Client, id)
}

// CodeOf is the error code of a refusal, the gateway's or the
// chaincode's; empty for anything else.
func CodeOf(err error) api.Code {
	var ge *gateway.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	var ce *gateway.ChaincodeError
	if errors.As(err, &ce) {
		return api.Code(ce.Code)
	}
	return ""
}

// Pages are a portal's parsed content templates, rendered with the
// reader's words (the "t" function) and the host's CSRF field ("csrf").
type Pages struct {
	t *template.Template
}

// ParsePages parses the templates once (at server start).
func ParsePages(name string, fsys fs.FS, pattern string) (*Pages, error) {
	t, err := template.New(name).Funcs(template.FuncMap{
		"t":    func(string) string { return "" },
		"csrf": func() template.HTML { return "" },
	}).ParseFS(fsys, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: templates: %w", name, err)
	}
	return &Pages{t: t}, nil
}

// Render writes the named content template for the host's layout to wrap.
func (p *Pages) Render(w io.Writer, name string, words Texts, csrf template.HTML, data any) error {
	t, err := p.t.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"t": words, "csrf": func() template.HTML { return csrf }})
	return t.ExecuteTemplate(w, name, data)
}
