package resolver_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/qingchain/qingchain/gateway/demo"
)

// chromium finds the browser; CI installs Debian's chromium and sets
// QC_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("QC_REQUIRE_BROWSER") != "" {
		t.Fatal("QC_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium)")
	}
	t.Skip("SKIP: headless Chromium not found (apt-get install chromium, or set CHROMIUM)")
	return ""
}

type pageState struct {
	Text        string  `json:"text"`
	ScrollWidth float64 `json:"scrollWidth"`
	InnerWidth  float64 `json:"innerWidth"`
	TitleTop    float64 `json:"titleTop"`
	TitleHeight float64 `json:"titleHeight"`
	TitleFont   string  `json:"titleFont"`
	RecallTop   float64 `json:"recallTop"`
	RecallBg    string  `json:"recallBg"`
	RecallShown bool    `json:"recallShown"`
	Steps       int     `json:"steps"`
	StepsShown  int     `json:"stepsShown"`
	ExcW        float64 `json:"excW"`
	ExcH        float64 `json:"excH"`
	ExcFill     string  `json:"excFill"`
	Lang        string  `json:"lang"`
	QRLoaded    bool    `json:"qrLoaded"`
}

// inspect reads what a person would see: rendered text (innerText follows
// CSS), element boxes and computed styles.
const inspect = `(() => {
  const box = sel => { const e = document.querySelector(sel); if (!e) return null; const r = e.getBoundingClientRect(); return {e, r, s: getComputedStyle(e)}; };
  const t = box('#product-name'), rc = box('#recall'), ex = box('#coldchain rect.excursion'), qr = document.querySelector('img.qr');
  const steps = [...document.querySelectorAll('#timeline li')];
  return {
    text: document.body.innerText,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    titleTop: t ? t.r.top : -1, titleHeight: t ? t.r.height : 0, titleFont: t ? t.s.fontSize : '',
    recallShown: !!rc && rc.r.height > 0 && rc.s.display !== 'none' && rc.s.visibility !== 'hidden',
    recallTop: rc ? rc.r.top : -1, recallBg: rc ? rc.s.backgroundColor : '',
    steps: steps.length, stepsShown: steps.filter(li => li.getBoundingClientRect().height > 0).length,
    excW: ex ? ex.r.width : 0, excH: ex ? ex.r.height : 0, excFill: ex ? ex.e.getAttribute('fill') : '',
    lang: document.documentElement.lang, qrLoaded: !!qr && qr.complete && qr.naturalWidth > 0,
  };
})()`

