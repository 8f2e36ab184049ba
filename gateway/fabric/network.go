package fabric

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// Network is the description of a Fabric network that scripts/network.sh
// writes to $QC_NETWORK_DIR/network.json: the channel, and for every peer
// organisation its peer's Gateway endpoint, the peer's TLS CA and the users'
// MSP folders.
type Network struct {
	Channel    string       `json:"channel"`
	NetworkDir string       `json:"networkDir"`
	Orgs       []NetworkOrg `json:"orgs"`
}

// NetworkOrg is one peer organisation of a Network.
type NetworkOrg struct {
	// Name is the short organisation name (platform, bank, ...).
	Name          string `json:"name"`
	MSPID         string `json:"mspId"`
	PeerHost      string `json:"peerHost"`
	PeerEndpoint  string `json:"peerEndpoint"`
	PeerTLSCACert string `json:"peerTLSCACert"`
	// Users maps a user name (Admin, User1, ...) to its files.
	Users map[string]NetworkUser `json:"users"`
}

// NetworkUser locates a user's MSP folder (and, for convenience, its
// certificate and key files inside it).
type NetworkUser struct {
	Cert   string `json:"cert"`
	Key    string `json:"key"`
	MSPDir string `json:"mspDir"`
}

// LoadNetwork reads a network.json file. Relative paths inside it are taken
// relative to the file's directory.
func LoadNetwork(path string) (*Network, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fabric: network description: %w", err)
	}
	var n Network
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("fabric: network description %s: %w", path, err)
	}
	if n.Channel == "" || len(n.Orgs) == 0 {
		return nil, fmt.Errorf("fabric: network description %s names no channel or no organisations", path)
	}
	base := filepath.Dir(path)
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, p)
	}
	for i := range n.Orgs {
		o := &n.Orgs[i]
		if o.MSPID == "" || o.PeerEndpoint == "" || o.PeerTLSCACert == "" {
			return nil, fmt.Errorf("fabric: network description %s: organisation %q lacks mspId, peerEndpoint or peerTLSCACert", path, o.Name)
		}
		o.PeerTLSCACert = abs(o.PeerTLSCACert)
		for name, u := range o.Users {
			u.Cert, u.Key, u.MSPDir = abs(u.Cert), abs(u.Key), abs(u.MSPDir)
			o.Users[name] = u
		}
	}
	return &n, nil
}

// Peers reads every organisation's peer endpoint and TLS CA certificate.
func (n *Network) Peers() ([]Peer, error) {
	peers := make([]Peer, 0, len(n.Orgs))
	for _, o := range n.Orgs {
		ca, err := os.ReadFile(o.PeerTLSCACert)
		if err != nil {
			return nil, fmt.Errorf("fabric: TLS CA of %s's peer: %w", o.MSPID, err)
		}
		peers = append(peers, Peer{MSPID: o.MSPID, Endpoint: o.PeerEndpoint, TLSCACert: ca})
	}
	return peers, nil
}

// Org finds an organisation by short name or MSP ID (case-insensitive).
func (n *Network) Org(name string) (*NetworkOrg, error) {
	for i := range n.Orgs {
		o := &n.Orgs[i]
		if strings.EqualFold(o.Name, name) || strings.EqualFold(o.MSPID, name) {
			return o, nil
		}
	}
	return nil, fmt.Errorf("fabric: no organisation %q in the network", name)
}

// Identity loads one user of an organisation from its MSP folder.
func (n *Network) Identity(org, user string) (*identity.Identity, error) {
	o, err := n.Org(org)
	if err != nil {
		return nil, err
	}
	u, ok := o.Users[user]
	if !ok {
		return nil, fmt.Errorf("fabric: no user %q in organisation %s", user, o.Name)
	}
	return loadUser(o.MSPID, u)
}

func loadUser(mspID string, u NetworkUser) (*identity.Identity, error) {
	if u.MSPDir != "" {
		return LoadMSPDir(mspID, u.MSPDir)
	}
	certPEM, err := os.ReadFile(u.Cert)
	if err != nil {
		return nil, fmt.Errorf("fabric: %w", err)
	}
	keyPEM, err := os.ReadFile(u.Key)
	if err != nil {
		return nil, fmt.Errorf("fabric: %w", err)
	}
	return identity.Load(mspID, certPEM, keyPEM)
}

// WalletName is the wallet name ImportIdentities gives a network user:
// "<org>-<user>", for example bank-User1.
func WalletName(org, user string) string { return org + "-" + user }

// ImportIdentities loads every user of every organisation of the network
// from its MSP folder into the wallet, named by WalletName, replacing
// identities of the same name. It returns the names, sorted.
func ImportIdentities(n *Network, w *wallet.Wallet) ([]string, error) {
	var names []string
	for _, o := range n.Orgs {
		users := make([]string, 0, len(o.Users))
		for u := range o.Users {
			users = append(users, u)
		}
		sort.Strings(users)
		for _, user := range users {
			id, err := loadUser(o.MSPID, o.Users[user])
			if err != nil {
				return nil, fmt.Errorf("fabric: user %s of %s: %w", user, o.Name, err)
			}
			name := WalletName(o.Name, user)
			if err := w.PutIdentity(name, id); err != nil {
				return nil, err
			}
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// LoadMSPDir loads a member identity from a Fabric MSP folder as cryptogen
// and the Fabric CA client write it: the certificate from signcerts/*.pem and
// the private key from keystore/ (priv_sk from cryptogen, <ski>_sk from the
// Fabric CA client; when several keys are there, the one matching the
// certificate).
func LoadMSPDir(mspID, dir string) (*identity.Identity, error) {
	certs, err := filepath.Glob(filepath.Join(dir, "signcerts", "*.pem"))
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("fabric: no certificate in %s", filepath.Join(dir, "signcerts"))
	}
	sort.Strings(certs)
	certPEM, err := os.ReadFile(certs[0])
	if err != nil {
		return nil, fmt.Errorf("fabric: %w", err)
	}
	keys, err := filepath.Glob(filepath.Join(dir, "keystore", "*_sk"))
	if err != nil || len(keys) == 0 {
		return nil, fmt.Errorf("fabric: no private key (*_sk) in %s", filepath.Join(dir, "keystore"))
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		keyPEM, err := os.ReadFile(k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		id, err := identity.Load(mspID, certPEM, keyPEM)
		if err == nil {
			return id, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(k), err))
	}
	return nil, fmt.Errorf("fabric: no key in %s matches %s: %w", filepath.Join(dir, "keystore"), filepath.Base(certs[0]), errors.Join(errs...))
}

// OpenNetwork is what the gateway does with --ledger fabric: it reads the
// network description at path, imports every user of every organisation
// into the wallet (see ImportIdentities) and opens a Ledger on the chaincode
// with the wallet identity named reader as its Reader. It returns the
// imported identity names.
func OpenNetwork(path, chaincode string, w *wallet.Wallet, reader string, logger *slog.Logger) (*Ledger, []string, error) {
	n, err := LoadNetwork(path)
	if err != nil {
		return nil, nil, err
	}
	names, err := ImportIdentities(n, w)
	if err != nil {
		return nil, nil, err
	}
	rid, err := w.Identity(reader)
	if err != nil {
		return nil, nil, fmt.Errorf("fabric: reader identity: %w (imported: %s)", err, strings.Join(names, ", "))
	}
	cfg, err := n.Config(chaincode, rid)
	if err != nil {
		return nil, nil, err
	}
	cfg.Logger = logger
	l, err := Open(cfg)
	if err != nil {
		return nil, nil, err
	}
	return l, names, nil
}
