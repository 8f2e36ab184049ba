package resolver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/resolver"
)

// postEvents records events over HTTP as a demo user, one after the other
// (events on one lot conflict when concurrent).
func postEvents(e *env, user string, events []map[string]any) error {
	for _, ev := range events {
		raw, _ := json.Marshal(ev)
		req, err := http.NewRequest(http.MethodPost, e.http.URL+"/api/v1/events", bytes.NewReader(raw))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.keys[user])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("%s records %s: %d %s", user, raw, res.StatusCode, body)
		}
	}
	return nil
}

// floodChicken floods the demo's chicken lots by their own producers: n
// events on the carcass lot by the meat processor and nUp on the flock by
// the farm, all inside the 7-day capture window and before the lot's real
// later story (loading, the cold chain, storing, about six days ago).
func floodChicken(tb testing.TB, e *env, n, nUp int) {
	tb.Helper()
	start := time.Now().Add(-7*24*time.Hour + 15*time.Minute).Truncate(time.Second)
	ev := func(step, gtin, lot string, t time.Time) map[string]any {
		return map[string]any{"type": "ObjectEvent", "bizStep": step, "eventTime": t.Format(time.RFC3339),
			"lots": []map[string]string{{"gtin": gtin, "lot": lot}}}
	}
	var carcass, flock []map[string]any
	for i := range n {
		carcass = append(carcass, ev([]string{"processing", "packing"}[i%2], demo.GTINChickenBox, demo.LotCarcass, start.Add(time.Duration(i)*30*time.Second)))
	}
	for i := range nUp {
		flock = append(flock, ev("feeding", demo.GTINLiveBird, demo.LotFlock, start.Add(time.Duration(i)*30*time.Second+15*time.Second)))
	}
	if end := start.Add(time.Duration(max(n, nUp)) * 30 * time.Second); end.After(time.Now().AddDate(0, 0, -6).Truncate(time.Hour).Add(-time.Hour)) {
		tb.Fatalf("the flood would end at %s, after the real later events", end)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); errs[0] = postEvents(e, "meat-processor", carcass) }()
	go func() { defer wg.Done(); errs[1] = postEvents(e, "chicken-farm", flock) }()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func TestShopperPageAfterFlood(t *testing.T) {
	e := newEnv(t)
	floodChicken(t, e, 1900, 150)

	r := e.do("GET", chickenItem.Path(), "", nil, "Accept", "text/html", "Accept-Language", "en")
	page := string(r.body)
	if r.status != 200 {
		t.Fatalf("status %d: %.300s", r.status, page)
	}
	if len(r.body) >= 100<<10 {
		t.Errorf("page is %d bytes, not under 100 KB", len(r.body))
	}
	t.Logf("flooded page: %d bytes", len(r.body))
	// The real story, its later events included.
	for _, n := range []string{"Slaughtered", "Packed", "Loaded", "Temperature logged", "Stored", "Beijiang cold store", "Cold chain", `class="reading excursion"`, "Temperature out of range", "Animal quarantine certificate"} {
		if !strings.Contains(page, n) {
			t.Errorf("flooded page lacks %q", n)
		}
	}
	// What is not shown is counted, not dropped.
	if !strings.Contains(page, `id="not-shown"`) || !strings.Contains(page, "more “Processed” records not listed") || !strings.Contains(page, "more “Fed” records not listed") {
		t.Errorf("flooded page does not say what it leaves out")
	}
	zh := string(e.do("GET", chickenItem.Path(), "", nil, "Accept", "text/html", "Accept-Language", "zh-CN").body)
	if !strings.Contains(zh, "条「加工」未列出") || !strings.Contains(zh, "温度记录") || !strings.Contains(zh, "屠宰") {
		t.Errorf("flooded Chinese page lacks the story or the counts")
	}

	// The JSON answers: the resolver's and the API's trace.
	var res resolver.ResolvedItem
	jr := e.do("GET", chickenItem.Path(), "", nil, "Accept", "application/json")
	jr.json(t, &res)
	if len(jr.body) > 200<<10 {
		t.Errorf("resolver JSON is %d bytes", len(jr.body))
	}
	steps := map[string]bool{}
	for _, ev := range res.Trace.Events {
		steps[ev.BizStep] = true
	}
	for _, s := range []string{"slaughtering", "packing", "loading", "sensor_reporting", "storing"} {
		if !steps[s] {
			t.Errorf("resolver JSON lacks %s", s)
		}
	}
	if !res.Trace.Truncated || res.Trace.EventCount < 2050 || res.Trace.Omitted.Events != res.Trace.EventCount-len(res.Trace.Events) {
		t.Errorf("trace: truncated %v, %d events, omitted %+v", res.Trace.Truncated, res.Trace.EventCount, res.Trace.Omitted)
	}
	lotPath := "/api/v1/lots/" + demo.GTINChickenBox + "/" + demo.LotCarcass
	tr := e.do("GET", lotPath+"/trace", "bank", nil)
	if tr.status != 200 || len(tr.body) > 200<<10 {
		t.Errorf("GET trace: %d, %d bytes", tr.status, len(tr.body))
	}
	if r := e.do("GET", lotPath+"/epcis", "bank", nil); r.status != 200 || r.header.Get("Qingchain-Omitted-Events") == "" {
		t.Errorf("EPCIS export of a flooded lot: %d, omitted header %q", r.status, r.header.Get("Qingchain-Omitted-Events"))
	}

	// API clients page through everything.
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 30 {
			t.Fatal("pagination does not end")
		}
		q := url.Values{"limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page api.LotEventsPage
		e.do("GET", lotPath+"/events?"+q.Encode(), "bank", nil).json(t, &page)
		for _, ev := range page.Events {
			if seen[ev.ID] {
				t.Fatalf("event %s on two pages", ev.ID)
			}
			seen[ev.ID] = true
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) < 1900+4 {
		t.Errorf("pages hold %d events of the carcass lot", len(seen))
	}
}

// BenchmarkShopperPageFlooded renders the chicken pack's page before and
// after its lots are flooded (1,900 + 150 events by their own producers),
// through the real router with no resolver cache: compare flooded/op with
// unflooded/op. page-bytes and trace-bytes are the page's size and the size
// of the lot's JSON trace.
func BenchmarkShopperPageFlooded(b *testing.B) {
	e := &env{t: b, dir: b.TempDir(), cacheTTL: -1}
	e.start()
	defer e.stop()
	h := e.srv.Handler()
	get := func(path, accept string) []byte {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Accept-Language", "en")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
		return w.Body.Bytes()
	}
	lot := gs1.Key{GTIN: demo.GTINChickenBox, Lot: demo.LotCarcass}.Path()
	run := func(b *testing.B) {
		b.ReportAllocs()
		var n int
		for b.Loop() {
			n = len(get(chickenItem.Path(), "text/html"))
		}
		b.ReportMetric(float64(n), "page-bytes")
		b.ReportMetric(float64(len(get(lot, "application/json"))), "trace-bytes")
	}
	b.Run("unflooded", run)
	floodChicken(b, e, 1900, 150)
	b.Run("flooded", run)
}
