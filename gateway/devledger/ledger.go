package devledger

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	bolt "go.etcd.io/bbolt"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Config configures an embedded ledger.
type Config struct {
	// Dir is the data directory; it is created if missing.
	Dir string
	// Chaincode is the chaincode to run, normally contractapi.NewChaincode(...).
	Chaincode shim.Chaincode
	// ChaincodeName and Channel name the deployment (defaults "qingchain").
	ChaincodeName string
	Channel       string
	// Orgs are the MSP IDs of the channel's organisations. Each gets a CA
	// the first time the ledger is created; later opens may add new ones.
	Orgs []string
	// BatchMaxTx and BatchTimeout bound a block: a block is cut when it
	// holds BatchMaxTx transactions or BatchTimeout after its first one
	// arrived, whichever comes first. Under load, transactions that queue up
	// while a block commits go together into the next one.
	BatchMaxTx   int
	BatchTimeout time.Duration
	// Now gives transaction timestamps; tests set it to move time.
	Now func() time.Time
	// EndorsementPolicy is the chaincode's endorsement policy in Fabric's
	// signature policy syntax (network/endorsement-policy); empty: one
	// endorsement by any organisation's peer.
	EndorsementPolicy string
	// Collections are the chaincode's private data collections
	// (ParseCollections reads Fabric's collection configuration).
	Collections []Collection
	// NoSync skips fsync; only for benchmarks that measure everything else.
	NoSync bool
	Logger *slog.Logger
}

// Ledger is an open embedded ledger. It implements gateway.Ledger.
type Ledger struct {
	cfg Config
	db  *bolt.DB
	log *slog.Logger
	cas map[string]*identity.CA
	// peers are the organisations' endorsing peers, one each.
	peers  map[string]*identity.Identity
	val    *validator
	height atomic.Uint64

	queue   chan *pending
	done    chan struct{}
	stopped chan struct{}
	closing sync.Once
	// notify is closed and replaced after each commit to wake event readers.
	notifyMu sync.Mutex
	notify   chan struct{}
	failed   atomic.Pointer[error]
}

var _ gateway.Ledger = (*Ledger)(nil)

type pending struct {
	txID     string
	envelope []byte
	private  []PrivateWrites
	result   chan commitResult
}

type commitResult struct {
	block uint64
	code  string
	err   error
}

// genesisConfig is the channel configuration held in block 0.
type genesisConfig struct {
	Channel   string      `json:"channel"`
	Chaincode string      `json:"chaincode"`
	Orgs      []orgConfig `json:"orgs"`
}

type orgConfig struct {
	MSPID  string `json:"mspId"`
	CACert []byte `json:"caCert"`
}

