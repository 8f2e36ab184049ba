// Package portal is the web application of the people the ledger is for
// (bank officers, underwriters, the regulator, producers, warehouses and
// logistics firms): server-rendered HTML in Chinese and English that works
// without JavaScript and asks no other server for anything, mounted by the
// gateway beside its API.
//
// The portal holds what every role's pages share: sign-in with an API key
// for a session cookie, sessions in the read model's store, CSRF tokens on
// every form, the layout, the language, and the calls as the signed-in
// identity (the typed client for the chaincode, the read model's lists
// with the caller's Viewer). A role's pages are a Section (its routes, its
// templates and messages) that the gateway's wiring hands to New.
package portal

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/authlimit"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
	"github.com/qingchain/qingchain/gateway/reqinfo"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// SessionStore keeps sessions by their token's hash
// (sqlstore.Sessions).
type SessionStore interface {
	Create(ctx context.Context, s sqlstore.Session) error
	Get(ctx context.Context, tokenHash string) (sqlstore.Session, bool, error)
	Touch(ctx context.Context, tokenHash string, t time.Time) error
	Delete(ctx context.Context, tokenHash string) error
}

// Lists is the read model's list query (readmodel.Store).
type Lists interface {
	List(ctx context.Context, q readmodel.Query) (readmodel.Page, error)
	Events(ctx context.Context, v readmodel.Viewer, after int64, limit int) ([]readmodel.Event, error)
}

// Config wires a Portal.
type Config struct {
	// Ledger is what the chaincode is called through (the gateway's
	// retrying, measured ledger).
	Ledger   gateway.Ledger
	Wallet   *wallet.Wallet
	Sessions SessionStore
	Lists    Lists
	// Limiter counts failed sign-ins per address; the gateway shares the
	// API's, so guesses count wherever they are made.
	Limiter *authlimit.Limiter
	// Statuses is the gateway's one error table (httpapi.ErrorStatuses).
	Statuses map[api.Code]int
	Logger   *slog.Logger
	// IdleTimeout ends a session unused for this long (default 30 min);
	// MaxAge ends any session this long after sign-in (default 12 h).
	IdleTimeout, MaxAge time.Duration
	// LedgerTimeout bounds each page's calls (default 30 s).
	LedgerTimeout time.Duration
	// Now is the clock of sessions (default time.Now).
	Now func() time.Time
}

// Section is one role's part of the portal.
type Section struct {
	// Role names it ("bank"); its pages live under /ui/<role>, and
	// /<role> sends a browser there.
	Role string
	// Kinds are the enterprise kinds whose members it is for: its home
	// is where they land after signing in. The chaincode still decides
	// every read and write.
	Kinds []string
	// Title is its name in the navigation, {zh, en}.
	Title [2]string
	// Routes are its pages and forms.
	Routes []Route
	// Templates holds its pages, one *.html.tmpl file each, rendered by
	// Request.Render as "<role>/<file name without .html.tmpl>" inside
	// the shared layout.
	Templates fs.FS
	// Messages are its texts, key -> {zh, en}; a key may not repeat one
	// of another section or of the portal's own.
	Messages map[string][2]string
}

// Route is a page or form of a section. POST routes are CSRF-checked
// before Handle runs; every route needs a session.
type Route struct {
	Method string // GET or POST
	// Path is an http.ServeMux pattern's path, under /ui/<role>
	// ("/ui/bank/applications/{id}").
	Path   string
	Handle func(*Request) error
}

