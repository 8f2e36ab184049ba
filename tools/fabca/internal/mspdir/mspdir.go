// Package mspdir writes identities as Fabric MSP folders, in the layout
// cryptogen writes (and scripts/network.sh, the peer CLI and the gateway's
// wallet read):
//
//	msp/signcerts/<name>-cert.pem   the enrolment certificate
//	msp/keystore/priv_sk            its private key
//	msp/cacerts/<ca file>           the organisation's CA certificate
//	msp/tlscacerts/<tls ca file>    the CA of the organisation's TLS certificates
//	msp/config.yaml                 NodeOUs: the role is the certificate's OU
//	msp/crls/crl.pem                the organisation's CRL, once it has one
//	tls/ca.crt, tls/{server,client}.{crt,key}   a TLS key pair, for nodes and admins
package mspdir

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Identity is what an MSP folder holds for one member.
type Identity struct {
	// Name is the certificate file's base name (signcerts/<Name>-cert.pem).
	Name    string
	CertPEM []byte
	KeyPEM  []byte
}

// CAs are the organisation's CA certificates and the file names they get
// inside msp/ (as cryptogen names them: ca.<domain>-cert.pem and
// tlsca.<domain>-cert.pem).
type CAs struct {
	CertPEM, TLSCertPEM []byte
	File, TLSFile       string
}

// nodeOUs is the NodeOUs configuration: every role is recognised by the OU
// Fabric CA writes for the identity's type, issued by the organisation's CA.
func nodeOUs(caFile string) []byte {
	s := "NodeOUs:\n  Enable: true\n"
	for _, r := range [][2]string{{"Client", "client"}, {"Peer", "peer"}, {"Admin", "admin"}, {"Orderer", "orderer"}} {
		s += fmt.Sprintf("  %sOUIdentifier:\n    Certificate: cacerts/%s\n    OrganizationalUnitIdentifier: %s\n", r[0], caFile, r[1])
	}
	return []byte(s)
}

// WriteOrg writes an organisation's MSP folder (msp/: cacerts, tlscacerts,
// config.yaml), the one the channel configuration is made from.
func WriteOrg(dir string, cas CAs) error {
	if err := validCAs(cas); err != nil {
		return err
	}
	return writeFiles(map[string][]byte{
		filepath.Join(dir, "cacerts", cas.File):       cas.CertPEM,
		filepath.Join(dir, "tlscacerts", cas.TLSFile): cas.TLSCertPEM,
		filepath.Join(dir, "config.yaml"):             nodeOUs(cas.File),
	})
}

// WriteMember writes a member's MSP folder (msp/ as above, with its own
// certificate and key). An existing folder's certificate and key are
// replaced.
func WriteMember(dir string, id Identity, cas CAs) error {
	if err := validCAs(cas); err != nil {
		return err
	}
	if err := matches(id.CertPEM, id.KeyPEM); err != nil {
		return fmt.Errorf("mspdir: %s: %w", id.Name, err)
	}
	if id.Name == "" || filepath.Base(id.Name) != id.Name {
		return fmt.Errorf("mspdir: bad identity name %q", id.Name)
	}
	// One certificate and one key: a reader takes signcerts/*.pem and
	// keystore/*_sk, so left-overs of an earlier enrolment must go.
	for _, sub := range []string{"signcerts", "keystore"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return fmt.Errorf("mspdir: %w", err)
		}
	}
	if err := WriteOrg(dir, cas); err != nil {
		return err
	}
	return writeFiles(map[string][]byte{
		filepath.Join(dir, "signcerts", id.Name+"-cert.pem"): id.CertPEM,
		filepath.Join(dir, "keystore", "priv_sk"):            id.KeyPEM,
	})
}

// WriteTLS writes a TLS key pair as cryptogen does: ca.crt and
// <role>.crt, <role>.key, where role is server (nodes) or client (users).
func WriteTLS(dir, role string, id Identity, tlsCACertPEM []byte) error {
	if role != "server" && role != "client" {
		return fmt.Errorf("mspdir: TLS role must be server or client, not %q", role)
	}
	if err := matches(id.CertPEM, id.KeyPEM); err != nil {
		return fmt.Errorf("mspdir: TLS %s: %w", id.Name, err)
	}
	return writeFiles(map[string][]byte{
		filepath.Join(dir, "ca.crt"):    tlsCACertPEM,
		filepath.Join(dir, role+".crt"): id.CertPEM,
		filepath.Join(dir, role+".key"): id.KeyPEM,
	})
}

// WriteCRL puts a CRL (PEM) into an MSP folder's crls/, where Fabric's MSP
// (local, and configtxgen's when it makes a channel's MSP from the folder)
// reads revocations from.
func WriteCRL(mspDir string, crlPEM []byte) error {
	b, _ := pem.Decode(crlPEM)
	if b == nil || b.Type != "X509 CRL" {
		return errors.New("mspdir: not a PEM X509 CRL")
	}
	if _, err := x509.ParseRevocationList(b.Bytes); err != nil {
		return fmt.Errorf("mspdir: CRL: %w", err)
	}
	return writeFiles(map[string][]byte{filepath.Join(mspDir, "crls", "crl.pem"): crlPEM})
}

func validCAs(cas CAs) error {
	if cas.File == "" || cas.TLSFile == "" || filepath.Base(cas.File) != cas.File || filepath.Base(cas.TLSFile) != cas.TLSFile {
		return errors.New("mspdir: the CA certificates need plain file names")
	}
	for _, c := range [][]byte{cas.CertPEM, cas.TLSCertPEM} {
		if _, err := parseCert(c); err != nil {
			return fmt.Errorf("mspdir: CA certificate: %w", err)
		}
	}
	return nil
}

func parseCert(p []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(p)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM certificate")
	}
	return x509.ParseCertificate(b.Bytes)
}

// matches checks that the key is the certificate's, so that a folder never
// holds a pair a peer would refuse only at signing time.
func matches(certPEM, keyPEM []byte) error {
	cert, err := parseCert(certPEM)
	if err != nil {
		return err
	}
	b, _ := pem.Decode(keyPEM)
	if b == nil {
		return errors.New("private key is not PEM")
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(b.Bytes); err != nil {
		if key, err = x509.ParseECPrivateKey(b.Bytes); err != nil {
			return fmt.Errorf("private key: %w", err)
		}
	}
	pub, ok := key.(crypto.Signer)
	if !ok {
		return errors.New("private key of an unknown kind")
	}
	if eq, ok := pub.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(cert.PublicKey) {
		return errors.New("the private key is not the certificate's")
	}
	return nil
}

func writeFiles(files map[string][]byte) error {
	for path, data := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("mspdir: %w", err)
		}
		mode := os.FileMode(0o644)
		if filepath.Base(filepath.Dir(path)) == "keystore" || filepath.Ext(path) == ".key" {
			mode = 0o600
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, data, mode); err != nil {
			return fmt.Errorf("mspdir: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("mspdir: %w", err)
		}
	}
	return nil
}
