package resolver_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/resolver"
	"github.com/qingchain/qingchain/gateway/scans"
)

// Shoppers see pages in words they understand, saying what to do; API
// clients keep the stable codes.
func TestProblemPages(t *testing.T) {
	e := newEnv(t)
	wrongCheck := demo.GTINBlackTea[:13] + string('0'+(demo.GTINBlackTea[13]-'0'+1)%10)
	lotPath := "/01/" + demo.GTINBlackTea + "/10/" + demo.LotTeaExport
	for _, tc := range []struct {
		name, path, lang string
		want             int
		needles          []string
	}{
		{"wrong check digit zh", "/01/" + wrongCheck + "/10/" + demo.LotTeaExport, "zh", 400, []string{"这不是有效的产品码", "12315", "GTIN " + wrongCheck}},
		{"wrong check digit en", "/01/" + wrongCheck + "/10/" + demo.LotTeaExport, "en", 400, []string{"This is not a valid product code", "12315", "GTIN " + wrongCheck}},
		{"bad lot characters en", "/01/" + demo.GTINBlackTea + "/10/%E4%B8%AD", "en", 400, []string{"not a valid product code", "LOT 中"}},
		{"unknown product zh", "/01/00000000000017", "zh", 404, []string{"账本上没有这个产品", "12315"}},
		{"unknown product en", "/01/00000000000017", "en", 404, []string{"This product is not on the ledger", "ask the seller"}},
		{"unknown serial zh", lotPath + "/21/NOPE99", "zh", 200, []string{`id="notice"`, "NOPE99", "未在账本上登记", "英德红茶", `id="report"`}},
		{"unknown serial en", lotPath + "/21/NOPE99", "en", 200, []string{`id="notice"`, "NOPE99", "may not be genuine", "Yingde Black Tea", "report it below"}},
		{"unknown lot en", "/01/" + demo.GTINBlackTea + "/10/NOPE", "en", 200, []string{`id="notice"`, "The lot number <b>NOPE</b> is not registered"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.device(t).get("GET", tc.path+"?lang="+tc.lang)
			page := string(r.body)
			if r.status != tc.want || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Fatalf("%d %s, want %d html", r.status, r.header.Get("Content-Type"), tc.want)
			}
			for _, n := range tc.needles {
				if !strings.Contains(page, n) {
					t.Errorf("page lacks %q", n)
				}
			}
			for _, dev := range []string{"gs1:", "invalid GS1 Digital Link path", "is not commissioned", "expected 8", "NOT_FOUND:"} {
				if strings.Contains(page, dev) {
					t.Errorf("developer text %q on the shopper's page", dev)
				}
			}
			if tc.want == 200 && strings.Contains(page, `id="scan-verdict"`) {
				t.Error("an unknown serial shows a scan count")
			}
		})
	}
}

