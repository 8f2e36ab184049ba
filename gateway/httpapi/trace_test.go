package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/resolver"
)

var chickenItem = gs1.Key{GTIN: demo.GTINChickenBox, Lot: demo.LotCarcass, Serial: "CHK00001"}

func TestTraceResources(t *testing.T) {
	e := newEnv(t)
	lotPath := "/api/v1/lots/" + demo.GTINBlackTea + "/" + demo.LotTeaExport
	for _, p := range []string{lotPath, lotPath + "/trace", lotPath + "/lineage?direction=up", lotPath + "/certificates", lotPath + "/items/TIN00001", "/api/v1/products/" + demo.GTINBlackTea} {
		if r := e.do("GET", p, "bank", nil); r.status != 200 || !json.Valid(r.body) {
			t.Errorf("GET %s: %d %.200s", p, r.status, r.body)
		}
	}
	r := e.do("GET", lotPath+"/epcis", "bank", nil)
	var doc struct {
		Type      string `json:"type"`
		EPCISBody struct {
			EventList []map[string]any `json:"eventList"`
		} `json:"epcisBody"`
	}
	r.json(t, &doc)
	if r.status != 200 || doc.Type != "EPCISDocument" || len(doc.EPCISBody.EventList) < 5 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/ld+json") {
		t.Errorf("epcis: %d %s, %d events", r.status, doc.Type, len(doc.EPCISBody.EventList))
	}
	// Who may record what is the chaincode's rule; the gateway relays it.
	ev := map[string]any{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "harvesting", "eventTime": time.Now().Add(-time.Hour).Format(time.RFC3339),
		"lots": []map[string]string{{"gtin": demo.GTINTeaLeaf, "lot": demo.LotTeaLeaf}}}
	if r := e.do("POST", "/api/v1/events", "bank", ev); r.status != 403 {
		t.Errorf("bank records a harvest: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/events", "tea-coop", ev); r.status != 201 {
		t.Errorf("producer records a harvest: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/recalls", "regulator", map[string]string{"gtin": demo.GTINLiveBird, "lot": demo.LotFlock, "reason": "avian influenza found in the flock"}); r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}
	var res resolver.ResolvedItem
	e.do("GET", chickenItem.Path(), "", nil, "Accept", "application/json").json(t, &res)
	if !res.Trace.Recalled || res.Trace.Recall == nil || res.Trace.Recall.Lot != demo.LotFlock {
		t.Errorf("the flock's recall did not reach the pack: %+v", res.Trace.Recall)
	}
	page := string(e.do("GET", chickenItem.Path(), "", nil, "Accept", "text/html").body)
	if !strings.Contains(page, `id="recall"`) {
		t.Error("no recall banner")
	}
	for _, bad := range []string{"/api/v1/lots/123/ABC", "/api/v1/lots/" + demo.GTINBlackTea + "/" + demo.LotTeaExport + "/lineage?direction=sideways", "/api/v1/events/zz", "/api/v1/certificates/%20"} {
		if r := e.do("GET", bad, "bank", nil); r.status != 400 {
			t.Errorf("GET %s: %d", bad, r.status)
		}
	}
}

// Cursors and limits from clients are checked: never a 500.
func TestLotEventsBadInput(t *testing.T) {
	e := newEnv(t)
	lotPath := "/api/v1/lots/" + demo.GTINChickenBox + "/" + demo.LotCarcass + "/events"
	var first api.LotEventsPage
	e.do("GET", lotPath+"?limit=2", "bank", nil).json(t, &first)
	if len(first.Events) != 2 || first.NextCursor == "" {
		t.Fatalf("first page: %d events, cursor %q", len(first.Events), first.NextCursor)
	}
	var next api.LotEventsPage
	e.do("GET", lotPath+"?limit=2&cursor="+first.NextCursor, "bank", nil).json(t, &next)
	if len(next.Events) == 0 || next.Events[0].ID == first.Events[0].ID || next.Events[0].ID == first.Events[1].ID {
		t.Errorf("second page repeats the first: %+v", next.Events)
	}
	for _, q := range []string{"limit=0", "limit=201", "limit=abc", "limit=-1", "limit=%2B3", "cursor=%00", "cursor=" + strings.Repeat("A", 300),
		"cursor=AAAA", "cursor=" + first.NextCursor + "x", "cursor=" + strings.ToLower(first.NextCursor), "cursor=%E4%B8%AD", "cursor=a+b"} {
		r := e.do("GET", lotPath+"?"+q, "bank", nil)
		if r.status != 400 {
			t.Errorf("?%s: %d %.200s", q, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/lots/"+demo.GTINChickenBox+"/NOPE/events", "bank", nil); r.status != 404 {
		t.Errorf("unknown lot: %d", r.status)
	}
	if r := e.do("GET", lotPath, "", nil); r.status != 401 {
		t.Errorf("no key: %d", r.status)
	}
}
