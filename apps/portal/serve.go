package portal

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/authlimit"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlstore"
	"github.com/qingchain/qingchain/gateway/reqinfo"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// Cookies of the portal.
const (
	sessionCookie = "qc_session"
	signinCookie  = "qc_signin" // the sign-in form's token, before any session
	langCookie    = "qc_lang"
	// maxForm bounds a form's body; the portal's forms are small.
	maxForm = 64 << 10
	// touchEvery: a session's last use is written at most this often, so
	// that reading pages does not write the database on every request;
	// the idle timeout is this much coarse.
	touchEvery = time.Minute
)

func (p *Portal) newRequest(w http.ResponseWriter, r *http.Request) *Request {
	info, ok := reqinfo.From(r.Context())
	if !ok {
		// Served without the gateway in front (a test's bare handler):
		// the connection is all there is to go by.
		info = reqinfo.Info{ClientIP: strings.Split(r.RemoteAddr, ":")[0], Secure: r.TLS != nil}
	}
	req := &Request{W: w, R: r, p: p, info: info}
	req.Lang = p.pickLang(w, r, info.Secure)
	return req
}

// pickLang: ?lang= (remembered in a cookie), else the cookie, else the
// browser's Accept-Language.
func (p *Portal) pickLang(w http.ResponseWriter, r *http.Request, secure bool) string {
	if l := r.URL.Query().Get("lang"); validLang(l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && validLang(c.Value) {
		return c.Value
	}
	return preferredLang(r.Header.Get("Accept-Language"))
}

// public serves a page that needs no session (it may still show one).
func (p *Portal) public(h func(*Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req := p.newRequest(w, r)
		if err := p.loadSession(req); err != nil && !errors.Is(err, errSignedOut) {
			p.fail(req, err)
			return
		}
		if err := h(req); err != nil {
			p.fail(req, err)
		}
	}
}

// signedIn serves a page of a signed-in user; a form (post) is checked
// for the session's CSRF token first.
func (p *Portal) signedIn(post bool, h func(*Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req := p.newRequest(w, r)
		err := p.loadSession(req)
		if errors.Is(err, errSignedOut) {
			if post {
				// A form after the session ended: nothing is done.
				p.fail(req, gateway.Errorf(gateway.CodeUnauthenticated, "your session has ended; sign in again"))
				return
			}
			to := "/?next=" + url.QueryEscape(r.URL.RequestURI())
			if errors.Is(err, errExpired) {
				to += "&expired=1"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if err == nil && post {
			err = p.checkForm(req)
		}
		if err == nil {
			err = h(req)
		}
		if err != nil {
			p.fail(req, err)
		}
	}
}

var (
	errSignedOut = errors.New("portal: not signed in")
	errExpired   = errors.New("portal: session expired")
)

type expiredErr struct{}

func (expiredErr) Error() string        { return errExpired.Error() }
func (expiredErr) Is(target error) bool { return target == errExpired || target == errSignedOut }

// loadSession finds the request's session, ends it if it has expired or
// its API key was revoked, and learns from the chaincode who it acts as.
func (p *Portal) loadSession(r *Request) error {
	c, err := r.R.Cookie(sessionCookie)
	if err != nil {
		return errSignedOut
	}
	token, err := parseToken(c.Value)
	if err != nil {
		p.clearCookie(r, sessionCookie)
		return errSignedOut
	}
	ctx, cancel := r.Context()
	defer cancel()
	hash := tokenHash(token)
	s, found, err := p.cfg.Sessions.Get(ctx, hash)
	if err != nil {
		return gateway.Errorf(gateway.CodeReadModelUnavailable, "sessions: %v", err)
	}
	if !found {
		p.clearCookie(r, sessionCookie)
		return errSignedOut
	}
	now := p.cfg.Now()
	if now.Sub(s.LastSeen) > p.cfg.IdleTimeout || now.Sub(s.CreatedAt) > p.cfg.MaxAge {
		if err := p.cfg.Sessions.Delete(ctx, hash); err != nil {
			return gateway.Errorf(gateway.CodeReadModelUnavailable, "sessions: %v", err)
		}
		p.clearCookie(r, sessionCookie)
		return expiredErr{}
	}
	id, _, err := p.cfg.Wallet.KeyIdentity(s.KeyID)
	if errors.Is(err, wallet.ErrUnknownKey) || errors.Is(err, wallet.ErrNoIdentity) {
		// The key it was opened with is revoked: so is the session.
		if err := p.cfg.Sessions.Delete(ctx, hash); err != nil {
			return gateway.Errorf(gateway.CodeReadModelUnavailable, "sessions: %v", err)
		}
		p.clearCookie(r, sessionCookie)
		return expiredErr{}
	}
	if err != nil {
		return err
	}
	if now.Sub(s.LastSeen) > touchEvery {
		if err := p.cfg.Sessions.Touch(ctx, hash, now); err != nil {
			return gateway.Errorf(gateway.CodeReadModelUnavailable, "sessions: %v", err)
		}
	}
	me, err := p.client.WhoAmI(ctx, id)
	if err != nil {
		return err
	}
	r.Who = &Who{Name: s.Identity, Identity: id, Caller: me, Viewer: readmodel.ViewerOfCaller(me)}
	r.token = token
	return nil
}

// checkForm parses a posted form and checks its CSRF token against the
// session's, and that the browser posted it from this site.
func (p *Portal) checkForm(r *Request) error {
	if o := r.R.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.R.Host {
			return gateway.Errorf(gateway.CodeCSRFTokenInvalid, "this form was posted from another site")
		}
	}
	if err := p.parseForm(r); err != nil {
		return err
	}
	if !csrfValid(r.token, r.R.PostForm.Get("csrf")) {
		return gateway.Errorf(gateway.CodeCSRFTokenInvalid, "the form's security token is missing or is not this session's; reload the page and try again")
	}
	return nil
}

func (p *Portal) parseForm(r *Request) error {
	r.R.Body = http.MaxBytesReader(r.W, r.R.Body, maxForm)
	if err := r.R.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return gateway.Errorf(gateway.CodeBodyTooLarge, "the form is larger than %d bytes", mbe.Limit)
		}
		return gateway.Errorf(api.CodeInvalidArgument, "the form could not be read")
	}
	return nil
}

