package resolver_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/resolver"
)

// checkLinkset checks a JSON linkset against RFC 9264 section 4.2: one
// member "linkset", an array of context objects; each has an "anchor" (an
// absolute URI) and otherwise only link relation types (a registered name
// or an absolute URI), each an array of target objects with an "href"
// (a URI) and, where given, "type" and "title" strings and "hreflang" an
// array of language tags.
func checkLinkset(t *testing.T, body []byte) map[string][]map[string]any {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("linkset is not a JSON object: %v", err)
	}
	if len(top) != 1 || top["linkset"] == nil {
		t.Fatalf("linkset members %v, want exactly \"linkset\"", keys(top))
	}
	var contexts []map[string]json.RawMessage
	if err := json.Unmarshal(top["linkset"], &contexts); err != nil || len(contexts) == 0 {
		t.Fatalf("linkset is not a non-empty array of objects: %v", err)
	}
	registered := regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)
	tag := regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	out := map[string][]map[string]any{}
	for _, ctx := range contexts {
		var anchor string
		if err := json.Unmarshal(ctx["anchor"], &anchor); err != nil {
			t.Fatalf("anchor: %v", err)
		}
		if u, err := url.Parse(anchor); err != nil || !u.IsAbs() {
			t.Errorf("anchor %q is not an absolute URI", anchor)
		}
		out["anchor"] = []map[string]any{{"href": anchor}}
		for rel, raw := range ctx {
			if rel == "anchor" {
				continue
			}
			if u, err := url.Parse(rel); !registered.MatchString(rel) && (err != nil || !u.IsAbs()) {
				t.Errorf("relation %q is neither a registered name nor an absolute URI", rel)
			}
			var targets []map[string]any
			if err := json.Unmarshal(raw, &targets); err != nil || len(targets) == 0 {
				t.Errorf("%s: not a non-empty array of target objects: %v", rel, err)
				continue
			}
			for _, tg := range targets {
				href, ok := tg["href"].(string)
				if u, err := url.Parse(href); !ok || err != nil || !u.IsAbs() {
					t.Errorf("%s: target href %v", rel, tg["href"])
				}
				for k, v := range tg {
					switch k {
					case "href":
					case "type", "title":
						if _, ok := v.(string); !ok {
							t.Errorf("%s: %s is %T, want a string", rel, k, v)
						}
					case "hreflang":
						langs, ok := v.([]any)
						if !ok || len(langs) == 0 {
							t.Errorf("%s: hreflang %v, want an array", rel, v)
						}
						for _, l := range langs {
							if s, _ := l.(string); !tag.MatchString(s) {
								t.Errorf("%s: hreflang %v is not a language tag", rel, l)
							}
						}
					default:
						t.Errorf("%s: target attribute %q not used by this resolver", rel, k)
					}
				}
			}
			out[rel] = targets
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestLinkset(t *testing.T) {
	e := newEnv(t)
	lot := gs1.Key{GTIN: demo.GTINBlackTea, Lot: demo.LotTeaExport}
	for _, tc := range []struct {
		name, path, accept string
		wantAnchor         string
		wantTypes          []string
	}{
		{"item by Accept", teaItem.Path(), resolver.LinksetType, "https://trace.example" + teaItem.Path(), []string{"pip", "traceability", "certificationInfo", "recallStatus", "defaultLink"}},
		{"item by linkType=all", teaItem.Path() + "?linkType=all", "text/html", "https://trace.example" + teaItem.Path(), []string{"pip", "traceability", "certificationInfo", "recallStatus"}},
		{"product", "/01/" + demo.GTINBlackTea, resolver.LinksetType, "https://trace.example/01/" + demo.GTINBlackTea, []string{"pip", "traceability"}},
		{"unknown serial walks up to its lot", lot.Path() + "/21/NOPE99", resolver.LinksetType, "https://trace.example" + lot.Path(), []string{"pip", "certificationInfo"}},
		{"unknown lot walks up to its product", "/01/" + demo.GTINBlackTea + "/10/NOPE", resolver.LinksetType, "https://trace.example/01/" + demo.GTINBlackTea, []string{"pip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("GET", tc.path, "", nil, "Accept", tc.accept)
			if r.status != 200 || r.header.Get("Content-Type") != resolver.LinksetType {
				t.Fatalf("%d %s: %.200s", r.status, r.header.Get("Content-Type"), r.body)
			}
			ls := checkLinkset(t, r.body)
			if got := ls["anchor"][0]["href"]; got != tc.wantAnchor {
				t.Errorf("anchor %v, want %s", got, tc.wantAnchor)
			}
			for _, lt := range tc.wantTypes {
				targets := ls[resolver.GS1Voc+lt]
				if len(targets) == 0 {
					t.Errorf("no %s link", lt)
				}
				for _, tg := range targets {
					if href := tg["href"].(string); !strings.HasPrefix(href, "https://trace.example/01/") {
						t.Errorf("%s link %s is not on this resolver", lt, href)
					}
				}
			}
			if !strings.Contains(r.header.Get("Link"), `rel="linkset"`) {
				t.Errorf("Link header %q", r.header.Get("Link"))
			}
		})
	}
	// The item's pip link comes in both languages.
	ls := checkLinkset(t, e.do("GET", teaItem.Path(), "", nil, "Accept", resolver.LinksetType).body)
	langs := map[string]bool{}
	for _, tg := range ls[resolver.GS1Voc+"pip"] {
		for _, l := range tg["hreflang"].([]any) {
			langs[l.(string)] = true
		}
	}
	if !langs["zh"] || !langs["en"] {
		t.Errorf("pip languages %v", langs)
	}
}

func TestLinkTypeRedirects(t *testing.T) {
	e := newEnv(t)
	d := e.device(t)
	base := "https://trace.example" + teaItem.Path()
	for _, tc := range []struct {
		linkType, lang string
		wantStatus     int
		wantLocation   string
	}{
		{"gs1:certificationInfo", "en", 307, base + "?lang=en#certificates"},
		{"gs1:certificationInfo", "zh-CN", 307, base + "?lang=zh#certificates"},
		{"https://gs1.org/voc/recallStatus", "en", 307, base + "?lang=en#recall-status"},
		{"gs1:traceability", "en", 307, base + "?format=epcis"},
		{"gs1:noSuchLinkType", "en", 307, base},
		{"not a link type", "en", 307, base},
		{"gs1:pip", "en", 200, ""},
	} {
		r := d.get("GET", teaItem.Path()+"?linkType="+url.QueryEscape(tc.linkType), "Accept-Language", tc.lang)
		if r.status != tc.wantStatus || r.header.Get("Location") != tc.wantLocation {
			t.Errorf("linkType=%s (%s): %d Location %q, want %d %q", tc.linkType, tc.lang, r.status, r.header.Get("Location"), tc.wantStatus, tc.wantLocation)
		}
	}
}

func TestWellKnownResolverDescription(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/.well-known/gs1resolver", "", nil)
	var got resolver.ResolverDescription
	r.json(t, &got)
	if r.status != 200 || got.ResolverRoot != "https://trace.example" || len(got.SupportedPrimaryKeys) != 1 || got.SupportedPrimaryKeys[0] != "01" ||
		len(got.SupportedLinkType) != 1 || got.SupportedLinkType[0].Prefix != "gs1:" || got.SupportedLinkType[0].Namespace != resolver.GS1Voc {
		t.Errorf("%d %+v", r.status, got)
	}
}

func TestHEADAndRevalidation(t *testing.T) {
	e := newEnv(t)
	d := e.device(t)
	get := d.get("GET", teaItem.Path()+"?lang=en")
	head := d.get("HEAD", teaItem.Path()+"?lang=en")
	if head.status != 200 || len(head.body) != 0 {
		t.Fatalf("HEAD: %d, %d bytes", head.status, len(head.body))
	}
	for _, h := range []string{"Content-Type", "Cache-Control", "Link", "Content-Language"} {
		if head.header.Get(h) == "" || head.header.Get(h) != get.header.Get(h) {
			t.Errorf("%s: HEAD %q, GET %q", h, head.header.Get(h), get.header.Get(h))
		}
	}
	if r := d.get("HEAD", "/01/00000000000017"); r.status != 404 || len(r.body) != 0 {
		t.Errorf("HEAD of an unknown product: %d, %d bytes", r.status, len(r.body))
	}

	// JSON: the same for everyone, shortly cacheable, revalidated by ETag.
	j := e.do("GET", teaItem.Path(), "", nil, "Accept", "application/json")
	etag := j.header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) || !strings.Contains(j.header.Get("Cache-Control"), "max-age=60") || !strings.Contains(j.header.Get("Vary"), "Accept") {
		t.Errorf("ETag %q, Cache-Control %q, Vary %q", etag, j.header.Get("Cache-Control"), j.header.Get("Vary"))
	}
	for _, tc := range []struct {
		inm  string
		want int
	}{{etag, 304}, {strings.TrimPrefix(etag, "W/"), 304}, {`"other", ` + etag, 304}, {`W/"stale"`, 200}, {"*", 304}} {
		r := e.do("GET", teaItem.Path(), "", nil, "Accept", "application/json", "If-None-Match", tc.inm)
		if r.status != tc.want || (tc.want == 304 && len(r.body) != 0) {
			t.Errorf("If-None-Match %s: %d with %d bytes, want %d", tc.inm, r.status, len(r.body), tc.want)
		}
	}
	// The page: private to the device (it carries the device's verdict).
	if cc := get.header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("page Cache-Control %q", cc)
	}
	if r := d.get("GET", teaItem.Path()+"?lang=en", "If-None-Match", get.header.Get("ETag")); r.status != 304 {
		t.Errorf("page revalidation: %d", r.status)
	}
}