// Open opens or creates the ledger in cfg.Dir.
func Open(cfg Config) (*Ledger, error) {
	if cfg.Chaincode == nil {
		return nil, errors.New("devledger: no chaincode")
	}
	if cfg.ChaincodeName == "" {
		cfg.ChaincodeName = "qingchain"
	}
	if cfg.Channel == "" {
		cfg.Channel = "qingchain"
	}
	if cfg.BatchMaxTx <= 0 {
		cfg.BatchMaxTx = 500
	}
	if cfg.BatchTimeout < 0 {
		cfg.BatchTimeout = 0
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("devledger: %w", err)
	}
	cas, err := loadOrCreateCAs(filepath.Join(cfg.Dir, "msp"), cfg.Orgs)
	if err != nil {
		return nil, err
	}
	// The freelist is rebuilt on open rather than written at every commit:
	// one write fewer per block, same durability of the data.
	db, err := bolt.Open(filepath.Join(cfg.Dir, "ledger.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second, NoSync: cfg.NoSync, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("devledger: open ledger.db: %w", err)
	}
	peers := make(map[string]*identity.Identity, len(cas))
	for msp, ca := range cas {
		// The peer's certificate is made afresh at every start; blocks
		// carry the endorsers' certificates, checked against the CA.
		if peers[msp], err = ca.Issue("peer0."+strings.ToLower(msp), identity.RolePeer, nil); err != nil {
			return nil, fmt.Errorf("devledger: peer of %s: %w", msp, err)
		}
	}
	l := &Ledger{
		cfg: cfg, db: db, log: cfg.Logger, cas: cas, peers: peers,
		queue: make(chan *pending, 4096), done: make(chan struct{}), stopped: make(chan struct{}),
		notify: make(chan struct{}),
	}
	if err := l.init(); err != nil {
		db.Close()
		return nil, err
	}
	go l.orderLoop()
	return l, nil
}

func (l *Ledger) init() error {
	return l.db.Update(func(tx *bolt.Tx) error {
		for _, b := range append(slices.Clone(allBuckets), localBuckets...) {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		h := readHeight(tx)
		if h == 0 {
			if err := l.writeGenesis(tx); err != nil {
				return err
			}
			h = 1
		}
		if err := checkFormat(tx, l.cfg.Dir); err != nil {
			return err
		}
		cfg, err := readGenesis(tx)
		if err != nil {
			return err
		}
		if cfg.Channel != l.cfg.Channel || cfg.Chaincode != l.cfg.ChaincodeName {
			return fmt.Errorf("devledger: data directory holds channel %q chaincode %q, not %q %q", cfg.Channel, cfg.Chaincode, l.cfg.Channel, l.cfg.ChaincodeName)
		}
		roots, err := rootsFromGenesis(cfg)
		if err != nil {
			return err
		}
		for msp := range l.cas {
			if _, ok := roots[msp]; !ok {
				return fmt.Errorf("devledger: organisation %s is not in this ledger's channel configuration", msp)
			}
		}
		want := definition{Policy: l.cfg.EndorsementPolicy, Collections: l.cfg.Collections}
		if want.Policy == "" {
			want.Policy = defaultPolicy(sortedKeys(roots))
		}
		if _, err := compileDefinition(want); err != nil {
			return err
		}
		defs, err := adoptDefinition(tx, h, want)
		if err != nil {
			return err
		}
		l.val = newValidator(l.cfg.Channel, l.cfg.ChaincodeName, roots, defs)
		l.height.Store(h)
		return nil
	})
}

func (l *Ledger) writeGenesis(tx *bolt.Tx) error {
	cfg := genesisConfig{Channel: l.cfg.Channel, Chaincode: l.cfg.ChaincodeName}
	for _, msp := range sortedKeys(l.cas) {
		cfg.Orgs = append(cfg.Orgs, orgConfig{MSPID: msp, CACert: l.cas[msp].CertPEM()})
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	b := Block{Header: BlockHeader{Number: 0, DataHash: DataHash([][]byte{raw})}, Data: [][]byte{raw}}
	ts := l.cfg.Now().UnixNano()
	b.Metadata = BlockMetadata{CommitHash: commitHash(nil, ts, nil, nil), Timestamp: ts}
	return putBlock(tx, &b)
}

func putBlock(tx *bolt.Tx, b *Block) error {
	raw, err := encodeBlock(b)
	if err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if b.Header.Number == 0 {
		if err := meta.Put(metaFormat, []byte(storageFormat)); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketBlocks).Put(u64(b.Header.Number), raw); err != nil {
		return err
	}
	if err := meta.Put(metaHeight, u64(b.Header.Number+1)); err != nil {
		return err
	}
	if err := meta.Put(metaLastHash, b.Header.Hash()); err != nil {
		return err
	}
	return meta.Put(metaCommitHash, b.Metadata.CommitHash)
}

func readGenesis(tx *bolt.Tx) (*genesisConfig, error) {
	raw, err := readBlockRaw(tx, 0)
	if err != nil {
		return nil, err
	}
	b, err := decodeBlock(raw)
	if err != nil || len(b.Data) != 1 {
		return nil, errors.New("devledger: corrupt genesis block")
	}
	var cfg genesisConfig
	if err := json.Unmarshal(b.Data[0], &cfg); err != nil {
		return nil, fmt.Errorf("devledger: genesis configuration: %w", err)
	}
	return &cfg, nil
}

func rootsFromGenesis(cfg *genesisConfig) (map[string]*x509.CertPool, error) {
	roots := make(map[string]*x509.CertPool)
	for _, o := range cfg.Orgs {
		cert, err := identity.ParseCertPEM(o.CACert)
		if err != nil {
			return nil, fmt.Errorf("devledger: CA of %s: %w", o.MSPID, err)
		}
		p := x509.NewCertPool()
		p.AddCert(cert)
		roots[o.MSPID] = p
	}
	return roots, nil
}

// CA returns an organisation's certificate authority, for enrolling members.
func (l *Ledger) CA(mspID string) (*identity.CA, error) {
	ca, ok := l.cas[mspID]
	if !ok {
		return nil, fmt.Errorf("devledger: unknown organisation %q", mspID)
	}
	return ca, nil
}

// Orgs lists the channel's MSP IDs.
func (l *Ledger) Orgs() []string { return sortedKeys(l.cas) }

// validator holds what validation needs from the channel configuration.
type validator struct {
	channel   string
	chaincode string
	roots     map[string]*x509.CertPool
	defs      definitions
	// certs are creators already verified against their MSP, by their
	// serialized form: parsing and chain verification cost more than a
	// signature check, and the same identities sign transaction after
	// transaction. Bounded, so that many identities cannot grow it.
	certs *lru.Cache[string, *creatorEntry]
}

// creatorCacheSize bounds the verified creators kept (a few KB each).
const creatorCacheSize = 1024

func newValidator(channel, chaincode string, roots map[string]*x509.CertPool, defs definitions) *validator {
	certs, err := lru.New[string, *creatorEntry](creatorCacheSize)
	if err != nil {
		panic("devledger: LRU of positive size: " + err.Error())
	}
	return &validator{channel: channel, chaincode: chaincode, roots: roots, defs: defs, certs: certs}
}

// checkCreator validates a serialized creator against the channel's MSPs:
// known MSP ID, certificate issued by that organisation's CA. Successes
// are cached; refusals are not, so the cache holds only channel members.
func (v *validator) checkCreator(creator []byte) (*x509.Certificate, string, error) {
	if e, ok := v.certs.Get(string(creator)); ok {
		return e.cert, e.msp, nil
	}
	msp, cert, err := identity.Deserialize(creator)
	if err != nil {
		return nil, "", err
	}
	roots, ok := v.roots[msp]
	if !ok {
		return nil, "", fmt.Errorf("creator's MSP %q is not a member of the channel", msp)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, "", fmt.Errorf("creator certificate is not valid for %s: %w", msp, err)
	}
	v.certs.Add(string(creator), &creatorEntry{cert: cert, msp: msp})
	return cert, msp, nil
}

type creatorEntry struct {
	cert *x509.Certificate
	msp  string
}

func (l *Ledger) available() error {
	if p := l.failed.Load(); p != nil {
		return fmt.Errorf("%w: %v", gateway.ErrUnavailable, *p)
	}
	select {
	case <-l.done:
		return fmt.Errorf("%w: ledger closed", gateway.ErrUnavailable)
	default:
		return nil
	}
}

// endorsement is the result of simulating a proposal on one peer.
type endorsement struct {
	header   *parsedHeader
	args     [][]byte
	response Response
	rwset    RWSet
	event    *ChaincodeEvent
	private  []PrivateWrites
	peer     string
	// What a further peer needs to simulate the same proposal.
	signed     *signedProposal
	proposal   *parsedProposal
	creatorMSP string
	snapshot   *bolt.Tx
	// vparam reads key-level policies from the snapshot simulated on.
	vparams map[string][]byte
}

// checkProposal parses a proposal and checks its creator against the
// channel's MSPs, as every endorsing peer does.
func (l *Ledger) checkProposal(sp *signedProposal) (*parsedProposal, string, error) {
	p, err := parseProposal(sp.SignedProposal)
	if err != nil {
		return nil, "", fmt.Errorf("devledger: malformed proposal: %w", err)
	}
	h := p.header
	if h.channel != l.cfg.Channel || h.chaincode != l.cfg.ChaincodeName {
		return nil, "", fmt.Errorf("devledger: proposal for %s/%s, this ledger runs %s/%s", h.channel, h.chaincode, l.cfg.Channel, l.cfg.ChaincodeName)
	}
	_, msp, err := l.val.checkCreator(h.creator)
	if err != nil {
		return nil, "", fmt.Errorf("devledger: access denied: %w", err)
	}
	return p, msp, nil
}

// endorseOn simulates a proposal against committed state (the snapshot
// rtx) on the peer of organisation org, as that endorsing peer does. Every
// peer of one endorsement simulates on the same snapshot: devledger's peers
// share one ledger, so they are never at different heights.
func (l *Ledger) endorseOn(rtx *bolt.Tx, sp *signedProposal, p *parsedProposal, creatorMSP, org string) (*endorsement, error) {
	h := p.header
	s := &stub{
		tx: rtx, chaincode: l.cfg.ChaincodeName, channel: h.channel, txID: h.txID, args: p.args,
		creator: h.creator, transient: p.transient, signed: sp.SignedProposal, binding: h.binding(),
		timestamp: h.timestamp, reads: make(map[string]*Version), writes: make(map[string]KVWrite),
		metaWrites: map[string][]byte{}, peer: org, creatorMSP: creatorMSP, def: l.val.defs.at(l.height.Load()),
		pvtReads: map[string]map[string]*Version{}, pvtWrites: map[string]map[string]KVWrite{},
	}
	if s.transient == nil {
		s.transient = map[string][]byte{}
	}
	resp := l.invoke(s)
	e := &endorsement{
		header: h, args: p.args,
		response: Response(resp),
		rwset:    s.rwset(), event: s.event, private: s.private(), peer: org,
		signed: sp, proposal: p, creatorMSP: creatorMSP, vparams: map[string][]byte{}, snapshot: rtx,
	}
	vps := rtx.Bucket(bucketVParams)
	for _, w := range e.rwset.Writes {
		e.vparams[w.Key] = bytes.Clone(vps.Get([]byte(w.Key)))
	}
	for _, m := range e.rwset.MetaWrites {
		e.vparams[m.Key] = bytes.Clone(vps.Get([]byte(m.Key)))
	}
	return e, nil
}

// invoke runs the chaincode, turning a panic into an error response as the
// peer does when a chaincode container fails a transaction.
func (l *Ledger) invoke(s *stub) (resp respLike) {
	defer func() {
		if r := recover(); r != nil {
			l.log.Error("chaincode panicked", "txId", s.txID, "panic", fmt.Sprint(r))
			resp = respLike{Status: shim.ERROR, Message: fmt.Sprintf("INTERNAL: chaincode panicked: %v", r)}
		}
	}()
	r := l.cfg.Chaincode.Invoke(s)
	if r == nil {
		return respLike{Status: shim.ERROR, Message: "INTERNAL: chaincode returned no response"}
	}
	return respLike{Status: r.Status, Message: r.Message, Payload: r.Payload}
}

type respLike struct {
	Status  int32
	Message string
	Payload []byte
}

// Evaluate simulates a query and returns its payload; nothing is ordered.
func (l *Ledger) Evaluate(ctx context.Context, id *identity.Identity, req gateway.Request) ([]byte, error) {
	e, _, err := l.simulate(ctx, id, req)
	if err != nil {
		return nil, err
	}
	e.snapshot.Rollback()
	return e.response.Payload, nil
}

// simulate builds a proposal as the client, endorses it as the peer of the
// client's organisation, and turns a chaincode refusal into a
// *gateway.ChaincodeError. The endorsement holds its snapshot open: the
// caller rolls e.snapshot back.
func (l *Ledger) simulate(ctx context.Context, id *identity.Identity, req gateway.Request) (*endorsement, string, error) {
	if err := l.available(); err != nil {
		return nil, "", err
	}
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	sp, txID, err := newSignedProposal(id, l.cfg.Channel, l.cfg.ChaincodeName, req, l.cfg.Now())
	if err != nil {
		return nil, "", err
	}
	p, msp, err := l.checkProposal(&signedProposal{sp})
	if err != nil {
		return nil, "", err
	}
	rtx, err := l.db.Begin(false)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", gateway.ErrUnavailable, err)
	}
	e, err := l.endorseOn(rtx, &signedProposal{sp}, p, msp, l.localPeer(msp))
	if err != nil {
		rtx.Rollback()
		return nil, "", err
	}
	if e.response.Status >= shim.ERRORTHRESHOLD {
		rtx.Rollback()
		ce := gateway.ParseChaincodeMessage(e.response.Message)
		ce.TxID = txID
		return nil, "", ce
	}
	return e, txID, nil
}

// localPeer is the peer a client of organisation msp talks to: its own
// organisation's.
func (l *Ledger) localPeer(msp string) string {
	if _, ok := l.peers[msp]; ok {
		return msp
	}
	return l.Orgs()[0]
}

// Submit endorses, orders, validates and durably commits a transaction.
func (l *Ledger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	p, err := l.prepare(ctx, id, req)
	if err != nil {
		return nil, err
	}
	return l.order(ctx, p.txID, p.envelope, p.payload, p.private)
}

// prepared is an endorsed transaction, signed by its creator, not yet ordered.
type prepared struct {
	txID     string
	envelope []byte
	payload  []byte
	private  []PrivateWrites
}

func (l *Ledger) prepare(ctx context.Context, id *identity.Identity, req gateway.Request) (*prepared, error) {
	e, txID, err := l.simulate(ctx, id, req)
	if err != nil {
		return nil, err
	}
	defer e.snapshot.Rollback()
	def := l.val.defs.at(l.height.Load())
	orgs, err := l.plan(def, &e.rwset, len(req.Transient) > 0, e.peer, func(k string) []byte { return e.vparams[k] })
	if len(req.EndorsingOrgs) > 0 {
		orgs, err = nil, nil
		for _, o := range req.EndorsingOrgs {
			if _, ok := l.peers[o]; !ok {
				err = fmt.Errorf("no peer of organisation %s", o)
				break
			}
			if !slices.Contains(orgs, o) {
				orgs = append(orgs, o)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("devledger: endorsement of %s failed: %w", txID, err)
	}
	prp, err := responsePayload(e.header, e.proposal.input, l.cfg.ChaincodeName, e.response, &e.rwset, e.event)
	if err != nil {
		return nil, err
	}
	var ends []Endorsement
	for _, org := range orgs {
		if org != e.peer {
			if err := l.endorseAgain(e, org, prp); err != nil {
				var ce *gateway.ChaincodeError
				if errors.As(err, &ce) {
					ce.TxID = txID
					return nil, ce
				}
				return nil, fmt.Errorf("devledger: endorsement of %s failed: %w", txID, err)
			}
		}
		peer := l.peers[org]
		sig, err := peer.Sign(endorsedMessage(prp, peer.Serialized()))
		if err != nil {
			return nil, err
		}
		ends = append(ends, Endorsement{Endorser: peer.Serialized(), Signature: sig})
	}
	payload, err := txPayload(e.header, e.proposal.input, prp, ends)
	if err != nil {
		return nil, err
	}
	sig, err := id.Sign(payload)
	if err != nil {
		return nil, err
	}
	env, err := marshalEnvelope(payload, sig)
	if err != nil {
		return nil, err
	}
	return &prepared{txID: txID, envelope: env, payload: e.response.Payload, private: e.private}, nil
}

// endorseAgain simulates the proposal of e on org's peer; the peer endorses
// only what the first peer computed.
func (l *Ledger) endorseAgain(e *endorsement, org string, want []byte) error {
	sp, p := e.signed, e.proposal
	o, err := l.endorseOn(e.snapshot, sp, p, e.creatorMSP, org)
	if err != nil {
		return err
	}
	if o.response.Status >= shim.ERRORTHRESHOLD {
		// The chaincode refused on this peer (a non-member reading private
		// data, say): the refusal reaches the client as Fabric's gateway
		// reports it, with the chaincode's message.
		return gateway.ParseChaincodeMessage(o.response.Message)
	}
	got, err := responsePayload(o.header, p.input, l.cfg.ChaincodeName, o.response, &o.rwset, o.event)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("the peers of %s and %s computed different results", e.peer, org)
	}
	return nil
}

func (l *Ledger) order(ctx context.Context, txID string, env, payload []byte, private []PrivateWrites) (*gateway.Commit, error) {
	p := &pending{txID: txID, envelope: env, private: private, result: make(chan commitResult, 1)}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := gateway.BeforeOrdering(ctx, txID, payload); err != nil {
		return nil, err
	}
	select {
	case l.queue <- p:
	case <-l.done:
		return nil, fmt.Errorf("%w: ledger closed", gateway.ErrUnavailable)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-p.result:
		if r.err != nil {
			return nil, r.err
		}
		if r.code != string(gateway.Valid) {
			return nil, &gateway.CommitError{TxID: txID, BlockNumber: r.block, Code: gateway.ValidationCode(r.code)}
		}
		return &gateway.Commit{TxID: txID, BlockNumber: r.block, Payload: payload}, nil
	case <-ctx.Done():
		// The transaction may still commit; like a Fabric client that stops
		// waiting, the caller can look it up by id.
		return nil, &gateway.PendingError{TxID: txID, Result: payload, Err: ctx.Err()}
	}
}

// The ordering service is a three-stage pipeline, one batch in each stage
// at a time: orderLoop cuts batches, verifyLoop checks their envelopes
// (signatures, creators) in parallel, commitLoop validates them against
// state and writes them durably. While a block is being fsynced the next
// one is being verified and a third is gathering transactions; a batch
// keeps growing (up to BatchMaxTx) for as long as the stage after it is
// busy, so that under load blocks are large and fsyncs are few.
type verifiedBatch struct {
	batch   []*pending
	envs    [][]byte
	checked []checkedTx
}

func (l *Ledger) orderLoop() {
	toVerify := make(chan []*pending)
	toCommit := make(chan *verifiedBatch)
	go l.verifyLoop(toVerify, toCommit)
	go l.commitLoop(toCommit)
	defer close(toVerify)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var batch []*pending
		select {
		case p := <-l.queue:
			batch = append(batch, p)
		case <-l.done:
			l.drain()
			return
		}
		expired := l.cfg.BatchTimeout == 0
		if !expired {
			timer.Reset(l.cfg.BatchTimeout)
		}
		for batch != nil {
			switch {
			case len(batch) >= l.cfg.BatchMaxTx:
				toVerify <- batch
				batch = nil
			case expired:
				select {
				case toVerify <- batch:
					batch = nil
				case p := <-l.queue:
					batch = append(batch, p)
				}
			default:
				select {
				case p := <-l.queue:
					batch = append(batch, p)
				case <-timer.C:
					expired = true
				}
			}
		}
		timer.Stop()
	}
}

func (l *Ledger) verifyLoop(in <-chan []*pending, out chan<- *verifiedBatch) {
	defer close(out)
	for batch := range in {
		envs := make([][]byte, len(batch))
		for i, p := range batch {
			envs[i] = p.envelope
		}
		out <- &verifiedBatch{batch: batch, envs: envs, checked: l.val.checkEnvelopes(envs)}
	}
}

func (l *Ledger) commitLoop(in <-chan *verifiedBatch) {
	defer close(l.stopped)
	for vb := range in {
		l.commitBatch(vb)
	}
}

func (l *Ledger) drain() {
	for {
		select {
		case p := <-l.queue:
			p.result <- commitResult{err: fmt.Errorf("%w: ledger closed", gateway.ErrUnavailable)}
		default:
			return
		}
	}
}

func (l *Ledger) commitBatch(vb *verifiedBatch) {
	batch, envs, checked := vb.batch, vb.envs, vb.checked
	if p := l.failed.Load(); p != nil {
		for _, p := range batch {
			p.result <- commitResult{err: fmt.Errorf("%w: ledger failed earlier", gateway.ErrUnavailable)}
		}
		return
	}
	var blockNum uint64
	var codes []string
	err := l.db.Update(func(tx *bolt.Tx) error {
		var err error
		blockNum, codes, err = l.appendBlock(tx, batch, envs, checked)
		return err
	})
	if err != nil {
		l.log.Error("commit failed; ledger unavailable", "err", err)
		l.failed.Store(&err)
		for _, p := range batch {
			p.result <- commitResult{err: fmt.Errorf("%w: commit failed: %v", gateway.ErrUnavailable, err)}
		}
		return
	}
	l.height.Store(blockNum + 1)
	for i, p := range batch {
		p.result <- commitResult{block: blockNum, code: codes[i]}
	}
	l.notifyMu.Lock()
	close(l.notify)
	l.notify = make(chan struct{})
	l.notifyMu.Unlock()
}

// checkedTx is an envelope after the checks that need no state: decoding,
// header and creator validation, signature.
type checkedTx struct {
	payload *TxPayload
	header  *parsedHeader
	code    gateway.ValidationCode
	// endorsers whose signatures verified
	endorsers []signer
}

// checkEnvelopes verifies envelopes in parallel, as a committing peer does.
func (v *validator) checkEnvelopes(envs [][]byte) []checkedTx {
	out := make([]checkedTx, len(envs))
	workers := min(runtime.GOMAXPROCS(0), len(envs))
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(envs) {
					return
				}
				out[i] = v.checkEnvelope(envs[i])
			}
		}()
	}
	wg.Wait()
	return out
}