func (p *Portal) setCookie(r *Request, name, value string, maxAge int) {
	http.SetCookie(r.W, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: r.info.Secure, SameSite: http.SameSiteStrictMode})
}

func (p *Portal) clearCookie(r *Request, name string) { p.setCookie(r, name, "", -1) }

// landing is / : the sign-in form, or the signed-in user's home.
func (p *Portal) landing(r *Request) error {
	next := safeNext(r.R.URL.Query().Get("next"))
	if r.Who != nil {
		if next == "" {
			next = p.homeOf(r.Who.Caller)
		}
		return r.Redirect(next)
	}
	if r.R.URL.Query().Get("expired") != "" {
		r.Notice = "expired"
	}
	return p.signInForm(r, http.StatusOK, next)
}

type signInData struct {
	Token, Next string
}

func (p *Portal) signInForm(r *Request, status int, next string) error {
	tok, err := newToken()
	if err != nil {
		return err
	}
	p.setCookie(r, signinCookie, tok, 3600)
	return r.Render(status, "portal/signin", r.T("signin"), signInData{Token: tok, Next: next})
}

// signIn exchanges an API key for a session.
func (p *Portal) signIn(r *Request) error {
	if err := p.parseForm(r); err != nil {
		return err
	}
	c, err := r.R.Cookie(signinCookie)
	posted := r.R.PostForm.Get("signin")
	if err != nil || posted == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(posted)) != 1 {
		return gateway.Errorf(gateway.CodeCSRFTokenInvalid, "the sign-in form's security token is missing or wrong; reload the page and try again")
	}
	next := safeNext(r.R.PostForm.Get("next"))
	ip := r.info.ClientIP
	if wait, refused := p.cfg.Limiter.Refused(ip); refused {
		r.W.Header().Set("Retry-After", authlimit.RetryAfter(wait))
		return gateway.Errorf(gateway.CodeTooManyFailedAuthentications, "too many failed sign-ins from this address; retry after %s s", authlimit.RetryAfter(wait))
	}
	key := strings.TrimSpace(r.R.PostForm.Get("key"))
	_, k, err := p.cfg.Wallet.Authenticate(key)
	if errors.Is(err, wallet.ErrUnknownKey) {
		p.cfg.Limiter.Failed(ip)
		r.Notice = "badkey"
		return p.signInForm(r, http.StatusUnauthorized, next)
	}
	if err != nil {
		return err
	}
	tok, err := newToken()
	if err != nil {
		return err
	}
	raw, _ := parseToken(tok)
	now := p.cfg.Now()
	ctx, cancel := r.Context()
	defer cancel()
	if err := p.cfg.Sessions.Create(ctx, sqlstore.Session{TokenHash: tokenHash(raw), Identity: k.Identity, KeyID: k.ID, CreatedAt: now, LastSeen: now}); err != nil {
		return gateway.Errorf(gateway.CodeReadModelUnavailable, "sessions: %v", err)
	}
	p.clearCookie(r, signinCookie)
	// A session cookie (no Max-Age): the browser forgets it when it
	// closes; the server ends it at the idle or absolute limit.
	p.setCookie(r, sessionCookie, tok, 0)
	if next == "" {
		next = "/ui"
	}
	return r.Redirect(next)
}

