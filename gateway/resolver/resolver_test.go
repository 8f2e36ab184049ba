package resolver_test

import (
	"bytes"
	"image"
	_ "image/png"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/resolver"
)

func TestResolverPaths(t *testing.T) {
	e := newEnv(t)
	wrongCheck := demo.GTINBlackTea[:13] + string('0'+(demo.GTINBlackTea[13]-'0'+1)%10)
	tests := []struct {
		name, path string
		json       bool
		want       int
		wantCode   string
	}{
		{"item html", teaItem.Path(), false, 200, ""},
		{"item json", teaItem.Path(), true, 200, ""},
		{"lot", gs1.Key{GTIN: demo.GTINBlackTea, Lot: demo.LotTeaExport}.Path(), true, 200, ""},
		{"product only", "/01/" + demo.GTINBlackTea, true, 200, ""},
		{"13-digit GTIN accepted", "/01/" + demo.GTINBlackTea[1:] + "/10/" + demo.LotTeaExport, true, 200, ""},
		{"wrong check digit", "/01/" + wrongCheck + "/10/" + demo.LotTeaExport, true, 400, "INVALID_ARGUMENT"},
		{"malformed GTIN", "/01/12345/10/X", true, 400, "INVALID_ARGUMENT"},
		{"out of GS1 order", "/01/" + demo.GTINBlackTea + "/21/TIN00001/10/" + demo.LotTeaExport, true, 400, "INVALID_ARGUMENT"},
		{"bad lot characters", "/01/" + demo.GTINBlackTea + "/10/%E4%B8%AD", true, 400, "INVALID_ARGUMENT"},
		{"unknown lot", "/01/" + demo.GTINBlackTea + "/10/NO-SUCH-LOT", true, 404, "NOT_FOUND"},
		{"unknown serial", "/01/" + demo.GTINBlackTea + "/10/" + demo.LotTeaExport + "/21/NOPE", true, 404, "NOT_FOUND"},
		{"unknown GTIN", "/01/" + demo.GTINTeaLeaf[:0] + "00000000000017", true, 404, "NOT_FOUND"},
		{"unknown lot html walks up to the product", "/01/" + demo.GTINBlackTea + "/10/NO-SUCH-LOT", false, 200, ""},
		{"unknown serial html walks up to the lot", "/01/" + demo.GTINBlackTea + "/10/" + demo.LotTeaExport + "/21/NOPE", false, 200, ""},
		{"unknown GTIN html", "/01/00000000000017", false, 404, ""},
		{"wrong check digit html", "/01/" + wrongCheck + "/10/" + demo.LotTeaExport, false, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			accept := "text/html"
			if tc.json {
				accept = "application/json"
			}
			r := e.do("GET", tc.path, "", nil, "Accept", accept)
			if r.status != tc.want {
				t.Fatalf("status %d, want %d: %.300s", r.status, tc.want, r.body)
			}
			if tc.wantCode != "" {
				if got := r.errorCode(t); got != tc.wantCode {
					t.Errorf("code %s, want %s", got, tc.wantCode)
				}
			}
			if !tc.json && !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("browser got %s", r.header.Get("Content-Type"))
			}
		})
	}
}

func TestResolverJSON(t *testing.T) {
	e := newEnv(t)
	var res resolver.ResolvedItem
	e.do("GET", chickenItem.Path(), "", nil, "Accept", "application/json").json(t, &res)
	if res.DigitalLink != "https://trace.example"+chickenItem.Path() {
		t.Errorf("digitalLink %s", res.DigitalLink)
	}
	if res.Trace == nil || res.Trace.Item == nil || res.Trace.Item.Serial != "CHK00001" {
		t.Fatalf("trace = %+v", res.Trace)
	}
	if res.Proof == nil || res.Proof.TxID != res.Trace.Item.TxID || res.Proof.Validation != "VALID" {
		t.Errorf("proof %+v for item tx %s", res.Proof, res.Trace.Item.TxID)
	}
	lots := map[string]bool{}
	for _, l := range res.Trace.Lineage {
		lots[l.Lot] = true
	}
	if !lots[demo.LotFlock] {
		t.Errorf("lineage lacks the flock: %+v", res.Trace.Lineage)
	}
	excursions := 0
	for _, r := range res.Trace.SensorReadings {
		if r.Excursion {
			excursions++
		}
	}
	if excursions != 1 {
		t.Errorf("%d excursions, want 1 (7.2 °C above 4 °C)", excursions)
	}
	if res.Scans == nil || res.Scans.Count != 0 {
		t.Errorf("scans = %+v, want the record, not counted: the JSON form is no person looking", res.Scans)
	}
}

func TestShopperPageHTML(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		key     gs1.Key
		lang    string
		needles []string
	}{
		{teaItem, "zh-CN,zh;q=0.9", []string{"英德红茶", "采摘", "农药残留检测报告", "区块链存证", "地理标志产品"}},
		{teaItem, "en-GB,en;q=0.8", []string{"Yingde Black Tea", "Harvested", "Pesticide residue test", "Recorded on the ledger", "Verified on the ledger"}},
		{chickenItem, "en", []string{"Chilled whole Qingyuan chicken", "Cold chain", "Temperature out of range", "Animal quarantine certificate", `class="reading excursion"`}},
	} {
		r := e.do("GET", tc.key.Path(), "", nil, "Accept", "text/html", "Accept-Language", tc.lang)
		page := string(r.body)
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		for _, n := range tc.needles {
			if !strings.Contains(page, n) {
				t.Errorf("%s (%s): page lacks %q", tc.key.Serial, tc.lang, n)
			}
		}
		if len(r.body) > 100<<10 {
			t.Errorf("page is %d bytes, over 100 KB", len(r.body))
		}
		// No third-party assets: every src and href is on this server.
		for _, m := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
			if strings.HasPrefix(m[1], "http") || strings.HasPrefix(m[1], "//") {
				t.Errorf("external asset %s", m[1])
			}
		}
		if strings.Contains(page, "<script") {
			t.Error("the page uses JavaScript")
		}
	}
}

func TestQRImages(t *testing.T) {
	e := newEnv(t)
	for _, key := range []gs1.Key{teaItem, chickenItem, {GTIN: demo.GTINBlackTea, Lot: "A/B%C"}} {
		r := e.do("GET", "/qr"+key.Path()+".png", "", nil)
		if r.status != 200 || r.header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %s", key.Path(), r.status, r.header.Get("Content-Type"))
		}
		img, _, err := image.Decode(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
		res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("decode QR: %v", err)
		}
		if want := "https://trace.example" + key.Path(); res.GetText() != want {
			t.Errorf("QR decodes to %q, want exactly %q", res.GetText(), want)
		}
		if !strings.Contains(r.header.Get("Cache-Control"), "max-age") {
			t.Error("QR images are not cacheable")
		}
	}
	if r := e.do("GET", "/qr"+teaItem.Path()+".svg", "", nil); r.status != 200 || !bytes.HasPrefix(r.body, []byte("<svg")) {
		t.Errorf("svg: %d", r.status)
	}
	for _, p := range []string{"/qr" + teaItem.Path() + ".gif", "/qr/01/123.png", "/qr" + teaItem.Path() + ".png?size=5000"} {
		if r := e.do("GET", p, "", nil); r.status != 400 && r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
}
