// Package fabric is the Ledger adapter for a real Hyperledger Fabric v3
// network, on the fabric-gateway client API (github.com/hyperledger/fabric-gateway).
//
// One gRPC connection per peer is opened by Open and kept for the life of
// the Ledger (TLS, verified against the peer's TLS CA); gRPC reconnects it by
// itself after a peer restart. Every call acts as one identity and goes to a
// peer of that identity's own organisation (its MSP ID), whose Gateway
// service collects the other endorsements the chaincode's policy needs
// through service discovery.
//
// Submit is endorse, submit (SubmitAsync: the transaction is handed to the
// ordering service) and then wait for the commit status, each step with its
// own timeout. Errors map onto the seam's types exactly as devledger reports
// them: a chaincode refusal is a *gateway.ChaincodeError (the chaincode's
// "CODE: message" is found in the gRPC status or in the per-peer error
// details), a transaction invalidated at commit is a *gateway.CommitError
// with Fabric's validation code name, and an unreachable or timed-out peer
// is an error wrapping gateway.ErrUnavailable.
//
// Events, Block, Transaction and Height act as the configured Reader
// identity: chaincode events come from the peer's Gateway event service with
// a checkpoint (the stream resumes after a disconnect from the last
// delivered event, on another peer if need be), and blocks and transactions
// are read through the qscc system chaincode and decoded here.
package fabric

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	fgid "github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Peer is one peer's Gateway endpoint.
type Peer struct {
	// MSPID is the organisation the peer belongs to; identities of this
	// organisation talk to it.
	MSPID string
	// Endpoint is host:port of the peer's gRPC listener.
	Endpoint string
	// TLSCACert is the PEM certificate of the CA that issued the peer's TLS
	// server certificate.
	TLSCACert []byte
	// ServerName overrides the host name checked against the peer's TLS
	// certificate (default: the endpoint's host).
	ServerName string
}

// Config configures a Fabric ledger.
type Config struct {
	// Channel and Chaincode name the deployment (both required).
	Channel   string
	Chaincode string
	// Peers lists the peers to connect to, at least one per organisation
	// whose identities will call the ledger. Where an organisation has
	// several, the first one that is not known to be down is used.
	Peers []Peer
	// Reader is the identity that streams events and reads blocks and
	// transactions (through qscc). It must be a member of the channel.
	Reader *identity.Identity
	// Timeouts of the four steps (defaults 10 s, 15 s, 10 s, 60 s). The
	// caller's context can only shorten them.
	EvaluateTimeout     time.Duration
	EndorseTimeout      time.Duration
	SubmitTimeout       time.Duration
	CommitStatusTimeout time.Duration
	// EventRetryMax bounds the pause between attempts to reopen a broken
	// event stream (default 5 s; attempts start at 250 ms and double).
	EventRetryMax time.Duration
	// MaxRecvMsgSize is the largest gRPC message accepted from a peer
	// (default 100 MiB: a whole block read through qscc).
	MaxRecvMsgSize int
	Logger         *slog.Logger
}

// Config returns a Config for a chaincode on this network, with every
// organisation's peer and reader as the Reader identity.
func (n *Network) Config(chaincode string, reader *identity.Identity) (Config, error) {
	peers, err := n.Peers()
	if err != nil {
		return Config{}, err
	}
	return Config{Channel: n.Channel, Chaincode: chaincode, Peers: peers, Reader: reader}, nil
}

// Ledger is a Fabric network seen through fabric-gateway. It implements
// gateway.Ledger.
type Ledger struct {
	cfg    Config
	log    *slog.Logger
	peers  []*peerConn            // in configuration order
	byMSP  map[string][]*peerConn // organisation -> its peers
	ctx    context.Context        // ends at Close
	cancel context.CancelFunc
	closed atomic.Bool

	mu       sync.Mutex
	gateways map[gwKey]*client.Gateway

	// fence is one past the highest block any submission through this
	// gateway was committed in: a caller that was told "committed" must
	// see its write on whichever organisation's peer it reads next.
	fence atomic.Uint64
}

var _ gateway.Ledger = (*Ledger)(nil)

type peerConn struct {
	mspID    string
	endpoint string
	conn     *grpc.ClientConn
	height   atomic.Uint64 // highest chain height seen on this peer
}