func (v *validator) checkEnvelope(raw []byte) checkedTx {
	env, err := unmarshalEnvelope(raw)
	if err != nil {
		return checkedTx{code: gateway.InvalidOtherReason}
	}
	// As Fabric's committer: header, then the creator's signature, then
	// the transaction it signed.
	pl, h, err := decodeHeader(env.Payload)
	if err != nil || h.channel != v.channel || h.chaincode != v.chaincode {
		return checkedTx{code: gateway.InvalidOtherReason}
	}
	cert, _, err := v.checkCreator(h.creator)
	if err != nil {
		return checkedTx{header: h, code: gateway.BadCreatorSignature}
	}
	if err := identity.Verify(cert, env.Payload, env.Signature); err != nil {
		return checkedTx{header: h, code: gateway.BadCreatorSignature}
	}
	p, err := decodeBody(pl, h)
	if err != nil {
		return checkedTx{header: h, code: gateway.InvalidOtherReason}
	}
	if p.Response.Status >= shim.ERRORTHRESHOLD {
		return checkedTx{payload: p, header: h, code: gateway.EndorsementPolicyFailure}
	}
	endorsers, ok := v.checkEndorsements(p)
	if !ok {
		return checkedTx{payload: p, header: h, code: gateway.EndorsementPolicyFailure}
	}
	return checkedTx{payload: p, header: h, code: gateway.Valid, endorsers: endorsers}
}

