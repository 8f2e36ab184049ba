package fabric

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// writeMSP writes an MSP folder as cryptogen does (signcerts/<name>-cert.pem,
// keystore/priv_sk), plus extra unrelated keys in the keystore.
func writeMSP(t *testing.T, dir string, id *identity.Identity, extraKeys ...*identity.Identity) {
	t.Helper()
	for _, d := range []string{"signcerts", "keystore"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "signcerts", "user-cert.pem"), id.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, other := range extraKeys {
		k, _ := other.KeyPEM()
		os.WriteFile(filepath.Join(dir, "keystore", string(rune('a'+i))+"0_sk"), k, 0o600)
	}
	k, _ := id.KeyPEM()
	if err := os.WriteFile(filepath.Join(dir, "keystore", "priv_sk"), k, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadNetworkAndImportIdentities(t *testing.T) {
	dir := t.TempDir()
	bankCA, _ := identity.NewCA("BankMSP")
	platCA, _ := identity.NewCA("PlatformMSP")
	users := map[string]*identity.Identity{}
	for _, u := range []struct{ org, name, role string }{{"bank", "Admin", identity.RoleAdmin}, {"bank", "User1", identity.RoleClient}, {"platform", "User1", identity.RoleClient}} {
		ca := bankCA
		if u.org == "platform" {
			ca = platCA
		}
		id, err := ca.Issue(u.name+"@"+u.org, u.role, nil)
		if err != nil {
			t.Fatal(err)
		}
		stranger, _ := ca.Issue("other", identity.RoleClient, nil)
		writeMSP(t, filepath.Join(dir, "crypto", u.org, u.name, "msp"), id, stranger)
		users[u.org+"-"+u.name] = id
	}
	os.WriteFile(filepath.Join(dir, "tls-ca.pem"), bankCA.CertPEM(), 0o600)
	// Relative paths are resolved against network.json's directory.
	desc := map[string]any{
		"channel": "qingchain", "networkDir": dir,
		"orgs": []map[string]any{
			{"name": "bank", "mspId": "BankMSP", "peerEndpoint": "127.0.0.1:9051", "peerTLSCACert": "tls-ca.pem", "users": map[string]any{
				"Admin": map[string]string{"mspDir": "crypto/bank/Admin/msp"},
				"User1": map[string]string{"mspDir": filepath.Join(dir, "crypto/bank/User1/msp")},
			}},
			{"name": "platform", "mspId": "PlatformMSP", "peerEndpoint": "127.0.0.1:7051", "peerTLSCACert": "tls-ca.pem", "users": map[string]any{
				"User1": map[string]string{"cert": "crypto/platform/User1/msp/signcerts/user-cert.pem", "key": "crypto/platform/User1/msp/keystore/priv_sk"},
			}},
		},
	}
	raw, _ := json.Marshal(desc)
	path := filepath.Join(dir, "network.json")
	os.WriteFile(path, raw, 0o600)

	n, err := LoadNetwork(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := wallet.Open(filepath.Join(dir, "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	names, err := ImportIdentities(n, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 3 || names[0] != "bank-Admin" || names[1] != "bank-User1" || names[2] != "platform-User1" {
		t.Fatalf("imported %v", names)
	}
	for name, want := range users {
		got, err := w.Identity(name)
		if err != nil {
			t.Fatal(err)
		}
		if got.MSPID != want.MSPID || got.ID() != want.ID() {
			t.Errorf("%s = %s %s, want %s %s", name, got.MSPID, got.ID(), want.MSPID, want.ID())
		}
		sig, _ := got.Sign([]byte("m"))
		if identity.Verify(want.Cert, []byte("m"), sig) != nil {
			t.Errorf("%s: loaded key does not match the certificate", name)
		}
	}
	if id, err := n.Identity("BankMSP", "User1"); err != nil || id.ID() != users["bank-User1"].ID() {
		t.Errorf("Identity(BankMSP, User1) = %v, %v", id, err)
	}
	cfg, err := n.Config("probe", users["bank-User1"])
	if err != nil || cfg.Channel != "qingchain" || len(cfg.Peers) != 2 || cfg.Peers[1].MSPID != "PlatformMSP" || len(cfg.Peers[0].TLSCACert) == 0 {
		t.Errorf("Config = %+v, %v", cfg, err)
	}

	// An MSP folder whose keystore holds no matching key is refused.
	bad := filepath.Join(dir, "bad-msp")
	stranger, _ := bankCA.Issue("x", identity.RoleClient, nil)
	writeMSP(t, bad, users["bank-User1"])
	k, _ := stranger.KeyPEM()
	os.WriteFile(filepath.Join(bad, "keystore", "priv_sk"), k, 0o600)
	if _, err := LoadMSPDir("BankMSP", bad); err == nil {
		t.Error("LoadMSPDir accepted a key that does not match the certificate")
	}
	if _, err := LoadMSPDir("BankMSP", filepath.Join(dir, "nowhere")); err == nil {
		t.Error("LoadMSPDir of a missing folder succeeded")
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestUnreachablePeerIsUnavailable(t *testing.T) {
	ca, _ := identity.NewCA("BankMSP")
	id, _ := ca.Issue("teller", identity.RoleClient, nil)
	l, err := Open(Config{Channel: "qingchain", Chaincode: "probe", Reader: id,
		Peers:         []Peer{{MSPID: "BankMSP", Endpoint: closedPort(t), TLSCACert: ca.CertPEM()}},
		EventRetryMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	start := time.Now()
	_, err = l.Evaluate(ctx, id, gateway.Request{Function: "Get", Args: []string{"k"}})
	if !errors.Is(err, gateway.ErrUnavailable) {
		t.Errorf("Evaluate on a closed port: %v, want ErrUnavailable", err)
	}
	if _, err := l.Submit(ctx, id, gateway.Request{Function: "Put", Args: []string{"k", "v"}}); !errors.Is(err, gateway.ErrUnavailable) {
		t.Errorf("Submit on a closed port: %v, want ErrUnavailable", err)
	}
	if _, err := l.Height(ctx); !errors.Is(err, gateway.ErrUnavailable) {
		t.Errorf("Height on a closed port: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("failing took %v; an unreachable peer must fail fast", d)
	}

	// An identity of an organisation without a configured peer.
	other, _ := identity.NewCA("InsurerMSP")
	stranger, _ := other.Issue("x", identity.RoleClient, nil)
	if _, err := l.Evaluate(ctx, stranger, gateway.Request{Function: "Get"}); err == nil || errors.Is(err, gateway.ErrUnavailable) {
		t.Errorf("Evaluate for an organisation without a peer: %v", err)
	}

	// An event stream keeps retrying and ends with its context.
	ectx, cancel := context.WithCancel(ctx)
	stream, err := l.Events(ectx, 0)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case _, ok := <-stream:
		if ok {
			t.Error("an event from nowhere")
		}
	case <-time.After(5 * time.Second):
		t.Error("event stream did not end with its context")
	}

	// Close ends streams and fails later calls.
	stream, _ = l.Events(ctx, 0)
	l.Close()
	select {
	case <-stream:
	case <-time.After(5 * time.Second):
		t.Error("event stream did not end with Close")
	}
	if _, err := l.Evaluate(ctx, id, gateway.Request{Function: "Get"}); !errors.Is(err, gateway.ErrUnavailable) {
		t.Errorf("Evaluate after Close: %v", err)
	}
	if _, err := l.Events(ctx, 0); !errors.Is(err, gateway.ErrUnavailable) {
		t.Errorf("Events after Close: %v", err)
	}
}

func TestOpenChecksConfig(t *testing.T) {
	ca, _ := identity.NewCA("BankMSP")
	for _, cfg := range []Config{
		{Chaincode: "probe", Peers: []Peer{{MSPID: "BankMSP", Endpoint: "127.0.0.1:1", TLSCACert: ca.CertPEM()}}},
		{Channel: "qingchain", Chaincode: "probe"},
		{Channel: "qingchain", Chaincode: "probe", Peers: []Peer{{MSPID: "BankMSP", Endpoint: "127.0.0.1:1", TLSCACert: []byte("not pem")}}},
		{Channel: "qingchain", Chaincode: "probe", Peers: []Peer{{MSPID: "BankMSP", Endpoint: "no-port", TLSCACert: ca.CertPEM()}}},
	} {
		if l, err := Open(cfg); err == nil {
			l.Close()
			t.Errorf("Open(%+v) succeeded", cfg)
		}
	}
}