func TestGzip(t *testing.T) {
	e := newEnv(t)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, accept := range []string{"text/html", "application/json", resolver.LinksetType} {
		fetch := func(enc string) *http.Response {
			req, _ := http.NewRequest("GET", e.http.URL+teaItem.Path(), nil)
			req.Header.Set("Accept", accept)
			req.Header.Set("User-Agent", phoneUA)
			if enc != "" {
				req.Header.Set("Accept-Encoding", enc)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		plain := fetch("")
		pb, _ := io.ReadAll(plain.Body)
		plain.Body.Close()
		zipped := fetch("gzip, deflate, br")
		zb, _ := io.ReadAll(zipped.Body)
		zipped.Body.Close()
		if plain.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed without Accept-Encoding", accept)
		}
		if len(pb) > 1024 && zipped.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: %d bytes not compressed", accept, len(pb))
			continue
		}
		if zipped.Header.Get("Content-Encoding") != "gzip" {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(zb))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, _ := io.ReadAll(zr)
		// The page differs between loads only in its scan verdict; the
		// JSON and the linkset not at all.
		if accept != "text/html" && !bytes.Equal(unzipped, pb) {
			t.Errorf("%s: gzip body differs from the plain one", accept)
		}
		if len(zb) >= len(pb) || !strings.Contains(zipped.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: %d bytes zipped from %d, Vary %q", accept, len(zb), len(pb), zipped.Header.Get("Vary"))
		}
	}
	if r := e.do("GET", "/01/00000000000017", "", nil, "Accept", "text/html", "Accept-Encoding", "gzip;q=0"); r.header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 answered with gzip")
	}
}