// appendBlock validates transactions in block order against committed state
// and the writes of earlier valid transactions in the same block, applies
// the valid ones and stores the block, all in one bbolt transaction.
func (l *Ledger) appendBlock(tx *bolt.Tx, batch []*pending, envs [][]byte, checked []checkedTx) (uint64, []string, error) {
	meta := tx.Bucket(bucketMeta)
	num := readHeight(tx)
	prevHash := bytes.Clone(meta.Get(metaLastHash))
	prevCommit := bytes.Clone(meta.Get(metaCommitHash))
	private := make([][]PrivateWrites, len(checked))
	for i, p := range batch {
		private[i] = p.private
	}
	codes, writes, err := validateAndApply(tx, num, checked, l.val.defs.at(num), private)
	if err != nil {
		return 0, nil, err
	}
	ts := l.cfg.Now().UnixNano()
	b := &Block{
		Header:   BlockHeader{Number: num, PreviousHash: prevHash, DataHash: DataHash(envs)},
		Data:     envs,
		Metadata: BlockMetadata{Codes: codes, Timestamp: ts},
	}
	b.Metadata.CommitHash = commitHash(prevCommit, ts, codes, writes)
	if err := putBlock(tx, b); err != nil {
		return 0, nil, err
	}
	return num, codes, nil
}