func TestShopperPageInBrowser(t *testing.T) {
	exe := chromium(t)
	e := newEnv(t)
	base, _ := url.Parse(e.http.URL)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(390, 844), // a phone
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	var mu sync.Mutex
	var foreign []string
	var bytesIn float64
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if u, err := url.Parse(ev.Request.URL); err == nil && u.Host != base.Host && u.Scheme != "data" {
				foreign = append(foreign, ev.Request.URL)
			}
		case *network.EventLoadingFinished:
			bytesIn += ev.EncodedDataLength
		}
	}); err != nil {
		t.Fatal(err)
	}

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			dir := os.Getenv("QC_SCREENSHOT_DIR")
			if dir == "" {
				dir = t.TempDir()
			}
			return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
		})
	}

	// The tea tin, in Chinese, then switched to English by its link.
	look := func(steps ...chromedp.Action[chromedp.Void]) pageState {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
		st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](inspect))
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		return st
	}
	zh := look(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(e.http.URL+teaItem.Path()+"?lang=zh"), chromedp.WaitVisible(chromedp.CSS("#product-name")), shot("tea-zh"))
	en := look(chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("#timeline")), chromedp.Sleep(200*time.Millisecond), shot("tea-en"))
	if zh.Lang != "zh-CN" || !strings.Contains(zh.Text, "英德红茶") || !strings.Contains(zh.Text, "溯源记录") || !strings.Contains(zh.Text, "已在账本上核验") {
		t.Errorf("Chinese page shows:\n%.600s", zh.Text)
	}
	if en.Lang != "en" || !strings.Contains(en.Text, "What happened") || !strings.Contains(en.Text, "Yingde Black Tea") || !strings.Contains(en.Text, "Recorded on the ledger") {
		t.Errorf("after the language switch the page shows:\n%.600s", en.Text)
	}
	for _, st := range []pageState{zh, en} {
		if st.ScrollWidth > st.InnerWidth {
			t.Errorf("page is %v px wide on a %v px phone: it scrolls sideways", st.ScrollWidth, st.InnerWidth)
		}
		if st.TitleTop < 0 || st.TitleTop > 200 || st.TitleHeight == 0 || st.TitleFont < "16px" && len(st.TitleFont) == 4 {
			t.Errorf("product name not at the top or too small: top %v height %v font %s", st.TitleTop, st.TitleHeight, st.TitleFont)
		}
		if st.Steps < 8 || st.StepsShown != st.Steps {
			t.Errorf("timeline: %d steps, %d visible", st.Steps, st.StepsShown)
		}
		if st.RecallShown {
			t.Error("a recall banner on a product that is not recalled")
		}
		if !st.QRLoaded {
			t.Error("the QR image did not load")
		}
		if !strings.Contains(st.Text, "2") {
			t.Error("no scan count")
		}
	}

	// Every case at a phone's and a desktop's width, in both languages: the
	// tea tin, the recalled chicken pack, an unknown serial of a known lot
	// (walked up to the lot), an unknown product and a malformed code.
	type shopperCase struct {
		name, path, wait string
		check            func(t *testing.T, lang string, st caseState)
	}
	wrongCheck := "/01/" + demo.GTINBlackTea[:13] + string('0'+(demo.GTINBlackTea[13]-'0'+1)%10)
	cases := []shopperCase{
		{"tea", teaItem.Path(), "#product-name", func(t *testing.T, lang string, st caseState) {
			want := map[string][]string{"zh": {"查验记录", "这是此码的首次查验。", "召回状态", "无召回", "800罐", "北京时间", "检验时有效", "举报问题或投诉"},
				"en": {"Checks", "This is the first check of this code.", "No recall", "800 tins", "China time, UTC+8", "valid when inspected", "Report a problem or complaint"}}[lang]
			st.has(t, want...)
			st.shown(t, "#scan-verdict", "#recall-status", "#report")
		}},
		{"chicken-recalled", chickenItem.Path(), "#recall", func(t *testing.T, lang string, st caseState) {
			want := map[string][]string{"zh": {"召回警告", "12315", "退货退款", "清远跨境电商综试区管理办公室", "1900盒", "请在 0–4 °C 保存", "峰值 7.2°C", "冷链曾中断"},
				"en": {"RECALLED", "12315", "refund", "Qingyuan Cross-Border E-Commerce Zone Office", "1900 packs", "Keep at 0–4 °C", "peak 7.2°C", "longest 1 h", "cold chain was broken"}}[lang]
			st.has(t, want...)
			st.shown(t, "#recall", "#recall-advice", "#excursion-meaning", "#storage")
			if st.RecallBg != "rgb(198, 40, 40)" || st.RecallTop > 400 {
				t.Errorf("recall banner background %s at %v px", st.RecallBg, st.RecallTop)
			}
			if st.ExcFill != "#c62828" || st.ExcW <= 0 {
				t.Errorf("excursion bar %v wide, fill %s", st.ExcW, st.ExcFill)
			}
		}},
		{"unknown-serial", "/01/" + demo.GTINBlackTea + "/10/" + demo.LotTeaExport + "/21/NOPE99", "#notice", func(t *testing.T, lang string, st caseState) {
			st.has(t, map[string]string{"zh": "未在账本上登记", "en": "is not registered on the ledger"}[lang], "NOPE99")
			st.shown(t, "#notice", "#report textarea")
		}},
		{"unknown-product", "/01/00000000000017", "#problem-title", func(t *testing.T, lang string, st caseState) {
			st.has(t, map[string]string{"zh": "账本上没有这个产品", "en": "This product is not on the ledger"}[lang], "12315")
			st.shown(t, "#problem-title", "#problem-advice")
		}},
		{"invalid-code", wrongCheck, "#problem-title", func(t *testing.T, lang string, st caseState) {
			st.has(t, map[string]string{"zh": "这不是有效的产品码", "en": "This is not a valid product code"}[lang])
			st.shown(t, "#problem-title")
		}},
	}
	chicken := shopperCase{"chicken", chickenItem.Path(), "#coldchain", func(t *testing.T, lang string, st caseState) {
		st.has(t, map[string][]string{"zh": {"清远鸡", "无召回", "1900盒", "峰值 7.2°C", "最长 1小时"}, "en": {"Qingyuan chicken", "No recall", "1900 packs", "peak 7.2°C", "longest 1 h"}}[lang]...)
		st.shown(t, "#excursion-meaning", "#storage", "#scan-verdict")
	}}
	pages := 3
	run := func(cases []shopperCase) {
		for _, width := range []int64{390, 1280} {
			for _, tc := range cases {
				for _, lang := range []string{"zh", "en"} {
					name := fmt.Sprintf("%s-%s-%d", tc.name, lang, width)
					t.Run(name, func(t *testing.T) {
						opts := []chromedp.EmulateViewportOption{}
						if width < 600 {
							opts = append(opts, chromedp.EmulateMobile)
						}
						if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 844, opts...), chromedp.Navigate(e.http.URL+tc.path+"?lang="+lang),
							chromedp.WaitVisible(chromedp.CSS(tc.wait)), shot(name)); err != nil {
							t.Fatalf("browser: %v", err)
						}
						pages++
						st, err := chromedp.Run(ctx, chromedp.Evaluate[caseState](inspectCase))
						if err != nil {
							t.Fatalf("browser: %v", err)
						}
						wantLang := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
						if st.Lang != wantLang {
							t.Errorf("lang %q, want %q", st.Lang, wantLang)
						}
						if st.ScrollWidth > st.InnerWidth {
							t.Errorf("page is %v px wide on a %v px screen", st.ScrollWidth, st.InnerWidth)
						}
						for _, dev := range []string{"gs1:", "NOT_FOUND:", "is not commissioned", "expected 8"} {
							if strings.Contains(st.Text, dev) {
								t.Errorf("developer text %q shown", dev)
							}
						}
						tc.check(t, lang, st)
					})
				}
			}
		}
	}
	run([]shopperCase{chicken})

	// Recall the flock: the chilled pack made from it shows the banner, and
	// its cold-chain chart shows the excursion in red.
	if r := e.do("POST", "/api/v1/recalls", "regulator", map[string]string{"gtin": demo.GTINLiveBird, "lot": demo.LotFlock, "reason": "禽流感检出 avian influenza detected"}); r.status != 201 {
		t.Fatalf("recall: %d %s", r.status, r.body)
	}
	chk := look(chromedp.Navigate(e.http.URL+chickenItem.Path()+"?lang=en"), chromedp.WaitVisible(chromedp.CSS("#recall")), shot("chicken-en"))
	if !chk.RecallShown || chk.RecallTop > 400 || chk.RecallBg != "rgb(198, 40, 40)" {
		t.Errorf("recall banner shown=%v top=%v background=%s; want a red banner near the top", chk.RecallShown, chk.RecallTop, chk.RecallBg)
	}
	if !strings.Contains(chk.Text, "RECALLED") || !strings.Contains(chk.Text, "avian influenza") {
		t.Errorf("recall text not visible:\n%.500s", chk.Text)
	}
	if chk.ExcW <= 0 || chk.ExcH <= 0 || chk.ExcFill != "#c62828" {
		t.Errorf("excursion bar %vx%v fill %s; want a visible red bar", chk.ExcW, chk.ExcH, chk.ExcFill)
	}
	if !strings.Contains(chk.Text, "Temperature out of range") {
		t.Error("excursion not named in the text")
	}

	run(cases)

	mu.Lock()
	defer mu.Unlock()
	if len(foreign) > 0 {
		t.Errorf("third-party requests: %v", foreign)
	}
	if bytesIn/float64(pages) > 100<<10 {
		t.Errorf("about %.0f bytes per page, over 100 KB", bytesIn/float64(pages))
	}
}

