package readmodel

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// A webhook's URL is chosen by the caller, and the gateway POSTs to it
// from inside the zone's network: without a guard any enterprise could
// make the gateway reach its loopback, the zone's private networks or a
// cloud's metadata service (server-side request forgery). The guard
// refuses such receivers twice: at registration by the URL's host (see
// CheckReceiverHost), and at delivery by the address actually dialled
// (ReceiverClient), since a name that resolved to a public address when
// it was registered may resolve to a private one later.

// PrivateAddress names the class of address a belongs to if the gateway
// must not deliver to it ("" for a public address). IPv4 addresses
// written as IPv6 (::ffff:a.b.c.d, and NAT64's 64:ff9b::/96) are judged
// by the IPv4 address they carry.
func PrivateAddress(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() && netip.MustParsePrefix("64:ff9b::/96").Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case !a.IsValid():
		return "not an address"
	case a.IsUnspecified():
		return "the unspecified address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		return "a private address (10/8, 172.16/12, 192.168/16, fc00::/7)"
	case a.IsLinkLocalUnicast():
		return "a link-local address (169.254/16, fe80::/10; cloud metadata services live there)"
	case a.IsMulticast():
		return "a multicast address"
	}
	// Ranges netip has no predicate for; each is internal or not unicast.
	for _, p := range []struct{ prefix, class string }{
		{"0.0.0.0/8", "in 0.0.0.0/8 (this network; Linux connects 0.x to itself)"},
		{"100.64.0.0/10", "a carrier-grade NAT address (100.64/10, internal to a provider)"},
		{"192.0.0.0/24", "an IETF protocol assignment (192.0.0/24)"},
		{"198.18.0.0/15", "a benchmarking address (198.18/15)"},
		{"240.0.0.0/4", "a reserved address (240/4, broadcast included)"},
		{"::/96", "an IPv4-compatible IPv6 address (::/96)"},
		{"fec0::/10", "a site-local address (fec0::/10)"},
	} {
		if netip.MustParsePrefix(p.prefix).Contains(a) {
			return p.class
		}
	}
	return ""
}

// CheckReceiverHost refuses a receiver URL's host (url.URL.Hostname())
// that names the gateway itself or an internal network: an address in a
// private class, localhost, or a numeric host in a form that resolvers
// read as an IPv4 address (2130706433, 127.1, 0x7f.0.0.1). A name is not
// resolved here (the answer could change by delivery, which checks the
// address it dials).
func CheckReceiverHost(host string) error {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "" {
		return fmt.Errorf("an empty host is the gateway's own")
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if class := PrivateAddress(a); class != "" {
			return fmt.Errorf("%s is %s", host, class)
		}
		return nil
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		// RFC 6761: every name under localhost is the loopback.
		return fmt.Errorf("%s is the gateway's own loopback", host)
	}
	labels := strings.Split(h, ".")
	if numericLabel(labels[len(labels)-1]) {
		// No top-level domain is numeric; a resolver (glibc's inet_aton,
		// a browser's URL parser) reads such a host as an IPv4 address.
		return fmt.Errorf("%s is a numeric address in a non-standard form; write a dotted-quad IPv4 address or a name", host)
	}
	return nil
}

// numericLabel: decimal, octal (leading 0) or hex (0x) digits.
func numericLabel(s string) bool {
	digits := "0123456789"
	if rest, ok := strings.CutPrefix(s, "0x"); ok {
		s, digits = rest, "0123456789abcdef"
		if s == "" {
			return true // "0x" alone is zero
		}
	}
	return s != "" && strings.Trim(s, digits) == ""
}

// ReceiverClient is the client that delivers webhooks. Unless
// allowPrivate, it refuses to connect to an address PrivateAddress names,
// checked when each connection is dialled, after DNS resolution, so a
// name rebound to a private address is refused too. It connects to
// receivers directly (no HTTP_PROXY): through a proxy the address checked
// would be the proxy's, not the receiver's. It follows no redirect: a
// receiver that redirects has not taken the event (and cannot send the
// gateway elsewhere).
func ReceiverClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = dialer.DialContext
	return &http.Client{Timeout: 10 * time.Second, Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// refusePrivate is a net.Dialer Control hook: address is the resolved
// ip:port about to be connected to.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook receiver address %q: %w", address, err)
	}
	if class := PrivateAddress(ap.Addr()); class != "" {
		return fmt.Errorf("webhook receiver address %s is %s: refused (the gateway delivers to public addresses only, unless started with --webhook-allow-private)", ap.Addr(), class)
	}
	return nil
}