// validateAndApply is the committer's state-dependent validation; Verify
// replays blocks through the very same function.
//
// Endorsement policies are checked first, as Fabric's validation does before
// MVCC: every written key's key-level policy (as committed, including by
// earlier valid transactions of this block), the written collections'
// policies and the chaincode's (see policiesFor). private holds each
// transaction's private values, nil where the caller has none (Verify).
func validateAndApply(tx *bolt.Tx, num uint64, checked []checkedTx, def *chaincodeDefinition, private [][]PrivateWrites) (codes []string, applied []KVWrite, err error) {
	state := tx.Bucket(bucketState)
	hist := tx.Bucket(bucketHistory)
	ids := tx.Bucket(bucketTxIDs)
	seen := make(map[string]bool, len(checked))
	codes = make([]string, len(checked))
	for i, c := range checked {
		code := c.code
		txID := ""
		if c.header != nil {
			txID = c.header.txID
		}
		if code == gateway.Valid && (seen[txID] || ids.Get([]byte(txID)) != nil) {
			code = gateway.DuplicateTxID
		}
		if code == gateway.Valid && def.ep != nil {
			vps := tx.Bucket(bucketVParams)
			ps, perr := policiesFor(def, &c.payload.RWSet, func(k string) []byte { return vps.Get([]byte(k)) })
			if perr != nil || !satisfiesAll(ps, c.endorsers) {
				code = gateway.EndorsementPolicyFailure
			}
		}
		if code == gateway.Valid {
			code, err = checkReads(state, &c.payload.RWSet)
			if err != nil {
				return nil, nil, err
			}
		}
		if code == gateway.Valid {
			ok, err := checkHashedReads(tx, &c.payload.RWSet)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				code = gateway.MVCCReadConflict
			}
		}
		codes[i] = string(code)
		if txID != "" && !seen[txID] && ids.Get([]byte(txID)) == nil {
			seen[txID] = true
			if err := ids.Put([]byte(txID), encodeTxLocation(txLocation{Block: num, Index: uint64(i), Code: string(code)})); err != nil {
				return nil, nil, err
			}
		}
		if code != gateway.Valid {
			continue
		}
		ver := Version{Block: num, Tx: uint64(i)}
		ts := c.header.timestamp.AsTime().UnixNano()
		for _, w := range c.payload.RWSet.Writes {
			if w.IsDelete {
				err = state.Delete([]byte(w.Key))
			} else {
				err = state.Put([]byte(w.Key), encodeState(ver, w.Value))
			}
			if err != nil {
				return nil, nil, err
			}
			if err := hist.Put(historyKey(w.Key, ver), encodeHistory(historyEntry{TxID: txID, Timestamp: ts, IsDelete: w.IsDelete, Value: w.Value})); err != nil {
				return nil, nil, err
			}
			applied = append(applied, w)
		}
		meta, err := applyMeta(tx, ver, &c.payload.RWSet)
		if err != nil {
			return nil, nil, err
		}
		var pvt []PrivateWrites
		if private != nil {
			pvt = private[i]
		}
		hashed, err := applyPrivate(tx, def, ver, &c.payload.RWSet, pvt)
		if err != nil {
			return nil, nil, err
		}
		applied = append(append(applied, meta...), hashed...)
	}
	return codes, applied, nil
}

