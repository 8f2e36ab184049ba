// Package contracttest runs Qingchain's chaincode on a devledger for tests:
// a channel of the zone's organisations, an admin per organisation, and
// helpers to register enterprises and enrol their members. The contract
// tests live here because the chaincode module cannot import devledger.
package contracttest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/network"
)

// The zone's organisations.
const (
	PlatformMSP  = "PlatformMSP"
	WarehouseMSP = "WarehouseMSP"
	BankMSP      = "BankMSP"
	InsurerMSP   = "InsurerMSP"
	RegulatorMSP = "RegulatorMSP"
)

// Orgs lists every organisation of the channel.
var Orgs = []string{PlatformMSP, WarehouseMSP, BankMSP, InsurerMSP, RegulatorMSP}

// Clock is a settable transaction clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the current time and moves it on by a millisecond so that
// every transaction has a distinct timestamp.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Net is a devledger running the real chaincode.
type Net struct {
	T      testing.TB
	Ledger *devledger.Ledger
	// C is the typed client over Ledger. It is strict: an answer that does
	// not survive its API type whole fails the call, which keeps the API
	// types true to what the chaincode answers.
	C *client.Client
	// Ctx is the context the tests call the ledger with.
	Ctx    context.Context
	Clock  *Clock
	Admins map[string]*identity.Identity
	serial int
}

