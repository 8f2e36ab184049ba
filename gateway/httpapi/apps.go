package httpapi

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway/reqinfo"
)

// App is a server-rendered application the gateway serves beside the API
// (the portals, apps/portal). The gateway's middleware (request ids,
// recovery, metrics, logs, the body limit) runs in front of it, and the
// request's context carries reqinfo.Info: the client address by the
// trusted-proxy rules, and whether the browser used https.
type App interface {
	http.Handler
	// Paths are the paths the app serves: exact ones, and prefixes ending
	// in "/" under which it serves everything.
	Paths() []string
}

// mountApps registers every app's paths for GET, HEAD and POST.
func (s *Server) mountApps() error {
	for _, app := range s.cfg.Apps {
		h := s.appHandler(app)
		for _, p := range app.Paths() {
			if !strings.HasPrefix(p, "/") {
				return fmt.Errorf("httpapi: app path %q does not start with /", p)
			}
			route := p
			if strings.HasSuffix(p, "/") && p != "/" {
				route = p + "*rest"
			}
			for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
				s.engine.Handle(m, route, h)
			}
		}
	}
	return nil
}

func (s *Server) appHandler(app App) gin.HandlerFunc {
	return func(c *gin.Context) {
		info := reqinfo.Info{ClientIP: c.ClientIP(), Secure: c.Request.TLS != nil}
		if !info.Secure && s.fromTrustedProxy(c.RemoteIP()) {
			info.Secure = strings.EqualFold(strings.TrimSpace(c.GetHeader("X-Forwarded-Proto")), "https")
		}
		app.ServeHTTP(c.Writer, c.Request.WithContext(reqinfo.With(c.Request.Context(), info)))
	}
}

// fromTrustedProxy says whether the connection's peer is a trusted proxy,
// whose X-Forwarded-Proto is believed.
func (s *Server) fromTrustedProxy(remote string) bool {
	a, err := netip.ParseAddr(remote)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parsePrefixes reads TrustedProxies: addresses or CIDR prefixes.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range list {
		if a, err := netip.ParseAddr(p); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pre, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("httpapi: trusted proxy %q is neither an address nor a CIDR prefix", p)
		}
		out = append(out, pre.Masked())
	}
	return out, nil
}