// caseState is what a person sees of one case: the rendered text, which
// of the asked-for elements show, and the recall and excursion styles.
type caseState struct {
	Text        string          `json:"text"`
	ScrollWidth float64         `json:"scrollWidth"`
	InnerWidth  float64         `json:"innerWidth"`
	Lang        string          `json:"lang"`
	Shown       map[string]bool `json:"shown"`
	RecallTop   float64         `json:"recallTop"`
	RecallBg    string          `json:"recallBg"`
	ExcW        float64         `json:"excW"`
	ExcFill     string          `json:"excFill"`
}

const inspectCase = `(() => {
  const shown = {};
  for (const sel of ['#scan-verdict', '#recall-status', '#report', '#report textarea', '#recall', '#recall-advice', '#excursion-meaning', '#storage', '#notice', '#problem-title', '#problem-advice']) {
    const e = document.querySelector(sel);
    if (!e) { shown[sel] = false; continue; }
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    shown[sel] = r.height > 0 && r.width > 0 && s.display !== 'none' && s.visibility !== 'hidden';
  }
  const rc = document.querySelector('#recall'), ex = document.querySelector('#coldchain rect.excursion');
  return {
    text: document.body.innerText, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    lang: document.documentElement.lang, shown,
    recallTop: rc ? rc.getBoundingClientRect().top : -1, recallBg: rc ? getComputedStyle(rc).backgroundColor : '',
    excW: ex ? ex.getBoundingClientRect().width : 0, excFill: ex ? ex.getAttribute('fill') : '',
  };
})()`

func (st caseState) has(t *testing.T, needles ...string) {
	t.Helper()
	for _, n := range needles {
		if !strings.Contains(st.Text, n) {
			t.Errorf("the page does not show %q", n)
		}
	}
}

func (st caseState) shown(t *testing.T, sels ...string) {
	t.Helper()
	for _, sel := range sels {
		if !st.Shown[sel] {
			t.Errorf("%s is not visible", sel)
		}
	}
}