// The scanned item's trace as EPCIS: its packing into the case is there as
// an AggregationEvent, each place is spelt one way, and the document names
// the vocabulary's context, which the gateway serves.
func TestItemEPCIS(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", teaItem.Path(), "", nil, "Accept", "application/ld+json")
	if r.status != 200 || r.header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("%d %s: %.300s", r.status, r.header.Get("Content-Type"), r.body)
	}
	var doc struct {
		Context []string `json:"@context"`
		Body    struct {
			EventList []struct {
				Type      string               `json:"type"`
				BizStep   string               `json:"bizStep"`
				ParentID  string               `json:"parentID"`
				ChildEPCs []string             `json:"childEPCs"`
				ReadPoint *struct{ ID string } `json:"readPoint"`
			} `json:"eventList"`
		} `json:"epcisBody"`
	}
	r.json(t, &doc)
	if len(doc.Context) != 2 || doc.Context[1] != "https://trace.example/voc/context.jsonld" {
		t.Errorf("@context %v", doc.Context)
	}
	packed := false
	for _, ev := range doc.Body.EventList {
		if ev.Type == "AggregationEvent" && ev.BizStep == "packing" && strings.HasSuffix(ev.ParentID, "/00/"+demo.TeaCaseSSCC) && len(ev.ChildEPCs) > 0 {
			packed = true
		}
	}
	if !packed {
		t.Error("no AggregationEvent packing the tin into its case")
	}
	spellings := map[string]map[string]bool{}
	for _, m := range regexp.MustCompile(`geo:(-?[0-9.]+),(-?[0-9.]+)`).FindAllStringSubmatch(string(r.body), -1) {
		key := strings.TrimRight(strings.TrimRight(m[1], "0"), ".") + "," + strings.TrimRight(strings.TrimRight(m[2], "0"), ".")
		if spellings[key] == nil {
			spellings[key] = map[string]bool{}
		}
		spellings[key][m[0]] = true
	}
	for place, ss := range spellings {
		if len(ss) > 1 {
			t.Errorf("place %s spelt %d ways: %v", place, len(ss), keys(ss))
		}
	}
	ctx := e.do("GET", "/voc/context.jsonld", "", nil)
	var c struct {
		Context map[string]any `json:"@context"`
	}
	ctx.json(t, &c)
	if ctx.status != 200 || c.Context["qc"] != "https://trace.example/voc/" || c.Context["vocabularyElementList"] == nil {
		t.Errorf("context: %d %s", ctx.status, ctx.body)
	}
	if r := e.do("GET", "/01/"+demo.GTINBlackTea, "", nil, "Accept", "application/ld+json"); r.status != 404 {
		t.Errorf("EPCIS of a product alone: %d", r.status)
	}
}
