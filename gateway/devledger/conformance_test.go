package devledger

import (
	"context"
	"encoding/json"

	"testing"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/ledgertest"
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
// real network (gateway/fabric).
func TestConformance(t *testing.T) {
	f := newFixture(t, nil)
	ledgertest.Run(t, ledgertest.Harness{
		Ledger: f.l, A: f.alice, B: f.bob, WithAttr: f.alice,
		Prepare: func(ctx context.Context, id *identity.Identity, req gateway.Request) (ledgertest.Pending, error) {
			p, err := f.l.prepare(ctx, id, req)
			if err != nil {
				return nil, err
			}
			return pendingTx{f.l, p}, nil
		},
		BlockBytes: func(ctx context.Context, n uint64) ([]byte, error) {
			b, err := f.l.readBlock(n)
			if err != nil {
				return nil, err
			}
			return json.Marshal(b)
		},
	})
}
