// Package demo seeds a devledger with a fictional zone: an admin and
// enterprises for every organisation, member identities with API keys, and
// the scenarios its caller lists (Yingde black tea, Qingyuan chicken, a
// pledge financing...). Every name is invented; every key is random per
// data directory.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// The zone's organisations (MSP IDs), as on the Fabric network.
const (
	PlatformMSP  = "PlatformMSP"
	WarehouseMSP = "WarehouseMSP"
	BankMSP      = "BankMSP"
	InsurerMSP   = "InsurerMSP"
	RegulatorMSP = "RegulatorMSP"
)

// trustKinds wait for the zone regulator's approval under the genesis
// governance (chaincode/contracts/governance.go).
var trustKinds = []string{"bank", "customs", "customs_broker", "inspector", "insurer", "regulator", "warehouse"}

// Orgs lists the organisations of the channel.
var Orgs = []string{PlatformMSP, WarehouseMSP, BankMSP, InsurerMSP, RegulatorMSP}

// CredentialsFile and EntitiesFile are written into the data directory.
const (
	CredentialsFile = "demo-credentials.json"
	EntitiesFile    = "demo.json"
)

// CA enrols identities; devledger provides one per organisation.
type CA interface {
	CA(mspID string) (*identity.CA, error)
}

// User is one demo user as written to demo-credentials.json.
type User struct {
	Name       string   `json:"name"`
	Org        string   `json:"org"`
	Enterprise string   `json:"enterprise,omitempty"`
	Kinds      []string `json:"kinds"`
	APIKey     string   `json:"apiKey"`
	identity   *identity.Identity
}

// Credentials is the demo-credentials.json document.
type Credentials struct {
	Users []User `json:"users"`
}

// Clock is the transaction clock of a devledger opened for a demo: real
// time, except while the demo replays its story, when each record is
// stamped at the time it happened in the story.
type Clock struct {
	mu  sync.Mutex
	set time.Time // zero: real time
}

// Now is the devledger's clock function.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set.IsZero() {
		return time.Now()
	}
	c.set = c.set.Add(time.Millisecond)
	return c.set
}

// At moves the story's clock; the zero time returns to real time.
func (c *Clock) At(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.set = t
}

// Env is what scenarios get: the client over the ledger, the users by
// name, and a document to record the entities they create (written to
// demo.json).
type Env struct {
	Client    *client.Client
	Clock     *Clock
	PublicURL string
	Users     map[string]*User
	Entities  map[string]any
	Log       *slog.Logger
}

// As is the identity of a named demo user with the story's clock at t:
// the transaction called with it is stamped at t. The stories name only
// the users Seed enrols, so an unknown name is a fault of the program.
func (e *Env) As(t time.Time, user string) *identity.Identity {
	u, ok := e.Users[user]
	if !ok {
		panic("demo: no user " + user)
	}
	e.Clock.At(t)
	return u.identity
}

// Scenario seeds one story. Later stories build on earlier ones (the
// pledge finances the tea the first story made), so Seed runs them in the
// order it is given.
type Scenario struct {
	Name string
	Run  func(ctx context.Context, env *Env) error
}

// enterpriseSpec is one fictional enterprise and its demo user.
type enterpriseSpec struct {
	user   string
	org    string
	seq    int
	name   string
	nameEn string
	kinds  []string
}

var enterprises = []enterpriseSpec{
	{"tea-coop", PlatformMSP, 1, "英德红云茶叶专业合作社", "Yingde Hongyun Tea Cooperative", []string{"producer", "processor"}},
	{"chicken-farm", PlatformMSP, 2, "清远凤鸣走地鸡养殖场", "Qingyuan Fengming Free-Range Chicken Farm", []string{"producer"}},
	{"meat-processor", PlatformMSP, 3, "清远鲜禽食品加工有限公司", "Qingyuan Fresh Poultry Foods Co.", []string{"processor"}},
	{"logistics", PlatformMSP, 4, "北江冷链物流有限公司", "Beijiang Cold-Chain Logistics Co.", []string{"logistics"}},
	{"exporter", PlatformMSP, 5, "清远跨境优品贸易有限公司", "Qingyuan Cross-Border Fine Goods Trading Co.", []string{"exporter"}},
	{"warehouse", WarehouseMSP, 6, "清远综保区保税仓储有限公司", "Qingyuan Bonded Zone Warehousing Co.", []string{"warehouse"}},
	{"bank", BankMSP, 7, "清远北江农村商业银行", "Qingyuan Beijiang Rural Commercial Bank", []string{"bank"}},
	{"insurer", InsurerMSP, 8, "南粤出口信用保险有限公司", "Nanyue Export Credit Insurance Co.", []string{"insurer"}},
	{"inspector", RegulatorMSP, 9, "清远农产品质量检测中心", "Qingyuan Agri-Food Testing Centre", []string{"inspector"}},
	{"regulator", RegulatorMSP, 10, "清远跨境电商综试区管理办公室", "Qingyuan Cross-Border E-Commerce Zone Office", []string{"regulator"}},
	{"customs-broker", PlatformMSP, 11, "清远港通报关有限公司", "Qingyuan Gangtong Customs Brokerage Co.", []string{"customs_broker"}},
	// 12 is left for the README's onboarding of a customs broker.
	{"customs", RegulatorMSP, 13, "清远海关", "Qingyuan Customs", []string{"customs"}},
}