func checkReads(state *bolt.Bucket, rw *RWSet) (gateway.ValidationCode, error) {
	for _, r := range rw.Reads {
		cur, err := currentVersion(state, r.Key)
		if err != nil {
			return "", err
		}
		if !sameVersion(cur, r.Version) {
			return gateway.MVCCReadConflict, nil
		}
	}
	for _, q := range rw.RangeQueries {
		ok, err := rangeUnchanged(state, q)
		if err != nil {
			return "", err
		}
		if !ok {
			return gateway.PhantomReadConflict, nil
		}
	}
	return gateway.Valid, nil
}

func currentVersion(state *bolt.Bucket, key string) (*Version, error) {
	raw := state.Get([]byte(key))
	if raw == nil {
		return nil, nil
	}
	v, _, err := decodeState(raw)
	return &v, err
}

func sameVersion(a, b *Version) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// rangeUnchanged re-runs a recorded range query: up to its end if the
// iterator was exhausted, else up to the last key it returned.
func rangeUnchanged(state *bolt.Bucket, q RangeQuery) (bool, error) {
	if !q.Exhausted && len(q.Reads) == 0 {
		return true, nil
	}
	c := state.Cursor()
	i := 0
	for k, v := c.Seek([]byte(q.Start)); k != nil; k, v = c.Next() {
		if q.Exhausted {
			if q.End != "" && string(k) >= q.End {
				break
			}
		} else if string(k) > q.Reads[len(q.Reads)-1].Key {
			break
		}
		if i >= len(q.Reads) || q.Reads[i].Key != string(k) {
			return false, nil
		}
		ver, _, err := decodeState(v)
		if err != nil {
			return false, err
		}
		if !sameVersion(&ver, q.Reads[i].Version) {
			return false, nil
		}
		i++
	}
	return i == len(q.Reads), nil
}

