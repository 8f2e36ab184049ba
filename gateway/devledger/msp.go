package devledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/qingchain/qingchain/gateway/identity"
)

// signedProposal wraps Fabric's SignedProposal so the endorser's signature
// is explicit.
type signedProposal struct{ *peer.SignedProposal }

// loadOrCreateCAs keeps one CA per organisation in dir/<MSP ID>/ (key 0600).
// This is devledger's stand-in for cryptogen or a Fabric CA.
func loadOrCreateCAs(dir string, orgs []string) (map[string]*identity.CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cas := make(map[string]*identity.CA)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		ca, err := loadCA(filepath.Join(dir, e.Name()), e.Name())
		if err != nil {
			return nil, err
		}
		cas[e.Name()] = ca
	}
	for _, msp := range orgs {
		if _, ok := cas[msp]; ok {
			continue
		}
		if msp == "" || filepath.Base(msp) != msp || msp[0] == '.' {
			return nil, fmt.Errorf("devledger: bad MSP ID %q", msp)
		}
		ca, err := identity.NewCA(msp)
		if err != nil {
			return nil, err
		}
		if err := saveCA(filepath.Join(dir, msp), ca); err != nil {
			return nil, err
		}
		cas[msp] = ca
	}
	if len(cas) == 0 {
		return nil, errors.New("devledger: no organisations configured")
	}
	return cas, nil
}

func loadCA(dir, msp string) (*identity.CA, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, "ca-cert.pem"))
	if err != nil {
		return nil, fmt.Errorf("devledger: CA of %s: %w", msp, err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, "ca-key.pem"))
	if err != nil {
		return nil, fmt.Errorf("devledger: CA of %s: %w", msp, err)
	}
	return identity.LoadCA(msp, certPEM, keyPEM)
}

func saveCA(dir string, ca *identity.CA) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	keyPEM, err := ca.KeyPEM()
	if err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(dir, "ca-key.pem"), keyPEM, 0o600); err != nil {
		return err
	}
	return writeFileSync(filepath.Join(dir, "ca-cert.pem"), ca.CertPEM(), 0o644)
}

func writeFileSync(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// LoadCA loads an organisation's CA from a ledger data directory without
// opening the ledger (for operator commands while the gateway runs).
func LoadCA(ledgerDir, mspID string) (*identity.CA, error) {
	if mspID == "" || filepath.Base(mspID) != mspID || mspID[0] == '.' {
		return nil, fmt.Errorf("devledger: bad MSP ID %q", mspID)
	}
	return loadCA(filepath.Join(ledgerDir, "msp", mspID), mspID)
}