// New starts a devledger with every organisation and its admin.
func New(t testing.TB) *Net {
	t.Helper()
	clock := &Clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	cc, err := contracts.New()
	if err != nil {
		t.Fatal(err)
	}
	l, err := devledger.Open(devledger.Config{Dir: t.TempDir(), Chaincode: cc, Orgs: Orgs, Collections: Collections(t), BatchTimeout: time.Millisecond, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return On(t, l, clock)
}

// On is a Net over a devledger opened with clock's Now as its clock and
// every organisation of Orgs; it issues each organisation's admin.
func On(t testing.TB, l *devledger.Ledger, clock *Clock) *Net {
	t.Helper()
	n := &Net{T: t, Ledger: l, C: client.New(l, client.Strict()), Ctx: context.Background(), Clock: clock, Admins: map[string]*identity.Identity{}}
	for _, org := range Orgs {
		ca, _ := l.CA(org)
		admin, err := ca.Issue("admin", identity.RoleAdmin, nil)
		if err != nil {
			t.Fatal(err)
		}
		n.Admins[org] = admin
	}
	return n
}

// Collections are the chaincode's private data collections, as the Fabric
// network defines them (network/collections/qingchain.json).
func Collections(t testing.TB) []devledger.Collection {
	t.Helper()
	raw, err := network.Collections("qingchain")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := devledger.ParseCollections(raw)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// CreditCode makes a valid fictional unified social credit code from a
// sequence number.
func CreditCode(t testing.TB, seq int) string {
	t.Helper()
	body := []byte("91441800MA5")
	digits := []byte("000000")
	for i, s := len(digits)-1, seq; i >= 0; i, s = i-1, s/10 {
		digits[i] = byte('0' + s%10)
	}
	first17 := string(body) + string(digits)
	c, err := uscc.CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// Member is an enrolled identity with the enterprise it acts for.
type Member struct {
	*identity.Identity
	CreditCode string
}

// Enterprise onboards an enterprise of the given kinds in org as the
// governance model asks: org's admin registers it with kinds that org may
// grant, the zone regulator (RegulatorMSP's admin) approves the kinds that
// carry public trust, and one member identity is enrolled for it.
func (n *Net) Enterprise(org, name string, kinds ...string) *Member {
	n.T.Helper()
	code := n.Register(org, name, kinds...)
	for _, k := range kinds {
		if slices.Contains(TrustKinds, k) {
			n.OK(n.C.ApproveKind(n.Ctx, n.Admins[RegulatorMSP], code, k))
		}
	}
	return n.Enrol(org, code, name+" clerk")
}

// TrustKinds are the kinds the genesis governance makes wait for the zone
// regulator's approval.
var TrustKinds = []string{api.KindBank, api.KindCustoms, api.KindCustomsBroker, api.KindInspector, api.KindInsurer, api.KindRegulator, api.KindWarehouse}

// GrantingOrg is the organisation that grants a kind under the genesis
// governance (for logistics, the platform's).
func GrantingOrg(kind string) string {
	switch kind {
	case api.KindBank:
		return BankMSP
	case api.KindInsurer:
		return InsurerMSP
	case api.KindWarehouse:
		return WarehouseMSP
	case api.KindRegulator, api.KindInspector, api.KindCustoms:
		return RegulatorMSP
	default:
		return PlatformMSP
	}
}

// Register registers an enterprise in org (without approvals or members)
// and returns its credit code.
func (n *Net) Register(org, name string, kinds ...string) string {
	n.T.Helper()
	n.serial++
	code := CreditCode(n.T, n.serial)
	n.OK(n.C.RegisterEnterprise(n.Ctx, n.Admins[org], api.EnterpriseInput{CreditCode: code, Name: name, Kinds: kinds}))
	return code
}

// Enrol issues a new identity in org and binds it to an enterprise.
func (n *Net) Enrol(org, creditCode, label string) *Member {
	n.T.Helper()
	ca, _ := n.Ledger.CA(org)
	id, err := ca.Issue(label, identity.RoleClient, nil)
	if err != nil {
		n.T.Fatal(err)
	}
	n.OK(n.C.BindMember(n.Ctx, n.Admins[org], creditCode, api.BindInput{ID: id.ID(), Label: label}))
	return &Member{Identity: id, CreditCode: creditCode}
}

// OK fails the test when a typed call failed; what it answered is not
// needed: n.OK(n.C.ApproveKind(n.Ctx, as, code, kind)).
func (n *Net) OK(_ any, err error) {
	n.T.Helper()
	if err != nil {
		n.T.Fatal(err)
	}
}

// Into keeps the answer of a typed call in v and fails t when the call
// failed: Into(t, &r)(n.C.GetReceipt(n.Ctx, as, id)).
func Into[T any](t testing.TB, v *T) func(T, error) {
	return func(got T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		*v = got
	}
}

// Result keeps the result of a typed write in v (see Into).
func Result[T any](t testing.TB, v *T) func(client.Written[T], error) {
	return func(got client.Written[T], err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		*v = got.Result
	}
}

// Submit submits a transaction with raw arguments: the escape hatch for
// tests that send what no typed method would (malformed documents, odd
// arguments).
func (n *Net) Submit(id *identity.Identity, fn api.Tx, args ...string) (*gateway.Commit, error) {
	return n.C.Submit(n.Ctx, id, fn, args...)
}

// MustSubmit submits and fails the test on error.
func (n *Net) MustSubmit(id *identity.Identity, fn api.Tx, args ...string) *gateway.Commit {
	n.T.Helper()
	c, err := n.Submit(id, fn, args...)
	if err != nil {
		n.T.Fatalf("%s: %v", fn, err)
	}
	return c
}

// Evaluate runs a query with raw arguments (see Submit).
func (n *Net) Evaluate(id *identity.Identity, fn api.Tx, args ...string) ([]byte, error) {
	return n.C.Evaluate(n.Ctx, id, fn, args...)
}

// MustEvaluate queries and decodes the JSON answer into v.
func (n *Net) MustEvaluate(v any, id *identity.Identity, fn api.Tx, args ...string) {
	n.T.Helper()
	out, err := n.Evaluate(id, fn, args...)
	if err != nil {
		n.T.Fatalf("%s: %v", fn, err)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			n.T.Fatalf("%s: decode %s: %v", fn, out, err)
		}
	}
}

// Code is the chaincode error code of err, "" for nil, or the validation
// code of an invalidated transaction.
func Code(err error) string {
	if err == nil {
		return ""
	}
	var ce *gateway.ChaincodeError
	if errors.As(err, &ce) {
		return ce.Code
	}
	var me *gateway.CommitError
	if errors.As(err, &me) {
		return string(me.Code)
	}
	return "ERROR: " + err.Error()
}