// Events streams chaincode events of valid transactions from block from on.
func (l *Ledger) Events(ctx context.Context, from uint64) (<-chan gateway.Event, error) {
	if err := l.available(); err != nil {
		return nil, err
	}
	out := make(chan gateway.Event, 64)
	go func() {
		defer close(out)
		next := from
		for {
			l.notifyMu.Lock()
			wake := l.notify
			l.notifyMu.Unlock()
			for next < l.height.Load() {
				evs, err := l.blockEvents(next)
				if err != nil {
					l.log.Error("event stream stopped", "block", next, "err", err)
					return
				}
				for _, e := range evs {
					select {
					case out <- e:
					case <-ctx.Done():
						return
					case <-l.done:
						return
					}
				}
				next++
			}
			select {
			case <-wake:
			case <-ctx.Done():
				return
			case <-l.done:
				return
			}
		}
	}()
	return out, nil
}

func (l *Ledger) blockEvents(n uint64) ([]gateway.Event, error) {
	b, err := l.readBlock(n)
	if err != nil {
		return nil, err
	}
	var evs []gateway.Event
	if n == 0 {
		return nil, nil
	}
	for i, raw := range b.Data {
		if b.Metadata.Codes[i] != string(gateway.Valid) {
			continue
		}
		env, err := unmarshalEnvelope(raw)
		if err != nil {
			return nil, err
		}
		p, h, err := decodeTx(env.Payload)
		if err != nil {
			return nil, err
		}
		if p.Event != nil {
			evs = append(evs, gateway.Event{BlockNumber: n, TxID: h.txID, Name: p.Event.Name, Payload: p.Event.Payload})
		}
	}
	return evs, nil
}

