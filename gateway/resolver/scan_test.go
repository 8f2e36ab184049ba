package resolver_test

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway/resolver"
)

// phoneUA is what a shopper's phone sends.
const phoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"

// device is one shopper's phone: its own cookie jar and browser.
type device struct {
	t      *testing.T
	e      *env
	client *http.Client
	ua     string
}

func (e *env) device(t *testing.T) *device {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &device{t: t, e: e, ua: phoneUA, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches path as this device; extra headers as name, value pairs.
func (d *device) get(method, path string, headers ...string) response {
	d.t.Helper()
	req, err := http.NewRequest(method, d.e.http.URL+path, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("User-Agent", d.ua)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := d.client.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// scans reads the item's record through the JSON form (which counts
// nothing).
func (e *env) scanRecord(t *testing.T, path string) resolver.ScanInfo {
	t.Helper()
	var res resolver.ResolvedItem
	e.do("GET", path, "", nil, "Accept", "application/json").json(t, &res)
	if res.Scans == nil {
		t.Fatalf("no scan record for %s", path)
	}
	return *res.Scans
}

func TestReloadsFromOneDeviceAreOneScan(t *testing.T) {
	e := newEnv(t)
	phone := e.device(t)
	var page string
	for i := range 100 {
		q := "?lang=zh"
		if i%2 == 1 {
			q = "?lang=en" // language switches are reloads too
		}
		r := phone.get("GET", teaItem.Path()+q)
		if r.status != 200 {
			t.Fatalf("load %d: %d", i, r.status)
		}
		page = string(r.body)
	}
	if strings.Contains(page, `id="copy-warning"`) {
		t.Error("100 reloads from one phone raised the copy warning")
	}
	if !strings.Contains(page, "This is the first check of this code.") {
		t.Errorf("the 100th reload does not say first check: %s", between(page, `id="scan-verdict"`, "</dd>"))
	}
	if got := e.scanRecord(t, teaItem.Path()); got.Count != 1 || got.Devices != 1 || got.Suspicious {
		t.Errorf("after 100 reloads: %+v, want one scan on one device", got)
	}
}

func TestWhatIsNotAScan(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, method, ua, accept string
		headers                  []string
	}{
		{"HEAD", "HEAD", phoneUA, "text/html", nil},
		{"JSON", "GET", phoneUA, "application/json", nil},
		{"linkset", "GET", phoneUA, "application/linkset+json", nil},
		{"Googlebot", "GET", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "text/html", nil},
		{"WeChat link preview crawler", "GET", "Mozilla/5.0 (compatible; Baiduspider/2.0)", "text/html", nil},
		{"WhatsApp preview", "GET", "WhatsApp/2.23.20.0", "text/html", nil},
		{"Slack unfurl", "GET", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "text/html", nil},
		{"Facebook preview", "GET", "facebookexternalhit/1.1", "text/html", nil},
		{"curl", "GET", "curl/8.5.0", "text/html", nil},
		{"no user agent", "GET", "", "text/html", nil},
		{"prefetch", "GET", phoneUA, "text/html", []string{"Sec-Purpose", "prefetch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := e.device(t)
			d.ua = tc.ua
			for range 5 {
				r := d.get(tc.method, teaItem.Path(), append([]string{"Accept", tc.accept}, tc.headers...)...)
				if r.status != 200 {
					t.Fatalf("status %d", r.status)
				}
			}
			if got := e.scanRecord(t, teaItem.Path()); got.Count != 0 || got.Devices != 0 {
				t.Errorf("counted: %+v", got)
			}
		})
	}
}

// The verdict changes with every device, with the resolver's caches off
// and on (the page is then kept but for its verdict).
func TestManyDevicesRaiseTheCopyWarning(t *testing.T) {
	for _, ttl := range []time.Duration{-1, time.Minute} {
		t.Run(fmt.Sprintf("cache %v", ttl), func(t *testing.T) { testManyDevices(t, ttl) })
	}
}

func testManyDevices(t *testing.T, cacheTTL time.Duration) {
	e := &env{t: t, dir: t.TempDir(), cacheTTL: cacheTTL}
	e.start()
	var last response
	for i := range 40 {
		d := e.device(t)
		// Phones that visited the site before carry their own cookie.
		d.client.Jar.SetCookies(mustURL(t, e.http.URL), []*http.Cookie{{Name: resolver.DeviceCookie, Value: hex.EncodeToString(fmt.Appendf(nil, "device-%09d", i))}})
		last = d.get("GET", teaItem.Path()+"?lang=en")
		page := string(last.body)
		switch {
		case i == 0 && !strings.Contains(page, "This is the first check of this code."):
			t.Errorf("first device: %s", between(page, `id="scan-verdict"`, "</dd>"))
		case i == 1 && !strings.Contains(page, "Checked <span id=\"scan-count\">2</span> times since ") || i == 1 && !strings.Contains(page, " on 2 devices"):
			t.Errorf("second device: %s", between(page, `id="scan-verdict"`, "</dd>"))
		case i == 18 && strings.Contains(page, `id="copy-warning"`):
			t.Error("warned at 19 devices, under the default threshold of 20")
		}
	}
	if page := string(last.body); !strings.Contains(page, `id="copy-warning"`) || !strings.Contains(page, " on 40 devices") {
		t.Errorf("after 40 devices no copy warning: %s", between(page, `id="scan-verdict"`, "</dd>"))
	}
	if got := e.scanRecord(t, teaItem.Path()); got.Count != 40 || got.Devices != 40 || !got.Suspicious {
		t.Errorf("after 40 devices: %+v", got)
	}
	if other := e.scanRecord(t, strings.Replace(teaItem.Path(), "TIN00001", "TIN00002", 1)); other.Count != 0 || other.Suspicious {
		t.Errorf("another tin: %+v", other)
	}
}

func TestFirstVisitThenCookie(t *testing.T) {
	e := newEnv(t)
	phone := e.device(t)
	first := phone.get("GET", teaItem.Path())
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: first.header}).Cookies() {
		if c.Name == resolver.DeviceCookie {
			cookie = c
		}
	}
	if cookie == nil || len(cookie.Value) != 32 || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.MaxAge < 365*24*3600 {
		t.Fatalf("device cookie %+v", cookie)
	}
	phone.get("GET", teaItem.Path())
	if r := phone.get("GET", teaItem.Path()); len((&http.Response{Header: r.header}).Cookies()) != 0 {
		t.Error("a device with its cookie is given another")
	}
	if got := e.scanRecord(t, teaItem.Path()); got.Count != 1 || got.Devices != 1 {
		t.Errorf("first visit and two with the cookie: %+v", got)
	}
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return "(no " + from + ")"
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
