package devledger

import (
	"bytes"
	"context"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/ledgertest"
	"github.com/qingchain/qingchain/network"
)

// pendingTx is a devledger transaction endorsed and signed, not yet ordered.
type pendingTx struct {
	l *Ledger
	p *prepared
}

func (p pendingTx) TxID() string { return p.p.txID }

func (p pendingTx) Submit(ctx context.Context) (*gateway.Commit, error) {
	return p.l.order(ctx, p.p.txID, p.p.envelope, p.p.payload, p.p.private)
}

// The ledger conformance suite, the same one the Fabric adapter passes on a
// real network (gateway/fabric): the channel's five organisations, the
// network's endorsement policy and the probe's collections.
func TestConformance(t *testing.T) {
	orgs := []string{"PlatformMSP", "WarehouseMSP", "BankMSP", "InsurerMSP", "RegulatorMSP"}
	raw, err := network.Collections("probe")
	if err != nil {
		t.Fatal(err)
	}
	colls, err := ParseCollections(raw)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(c *Config) {
		c.Orgs = append(orgs, c.Orgs...) // the fixture's own two as well
		c.EndorsementPolicy = network.EndorsementPolicy()
		c.Collections = colls
	})
	client := func(msp, name string, attrs map[string]string) *identity.Identity {
		ca, err := f.l.CA(msp)
		if err != nil {
			t.Fatal(err)
		}
		id, err := ca.Issue(name, identity.RoleClient, attrs)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := client("PlatformMSP", "alice", map[string]string{"role": "buyer"})
	ledgertest.Run(t, ledgertest.Harness{
		Ledger: f.l, A: a, B: client("BankMSP", "bob", nil), C: client("InsurerMSP", "carol", nil), WithAttr: a,
		Prepare: func(ctx context.Context, id *identity.Identity, req gateway.Request) (ledgertest.Pending, error) {
			p, err := f.l.prepare(ctx, id, req)
			if err != nil {
				return nil, err
			}
			return pendingTx{f.l, p}, nil
		},
		BlockBytes: func(ctx context.Context, n uint64) ([]byte, error) {
			// As stored: binary protobuf keeps nested messages' bytes
			// as they are, so the transactions are in there verbatim.
			var raw []byte
			err := f.l.db.View(func(tx *bolt.Tx) error {
				r, err := readBlockRaw(tx, n)
				raw = bytes.Clone(r)
				return err
			})
			return raw, err
		},
	})
	if _, err := f.l.Verify(); err != nil {
		t.Errorf("Verify after the suite: %v", err)
	}
}