// Portal is the web application; it is an httpapi.App.
type Portal struct {
	cfg      Config
	client   *client.Client
	preview  *client.Client
	sections []Section
	messages map[string][2]string
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// roleAliases are the short paths people type: each sends the browser to
// its role's home (or to sign-in first).
var roleAliases = map[string]string{"/bank": "bank", "/insurer": "insurer", "/regulator": "regulator", "/dashboard": "regulator"}

// New builds the portal with its sections.
func New(cfg Config, sections ...Section) (*Portal, error) {
	if cfg.Ledger == nil || cfg.Wallet == nil || cfg.Sessions == nil || cfg.Lists == nil || cfg.Limiter == nil || cfg.Statuses == nil {
		return nil, errors.New("portal: ledger, wallet, sessions, lists, limiter and the error table are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 12 * time.Hour
	}
	if cfg.LedgerTimeout <= 0 {
		cfg.LedgerTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Portal{cfg: cfg, client: client.New(cfg.Ledger), preview: client.New(previewLedger{cfg.Ledger}),
		sections: sections, messages: map[string][2]string{}, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	for k, v := range messages {
		p.messages[k] = v
	}
	base, err := template.New("layout").Funcs(funcs).ParseFS(ownTemplates, "templates/layout.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("portal: layout: %w", err)
	}
	if err := p.addPages(base, "portal", ownTemplates, "templates"); err != nil {
		return nil, err
	}
	p.mux.HandleFunc("GET /{$}", p.public(p.landing))
	p.mux.HandleFunc("POST /ui/signin", p.public(p.signIn))
	p.mux.HandleFunc("POST /ui/signout", p.signedIn(true, p.signOut))
	p.mux.HandleFunc("GET /ui", p.signedIn(false, p.chooser))
	p.mux.HandleFunc("/ui/", p.public(func(r *Request) error {
		return gateway.Errorf(api.CodeNotFound, "no such page: %s", r.R.URL.Path)
	}))
	for alias, role := range roleAliases {
		p.mux.HandleFunc("GET "+alias, p.public(p.alias(role)))
	}
	roles := map[string]bool{}
	for _, s := range sections {
		if s.Role == "" || roles[s.Role] || strings.ContainsAny(s.Role, "/ ") {
			return nil, fmt.Errorf("portal: section role %q is empty, repeated or not a path segment", s.Role)
		}
		roles[s.Role] = true
		for k, v := range s.Messages {
			if _, dup := p.messages[k]; dup {
				return nil, fmt.Errorf("portal: section %s: message %q is defined twice", s.Role, k)
			}
			p.messages[k] = v
		}
		if s.Templates != nil {
			if err := p.addPages(base, s.Role, s.Templates, "."); err != nil {
				return nil, err
			}
		}
		prefix := "/ui/" + s.Role
		for _, rt := range s.Routes {
			if rt.Path != prefix && !strings.HasPrefix(rt.Path, prefix+"/") {
				return nil, fmt.Errorf("portal: route %s is not under %s", rt.Path, prefix)
			}
			switch rt.Method {
			case http.MethodGet, http.MethodPost:
			default:
				return nil, fmt.Errorf("portal: route %s: method %q (GET or POST)", rt.Path, rt.Method)
			}
			p.mux.HandleFunc(rt.Method+" "+rt.Path, p.signedIn(rt.Method == http.MethodPost, rt.Handle))
		}
	}
	return p, nil
}

// addPages parses every *.html.tmpl of dir in fsys as a page of the
// layout, named "<ns>/<base name>".
func (p *Portal) addPages(base *template.Template, ns string, fsys fs.FS, dir string) error {
	files, err := fs.Glob(fsys, path.Join(dir, "*.html.tmpl"))
	if err != nil {
		return err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html.tmpl")
		if ns == "portal" && name == "layout" {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if t, err = t.ParseFS(fsys, f); err != nil {
			return fmt.Errorf("portal: %s: %w", f, err)
		}
		p.pages[ns+"/"+name] = t
	}
	return nil
}

// Paths are the paths the gateway mounts the portal at.
func (p *Portal) Paths() []string {
	out := []string{"/", "/ui", "/ui/"}
	for a := range roleAliases {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// ServeHTTP serves the portal.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Nothing from anywhere else, no framing, no inline script: the live
	// updates' script is served from here.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	p.mux.ServeHTTP(w, r)
}

// Who is the signed-in user: the wallet identity the session acts as and
// what the chaincode says about it.
type Who struct {
	Name     string // wallet identity
	Identity *identity.Identity
	Caller   api.Caller
	Viewer   readmodel.Viewer
}

// enterpriseName is the caller's enterprise in the page's language.
func (w *Who) enterpriseName(lang string) string {
	e := w.Caller.Enterprise
	if e == nil {
		return ""
	}
	if lang == langEn && e.NameEn != "" {
		return e.NameEn
	}
	return e.Name
}

// Request is one request to a page: the writer and request, the language,
// the signed-in user, and the calls a page makes as that user.
type Request struct {
	W    http.ResponseWriter
	R    *http.Request
	Lang string
	Who  *Who // nil on public pages
	// Notice is a message for the top of the page (a key of messages).
	Notice string

	p     *Portal
	token []byte // the session token (nil on public pages)
	info  reqinfo.Info
}

// Context bounds the page's calls by the ledger timeout.
func (r *Request) Context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.R.Context(), r.p.cfg.LedgerTimeout)
}

// Client is the typed client; call it as r.Who.Identity.
func (r *Request) Client() *client.Client { return r.p.client }

// Preview is a typed client whose writes are evaluated, not submitted:
// the chaincode runs the transaction on the current state and answers
// what it would write, and nothing is ordered. A page shows the
// chaincode's own figures before the user commits.
func (r *Request) Preview() *client.Client { return r.p.preview }

// List reads a list of the read model as the signed-in user sees it: the
// query's Viewer is always the caller's, as on /api/v1/lists.
func (r *Request) List(ctx context.Context, q readmodel.Query) (readmodel.Page, error) {
	q.Viewer = r.Who.Viewer
	if err := q.Normalize(); err != nil {
		return readmodel.Page{}, gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	page, err := r.p.cfg.Lists.List(ctx, q)
	if errors.Is(err, sqlstore.ErrBadQuery) {
		return page, gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	if err != nil {
		return page, gateway.Errorf(gateway.CodeReadModelUnavailable, "read model: %v", err)
	}
	return page, nil
}

// Events reads the read model's events after seq as the signed-in user
// may see them.
func (r *Request) Events(ctx context.Context, after int64, limit int) ([]readmodel.Event, error) {
	return r.p.cfg.Lists.Events(ctx, r.Who.Viewer, after, limit)
}

// T is a message in the page's language.
func (r *Request) T(key string) string { return r.p.translate(r.Lang, key) }

// Redirect sends the browser to a path of this portal (303, so a form's
// POST becomes a GET).
func (r *Request) Redirect(to string) error {
	http.Redirect(r.W, r.R, to, http.StatusSeeOther)
	return nil
}

// Render writes a page: the template name ("bank/inbox") inside the
// layout, with data as .Data.
func (r *Request) Render(status int, name, title string, data any) error {
	t, ok := r.p.pages[name]
	if !ok {
		return fmt.Errorf("portal: no page %q", name)
	}
	v := r.view(title, data)
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("portal: render %s: %w", name, err)
	}
	r.W.Header().Set("Content-Type", "text/html; charset=utf-8")
	r.W.WriteHeader(status)
	_, err := io.WriteString(r.W, buf.String())
	return err
}

func (p *Portal) translate(lang, key string) string {
	m, ok := p.messages[key]
	if !ok {
		return key
	}
	if lang == langEn {
		return m[1]
	}
	return m[0]
}

// homeOf is the path a caller lands on: the first section for one of its
// kinds, else the chooser.
func (p *Portal) homeOf(c api.Caller) string {
	for _, s := range p.sections {
		for _, k := range s.Kinds {
			if c.HasKind(k) {
				return "/ui/" + s.Role
			}
		}
	}
	return "/ui"
}

// safeNext is where a sign-in may send the browser after: only a path of
// this portal, never another site ("//evil", "/\evil", "https://...").
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	if u.Path != "/ui" && !strings.HasPrefix(u.Path, "/ui/") {
		return ""
	}
	return next
}