type gwKey struct {
	creator  string
	endpoint string
}

// Open connects to every configured peer. Connections are made lazily by
// gRPC, so Open succeeds while peers are down; calls then fail with
// gateway.ErrUnavailable until a peer is reachable.
func Open(cfg Config) (*Ledger, error) {
	if cfg.Channel == "" || cfg.Chaincode == "" {
		return nil, errors.New("fabric: channel and chaincode are required")
	}
	if len(cfg.Peers) == 0 {
		return nil, errors.New("fabric: no peers configured")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.EvaluateTimeout, 10*time.Second)
	def(&cfg.EndorseTimeout, 15*time.Second)
	def(&cfg.SubmitTimeout, 10*time.Second)
	def(&cfg.CommitStatusTimeout, time.Minute)
	def(&cfg.EventRetryMax, 5*time.Second)
	if cfg.MaxRecvMsgSize <= 0 {
		cfg.MaxRecvMsgSize = 100 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Ledger{cfg: cfg, log: cfg.Logger, byMSP: map[string][]*peerConn{}, ctx: ctx, cancel: cancel, gateways: map[gwKey]*client.Gateway{}}
	for _, p := range cfg.Peers {
		pc, err := dial(p, cfg.MaxRecvMsgSize)
		if err != nil {
			l.Close()
			return nil, err
		}
		l.peers = append(l.peers, pc)
		l.byMSP[p.MSPID] = append(l.byMSP[p.MSPID], pc)
	}
	return l, nil
}

func dial(p Peer, maxRecv int) (*peerConn, error) {
	if p.MSPID == "" || p.Endpoint == "" {
		return nil, errors.New("fabric: a peer needs an MSP ID and an endpoint")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.TLSCACert) {
		return nil, fmt.Errorf("fabric: no PEM TLS CA certificate for peer %s", p.Endpoint)
	}
	serverName := p.ServerName
	if serverName == "" {
		host, _, err := net.SplitHostPort(p.Endpoint)
		if err != nil {
			return nil, fmt.Errorf("fabric: peer endpoint %q: %w", p.Endpoint, err)
		}
		serverName = host
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12})
	conn, err := grpc.NewClient(p.Endpoint,
		grpc.WithTransportCredentials(creds),
		// A restarted peer is found again within a few seconds (gRPC's
		// default backoff grows to two minutes).
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 250 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 3 * time.Second},
			MinConnectTimeout: 5 * time.Second,
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecv)),
	)
	if err != nil {
		return nil, fmt.Errorf("fabric: peer %s: %w", p.Endpoint, err)
	}
	return &peerConn{mspID: p.MSPID, endpoint: p.Endpoint, conn: conn}, nil
}

