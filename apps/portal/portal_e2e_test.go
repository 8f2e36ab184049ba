package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/apps/portal"
	"github.com/qingchain/qingchain/apps/portal/portaltest"
)

// clock is a session clock a test moves forward.
type clock struct {
	mu sync.Mutex
	d  time.Duration
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.d) }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.d += d
	c.mu.Unlock()
}

// A demo section: one page and one form, so the framework's rules are
// tested on routes of the kind the roles add.
func demoSection() portal.Section {
	return portal.Section{Role: "bank", Kinds: []string{"bank"}, Title: [2]string{"银行", "Bank"},
		Routes: []portal.Route{
			{Method: "GET", Path: "/ui/bank", Handle: func(r *portal.Request) error {
				r.W.Write([]byte("home of " + r.Who.Name))
				return nil
			}},
			{Method: "POST", Path: "/ui/bank/echo", Handle: func(r *portal.Request) error {
				r.W.Write([]byte("posted " + r.R.PostForm.Get("x")))
				return nil
			}},
		}}
}

func TestSignInSessionsAndCSRF(t *testing.T) {
	clk := &clock{}
	e := portaltest.New(t, portaltest.Options{Now: clk.now, Burst: 3}, demoSection())

	// Every role path answers: / the sign-in page, the others a redirect.
	anon := e.Browser(t)
	for _, tc := range []struct {
		path     string
		status   int
		location string
	}{
		{"/", 200, ""},
		{"/ui", 303, "/?next=%2Fui"},
		{"/bank", 303, "/?next=%2Fui%2Fbank"},
		{"/insurer", 303, "/?next=%2Fui"},
		{"/regulator", 303, "/?next=%2Fui"},
		{"/dashboard", 303, "/?next=%2Fui"},
		{"/ui/bank", 303, "/?next=%2Fui%2Fbank"},
	} {
		resp, err := anon.Get(e.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location {
			t.Errorf("GET %s: %d %q, want %d %q", tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
		}
	}

	// Sign-in: the session cookie's flags; the token is not stored.
	c := e.Browser(t)
	resp := e.SignIn(t, c, "bank")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/ui" {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "qc_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" || session.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not Secure over plain http", session)
	}
	var n int
	if err := e.Store.DB().QueryRow("SELECT COUNT(*) FROM rm_sessions WHERE token_hash = ?", session.Value).Scan(&n); err != nil || n != 0 {
		t.Errorf("the token itself is in the store (%d rows, %v)", n, err)
	}
	if got := e.Get(t, c, "/ui/bank"); got != "home of bank" {
		t.Errorf("/ui/bank: %q", got)
	}
	// /ui sends a bank officer to the bank's home; the sign-in page too.
	if r, _ := c.Get(e.URL + "/ui"); r.Header.Get("Location") != "/ui/bank" {
		t.Errorf("/ui sends to %q", r.Header.Get("Location"))
	}

	// Forms: the session's token passes; none, a wrong one and another
	// session's are refused and change nothing.
	other := e.Browser(t)
	e.SignIn(t, other, "bank")
	otherCSRF := csrfOf(t, e, other)
	ownCSRF := csrfOf(t, e, c)
	if ownCSRF == otherCSRF {
		t.Fatal("two sessions share a CSRF token")
	}
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"own token", ownCSRF, 200},
		{"no token", "", 403},
		{"wrong token", "AAAA" + ownCSRF[4:], 403},
		{"another session's token", otherCSRF, 403},
	} {
		form := url.Values{"x": {"1"}}
		if tc.token != "" {
			form.Set("csrf", tc.token)
		}
		r, err := c.PostForm(e.URL+"/ui/bank/echo", form)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, r)
		if r.StatusCode != tc.status {
			t.Errorf("%s: %d %.200s", tc.name, r.StatusCode, body)
		}
		if tc.status == 403 && (!strings.Contains(body, "CSRF_TOKEN_INVALID") || strings.Contains(body, "posted")) {
			t.Errorf("%s: refusal page %.300s", tc.name, body)
		}
	}
	// A form posted from another site is refused even with the token.
	req, _ := http.NewRequest("POST", e.URL+"/ui/bank/echo", strings.NewReader(url.Values{"csrf": {ownCSRF}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if r, err := c.Do(req); err != nil || r.StatusCode != 403 {
		t.Errorf("cross-site post: %v %v", r, err)
	}

	// Sign-out deletes the session on the server: the old cookie, sent
	// again, opens nothing.
	r, err := c.PostForm(e.URL+"/ui/signout", url.Values{"csrf": {ownCSRF}})
	if err != nil || r.StatusCode != 303 {
		t.Fatalf("sign-out: %v %v", r, err)
	}
	replay := e.Browser(t)
	u, _ := url.Parse(e.URL)
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "qc_session", Value: session.Value}})
	if r, _ := replay.Get(e.URL + "/ui/bank"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/?next=") {
		t.Errorf("after sign-out the old cookie gives %d %s", r.StatusCode, r.Header.Get("Location"))
	}

	// Idle expiry: the other session, unused for longer than the idle
	// timeout, is refused and deleted.
	clk.add(31 * time.Minute)
	if r, _ := other.Get(e.URL + "/ui/bank"); r.StatusCode != 303 || !strings.Contains(r.Header.Get("Location"), "expired=1") {
		t.Errorf("expired session: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if err := e.Store.DB().QueryRow("SELECT COUNT(*) FROM rm_sessions").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d sessions left after sign-out and expiry (%v)", n, err)
	}

	// Failed sign-ins are limited per address like the API's keys.
	bad := e.Browser(t)
	for i := 0; i < 4; i++ {
		page := e.Get(t, bad, "/")
		r, _ := bad.PostForm(e.URL+"/ui/signin", url.Values{"signin": {portaltest.Hidden(page, "signin")}, "key": {"qck_wrong"}})
		body := readAll(t, r)
		want := 401
		if i == 3 {
			want = 429
		}
		if r.StatusCode != want {
			t.Errorf("failed sign-in %d: %d %.200s", i+1, r.StatusCode, body)
		}
	}
	// A sign-in form posted without its own token is refused.
	if r, _ := e.Browser(t).PostForm(e.URL+"/ui/signin", url.Values{"key": {e.Keys["bank"]}}); r.StatusCode != 403 {
		t.Errorf("sign-in without the form token: %d", r.StatusCode)
	}
}

// csrfOf signs nothing: it reads the CSRF token from a rendered page of
// the session (the error page of an unknown path shows the layout).
func csrfOf(t *testing.T, e *portaltest.Env, c *http.Client) string {
	t.Helper()
	tok := portaltest.Hidden(e.Get(t, c, "/ui/nope"), "csrf")
	if tok == "" {
		t.Fatal("no CSRF token on a signed-in page")
	}
	return tok
}

func readAll(t *testing.T, r *http.Response) string {
	t.Helper()
	defer r.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}
