// Package caclient registers, enrols and revokes identities with one Fabric
// CA through fabric-sdk-go's msp client (pkg/client/msp).
//
// The SDK wants a connection profile and keeps what it enrols in a
// credential store and a key store of its own; here both live in a state
// directory the caller owns (a fresh temporary one per command), because the
// identities the tool issues end up in MSP folders (see package mspdir), not
// in the SDK's stores.
package caclient

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hyperledger/fabric-sdk-go/pkg/client/msp"
	"github.com/hyperledger/fabric-sdk-go/pkg/core/config"
	"github.com/hyperledger/fabric-sdk-go/pkg/fabsdk"
)

// Config names a Fabric CA and the registrar that registers and revokes.
type Config struct {
	// URL is the CA's address, https://host:port.
	URL string
	// TLSCACert is the PEM file of the CA that signed the CA server's TLS
	// certificate (for a Fabric CA with TLS enabled and no TLS certificate
	// of its own, its ca-cert.pem).
	TLSCACert string
	// CAName is the CA's name on its server (--ca.name); empty for the
	// server's default CA.
	CAName string
	// MSPID is the organisation the identities belong to.
	MSPID string
	// Registrar and RegistrarSecret are the registrar's enrolment ID and
	// secret (the CA's bootstrap admin, -b on fabric-ca-server init); only
	// Register and Revoke need them.
	Registrar, RegistrarSecret string
	// StateDir holds the SDK's credential and key stores.
	StateDir string
}

// Client is an open connection to one Fabric CA.
type Client struct {
	cfg Config
	sdk *fabsdk.FabricSDK
	msp *msp.Client
}

const orgName = "org"

// profile is the SDK's connection profile for one organisation and its CA,
// as JSON (the SDK reads YAML or JSON).
func profile(cfg Config) ([]byte, error) {
	ca := map[string]any{
		"url":        cfg.URL,
		"tlsCACerts": map[string]any{"path": cfg.TLSCACert},
	}
	if cfg.CAName != "" {
		ca["caName"] = cfg.CAName
	}
	if cfg.Registrar != "" {
		ca["registrar"] = map[string]any{"enrollId": cfg.Registrar, "enrollSecret": cfg.RegistrarSecret}
	}
	p := map[string]any{
		"version": "1.0.0",
		"client": map[string]any{
			"organization": orgName,
			"cryptoconfig": map[string]any{"path": filepath.Join(cfg.StateDir, "crypto")},
			"logging":      map[string]any{"level": "warning"},
			"credentialStore": map[string]any{
				"path":        filepath.Join(cfg.StateDir, "users"),
				"cryptoStore": map[string]any{"path": filepath.Join(cfg.StateDir, "keys")},
			},
			"BCCSP": map[string]any{"security": map[string]any{
				"enabled": true, "default": map[string]any{"provider": "SW"},
				"hashAlgorithm": "SHA2", "softVerify": true, "level": 256,
			}},
			"tlsCerts": map[string]any{"systemCertPool": false},
		},
		"organizations": map[string]any{
			// The SDK insists on a place for pre-enrolled users; there are none.
			orgName: map[string]any{"mspid": cfg.MSPID, "cryptoPath": "users/{username}/msp", "certificateAuthorities": []string{"ca"}},
		},
		"certificateAuthorities": map[string]any{"ca": ca},
	}
	return json.Marshal(p)
}

// New opens a client for the CA cfg names.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" || cfg.MSPID == "" || cfg.StateDir == "" {
		return nil, errors.New("caclient: the CA's URL, the MSP ID and a state directory are needed")
	}
	if !strings.HasPrefix(cfg.URL, "https://") {
		// Identities and the registrar's secret travel in the clear otherwise.
		return nil, fmt.Errorf("caclient: %s: only https CA addresses are supported", cfg.URL)
	}
	if _, err := os.Stat(cfg.TLSCACert); err != nil {
		return nil, fmt.Errorf("caclient: the CA's TLS certificate: %w", err)
	}
	raw, err := profile(cfg)
	if err != nil {
		return nil, err
	}
	sdk, err := fabsdk.New(config.FromRaw(raw, "json"))
	if err != nil {
		return nil, fmt.Errorf("caclient: fabric-sdk-go: %w", err)
	}
	c, err := msp.New(sdk.Context(), msp.WithOrg(orgName), msp.WithCAInstance("ca"))
	if err != nil {
		sdk.Close()
		return nil, fmt.Errorf("caclient: msp client: %w", err)
	}
	return &Client{cfg: cfg, sdk: sdk, msp: c}, nil
}