// Close closes every connection; calls in flight fail with
// gateway.ErrUnavailable and event streams end.
func (l *Ledger) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	l.cancel()
	l.mu.Lock()
	for k, gw := range l.gateways {
		gw.Close()
		delete(l.gateways, k)
	}
	l.mu.Unlock()
	var errs []error
	for _, p := range l.peers {
		if err := p.conn.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Reader is the identity that reads events, blocks and transactions.
func (l *Ledger) Reader() *identity.Identity { return l.cfg.Reader }

func (l *Ledger) available() error {
	if l.closed.Load() {
		return fmt.Errorf("%w: fabric ledger closed", gateway.ErrUnavailable)
	}
	return nil
}

// orgPeer picks the peer an identity talks to: the first of its
// organisation's peers that gRPC does not currently know to be down.
func (l *Ledger) orgPeer(id *identity.Identity) (*peerConn, error) {
	if id == nil {
		return nil, errors.New("fabric: no identity")
	}
	ps := l.byMSP[id.MSPID]
	if len(ps) == 0 {
		return nil, fmt.Errorf("fabric: no peer configured for organisation %s", id.MSPID)
	}
	for _, p := range ps {
		if p.conn.GetState() != connectivity.TransientFailure {
			return p, nil
		}
	}
	return ps[0], nil
}

// readPeers lists the peers the reader may use, its own organisation's
// first: every channel member can read blocks and events from any peer.
func (l *Ledger) readPeers() []*peerConn {
	out := append([]*peerConn(nil), l.byMSP[l.cfg.Reader.MSPID]...)
	for _, p := range l.peers {
		if p.mspID != l.cfg.Reader.MSPID {
			out = append(out, p)
		}
	}
	return out
}

// gatewayFor returns the fabric-gateway client of an identity on a peer's
// connection. It is cheap (no network traffic) and cached.
func (l *Ledger) gatewayFor(id *identity.Identity, p *peerConn) (*client.Gateway, error) {
	k := gwKey{creator: string(id.Serialized()), endpoint: p.endpoint}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return nil, fmt.Errorf("%w: fabric ledger closed", gateway.ErrUnavailable)
	}
	if gw, ok := l.gateways[k]; ok {
		return gw, nil
	}
	xid, err := fgid.NewX509Identity(id.MSPID, id.Cert)
	if err != nil {
		return nil, fmt.Errorf("fabric: identity: %w", err)
	}
	// identity.Sign hashes with SHA-256 and signs low-S, as Fabric requires,
	// so fabric-gateway hands it the whole message (hash.NONE).
	gw, err := client.Connect(xid,
		client.WithSign(id.Sign), client.WithHash(hash.NONE), client.WithClientConnection(p.conn),
		client.WithEvaluateTimeout(l.cfg.EvaluateTimeout), client.WithEndorseTimeout(l.cfg.EndorseTimeout),
		client.WithSubmitTimeout(l.cfg.SubmitTimeout), client.WithCommitStatusTimeout(l.cfg.CommitStatusTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("fabric: %w", err)
	}
	l.gateways[k] = gw
	return gw, nil
}

func (l *Ledger) proposal(id *identity.Identity, chaincode string, req gateway.Request) (*peerConn, *client.Proposal, error) {
	if err := l.available(); err != nil {
		return nil, nil, err
	}
	p, err := l.orgPeer(id)
	if err != nil {
		return nil, nil, err
	}
	gw, err := l.gatewayFor(id, p)
	if err != nil {
		return nil, nil, err
	}
	l.awaitFence(gw, p)
	opts := []client.ProposalOption{client.WithArguments(req.Args...)}
	if len(req.Transient) > 0 {
		opts = append(opts, client.WithTransient(req.Transient))
	}
	if len(req.EndorsingOrgs) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(req.EndorsingOrgs...))
	}
	prop, err := gw.GetNetwork(l.cfg.Channel).GetContract(chaincode).NewProposal(req.Function, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("fabric: proposal: %w", err)
	}
	return p, prop, nil
}

// Evaluate runs a query on a peer of the identity's organisation.
func (l *Ledger) Evaluate(ctx context.Context, id *identity.Identity, req gateway.Request) ([]byte, error) {
	p, prop, err := l.proposal(id, l.cfg.Chaincode, req)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, l.cfg.EvaluateTimeout)
	defer cancel()
	out, err := prop.EvaluateWithContext(cctx)
	if err != nil {
		return nil, l.mapError(ctx, "evaluate", p, prop.TransactionID(), err)
	}
	return out, nil
}

// Submit endorses, orders and commits a transaction and returns once the
// identity's peer has committed it.
func (l *Ledger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	prep, err := l.Prepare(ctx, id, req)
	if err != nil {
		return nil, err
	}
	return prep.Submit(ctx)
}

// Prepared is an endorsed transaction that has not been sent for ordering
// yet. Two transactions prepared before either is submitted were simulated
// against the same state, which is how the conformance suite makes MVCC and
// phantom read conflicts happen on purpose.
type Prepared struct {
	l    *Ledger
	peer *peerConn
	tx   *client.Transaction
}

// Prepare endorses a transaction (the chaincode runs on the endorsing peers)
// without submitting it.
func (l *Ledger) Prepare(ctx context.Context, id *identity.Identity, req gateway.Request) (*Prepared, error) {
	p, prop, err := l.proposal(id, l.cfg.Chaincode, req)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, l.cfg.EndorseTimeout)
	defer cancel()
	tx, err := prop.EndorseWithContext(cctx)
	if err != nil {
		return nil, l.mapError(ctx, "endorse", p, prop.TransactionID(), err)
	}
	return &Prepared{l: l, peer: p, tx: tx}, nil
}

