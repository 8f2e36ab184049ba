package portaltest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium finds the browser, or skips the test; CI sets
// QC_REQUIRE_BROWSER=1 so that a missing browser fails instead.
func Chromium(t testing.TB) string {
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

// Chrome starts a headless Chromium for the test and returns its context.
func Chrome(t testing.TB) context.Context {
	t.Helper()
	exe := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return ctx
}

// SignInChrome signs the demo user in through the sign-in form.
func (e *Env) SignInChrome(t testing.TB, ctx context.Context, user string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), e.Keys[user]), chromedp.Submit(chromedp.CSS("#key")),
		chromedp.WaitVisible(chromedp.CSS("#who"))); err != nil {
		t.Fatalf("browser sign-in as %s: %v", user, err)
	}
}

// Shot opens path at a width (390: a phone, emulated mobile; 1280: a
// desktop), waits for the selector and saves a full-page screenshot as
// <name>-<width>.png in QC_SCREENSHOT_DIR (or the test's temporary
// directory); it returns the page's scroll width, so that a test can
// check nothing scrolls sideways.
func Shot(t testing.TB, ctx context.Context, url, wait, name string, width int64) float64 {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if width < 600 {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900, opts...), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(wait))); err != nil {
		t.Fatalf("browser %s: %v", url, err)
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("QC_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-"+strconv.FormatInt(width, 10)+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	sw, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	return sw
}