// CreditCode gives the fictional, checksum-valid credit code of demo
// enterprise number seq (Qingyuan's division code 441800).
func CreditCode(seq int) string {
	first17 := fmt.Sprintf("91441800QC%07d", seq)
	c, err := uscc.CheckChar(first17)
	if err != nil {
		panic("demo: bad credit code body " + first17)
	}
	return first17 + string(c)
}

// Seeded reports whether dataDir was already seeded.
func Seeded(dataDir string) bool {
	_, err := os.Stat(filepath.Join(dataDir, CredentialsFile))
	return err == nil
}

// Seed creates the demo zone once per data directory, runs scenarios in
// order, and writes demo-credentials.json (0600) and demo.json. A directory
// already seeded is left alone.
//
// The ledger must have been opened with clock.Now as its clock, so that the
// story's records carry the dates on which they happened.
func Seed(ctx context.Context, l gateway.Ledger, clock *Clock, cas CA, w *wallet.Wallet, dataDir, publicURL string, log *slog.Logger, scenarios ...Scenario) error {
	if Seeded(dataDir) {
		return nil
	}
	defer clock.At(time.Time{})
	if h, err := l.Height(ctx); err == nil && h > 1 {
		return errors.New("demo: the ledger already holds transactions but demo-credentials.json is missing; use a fresh data directory for --demo")
	}
	env := &Env{Client: client.New(l), Clock: clock, PublicURL: publicURL, Users: map[string]*User{}, Entities: map[string]any{}, Log: log}
	var creds Credentials

	enrol := func(org, name, role string) (*User, error) {
		ca, err := cas.CA(org)
		if err != nil {
			return nil, err
		}
		id, err := ca.Issue(name, role, nil)
		if err != nil {
			return nil, err
		}
		if err := w.PutIdentity(name, id); err != nil {
			return nil, err
		}
		key, _, err := w.AddKey(name)
		if err != nil {
			return nil, err
		}
		u := &User{Name: name, Org: org, Kinds: []string{}, APIKey: key, identity: id}
		env.Users[name] = u
		return u, nil
	}

	for _, org := range Orgs {
		if _, err := enrol(org, adminName(org), identity.RoleAdmin); err != nil {
			return err
		}
	}
	ents := map[string]any{}
	for _, e := range enterprises {
		code := CreditCode(e.seq)
		admin := env.Users[adminName(e.org)].identity
		if _, err := env.Client.RegisterEnterprise(ctx, admin, api.EnterpriseInput{CreditCode: code, Name: e.name, NameEn: e.nameEn, Kinds: e.kinds}); err != nil {
			return fmt.Errorf("demo: register %s: %w", e.user, err)
		}
		// Onboarding under the genesis governance: the organisation grants
		// the kinds it may grant; those that carry public trust take effect
		// once the zone regulator approves them.
		var approved []string
		for _, k := range e.kinds {
			if !slices.Contains(trustKinds, k) {
				continue
			}
			if _, err := env.Client.ApproveKind(ctx, env.Users[adminName(RegulatorMSP)].identity, code, k); err != nil {
				return fmt.Errorf("demo: approve %s as %s: %w", k, e.user, err)
			}
			approved = append(approved, k)
		}
		u, err := enrol(e.org, e.user, identity.RoleClient)
		if err != nil {
			return err
		}
		u.Enterprise, u.Kinds = code, e.kinds
		if _, err := env.Client.BindMember(ctx, admin, code, api.BindInput{ID: u.identity.ID(), Label: e.user}); err != nil {
			return fmt.Errorf("demo: bind %s: %w", e.user, err)
		}
		ents[e.user] = map[string]any{"creditCode": code, "name": e.name, "nameEn": e.nameEn, "org": e.org, "kinds": e.kinds,
			"grantedBy": adminName(e.org), "approvedByRegulator": approved}
	}
	env.Entities["enterprises"] = ents
	for _, s := range scenarios {
		log.Info("seeding demo scenario", "scenario", s.Name)
		if err := s.Run(ctx, env); err != nil {
			return fmt.Errorf("demo scenario %s: %w", s.Name, err)
		}
	}

	names := make([]string, 0, len(env.Users))
	for n := range env.Users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		creds.Users = append(creds.Users, *env.Users[n])
	}
	env.Entities["publicUrl"] = publicURL
	if err := writeJSON(filepath.Join(dataDir, EntitiesFile), env.Entities, 0o644); err != nil {
		return err
	}
	// Written last: its presence means the seed completed.
	return writeJSON(filepath.Join(dataDir, CredentialsFile), creds, 0o600)
}

func adminName(org string) string {
	return map[string]string{PlatformMSP: "platform-admin", WarehouseMSP: "warehouse-admin", BankMSP: "bank-admin", InsurerMSP: "insurer-admin", RegulatorMSP: "regulator-admin"}[org]
}

func writeJSON(path string, v any, mode os.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), mode); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