// TxID is the transaction's id.
func (pr *Prepared) TxID() string { return pr.tx.TransactionID() }

// Result is the chaincode's answer from the endorsement.
func (pr *Prepared) Result() []byte { return pr.tx.Result() }

// Submit sends the endorsed transaction to the ordering service and waits
// for its commit status.
//
// Once the transaction may have reached the orderers, a failure to learn
// its outcome is a *gateway.PendingError carrying the transaction id (and
// wrapping the *Error): the commit status timed out or could not be read,
// or the submit step itself timed out (the peer's Gateway may have
// forwarded the transaction before the deadline). A submit step that the
// Gateway answered with a refusal, or a peer that could not be reached at
// all, is an *Error as before: nothing was ordered.
func (pr *Prepared) Submit(ctx context.Context) (*gateway.Commit, error) {
	l, txID := pr.l, pr.TxID()
	if err := l.available(); err != nil {
		return nil, err
	}
	if err := gateway.BeforeOrdering(ctx, txID, pr.tx.Result()); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, l.cfg.SubmitTimeout)
	commit, err := pr.tx.SubmitWithContext(sctx)
	cancel()
	if err != nil {
		mapped := l.mapError(ctx, "submit", pr.peer, txID, err)
		if submitMayHaveOrdered(ctx, err) {
			return nil, &gateway.PendingError{TxID: txID, Result: pr.tx.Result(), Err: mapped}
		}
		return nil, mapped
	}
	cctx, cancel := context.WithTimeout(ctx, l.cfg.CommitStatusTimeout)
	defer cancel()
	st, err := commit.StatusWithContext(cctx)
	if err != nil {
		// The transaction was handed to the orderers and may still commit;
		// the caller can look it up by id.
		return nil, &gateway.PendingError{TxID: txID, Result: pr.tx.Result(), Err: l.mapError(ctx, "commit status", pr.peer, txID, err)}
	}
	l.raiseFence(st.BlockNumber + 1)
	if !st.Successful {
		return nil, &gateway.CommitError{TxID: txID, BlockNumber: st.BlockNumber, Code: validationCode(st.Code)}
	}
	return &gateway.Commit{TxID: txID, BlockNumber: st.BlockNumber, Payload: pr.tx.Result()}, nil
}

// submitMayHaveOrdered reports whether a failed submit step leaves the
// transaction's fate open: the call ran out of time (the caller's deadline,
// the submit timeout, or the caller went away) after the request may have
// left for the peer's Gateway, which forwards it to the orderers.
func submitMayHaveOrdered(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded, codes.Canceled:
		return true
	}
	return false
}

// fenceWait bounds how long a read waits for a lagging peer; past it the
// read goes ahead (the peer is likely down, and the call reports that).
const fenceWait = 3 * time.Second

func (l *Ledger) raiseFence(height uint64) {
	for {
		cur := l.fence.Load()
		if height <= cur || l.fence.CompareAndSwap(cur, height) {
			return
		}
	}
}

// awaitFence makes a peer of another organisation catch up with what this
// gateway has already reported as committed: a submit returns once the
// submitter's own peer has committed, and the other peers follow within
// milliseconds. Without this, a caller of another organisation could read
// right after a write and not see it, which devledger never allows. The
// common case costs nothing: the peer's known height already passes the
// fence.
func (l *Ledger) awaitFence(gw *client.Gateway, p *peerConn) {
	need := l.fence.Load()
	if need == 0 || p.height.Load() >= need {
		return
	}
	qscc := gw.GetNetwork(l.cfg.Channel).GetContract("qscc")
	deadline := time.Now().Add(fenceWait)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		raw, err := qscc.Evaluate("GetChainInfo", client.WithArguments(l.cfg.Channel))
		if err == nil {
			info := &common.BlockchainInfo{}
			if proto.Unmarshal(raw, info) == nil {
				h := info.GetHeight()
				for cur := p.height.Load(); h > cur && !p.height.CompareAndSwap(cur, h); cur = p.height.Load() {
				}
				if h >= need {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			l.log.Warn("peer did not catch up with committed writes in time", "peer", p.endpoint, "need", need, "have", p.height.Load())
			return
		}
		time.Sleep(delay)
	}
}
