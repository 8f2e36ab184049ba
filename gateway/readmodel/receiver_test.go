package readmodel_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/qingchain/qingchain/gateway/readmodel"
)

// privateHosts is one host of every class the gateway must not deliver to,
// as a URL writes it.
func privateHosts() []struct{ name, host string } {
	return []struct{ name, host string }{
		{"loopback", "127.0.0.1"},
		{"loopback, elsewhere in 127/8", "127.45.6.7"},
		{"10/8", "10.1.2.3"},
		{"172.16/12", "172.16.0.1"},
		{"172.16/12, its top", "172.31.255.254"},
		{"192.168/16", "192.168.1.10"},
		{"link-local", "169.254.10.20"},
		{"cloud metadata", "169.254.169.254"},
		{"IPv4 unspecified", "0.0.0.0"},
		{"0/8", "0.1.2.3"},
		{"carrier-grade NAT", "100.64.0.1"},
		{"broadcast", "255.255.255.255"},
		{"IPv6 loopback", "[::1]"},
		{"IPv6 unspecified", "[::]"},
		{"unique local fc00::/7", "[fc00::1]"},
		{"unique local fd00::/8", "[fd12:3456:789a::1]"},
		{"IPv6 link-local", "[fe80::1]"},
		{"IPv4-mapped loopback", "[::ffff:127.0.0.1]"},
		{"IPv4-mapped metadata", "[::ffff:169.254.169.254]"},
		{"NAT64 of 10/8", "[64:ff9b::a00:1]"},
	}
}

func TestCheckReceiverHost(t *testing.T) {
	type tc struct {
		name, host string
		refused    bool
	}
	var tests []tc
	for _, p := range privateHosts() {
		tests = append(tests, tc{p.name, strings.Trim(p.host, "[]"), true})
	}
	tests = append(tests,
		tc{"localhost", "localhost", true},
		tc{"localhost, upper case, trailing dot", "LocalHost.", true},
		tc{"under localhost", "api.localhost", true},
		tc{"IPv6 link-local with a zone", "fe80::1%eth0", true},
		tc{"decimal IPv4", "2130706433", true},
		tc{"short IPv4", "127.1", true},
		tc{"hex IPv4", "0x7f.0.0.1", true},
		tc{"octal last label", "10.0.0.012", true},
		tc{"empty", "", true},
		tc{"a bank's name", "bank.example", false},
		tc{"a name with digits", "hooks.1bank.example", false},
		tc{"a name that looks like a private one", "10.0.0.1.nip.example", false},
		tc{"public IPv4", "93.184.216.34", false},
		tc{"public IPv4 next to 172.16/12", "172.32.0.1", false},
		tc{"public IPv4 next to 100.64/10", "100.128.0.1", false},
		tc{"public IPv6", "2001:db8::10", false},
		tc{"IPv4-mapped public", "::ffff:93.184.216.34", false},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := readmodel.CheckReceiverHost(tc.host)
			if (err != nil) != tc.refused {
				t.Errorf("CheckReceiverHost(%q) = %v, want refused %v", tc.host, err, tc.refused)
			}
		})
	}
}

func TestPrivateAddressPublic(t *testing.T) {
	for _, a := range []string{"8.8.8.8", "1.1.1.1", "172.15.255.255", "192.169.0.1", "169.255.0.1", "2606:4700::1111", "fbff::1", "fec0::1"} {
		class := readmodel.PrivateAddress(netip.MustParseAddr(a))
		if want := a == "fec0::1"; (class != "") != want {
			t.Errorf("PrivateAddress(%s) = %q", a, class)
		}
	}
}

// TestReceiverClientRefusesPrivate: the delivery client refuses every
// private class when it dials, before any packet is sent, and a name
// that resolves to one (localhost here; a rebound name alike); with
// private receivers allowed it reaches a local one.
func TestReceiverClientRefusesPrivate(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))

	guarded := readmodel.ReceiverClient(false)
	urls := []struct{ name, url string }{
		{"the local receiver", srv.URL + "/hook"},
		{"the local receiver by name", "http://localhost:" + port + "/hook"},
	}
	for _, p := range privateHosts() {
		urls = append(urls, struct{ name, url string }{p.name, "http://" + p.host + ":" + port + "/hook"})
	}
	for _, u := range urls {
		t.Run(u.name, func(t *testing.T) {
			res, err := guarded.Post(u.url, "application/json", strings.NewReader("{}"))
			if err == nil {
				res.Body.Close()
				t.Fatalf("POST %s: %d, want refused", u.url, res.StatusCode)
			}
			if !strings.Contains(err.Error(), "refused (the gateway delivers to public addresses only") {
				t.Errorf("POST %s: %v, want the guard's refusal", u.url, err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the receiver was reached %d times through the guard", n)
	}

	res, err := readmodel.ReceiverClient(true).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("allowed private: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent || hits.Load() != 1 {
		t.Errorf("allowed private: %d, %d hits", res.StatusCode, hits.Load())
	}
}

// TestReceiverClientNoRedirect: a receiver's redirect is not followed, so
// it cannot send the gateway to another address.
func TestReceiverClientNoRedirect(t *testing.T) {
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer target.Close()
	redirector := httptest.NewServer(http.RedirectHandler(target.URL+"/internal", http.StatusTemporaryRedirect))
	defer redirector.Close()
	res, err := readmodel.ReceiverClient(true).Post(redirector.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTemporaryRedirect || elsewhere.Load() != 0 {
		t.Errorf("redirect: %d, target reached %d times", res.StatusCode, elsewhere.Load())
	}
}
