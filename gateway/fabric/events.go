package fabric

import (
	"context"
	"errors"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/qingchain/qingchain/gateway"
)

// checkpoint is where an event stream stands: the block to (re)start from
// and, within it, the last transaction whose event was delivered. It
// implements client.Checkpoint.
type checkpoint struct {
	block uint64
	txID  string
}

func (c checkpoint) BlockNumber() uint64   { return c.block }
func (c checkpoint) TransactionID() string { return c.txID }

func (c checkpoint) option() client.ChaincodeEventsOption {
	if c.txID == "" {
		// client.WithCheckpoint ignores a checkpoint at block 0 without a
		// transaction (and would start at the next commit instead).
		return client.WithStartBlock(c.block)
	}
	return client.WithCheckpoint(c)
}

// Events streams the chaincode's events of valid transactions from block
// from on, in commit order, as the Reader identity. When the stream breaks
// (the peer restarted, the network blipped) it is reopened from the last
// delivered event, so that no event is lost or delivered twice; while the
// reader's own peer is down, another organisation's peer serves it. The
// channel closes when ctx ends or the Ledger is closed.
func (l *Ledger) Events(ctx context.Context, from uint64) (<-chan gateway.Event, error) {
	if err := l.available(); err != nil {
		return nil, err
	}
	if l.cfg.Reader == nil {
		return nil, errors.New("fabric: no Reader identity configured for events")
	}
	out := make(chan gateway.Event, 64)
	go l.streamEvents(ctx, checkpoint{block: from}, out)
	return out, nil
}

func (l *Ledger) streamEvents(ctx context.Context, cp checkpoint, out chan<- gateway.Event) {
	defer close(out)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(l.ctx, cancel)
	defer stop()

	peers := l.readPeers()
	const minPause = 250 * time.Millisecond
	pause := minPause
	turn := 0 // index into peers of the one to try next
	for ctx.Err() == nil {
		p := peers[turn%len(peers)]
		delivered, err := l.streamFrom(ctx, p, &cp, out)
		if ctx.Err() != nil {
			return
		}
		if delivered {
			pause = minPause
		} else {
			// Nothing came through this peer: try the next one, more slowly.
			turn++
			pause = min(2*pause, l.cfg.EventRetryMax)
		}
		l.log.Warn("fabric event stream interrupted; resuming", "peer", p.endpoint, "fromBlock", cp.block, "afterTx", cp.txID, "err", err, "retryIn", pause)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return
		}
	}
}

// streamFrom reads events from one peer until its stream ends, moving the
// checkpoint past every event it delivers.
func (l *Ledger) streamFrom(ctx context.Context, p *peerConn, cp *checkpoint, out chan<- gateway.Event) (delivered bool, err error) {
	gw, err := l.gatewayFor(l.cfg.Reader, p)
	if err != nil {
		return false, err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := gw.GetNetwork(l.cfg.Channel).ChaincodeEvents(sctx, l.cfg.Chaincode, cp.option())
	if err != nil {
		return false, l.mapError(ctx, "events", p, "", err)
	}
	// fabric-gateway's goroutine sends without watching the context, so
	// whatever happens the channel is drained until it closes.
	defer func() {
		cancel()
		for range events {
		}
	}()
	for ev := range events {
		select {
		case out <- gateway.Event{BlockNumber: ev.BlockNumber, TxID: ev.TransactionID, Name: ev.EventName, Payload: ev.Payload}:
			cp.block, cp.txID = ev.BlockNumber, ev.TransactionID
			delivered = true
		case <-ctx.Done():
			return delivered, ctx.Err()
		}
	}
	return delivered, errors.New("stream ended")
}