// signOut deletes the session on the server, then the cookie.
func (p *Portal) signOut(r *Request) error {
	ctx, cancel := r.Context()
	defer cancel()
	if err := p.cfg.Sessions.Delete(ctx, tokenHash(r.token)); err != nil {
		return gateway.Errorf(gateway.CodeReadModelUnavailable, "sessions: %v", err)
	}
	p.clearCookie(r, sessionCookie)
	return r.Redirect("/")
}

// chooser is /ui: the home of the caller's role, or, for a caller whose
// kinds have no section, who they are and the sections there are.
func (p *Portal) chooser(r *Request) error {
	if home := p.homeOf(r.Who.Caller); home != "/ui" {
		return r.Redirect(home)
	}
	return r.Render(http.StatusOK, "portal/chooser", r.T("portal"), nil)
}

// alias sends /bank, /insurer, /regulator and /dashboard to the role's
// home, through sign-in when there is no session.
func (p *Portal) alias(role string) func(*Request) error {
	return func(r *Request) error {
		to := "/ui/" + role
		if !p.hasSection(role) {
			to = "/ui"
		}
		if r.Who == nil {
			return r.Redirect("/?next=" + url.QueryEscape(to))
		}
		return r.Redirect(to)
	}
}

func (p *Portal) hasSection(role string) bool {
	for _, s := range p.sections {
		if s.Role == role {
			return true
		}
	}
	return false
}

type errorData struct {
	Code    api.Code
	Message string
	Status  int
}

// fail renders an error page through the gateway's error table; a
// failure that is not the client's is logged and not described.
func (p *Portal) fail(r *Request, err error) {
	code, msg := classify(err)
	status, ok := p.cfg.Statuses[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		p.cfg.Logger.Error("portal", "path", r.R.URL.Path, "code", string(code), "err", err.Error())
		if code == api.CodeInternal {
			msg = r.T("internal")
		}
	}
	if rerr := r.Render(status, "portal/error", r.T("error"), errorData{Code: code, Message: msg, Status: status}); rerr != nil {
		p.cfg.Logger.Error("portal: error page", "err", rerr.Error())
		http.Error(r.W, string(code), status)
	}
}

func classify(err error) (api.Code, string) {
	var ge *gateway.Error
	var ce *gateway.ChaincodeError
	var de *client.DecodeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ge):
		return ge.Code, ge.Message
	case errors.As(err, &ce):
		if api.Code(ce.Code) == gateway.CodeUncoded {
			return api.CodeInternal, ""
		}
		return api.Code(ce.Code), ce.Message
	case errors.As(err, &mbe):
		return gateway.CodeBodyTooLarge, "the request is too large"
	case errors.As(err, &de):
		return api.CodeInternal, ""
	case errors.Is(err, gateway.ErrUnavailable):
		return gateway.CodeLedgerUnavailable, "the ledger is not reachable"
	case errors.Is(err, context.DeadlineExceeded):
		return gateway.CodeTimeout, "the ledger did not answer in time"
	}
	return api.CodeInternal, ""
}
