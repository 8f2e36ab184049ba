package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Source reads an entity's current view for the projection. hints are the
// enterprises (credit codes) that may read it where the read-model identity
// may not. found is false when the entity does not exist or no identity at
// hand may read it.
type Source interface {
	Fetch(ctx context.Context, ref Ref, hints []string) (doc json.RawMessage, found bool, err error)
}

// Directory gives the identity the gateway holds for an enterprise, if any
// (a wallet identity bound to it).
type Directory func(ctx context.Context, creditCode string) (*identity.Identity, bool)

// LedgerSource reads through the Ledger seam, so the projection works the
// same on devledger and Fabric.
//
// The read-model identity is Reader: a member of the zone regulator's
// enterprise, which reads every entity through its Get* query except
// financings (finance:GetFinancing answers only the applicant and the
// bank). For those, and for whatever else Reader is refused, the source
// evaluates as the enterprises named in hints (the acting party of the
// event, the parties already on the row), with the identity Directory
// holds for them.
type LedgerSource struct {
	Client    *client.Client
	Reader    *identity.Identity
	Directory Directory
}

// getter names the Get* query of a kind and its arguments.
func getter(ref Ref) (api.Tx, []string, error) {
	switch ref.Kind {
	case KindFinancing:
		return api.TxGetFinancing, []string{ref.ID, ""}, nil
	case KindReceivable:
		return api.TxGetReceivable, []string{ref.ID}, nil
	case KindClaim:
		return api.TxGetClaim, []string{ref.ID}, nil
	case KindReceipt:
		return api.TxGetReceipt, []string{ref.ID}, nil
	case KindShipment:
		return api.TxGetShipment, []string{ref.ID}, nil
	case KindPolicy:
		return api.TxGetPolicy, []string{ref.ID}, nil
	case KindEnterprise:
		return api.TxGetEnterprise, []string{ref.ID}, nil
	case KindProduct:
		return api.TxGetProduct, []string{ref.ID}, nil
	case KindDeclaration:
		return api.TxGetDeclaration, []string{ref.ID}, nil
	case KindTrade:
		return api.TxGetTradeVerification, []string{ref.ID}, nil
	case KindLot:
		k, err := gs1.ParsePath(ref.ID)
		if err != nil {
			return "", nil, fmt.Errorf("readmodel: lot %q: %w", ref.ID, err)
		}
		return api.TxGetLot, []string{k.GTIN, k.Lot}, nil
	case "traceEvent":
		return api.TxGetEvent, []string{ref.ID}, nil
	}
	return "", nil, fmt.Errorf("readmodel: no reads of kind %q", ref.Kind)
}

// Fetch implements Source.
func (s *LedgerSource) Fetch(ctx context.Context, ref Ref, hints []string) (json.RawMessage, bool, error) {
	fn, args, err := getter(ref)
	if err != nil {
		return nil, false, err
	}
	ids := []*identity.Identity{}
	if s.Reader != nil && ref.Kind != KindFinancing {
		ids = append(ids, s.Reader)
	}
	if s.Directory != nil {
		for _, h := range hints {
			if id, ok := s.Directory(ctx, h); ok {
				ids = append(ids, id)
			}
		}
	}
	if s.Reader != nil && ref.Kind == KindFinancing {
		ids = append(ids, s.Reader)
	}
	for _, id := range ids {
		out, err := s.Client.Evaluate(ctx, id, fn, args...)
		if err == nil {
			return out, true, nil
		}
		var ce *gateway.ChaincodeError
		if !errors.As(err, &ce) {
			return nil, false, err
		}
		switch api.Code(ce.Code) {
		case api.CodeNotFound:
			return nil, false, nil
		case api.CodeForbidden, api.CodeUnregistered:
			continue // try the next identity
		default:
			return nil, false, err
		}
	}
	return nil, false, nil
}

// Wallet is what a WalletDirectory needs of the gateway's wallet.
type Wallet interface {
	Identities() ([]string, error)
	Identity(name string) (*identity.Identity, error)
}

// WalletDirectory maps enterprises to the wallet identities bound to them,
// learning each identity's enterprise from the chaincode (WhoAmI). It
// looks again, at most once per Refresh interval, when asked for an
// enterprise it does not know (a member bound since).
type WalletDirectory struct {
	Client  *client.Client
	Wallet  Wallet
	Refresh time.Duration // default 30 s
	Log     *slog.Logger

	mu     sync.Mutex
	byCode map[string]*identity.Identity
	looked time.Time
}

// Lookup is the Directory.
func (d *WalletDirectory) Lookup(ctx context.Context, creditCode string) (*identity.Identity, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.byCode[creditCode]; ok {
		return id, true
	}
	every := d.Refresh
	if every <= 0 {
		every = 30 * time.Second
	}
	if !d.looked.IsZero() && time.Since(d.looked) < every {
		return nil, false
	}
	d.looked = time.Now()
	names, err := d.Wallet.Identities()
	if err != nil {
		d.Log.Warn("read model: wallet identities", "err", err)
		return nil, false
	}
	found := map[string]*identity.Identity{}
	for _, n := range names {
		id, err := d.Wallet.Identity(n)
		if err != nil {
			continue
		}
		me, err := d.Client.WhoAmI(ctx, id)
		if err != nil || me.Enterprise == nil {
			continue // not bound to an enterprise, or not registered
		}
		if _, dup := found[me.Enterprise.CreditCode]; !dup {
			found[me.Enterprise.CreditCode] = id
		}
	}
	d.byCode = found
	id, ok := found[creditCode]
	return id, ok
}
