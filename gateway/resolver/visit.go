package resolver

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway/scans"
)

// What counts as a scan: a person opening the page. Not HEAD, not the
// JSON or linkset forms (the resolver decides those before it gets here),
// not crawlers and link-preview agents, and not the same device again
// within the counter's window.

// DeviceCookie is the first-party cookie that tells one shopper's device
// from another: 128 random bits, nothing else, HttpOnly, kept two years.
const DeviceCookie = "qc_device"

var deviceIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// botAgents are the substrings of User-Agent headers sent by crawlers,
// link previewers (chat apps unfurling a pasted link) and command-line
// clients; lower-case.
var botAgents = []string{
	"bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "embedly", "quora link",
	"whatsapp", "telegram", "skypeuripreview", "vkshare", "pinterest", "bitlybot", "discord",
	"slack", "linkedin", "mastodon", "headless", "lighthouse", "curl/", "wget/", "python-requests",
	"go-http-client", "okhttp", "java/", "httpclient", "feedfetcher", "mediapartners", "bingpreview",
	"yandex", "baiduspider", "sogou", "360spider", "bytespider", "petalbot", "yisou",
}

// isBot reports whether a request comes from an agent that is not a person
// looking at the page. No User-Agent at all is not a browser either.
func isBot(r *http.Request) bool {
	ua := strings.ToLower(r.UserAgent())
	if ua == "" {
		return true
	}
	for _, b := range botAgents {
		if strings.Contains(ua, b) {
			return true
		}
	}
	// Prefetches and prerenders are not someone looking.
	for _, h := range []string{"Purpose", "Sec-Purpose", "X-Purpose", "X-Moz"} {
		if v := strings.ToLower(r.Header.Get(h)); strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
			return true
		}
	}
	return false
}

// visitOf reads who is scanning: the device cookie (set on the answer if
// missing or malformed), else a coarse fallback of network and browser;
// and the place, the client's network prefix (/16 for IPv4, /32 for IPv6:
// a town's worth of addresses, not a household).
func visitOf(c *gin.Context, secure bool, now time.Time) scans.Visit {
	ip := net.ParseIP(c.ClientIP())
	place := ""
	fallback := c.ClientIP()
	if ip != nil {
		if v4 := ip.To4(); v4 != nil {
			place = v4.Mask(net.CIDRMask(16, 32)).String() + "/16"
			fallback = v4.Mask(net.CIDRMask(24, 32)).String()
		} else {
			place = ip.Mask(net.CIDRMask(32, 128)).String() + "/32"
			fallback = ip.Mask(net.CIDRMask(64, 128)).String()
		}
	}
	v := scans.Visit{Place: place, At: now, Coarse: fallback + "|" + c.Request.UserAgent()}
	if id, err := c.Cookie(DeviceCookie); err == nil && deviceIDPattern.MatchString(id) {
		v.Device = id
		return v
	}
	// No cookie (a first visit, or cookies refused): a new cookie, which
	// the counter ties to the coarse fallback of network and browser.
	var b [16]byte
	rand.Read(b[:])
	v.Device, v.Fresh = hex.EncodeToString(b[:]), true
	http.SetCookie(c.Writer, &http.Cookie{Name: DeviceCookie, Value: v.Device, Path: "/",
		MaxAge: 2 * 365 * 24 * 3600, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	return v
}
