package mspdir_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/tools/fabca/internal/mspdir"
	"github.com/qingchain/qingchain/tools/fabca/internal/testpki"
)

func TestWriteMemberLayout(t *testing.T) {
	ca := testpki.NewCA(t, "ca.bank.example")
	cas := mspdir.CAs{CertPEM: ca.CertPEM, TLSCertPEM: ca.CertPEM, File: "ca.bank.example-cert.pem", TLSFile: "tlsca.bank.example-cert.pem"}
	dir := filepath.Join(t.TempDir(), "msp")
	cert, key := ca.Issue(t, "Officer1@bank.example", "client", 7)
	// A first enrolment's files are replaced by the second's.
	if err := mspdir.WriteMember(dir, mspdir.Identity{Name: "old", CertPEM: cert, KeyPEM: key}, cas); err != nil {
		t.Fatal(err)
	}
	if err := mspdir.WriteMember(dir, mspdir.Identity{Name: "Officer1@bank.example", CertPEM: cert, KeyPEM: key}, cas); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"signcerts/Officer1@bank.example-cert.pem", "keystore/priv_sk", "cacerts/ca.bank.example-cert.pem", "tlscacerts/tlsca.bank.example-cert.pem", "config.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	if certs, _ := filepath.Glob(filepath.Join(dir, "signcerts", "*.pem")); len(certs) != 1 {
		t.Errorf("signcerts holds %d certificates, want 1", len(certs))
	}
	if st, err := os.Stat(filepath.Join(dir, "keystore", "priv_sk")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode: %v %v", st, err)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "config.yaml"))
	for _, want := range []string{"Enable: true", "Certificate: cacerts/ca.bank.example-cert.pem", "OrganizationalUnitIdentifier: admin", "OrganizationalUnitIdentifier: client"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.yaml lacks %q:\n%s", want, cfg)
		}
	}
}

func TestWriteMemberRefusesAKeyOfAnotherCertificate(t *testing.T) {
	ca := testpki.NewCA(t, "ca")
	cas := mspdir.CAs{CertPEM: ca.CertPEM, TLSCertPEM: ca.CertPEM, File: "ca.pem", TLSFile: "tlsca.pem"}
	cert, _ := ca.Issue(t, "a", "client", 2)
	_, other := ca.Issue(t, "b", "client", 3)
	if err := mspdir.WriteMember(t.TempDir(), mspdir.Identity{Name: "a", CertPEM: cert, KeyPEM: other}, cas); err == nil {
		t.Fatal("a key that is not the certificate's was written")
	}
}

func TestWriteTLSAndCRL(t *testing.T) {
	ca := testpki.NewCA(t, "ca")
	cert, key := ca.Issue(t, "peer0", "peer", 4)
	dir := t.TempDir()
	if err := mspdir.WriteTLS(dir, "server", mspdir.Identity{Name: "peer0", CertPEM: cert, KeyPEM: key}, ca.CertPEM); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ca.crt", "server.crt", "server.key"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if err := mspdir.WriteTLS(dir, "peer", mspdir.Identity{Name: "peer0", CertPEM: cert, KeyPEM: key}, ca.CertPEM); err == nil {
		t.Error("TLS role peer accepted")
	}
	if err := mspdir.WriteCRL(dir, ca.CRL(t, 1, 4)); err != nil {
		t.Fatal(err)
	}
	if err := mspdir.WriteCRL(dir, cert); err == nil {
		t.Error("a certificate was taken for a CRL")
	}
}
