// Package identity issues and uses X.509 identities in Hyperledger Fabric's
// form: one certificate authority per organisation (MSP ID), ECDSA P-256
// member certificates with Fabric CA style attributes, serialized identities
// as the peer sees them, and low-S ECDSA signatures.
package identity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// attrOID is the certificate extension Fabric CA uses for attributes; the
// chaincode's cid library reads attributes from it.
var attrOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// Node OU roles as Fabric's NodeOUs define them.
const (
	RoleClient = "client"
	RoleAdmin  = "admin"
	RolePeer   = "peer"
)

// CA is an organisation's certificate authority.
type CA struct {
	MSPID string
	Cert  *x509.Certificate
	key   *ecdsa.PrivateKey
}

// NewCA creates a self-signed CA for an organisation.
func NewCA(mspID string) (*CA, error) {
	if mspID == "" {
		return nil, errors.New("identity: empty MSP ID")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "ca." + mspID, Organization: []string{mspID}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("identity: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{MSPID: mspID, Cert: cert, key: key}, nil
}

// LoadCA restores a CA from its PEM certificate and PKCS#8 PEM key.
func LoadCA(mspID string, certPEM, keyPEM []byte) (*CA, error) {
	cert, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	return &CA{MSPID: mspID, Cert: cert, key: key}, nil
}

// CertPEM is the CA certificate in PEM form.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// KeyPEM is the CA private key in PKCS#8 PEM form.
func (ca *CA) KeyPEM() ([]byte, error) { return marshalKeyPEM(ca.key) }

// Issue enrols a new member: a fresh P-256 key and a certificate signed by
// the CA, with the role as OU (Fabric NodeOUs) and attributes in Fabric CA's
// extension.
func (ca *CA) Issue(commonName, role string, attrs map[string]string) (*Identity, error) {
	if commonName == "" {
		return nil, errors.New("identity: empty common name")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: member key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	// Backdate for clock skew, but never before the CA itself: Fabric's MSP
	// checks the chain at the member certificate's NotBefore.
	notBefore := now.Add(-time.Hour)
	if notBefore.Before(ca.Cert.NotBefore) {
		notBefore = ca.Cert.NotBefore
	}
	tmpl := &x509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{CommonName: commonName, Organization: []string{ca.MSPID}, OrganizationalUnit: []string{role}},
		NotBefore:      notBefore,
		NotAfter:       now.AddDate(5, 0, 0),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		AuthorityKeyId: ca.Cert.SubjectKeyId,
		SubjectKeyId:   keyID(&key.PublicKey),
	}
	if len(attrs) > 0 {
		raw, err := json.Marshal(struct {
			Attrs map[string]string `json:"attrs"`
		}{attrs})
		if err != nil {
			return nil, err
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: attrOID, Value: raw})
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("identity: member certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return newIdentity(ca.MSPID, cert, key)
}

// Identity is a member identity with its signing key.
type Identity struct {
	MSPID      string
	Cert       *x509.Certificate
	key        *ecdsa.PrivateKey
	serialized []byte
}

func newIdentity(mspID string, cert *x509.Certificate, key *ecdsa.PrivateKey) (*Identity, error) {
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, errors.New("identity: private key does not match certificate")
	}
	ser, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})})
	if err != nil {
		return nil, err
	}
	return &Identity{MSPID: mspID, Cert: cert, key: key, serialized: ser}, nil
}

// Load restores an identity from PEM certificate and PEM private key (PKCS#8
// or SEC 1, as cryptogen and Fabric CA write them).
func Load(mspID string, certPEM, keyPEM []byte) (*Identity, error) {
	cert, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	return newIdentity(mspID, cert, key)
}

// CertPEM is the member certificate in PEM form.
func (id *Identity) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw})
}

// KeyPEM is the member private key in PKCS#8 PEM form.
func (id *Identity) KeyPEM() ([]byte, error) { return marshalKeyPEM(id.key) }

// Serialized is the msp.SerializedIdentity bytes Fabric uses as a creator.
func (id *Identity) Serialized() []byte { return id.serialized }

// ID is the identity's name as the chaincode cid library computes it.
func (id *Identity) ID() string { return ClientID(id.Cert) }

// Sign signs msg the way Fabric clients do: SHA-256, ECDSA, low-S, ASN.1.
func (id *Identity) Sign(msg []byte) ([]byte, error) {
	digest := sha256.Sum256(msg)
	return SignDigest(id.key, digest[:])
}

// SignDigest signs a precomputed digest with low-S normalisation.
func SignDigest(key *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := ecdsa.Sign(rand.Reader, key, digest)
	if err != nil {
		return nil, err
	}
	halfOrder := new(big.Int).Rsh(key.Params().N, 1)
	if s.Cmp(halfOrder) > 0 {
		s.Sub(key.Params().N, s)
	}
	return asn1.Marshal(ecdsaSignature{r, s})
}

type ecdsaSignature struct{ R, S *big.Int }

// Verify checks a Fabric-style signature over msg by the certificate's key,
// refusing high-S signatures as Fabric's MSP does.
func Verify(cert *x509.Certificate, msg, sig []byte) error {
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return errors.New("identity: certificate key is not ECDSA")
	}
	var es ecdsaSignature
	rest, err := asn1.Unmarshal(sig, &es)
	if err != nil || len(rest) != 0 || es.R == nil || es.S == nil {
		return errors.New("identity: malformed signature")
	}
	halfOrder := new(big.Int).Rsh(pub.Params().N, 1)
	if es.S.Sign() <= 0 || es.S.Cmp(halfOrder) > 0 {
		return errors.New("identity: signature is not in low-S form")
	}
	digest := sha256.Sum256(msg)
	if !ecdsa.Verify(pub, digest[:], es.R, es.S) {
		return errors.New("identity: signature does not verify")
	}
	return nil
}

// Deserialize parses a serialized identity into its MSP ID and certificate.
func Deserialize(serialized []byte) (string, *x509.Certificate, error) {
	var si msp.SerializedIdentity
	if err := proto.Unmarshal(serialized, &si); err != nil {
		return "", nil, fmt.Errorf("identity: serialized identity: %w", err)
	}
	cert, err := ParseCertPEM(si.IdBytes)
	if err != nil {
		return "", nil, err
	}
	return si.Mspid, cert, nil
}

// ParseCertPEM parses one PEM certificate.
func ParseCertPEM(b []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("identity: no PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

// ClientID renders a certificate's identity exactly as cid.GetID does:
// base64 of "x509::<subject DN>::<issuer DN>".
func ClientID(cert *x509.Certificate) string {
	return clientID(cert)
}

func parseKeyPEM(b []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("identity: no PEM private key")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		ek, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, errors.New("identity: private key is not ECDSA")
		}
		return ek, nil
	}
	k, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("identity: private key: %w", err)
	}
	return k, nil
}

func marshalKeyPEM(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func randomSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func keyID(pub *ecdsa.PublicKey) []byte {
	raw, _ := pub.Bytes()
	sum := sha256.Sum256(raw)
	return sum[:]
}

// creatorStub lets the cid library read a creator outside a transaction, so
// the ID computed here is by construction the one the chaincode sees.
type creatorStub []byte

func (c creatorStub) GetCreator() ([]byte, error) { return c, nil }

func clientID(cert *x509.Certificate) string {
	ser, err := proto.Marshal(&msp.SerializedIdentity{IdBytes: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})})
	if err != nil {
		return ""
	}
	c, err := cid.New(creatorStub(ser))
	if err != nil {
		return ""
	}
	id, err := c.GetID()
	if err != nil {
		return ""
	}
	return id
}
