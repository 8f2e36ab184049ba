package portal

import (
	"context"
	"embed"
	"html/template"
	"net/url"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

//go:embed templates/*.html.tmpl
var ownTemplates embed.FS

// funcs are the template functions every page may use.
var funcs = template.FuncMap{
	// q builds a query string from key, value pairs (empty values left out).
	"q": func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		if len(v) == 0 {
			return ""
		}
		return "?" + v.Encode()
	},
}

// View is what the layout renders: the page's own data as .Data, and what
// every page shows (who is signed in, the language switch, the
// navigation, the CSRF token of its forms).
type View struct {
	Lang, Title, Notice string
	// OtherLang and OtherURL switch the language (a plain link).
	OtherLang, OtherURL string
	Signed              bool
	User, MSP, Org      string // wallet identity, MSP ID, enterprise name
	OrgCode             string
	Kinds               []string
	CSRF                string
	Nav                 []NavItem
	Path                string
	Data                any
	r                   *Request
}

// NavItem is a link of the navigation.
type NavItem struct {
	Title, Href string
	Here        bool
}

// T is a message in the page's language.
func (v *View) T(key string) string { return v.r.T(key) }

func (r *Request) view(title string, data any) *View {
	v := &View{Lang: r.Lang, Title: title, Notice: r.Notice, OtherLang: otherLang(r.Lang), Path: r.R.URL.Path, Data: data, r: r}
	u := *r.R.URL
	q := u.Query()
	q.Set("lang", v.OtherLang)
	u.RawQuery = q.Encode()
	if r.R.Method != "GET" {
		u.Path, u.RawQuery = "/", "lang="+v.OtherLang
	}
	v.OtherURL = u.RequestURI()
	if r.Who != nil {
		v.Signed = true
		v.User, v.MSP = r.Who.Name, r.Who.Caller.MSPID
		v.Org = r.Who.enterpriseName(r.Lang)
		if e := r.Who.Caller.Enterprise; e != nil {
			v.OrgCode, v.Kinds = e.CreditCode, e.Kinds
		}
		v.CSRF = csrfToken(r.token)
		for _, s := range r.p.sections {
			for _, k := range s.Kinds {
				if r.Who.Caller.HasKind(k) {
					href := "/ui/" + s.Role
					v.Nav = append(v.Nav, NavItem{Title: pickPair(r.Lang, s.Title), Href: href, Here: v.Path == href || len(v.Path) > len(href) && v.Path[:len(href)+1] == href+"/"})
					break
				}
			}
		}
	}
	return v
}

func pickPair(lang string, p [2]string) string {
	if lang == langEn {
		return p[1]
	}
	return p[0]
}

// previewLedger evaluates what would be submitted: the chaincode runs the
// transaction against the current state and its answer is returned
// without ordering anything (Request.Preview).
type previewLedger struct{ gateway.Ledger }

func (l previewLedger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	out, err := l.Evaluate(ctx, id, req)
	if err != nil {
		return nil, err
	}
	return &gateway.Commit{Payload: out}, nil
}