func (l *Ledger) readBlock(n uint64) (*Block, error) {
	var b *Block
	err := l.db.View(func(tx *bolt.Tx) error {
		raw, err := readBlockRaw(tx, n)
		if err != nil {
			return err
		}
		// Decoding copies out of bbolt's memory map.
		b, err = decodeBlock(raw)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(b.Metadata.Codes) != len(b.Data) && n > 0 {
		return nil, fmt.Errorf("devledger: block %d metadata does not match its data", n)
	}
	return b, nil
}

// Block describes block n.
func (l *Ledger) Block(ctx context.Context, n uint64) (*gateway.BlockInfo, error) {
	if n >= l.height.Load() {
		return nil, fmt.Errorf("block %d: %w", n, gateway.ErrNotFound)
	}
	b, err := l.readBlock(n)
	if err != nil {
		return nil, err
	}
	return &gateway.BlockInfo{Number: n, Hash: b.Header.Hash(), PreviousHash: b.Header.PreviousHash, DataHash: b.Header.DataHash, TxCount: len(b.Data)}, nil
}

// locate finds a committed transaction's block and place in it.
func (l *Ledger) locate(txID string) (txLocation, *Block, error) {
	var loc txLocation
	err := l.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketTxIDs).Get([]byte(txID))
		if raw == nil {
			return fmt.Errorf("transaction %s: %w", txID, gateway.ErrNotFound)
		}
		var err error
		loc, err = decodeTxLocation(raw)
		return err
	})
	if err != nil {
		return loc, nil, err
	}
	b, err := l.readBlock(loc.Block)
	return loc, b, err
}

// payloadAt decodes the payload of data entry i of a block.
func payloadAt(b *Block, i uint64) (*TxPayload, *parsedHeader, error) {
	if int(i) >= len(b.Data) {
		return nil, nil, fmt.Errorf("devledger: block %d has no transaction %d", b.Header.Number, i)
	}
	env, err := unmarshalEnvelope(b.Data[i])
	if err != nil {
		return nil, nil, err
	}
	return decodeTx(env.Payload)
}

// Transaction locates a committed transaction by id.
func (l *Ledger) Transaction(ctx context.Context, txID string) (*gateway.TxInfo, error) {
	loc, b, err := l.locate(txID)
	if err != nil {
		return nil, err
	}
	info := &gateway.TxInfo{TxID: txID, BlockNumber: loc.Block, BlockHash: b.Header.Hash(), Code: gateway.ValidationCode(loc.Code)}
	if _, h, err := payloadAt(b, loc.Index); err == nil {
		info.Timestamp = h.timestamp.AsTime()
		if msp, _, err := identity.Deserialize(h.creator); err == nil {
			info.CreatorMSP = msp
		}
	}
	return info, nil
}

// Height is the number of blocks, genesis included.
func (l *Ledger) Height(ctx context.Context) (uint64, error) {
	if err := l.available(); err != nil {
		return 0, err
	}
	return l.height.Load(), nil
}

// Close stops ordering, fails queued submissions and closes the store.
func (l *Ledger) Close() error {
	var err error
	l.closing.Do(func() {
		close(l.done)
		<-l.stopped
		err = l.db.Close()
	})
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func unixNano(n int64) time.Time { return time.Unix(0, n).UTC() }

// TxWrites returns the public writes of a committed transaction: what
// every organisation's peer holds in its state once the block is applied
// (private values are not among them, only their hashes are in the block).
func (l *Ledger) TxWrites(txID string) ([]KVWrite, error) {
	loc, b, err := l.locate(txID)
	if err != nil {
		return nil, err
	}
	p, _, err := payloadAt(b, loc.Index)
	if err != nil {
		return nil, err
	}
	return p.RWSet.Writes, nil
}