func TestReports(t *testing.T) {
	e := newEnv(t)
	phone := e.device(t)
	form := func(kind, msg string) response {
		t.Helper()
		v := url.Values{"link": {teaItem.Path()}, "kind": {kind}, "message": {msg}, "contact": {"138 0000 0000"}, "lang": {"en"}}
		return e.do("POST", "/reports", "", v.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html", "User-Agent", phoneUA,
			"Cookie", phone.cookieHeader(t))
	}
	phone.get("GET", teaItem.Path()) // the phone has its cookie
	r := form("suspicious", "The seal was broken and the tin smells of nothing")
	if r.status != 201 || !strings.Contains(string(r.body), "your report was received") || !strings.Contains(string(r.body), "R-000001") {
		t.Fatalf("form report: %d %.300s", r.status, r.body)
	}
	if r := form("praise", "lovely"); r.status != 400 || !strings.Contains(string(r.body), "The report is incomplete") {
		t.Errorf("a bad kind: %d %.200s", r.status, r.body)
	}
	for _, tc := range []struct {
		name string
		body any
		want int
		code string
	}{
		{"complaint", resolver.ReportRequest{Link: chickenItem.Path(), Kind: "complaint", Message: "Sold past its date", Lang: "zh"}, 201, ""},
		{"unknown code reaches the regulator", resolver.ReportRequest{Link: "/01/00000000000017", Kind: "suspicious", Message: "Fake QR"}, 201, ""},
		{"bad kind", resolver.ReportRequest{Link: teaItem.Path(), Kind: "praise", Message: "x"}, 400, "INVALID_ARGUMENT"},
		{"empty message", resolver.ReportRequest{Link: teaItem.Path(), Kind: "complaint", Message: "  "}, 400, "INVALID_ARGUMENT"},
		{"message too long", resolver.ReportRequest{Link: teaItem.Path(), Kind: "complaint", Message: strings.Repeat("长", 1001)}, 400, "INVALID_ARGUMENT"},
		{"control characters", resolver.ReportRequest{Link: teaItem.Path(), Kind: "complaint", Message: "a\x00b"}, 400, "INVALID_ARGUMENT"},
		{"not a Digital Link", resolver.ReportRequest{Link: "https://evil.example/", Kind: "complaint", Message: "x"}, 400, "INVALID_ARGUMENT"},
		{"unknown field", map[string]string{"link": teaItem.Path(), "kind": "complaint", "message": "x", "extra": "y"}, 400, "MALFORMED_JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/reports", "", tc.body, "User-Agent", phoneUA)
			if r.status != tc.want {
				t.Fatalf("%d, want %d: %.300s", r.status, tc.want, r.body)
			}
			if tc.code != "" {
				if got := r.errorCode(t); got != tc.code {
					t.Errorf("code %s, want %s", got, tc.code)
				}
			}
		})
	}
	// Five a day per device.
	for i := 2; i <= scans.ReportsPerDevicePerDay; i++ {
		if r := form("complaint", "again"); r.status != 201 {
			t.Fatalf("report %d: %d", i, r.status)
		}
	}
	if r := form("complaint", "once more"); r.status != 429 || !strings.Contains(string(r.body), "as many reports as a day allows") {
		t.Errorf("over the allowance: %d %.200s", r.status, r.body)
	}

	// Who reads them: the regulator every report, a producer its own goods'.
	list := func(user, query string) (int, []scans.Report) {
		t.Helper()
		r := e.do("GET", "/api/v1/reports"+query, user, nil)
		var out resolver.ReportList
		if r.status == 200 {
			r.json(t, &out)
		}
		return r.status, out.Reports
	}
	teaCoop, processor := demo.CreditCode(1), demo.CreditCode(3)
	for _, tc := range []struct {
		user, query string
		want        int
		wantN       int
		wantFirst   string
	}{
		{"regulator", "", 200, 7, ""},
		{"regulator", "?producer=" + teaCoop, 200, 5, teaCoop},
		{"regulator", "?limit=2", 200, 2, ""},
		{"tea-coop", "", 200, 5, teaCoop},
		{"meat-processor", "", 200, 1, processor},
		{"bank", "", 200, 0, ""},
		{"tea-coop", "?producer=" + processor, 403, 0, ""},
		{"regulator", "?producer=nope", 400, 0, ""},
		{"regulator", "?limit=0", 400, 0, ""},
		{"", "", 401, 0, ""},
	} {
		status, got := list(tc.user, tc.query)
		if status != tc.want || len(got) != tc.wantN {
			t.Errorf("%s%s: %d with %d reports, want %d with %d", tc.user, tc.query, status, len(got), tc.want, tc.wantN)
			continue
		}
		for _, r := range got {
			if tc.wantFirst != "" && r.Producer != tc.wantFirst {
				t.Errorf("%s%s: a report about %s", tc.user, tc.query, r.Producer)
			}
		}
	}
	_, all := list("regulator", "")
	last := all[len(all)-1]
	if last.ID != "R-000001" || last.Contact != "138 0000 0000" || last.Serial != "TIN00001" || last.Scans == nil || last.Scans.Count != 1 || last.Device != "" {
		t.Errorf("first report as the regulator reads it: %+v", last)
	}
}

// cookieHeader is the device's cookies for the test server, as a header.
func (d *device) cookieHeader(t *testing.T) string {
	t.Helper()
	var parts []string
	for _, c := range d.client.Jar.Cookies(mustURL(t, d.e.http.URL)) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// A step recorded where its recorder is (the lab's own inspection) names
// the place once, not "lab · lab".
func TestTimelineNamesAPlaceOnce(t *testing.T) {
	e := newEnv(t)
	for _, lang := range []string{"zh", "en"} {
		page := string(e.device(t).get("GET", teaItem.Path()+"?lang="+lang).body)
		for _, name := range []string{"清远农产品质量检测中心", "Qingyuan Agri-Food Testing Centre"} {
			if strings.Contains(page, name+" · "+name) {
				t.Errorf("%s page: %q twice on one line", lang, name)
			}
		}
		if !strings.Contains(page, map[string]string{"zh": "清远农产品质量检测中心", "en": "Qingyuan Agri-Food Testing Centre"}[lang]) {
			t.Errorf("%s page lacks the lab", lang)
		}
	}
}

// Without a ledger to read, a shopper is told to try again, not shown an
// error code alone.
func TestUnavailablePage(t *testing.T) {
	res := resolver.New(resolver.Config{PublicURL: "https://trace.example"})
	eng := gin.New()
	eng.GET("/01/*path", func(c *gin.Context) {
		if err := res.Resolve(c); err != nil && !res.ErrorPage(c, http.StatusServiceUnavailable, "LEDGER_UNAVAILABLE", err.Error()) {
			c.JSON(http.StatusServiceUnavailable, gin.H{"error": gin.H{"code": "LEDGER_UNAVAILABLE"}})
		}
	})
	for _, tc := range []struct{ lang, accept, want string }{
		{"zh", "text/html", "暂时无法查询"},
		{"en", "text/html", "Temporarily unavailable"},
		{"en", "application/json", `"LEDGER_UNAVAILABLE"`},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", teaItem.Path()+"?lang="+tc.lang, nil)
		req.Header.Set("Accept", tc.accept)
		eng.ServeHTTP(rec, req)
		if rec.Code != 503 || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s %s: %d %.200s", tc.lang, tc.accept, rec.Code, rec.Body.String())
		}
		if tc.accept == "text/html" && rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("an outage page is cacheable: %q", rec.Header().Get("Cache-Control"))
		}
	}
}