// Close releases the SDK.
func (c *Client) Close() { c.sdk.Close() }

// Registration is an identity to register.
type Registration struct {
	Name string
	// Type is the identity's Fabric CA type: client, admin, peer or orderer.
	// With NodeOUs it becomes the certificate's role OU.
	Type string
	// Secret is the enrolment secret; empty: the CA makes one up.
	Secret      string
	Affiliation string
	// Attrs are put into enrolment certificates (ecert=true).
	Attrs map[string]string
	// MaxEnrollments: 0 is the server's default, -1 unlimited.
	MaxEnrollments int
}

// Register registers an identity as the registrar and returns its secret.
func (c *Client) Register(r Registration) (string, error) {
	if c.cfg.Registrar == "" {
		return "", errors.New("caclient: register needs the registrar's ID and secret")
	}
	req := &msp.RegistrationRequest{
		Name: r.Name, Type: r.Type, Secret: r.Secret, Affiliation: r.Affiliation,
		MaxEnrollments: r.MaxEnrollments, CAName: c.cfg.CAName,
	}
	for k, v := range r.Attrs {
		req.Attributes = append(req.Attributes, msp.Attribute{Name: k, Value: v, ECert: true})
	}
	secret, err := c.msp.Register(req)
	if err != nil {
		return "", fmt.Errorf("caclient: register %s: %w", r.Name, err)
	}
	return secret, nil
}

// Enrolment is a certificate and its private key, both PEM.
type Enrolment struct {
	CertPEM, KeyPEM []byte
}

// Enroll enrols an identity with its secret. profile is the CA's signing
// profile: "" for an enrolment (signing) certificate, "tls" for a TLS
// certificate; hosts become the certificate's subject alternative names.
// Each call gets a fresh key pair.
func (c *Client) Enroll(name, secret, profile string, hosts []string) (*Enrolment, error) {
	opts := []msp.EnrollmentOption{msp.WithSecret(secret), msp.WithCSR(&msp.CSRInfo{CN: name, Hosts: hosts})}
	if profile != "" {
		opts = append(opts, msp.WithProfile(profile))
	}
	if err := c.msp.Enroll(name, opts...); err != nil {
		return nil, fmt.Errorf("caclient: enroll %s: %w", name, err)
	}
	si, err := c.msp.GetSigningIdentity(name)
	if err != nil {
		return nil, fmt.Errorf("caclient: enrolled %s: %w", name, err)
	}
	// The SDK keeps the private key in its key store as <hex SKI>_sk and
	// does not hand it out (a key is a handle, as it would be for an HSM),
	// so it is read from the store, which is ours.
	keyPEM, err := c.keyFile(hex.EncodeToString(si.PrivateKey().SKI()) + "_sk")
	if err != nil {
		return nil, err
	}
	return &Enrolment{CertPEM: si.EnrollmentCertificate(), KeyPEM: keyPEM}, nil
}

func (c *Client) keyFile(name string) ([]byte, error) {
	var found string
	err := filepath.WalkDir(c.cfg.StateDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == name {
			found = p
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("caclient: key store: %w", err)
	}
	if found == "" {
		return nil, fmt.Errorf("caclient: the SDK's key store holds no %s", name)
	}
	return os.ReadFile(found)
}

// Revoke revokes every certificate of an identity (and the identity: it can
// enrol no more) and returns the CA's new CRL, PEM, listing every unexpired
// revoked certificate. reason is an RFC 5280 reason name such as
// keycompromise or cessationofoperation; empty is unspecified.
func (c *Client) Revoke(name, reason string) (serials []string, crlPEM []byte, err error) {
	if c.cfg.Registrar == "" {
		return nil, nil, errors.New("caclient: revoke needs the registrar's ID and secret")
	}
	resp, err := c.msp.Revoke(&msp.RevocationRequest{Name: name, Reason: reason, GenCRL: true, CAName: c.cfg.CAName})
	if err != nil {
		return nil, nil, fmt.Errorf("caclient: revoke %s: %w", name, err)
	}
	for _, rc := range resp.RevokedCerts {
		serials = append(serials, rc.Serial)
	}
	return serials, resp.CRL, nil
}

// CAChain is the CA's certificate chain, PEM, root first.
func (c *Client) CAChain() ([]byte, error) {
	info, err := c.msp.GetCAInfo()
	if err != nil {
		return nil, fmt.Errorf("caclient: CA info: %w", err)
	}
	return info.CAChain, nil
}
