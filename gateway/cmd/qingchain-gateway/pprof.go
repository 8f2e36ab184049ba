package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"
)

// The runtime's profiles (/debug/pprof) are served only when
// --pprof-listen names an address, and then on a listener of their own,
// never on the API's. A separate listener rather than an authenticated
// route: a profile shows goroutine stacks, command-line flags and memory
// contents, and a CPU or trace profile costs the server seconds of work,
// so it must not be reachable through the public port or its proxies at
// all; an operator reaches a loopback port from the host (or over SSH)
// without any API key being able to. The address must be a loopback one
// for the same reason.

// checkPprofAddr refuses a --pprof-listen address that is not loopback.
func checkPprofAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof-listen: %w", err)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("--pprof-listen: %q is not a loopback address (localhost, 127.0.0.1 or [::1]): profiles must not be reachable from the network", addr)
	}
	return nil
}

// pprofHandler serves the runtime's profiles under /debug/pprof/.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// servePprof serves the profiles on addr until ctx ends; it returns once
// the listener is open, and stop closes it.
func servePprof(ctx context.Context, addr string, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-listen: %w", err)
	}
	// Profiles of up to a minute (?seconds=60) fit the write timeout.
	srv := &http.Server{Handler: pprofHandler(), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 90 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.WarnContext(ctx, "pprof listener", "err", err.Error())
		}
	}()
	log.Info("serving runtime profiles", "addr", ln.Addr().String(), "path", "/debug/pprof/")
	return func() {
		srv.Close()
		<-done
	}, nil
}
