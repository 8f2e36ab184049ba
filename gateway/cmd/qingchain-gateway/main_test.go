package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/wallet"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantDir string
	}{
		{[]string{"alice", "--data-dir", "d1"}, []string{"alice"}, "d1"},
		{[]string{"--data-dir", "d2", "alice"}, []string{"alice"}, "d2"},
		{[]string{"alice"}, []string{"alice"}, "data"},
		{[]string{"a", "b", "--data-dir=d3"}, []string{"a", "b"}, "d3"},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		dir := fs.String("data-dir", "data", "")
		got, err := parseInterspersed(fs, tc.args)
		if err != nil || !slices.Equal(got, tc.wantPos) || *dir != tc.wantDir {
			t.Errorf("parseInterspersed(%q) = %q, dir %q, %v; want %q, %q", tc.args, got, *dir, err, tc.wantPos, tc.wantDir)
		}
	}
}

// operator runs one operator command in-process and returns what it
// printed and its error.
func operator(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	return out.String(), err
}

// No operator command prints an API key, any part of it, or its hash,
// except keys add, which prints the new key exactly once; nor an identity's
// private key.
func TestOperatorCommandsPrintNoSecret(t *testing.T) {
	dir := t.TempDir()
	w, err := wallet.Open(filepath.Join(dir, "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := identity.NewCA("BankMSP")
	if err != nil {
		t.Fatal(err)
	}
	id, err := ca.Issue("officer", identity.RoleClient, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PutIdentity("bank-officer", id); err != nil {
		t.Fatal(err)
	}
	keyPEM, _ := id.KeyPEM()
	block, _ := pem.Decode(keyPEM)
	privB64 := base64.StdEncoding.EncodeToString(block.Bytes)

	addKey := func() (plain string, k wallet.Key) {
		t.Helper()
		out, err := operator(t, "keys", "add", "bank-officer", "--data-dir", dir)
		if err != nil {
			t.Fatal(err)
		}
		_, plain, ok := strings.Cut(out, "api key (shown once): ")
		plain = strings.TrimSpace(plain)
		if !ok || !strings.HasPrefix(plain, "qck_") {
			t.Fatalf("keys add printed %q", out)
		}
		if n := strings.Count(out, plain); n != 1 {
			t.Errorf("keys add printed the key %d times", n)
		}
		ks, _ := w.Keys()
		return plain, ks[len(ks)-1]
	}
	plainA, keyA := addKey()
	plainB, keyB := addKey()
	unknown := "qck_" + strings.Repeat("Z", 43) // well-formed, in no wallet
	secrets := func(plain, hash string) []string {
		return []string{plain, strings.TrimPrefix(plain, "qck_"), plain[len(plain)-12:], hash, hash[12:]}
	}
	checkClean := func(what, out string, err error) {
		t.Helper()
		text := out
		if err != nil {
			text += "\n" + err.Error()
		}
		for _, k := range []struct{ plain, hash string }{{plainA, keyA.Hash}, {plainB, keyB.Hash}, {unknown, sha256hex(unknown)}} {
			for _, s := range secrets(k.plain, k.hash) {
				if strings.Contains(text, s) {
					t.Errorf("%s printed %q, part of a key or its hash:\n%s", what, s, text)
				}
			}
		}
		// A key in no wallet has no id keys list shows; its would-be id is
		// derived from it.
		if s := sha256hex(unknown)[:12]; strings.Contains(text, s) {
			t.Errorf("%s printed %q, the would-be id of a key in no wallet:\n%s", what, s, text)
		}
		if strings.Contains(text, "PRIVATE KEY") || strings.Contains(text, privB64[20:60]) {
			t.Errorf("%s printed a private key:\n%s", what, text)
		}
	}

	// By id, then by the plaintext key.
	out, err := operator(t, "keys", "revoke", keyA.ID, "--data-dir", dir)
	checkClean("keys revoke KEY-ID", out, err)
	if err != nil || !strings.Contains(out, keyA.ID) || !strings.Contains(out, "bank-officer") || !strings.Contains(out, "revoked") {
		t.Errorf("keys revoke KEY-ID = %q, %v", out, err)
	}
	out, err = operator(t, "keys", "revoke", "--data-dir", dir, plainB)
	checkClean("keys revoke API-KEY", out, err)
	if err != nil || !strings.Contains(out, keyB.ID) || !strings.Contains(out, "bank-officer") || !strings.Contains(out, "revoked") {
		t.Errorf("keys revoke API-KEY = %q, %v", out, err)
	}
	// Unknown keys and malformed arguments: an error that does not repeat them.
	for _, arg := range []string{unknown, strings.TrimPrefix(plainA, "qck_"), "key_" + keyA.Hash[:11]} {
		out, err = operator(t, "keys", "revoke", arg, "--data-dir", dir)
		checkClean("keys revoke of an unknown key", out, err)
		if err == nil || strings.Contains(err.Error(), arg) {
			t.Errorf("keys revoke %q = %q, %v; want an error not naming it", arg, out, err)
		}
	}
	if _, err = operator(t, "keys", "revoke", "key_0123456789ab", "--data-dir", dir); err == nil || !strings.Contains(err.Error(), "key_0123456789ab") {
		t.Errorf("keys revoke of an unknown key id: %v, want it named", err)
	}
	ks, _ := w.Keys()
	for _, k := range ks {
		if k.RevokedAt == nil {
			t.Errorf("key %s not revoked", k.ID)
		}
	}
	if len(ks) != 2 {
		t.Errorf("%d keys, want 2", len(ks))
	}
	out, err = operator(t, "keys", "list", "--data-dir", dir)
	checkClean("keys list", out, err)
	if err != nil || strings.Count(out, "revoked") != 2 {
		t.Errorf("keys list = %q, %v", out, err)
	}
	out, err = operator(t, "identities", "list", "--data-dir", dir)
	checkClean("identities list", out, err)
	if err != nil || !strings.Contains(out, id.ID()) {
		t.Errorf("identities list = %q, %v", out, err)
	}
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// readyWriter collects a gateway's output and closes ready when it prints
// the line that follows listening.
type readyWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	once  sync.Once
	ready chan struct{}
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), "Qingchain gateway on ") {
		w.once.Do(func() { close(w.ready) })
	}
	return len(p), nil
}

// verify works on a stopped data directory, through a running gateway
// that holds it, and says clearly when the directory is held by something
// that does not answer.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &readyWriter{ready: make(chan struct{})}
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, []string{"--data-dir", dir, "--listen", "127.0.0.1:0", "--log-level", "error"}, w)
	}()
	select {
	case <-w.ready:
	case err := <-served:
		t.Fatalf("serve: %v", err)
	}

	out, err := operator(t, "verify", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "chain valid: 1 blocks") || !strings.Contains(out, fmt.Sprintf("verified by the running gateway, pid %d", os.Getpid())) {
		t.Fatalf("verify while the gateway runs = %q, %v", out, err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}

	out, err = operator(t, "verify", "--data-dir", dir)
	if err != nil || !strings.Contains(out, "chain valid: 1 blocks") || !strings.Contains(out, "read from the stopped ledger's files") {
		t.Fatalf("verify of the stopped data directory = %q, %v", out, err)
	}

	// Held by a process that serves no verification socket.
	cc, err := contracts.New()
	if err != nil {
		t.Fatal(err)
	}
	l, err := devledger.Open(devledger.Config{Dir: filepath.Join(dir, "ledger"), Chaincode: cc, Orgs: demo.Orgs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out, err = operator(t, "verify", "--data-dir", dir, "--lock-timeout", "100ms")
	if err == nil || out != "" || !strings.Contains(err.Error(), "in use by another process") || !strings.Contains(err.Error(), "no verification socket at "+devledger.VerifySocketPath(filepath.Join(dir, "ledger"))) {
		t.Fatalf("verify of a held directory without a socket = %q, %v", out, err)
	}

	for _, bad := range [][]string{{"verify", "--data-dir", dir, "extra"}, {"verify", "--lock-timeout", "0s"}, {"verify", "--lock-timeout", "soon"}} {
		if out, err := operator(t, bad...); err == nil {
			t.Errorf("%q = %q, want an error", bad, out)
		}
	}
	if out, err := operator(t, "verify", "--data-dir", t.TempDir()); err == nil || !strings.Contains(err.Error(), "no ledger in") {
		t.Errorf("verify of an empty directory = %q, %v", out, err)
	}
}

func TestParseProxies(t *testing.T) {
	got, err := parseProxies(" 10.0.0.1, 192.168.0.0/16,,::1 ")
	if err != nil || !slices.Equal(got, []string{"10.0.0.1", "192.168.0.0/16", "::1"}) {
		t.Errorf("parseProxies = %q, %v", got, err)
	}
	if got, err := parseProxies(""); err != nil || got != nil {
		t.Errorf("parseProxies(\"\") = %q, %v; want none", got, err)
	}
	for _, bad := range []string{"proxy.example", "10.0.0.0/33", "10.0.0.1 10.0.0.2"} {
		if _, err := parseProxies(bad); err == nil {
			t.Errorf("parseProxies(%q) accepted it", bad)
		}
	}
	// serve refuses it before touching the data directory.
	dir := filepath.Join(t.TempDir(), "never")
	if err := serve(context.Background(), []string{"--data-dir", dir, "--trusted-proxies", "proxy.example"}, io.Discard); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
		t.Errorf("serve with a bad --trusted-proxies: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("serve created the data directory: %v", err)
	}
}

// Every command and subcommand answers --help with its usage, touching no
// data directory.
func TestHelpEverywhere(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "never")
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"serve", "--help"}, {"keys", "--help"}, {"keys", "help"}, {"keys", "add", "--help"},
		{"keys", "list", "-h"}, {"keys", "revoke", "--help"}, {"identities", "--help"}, {"identities", "list", "--help"},
		{"identities", "enroll", "--help"}, {"verify", "--help"},
	} {
		out, err := operator(t, append(args, "--data-dir", dir)...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "usage: qingchain-gateway") {
			t.Errorf("%q = %q, %v; want its usage and flag.ErrHelp", args, out, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("%q created the data directory", args)
		}
	}
	// The webhook guard's switch is an operator's explicit choice, off
	// unless given.
	if out, _ := operator(t, "serve", "--help"); !strings.Contains(out, "-webhook-allow-private") || !strings.Contains(out, "default off") {
		t.Errorf("serve --help does not document --webhook-allow-private: %q", out)
	}
	if out, err := operator(t, "help"); err != nil || !strings.Contains(out, "identities") || !strings.Contains(out, "never create one") {
		t.Errorf("help = %q, %v", out, err)
	}
	for _, args := range [][]string{{"keys", "rotate"}, {"identities", "show"}} {
		if out, err := operator(t, append(args, "--data-dir", dir)...); err == nil || !strings.Contains(err.Error(), "--help") {
			t.Errorf("%q = %q, %v; want an error pointing at --help", args, out, err)
		}
	}
}

// The operator commands refuse a missing data directory, a file, and a
// directory that is no gateway's, and create nothing.
func TestOperatorCommandsNeedADataDirectory(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(base, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{filepath.Join(base, "missing"): "does not exist", file: "is not a directory", empty: "has no wallet/"} {
		for _, args := range [][]string{{"identities", "list"}, {"identities", "enroll", "--org", "BankMSP", "--name", "x"}, {"keys", "list"}, {"keys", "add", "x"}, {"keys", "revoke", "key_0123456789ab"}, {"verify"}} {
			out, err := operator(t, append(args, "--data-dir", dir)...)
			if err == nil || out != "" {
				t.Errorf("%q in %s = %q, %v; want an error", args, dir, out, err)
			} else if args[0] != "verify" && (!strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "only \"qingchain-gateway serve\" creates one")) {
				t.Errorf("%q in %s: %v; want %q and the hint", args, dir, err, want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(base, "missing")); !os.IsNotExist(err) {
		t.Errorf("an operator command created the missing data directory: %v", err)
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("an operator command wrote into a directory that is no gateway's: %v", ents)
	}
}
