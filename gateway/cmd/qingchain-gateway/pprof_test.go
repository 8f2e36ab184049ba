package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// freeAddr is a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startGateway runs serve with args until the test ends.
func startGateway(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &readyWriter{ready: make(chan struct{})}
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, append([]string{"--data-dir", t.TempDir(), "--log-level", "error"}, args...), w)
	}()
	select {
	case <-w.ready:
	case err := <-served:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The profiles are off by default (404 on the API's port), and with
// --pprof-listen they are on that listener only.
func TestPprofFlag(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		api := freeAddr(t)
		startGateway(t, "--listen", api)
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/heap"} {
			if got, _ := getStatus(t, "http://"+api+path); got != http.StatusNotFound {
				t.Errorf("GET %s without --pprof-listen = %d, want 404", path, got)
			}
		}
	})
	t.Run("on", func(t *testing.T) {
		api, debug := freeAddr(t), freeAddr(t)
		startGateway(t, "--listen", api, "--pprof-listen", debug)
		if got, _ := getStatus(t, "http://"+api+"/debug/pprof/"); got != http.StatusNotFound {
			t.Errorf("GET /debug/pprof/ on the API's listener = %d, want 404", got)
		}
		got, body := getStatus(t, "http://"+debug+"/debug/pprof/")
		if got != http.StatusOK || !strings.Contains(body, "goroutine") {
			t.Errorf("GET /debug/pprof/ on --pprof-listen = %d, want 200 with the profiles' index", got)
		}
		if got, _ := getStatus(t, "http://"+debug+"/debug/pprof/heap?debug=1"); got != http.StatusOK {
			t.Errorf("GET /debug/pprof/heap = %d, want 200", got)
		}
	})
}

func TestPprofAddrIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:6060", true}, {"localhost:6060", true}, {"[::1]:6060", true},
		{"0.0.0.0:6060", false}, {":6060", false}, {"10.0.0.5:6060", false}, {"example.com:6060", false}, {"6060", false},
	} {
		if err := checkPprofAddr(tc.addr); (err == nil) != tc.ok {
			t.Errorf("checkPprofAddr(%q) = %v, want ok %v", tc.addr, err, tc.ok)
		}
	}
	if err := serve(context.Background(), []string{"--data-dir", t.TempDir(), "--pprof-listen", "0.0.0.0:6060"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--pprof-listen") {
		t.Errorf("serve with a public --pprof-listen = %v, want its refusal", err)
	}
}
