package devledger

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const (
	compositeKeyNamespace = "\x00"
	minUnicodeRune        = 0
	maxUnicodeRune        = utf8.MaxRune
	// emptyKeySubstitute keeps simple-key range queries off composite keys,
	// exactly as the shim does.
	emptyKeySubstitute = "\x01"
	// internalQueryLimit caps a page when the chaincode asks for page size
	// 0, like the peer's ledger.internalQueryLimit default.
	internalQueryLimit = 1000
)

var errPaginatedWrite = errors.New("transaction has already performed a paginated query; writes are not allowed")

// stub is the devledger's shim.ChaincodeStubInterface: reads come from one
// bbolt read transaction (a consistent snapshot of committed state) and are
// recorded with their versions; writes go to the write set only.
type stub struct {
	tx        *bolt.Tx
	chaincode string
	channel   string
	txID      string
	args      [][]byte
	creator   []byte
	transient map[string][]byte
	signed    *peer.SignedProposal
	binding   []byte
	timestamp *timestamppb.Timestamp

	reads  map[string]*Version
	writes map[string]KVWrite
	// metaWrites: key-level policies set (nil: removed).
	metaWrites map[string][]byte
	// peer is the organisation whose peer simulates; creatorMSP the
	// client's organisation; def the chaincode definition in force.
	peer       string
	creatorMSP string
	def        *chaincodeDefinition
	pvtReads   map[string]map[string]*Version
	pvtWrites  map[string]map[string]KVWrite
	ranges     []*rangeRecorder
	event      *ChaincodeEvent
	paginated  bool
}

var _ shim.ChaincodeStubInterface = (*stub)(nil)

func (s *stub) GetArgs() [][]byte { return s.args }

func (s *stub) GetStringArgs() []string {
	out := make([]string, len(s.args))
	for i, a := range s.args {
		out[i] = string(a)
	}
	return out
}

func (s *stub) GetFunctionAndParameters() (string, []string) {
	all := s.GetStringArgs()
	if len(all) == 0 {
		return "", []string{}
	}
	return all[0], all[1:]
}

func (s *stub) GetArgsSlice() ([]byte, error) { return bytes.Join(s.args, nil), nil }
func (s *stub) GetTxID() string               { return s.txID }
func (s *stub) GetChannelID() string          { return s.channel }

func (s *stub) InvokeChaincode(string, [][]byte, string) *peer.Response {
	return &peer.Response{Status: shim.ERROR, Message: "devledger runs a single chaincode; chaincode-to-chaincode calls are not supported"}
}

func (s *stub) committed(key string) (*Version, []byte, error) {
	raw := s.tx.Bucket(bucketState).Get([]byte(key))
	if raw == nil {
		return nil, nil, nil
	}
	v, val, err := decodeState(raw)
	if err != nil {
		return nil, nil, err
	}
	return &v, bytes.Clone(val), nil
}

// GetState returns the committed value; Fabric does not let a transaction
// read its own writes.
func (s *stub) GetState(key string) ([]byte, error) {
	if err := validateKey(key); err != nil {
		return nil, err
	}
	v, val, err := s.committed(key)
	if err != nil {
		return nil, err
	}
	if _, seen := s.reads[key]; !seen {
		s.reads[key] = v
	}
	return val, nil
}

func (s *stub) GetMultipleStates(keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.GetState(k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (s *stub) PutState(key string, value []byte) error {
	if err := validateKey(key); err != nil {
		return err
	}
	if s.paginated {
		return errPaginatedWrite
	}
	if value == nil {
		// The peer treats a nil value as a delete; the shim refuses it first.
		return errors.New("put state value must not be nil")
	}
	s.writes[key] = KVWrite{Key: key, Value: bytes.Clone(value)}
	return nil
}

func (s *stub) DelState(key string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	if s.paginated {
		return errPaginatedWrite
	}
	s.writes[key] = KVWrite{Key: key, IsDelete: true}
	return nil
}

// SetStateValidationParameter sets a key's key-level endorsement policy (a
// marshalled common.SignaturePolicyEnvelope, as statebased builds it): from
// the transaction that commits it on, writes to the key must satisfy it
// instead of the chaincode's policy.
func (s *stub) SetStateValidationParameter(key string, ep []byte) error {
	if err := validateKey(key); err != nil {
		return err
	}
	if s.paginated {
		return errPaginatedWrite
	}
	if len(ep) > 0 {
		if _, err := compilePolicyBytes(ep); err != nil {
			return fmt.Errorf("validation parameter of %s: %w", key, err)
		}
	}
	s.metaWrites[key] = bytes.Clone(ep)
	return nil
}

// GetStateValidationParameter returns a key's committed key-level policy
// (nil when it has none); like Fabric it records a read of the key.
func (s *stub) GetStateValidationParameter(key string) ([]byte, error) {
	if err := validateKey(key); err != nil {
		return nil, err
	}
	v, _, err := s.committed(key)
	if err != nil {
		return nil, err
	}
	if _, seen := s.reads[key]; !seen {
		s.reads[key] = v
	}
	return bytes.Clone(s.tx.Bucket(bucketVParams).Get([]byte(key))), nil
}

func (s *stub) GetStateByRange(startKey, endKey string) (shim.StateQueryIteratorInterface, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, err
	}
	return s.newRange(startKey, endKey, 0), nil
}

func (s *stub) GetStateByRangeWithPagination(startKey, endKey string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, nil, err
	}
	return s.paginatedRange(startKey, endKey, pageSize, bookmark)
}

func (s *stub) GetStateByPartialCompositeKey(objectType string, keys []string) (shim.StateQueryIteratorInterface, error) {
	start, end, err := partialCompositeRange(objectType, keys)
	if err != nil {
		return nil, err
	}
	return s.newRange(start, end, 0), nil
}

func (s *stub) GetStateByPartialCompositeKeyWithPagination(objectType string, keys []string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	start, end, err := partialCompositeRange(objectType, keys)
	if err != nil {
		return nil, nil, err
	}
	return s.paginatedRange(start, end, pageSize, bookmark)
}

func (s *stub) GetAllStatesCompositeKeyWithPagination(pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	return s.paginatedRange(compositeKeyNamespace, compositeKeyNamespace+string(rune(maxUnicodeRune)), pageSize, bookmark)
}

func (s *stub) CreateCompositeKey(objectType string, attributes []string) (string, error) {
	return CreateCompositeKey(objectType, attributes)
}

func (s *stub) SplitCompositeKey(compositeKey string) (string, []string, error) {
	return SplitCompositeKey(compositeKey)
}

func (s *stub) GetQueryResult(string) (shim.StateQueryIteratorInterface, error) {
	return nil, errors.New("devledger: rich queries are not supported (Qingchain's chaincode uses composite-key indexes)")
}

func (s *stub) GetQueryResultWithPagination(string, int32, string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	return nil, nil, errors.New("devledger: rich queries are not supported (Qingchain's chaincode uses composite-key indexes)")
}

// GetHistoryForKey returns the committed history of a key, newest first.
// Like Fabric, it is not part of the read set.
func (s *stub) GetHistoryForKey(key string) (shim.HistoryQueryIteratorInterface, error) {
	if err := validateKey(key); err != nil {
		return nil, err
	}
	return newHistoryIterator(s.tx, key)
}

// Private data. The peer the stub simulates on (s.peer) reads values from
// its own organisation's private store and versions from the hash store
// every peer keeps; a non-member peer has the hashes only. Reads and writes
// go to the transaction's hashed read-write set, the values to the
// collection's member peers only.

func (s *stub) collection(name string) (*collection, error) {
	if name == "" {
		return nil, errors.New("collection must not be an empty string")
	}
	c, ok := s.def.colls[name]
	if !ok {
		return nil, fmt.Errorf("collection %s not defined for chaincode %s", name, s.chaincode)
	}
	return c, nil
}

func (s *stub) readAccess(c *collection) error {
	if c.MemberOnlyRead && !c.member(s.creatorMSP) {
		return fmt.Errorf("tx creator does not have read access permission on privatedata in chaincodeName:%s collectionName: %s", s.chaincode, c.Name)
	}
	return nil
}

func (s *stub) writeAccess(c *collection) error {
	if c.MemberOnlyWrite && !c.member(s.creatorMSP) {
		return fmt.Errorf("tx creator does not have write access permission on privatedata in chaincodeName:%s collectionName: %s", s.chaincode, c.Name)
	}
	return nil
}

func (s *stub) hashRead(coll, key string) (*Version, []byte, error) {
	raw := s.tx.Bucket(bucketPvtHash).Get(pvtHashKey(coll, keyHash(key)))
	var ver *Version
	var vh []byte
	if raw != nil {
		v, h, err := decodeState(raw)
		if err != nil {
			return nil, nil, err
		}
		ver, vh = &v, bytes.Clone(h)
	}
	reads := s.pvtReads[coll]
	if reads == nil {
		reads = map[string]*Version{}
		s.pvtReads[coll] = reads
	}
	if _, seen := reads[key]; !seen {
		reads[key] = ver
	}
	return ver, vh, nil
}

func (s *stub) GetPrivateData(coll, key string) ([]byte, error) {
	c, err := s.collection(coll)
	if err != nil {
		return nil, err
	}
	if err := s.readAccess(c); err != nil {
		return nil, err
	}
	if err := validateKey(key); err != nil {
		return nil, err
	}
	var ver *Version
	var val []byte
	if raw := s.tx.Bucket(bucketPrivate).Get(privateKey(s.peer, coll, key)); raw != nil {
		v, b, err := decodeState(raw)
		if err != nil {
			return nil, err
		}
		ver, val = &v, bytes.Clone(b)
	}
	hv, _, err := s.hashRead(coll, key)
	if err != nil {
		return nil, err
	}
	if !sameVersion(hv, ver) {
		return nil, fmt.Errorf("private data matching public hash version is not available. Public hash version = %s, Private data version = %s", fmtVersion(hv), fmtVersion(ver))
	}
	return val, nil
}

func fmtVersion(v *Version) string {
	if v == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{BlockNum: %d, TxNum: %d}", v.Block, v.Tx)
}

func (s *stub) GetMultiplePrivateData(coll string, keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.GetPrivateData(coll, k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// GetPrivateDataHash returns SHA-256 of a private value, which every peer
// has, member or not; no read permission is needed.
func (s *stub) GetPrivateDataHash(coll, key string) ([]byte, error) {
	if _, err := s.collection(coll); err != nil {
		return nil, err
	}
	if err := validateKey(key); err != nil {
		return nil, err
	}
	_, h, err := s.hashRead(coll, key)
	return h, err
}

func (s *stub) pvtWrite(coll, key string, w KVWrite) error {
	c, err := s.collection(coll)
	if err != nil {
		return err
	}
	if err := s.writeAccess(c); err != nil {
		return err
	}
	if err := validateKey(key); err != nil {
		return err
	}
	if s.paginated {
		return errPaginatedWrite
	}
	ws := s.pvtWrites[coll]
	if ws == nil {
		ws = map[string]KVWrite{}
		s.pvtWrites[coll] = ws
	}
	ws[key] = w
	return nil
}

func (s *stub) PutPrivateData(coll, key string, value []byte) error {
	if len(value) == 0 {
		return errors.New("put private data value must not be empty")
	}
	return s.pvtWrite(coll, key, KVWrite{Key: key, Value: bytes.Clone(value)})
}

func (s *stub) DelPrivateData(coll, key string) error {
	return s.pvtWrite(coll, key, KVWrite{Key: key, IsDelete: true})
}

// PurgePrivateData deletes a private key; devledger keeps no history of
// private values, so a purge is a delete.
func (s *stub) PurgePrivateData(coll, key string) error {
	return s.pvtWrite(coll, key, KVWrite{Key: key, IsDelete: true})
}

var errNoPrivateKeyPolicy = errors.New("devledger: key-level endorsement policies on private keys are not supported")

func (s *stub) SetPrivateDataValidationParameter(string, string, []byte) error {
	return errNoPrivateKeyPolicy
}
func (s *stub) GetPrivateDataValidationParameter(string, string) ([]byte, error) {
	return nil, errNoPrivateKeyPolicy
}

var errNoPrivateRange = errors.New("devledger: range queries over private data are not supported (the chaincode reads private data by key)")

func (s *stub) GetPrivateDataByRange(string, string, string) (shim.StateQueryIteratorInterface, error) {
	return nil, errNoPrivateRange
}
func (s *stub) GetPrivateDataByPartialCompositeKey(string, string, []string) (shim.StateQueryIteratorInterface, error) {
	return nil, errNoPrivateRange
}
func (s *stub) GetPrivateDataQueryResult(string, string) (shim.StateQueryIteratorInterface, error) {
	return nil, errors.New("devledger: rich queries are not supported (Qingchain's chaincode uses composite-key indexes)")
}

func (s *stub) GetCreator() ([]byte, error) { return s.creator, nil }

func (s *stub) GetTransient() (map[string][]byte, error) { return s.transient, nil }

func (s *stub) GetBinding() ([]byte, error) { return s.binding, nil }

func (s *stub) GetDecorations() map[string][]byte { return nil }

func (s *stub) GetSignedProposal() (*peer.SignedProposal, error) { return s.signed, nil }

func (s *stub) GetTxTimestamp() (*timestamppb.Timestamp, error) { return s.timestamp, nil }

// SetEvent keeps only the last event, as Fabric does.
func (s *stub) SetEvent(name string, payload []byte) error {
	if name == "" {
		return errors.New("event name can not be empty string")
	}
	s.event = &ChaincodeEvent{Name: name, Payload: bytes.Clone(payload)}
	return nil
}

// Write batching is an optimisation of the shim's wire protocol; writes here
// go straight to the write set either way.
func (s *stub) StartWriteBatch()        {}
func (s *stub) FinishWriteBatch() error { return nil }

func (s *stub) rwset() RWSet {
	var rw RWSet
	for k, v := range s.reads {
		rw.Reads = append(rw.Reads, KVRead{Key: k, Version: v})
	}
	sort.Slice(rw.Reads, func(i, j int) bool { return rw.Reads[i].Key < rw.Reads[j].Key })
	for _, r := range s.ranges {
		rw.RangeQueries = append(rw.RangeQueries, RangeQuery{Start: r.start, End: r.end, Exhausted: r.exhausted, Reads: r.reads})
	}
	for _, w := range s.writes {
		rw.Writes = append(rw.Writes, w)
	}
	sort.Slice(rw.Writes, func(i, j int) bool { return rw.Writes[i].Key < rw.Writes[j].Key })
	for k, vp := range s.metaWrites {
		rw.MetaWrites = append(rw.MetaWrites, KVMetaWrite{Key: k, ValidationParameter: vp})
	}
	sort.Slice(rw.MetaWrites, func(i, j int) bool { return rw.MetaWrites[i].Key < rw.MetaWrites[j].Key })
	names := make(map[string]bool)
	for c := range s.pvtReads {
		names[c] = true
	}
	for c := range s.pvtWrites {
		names[c] = true
	}
	for _, c := range sortedKeys(names) {
		h := CollHashedRWSet{Collection: c}
		for k, v := range s.pvtReads[c] {
			h.Reads = append(h.Reads, HashedRead{KeyHash: keyHash(k), Version: v})
		}
		sort.Slice(h.Reads, func(i, j int) bool { return bytes.Compare(h.Reads[i].KeyHash, h.Reads[j].KeyHash) < 0 })
		for k, w := range s.pvtWrites[c] {
			hw := HashedWrite{KeyHash: keyHash(k), IsDelete: w.IsDelete}
			if !w.IsDelete {
				hw.ValueHash = valueHash(w.Value)
			}
			h.Writes = append(h.Writes, hw)
		}
		sort.Slice(h.Writes, func(i, j int) bool { return bytes.Compare(h.Writes[i].KeyHash, h.Writes[j].KeyHash) < 0 })
		rw.Collections = append(rw.Collections, h)
	}
	return rw
}

// private is the transaction's private write set, the values that go to
// the member peers beside the block.
func (s *stub) private() []PrivateWrites {
	var out []PrivateWrites
	for _, c := range sortedKeys(s.pvtWrites) {
		p := PrivateWrites{Collection: c}
		for _, k := range sortedKeys(s.pvtWrites[c]) {
			p.Writes = append(p.Writes, s.pvtWrites[c][k])
		}
		out = append(out, p)
	}
	return out
}

// rangeRecorder iterates committed state lazily and records what it returned.
type rangeRecorder struct {
	s         *stub
	cursor    *bolt.Cursor
	start     string
	end       string // "" means unbounded
	limit     int    // 0 means unlimited
	next      []byte // key of the next result, nil when none
	nextVal   []byte
	returned  int
	exhausted bool
	reads     []KVRead
	closed    bool
}

func (s *stub) newRange(start, end string, limit int) *rangeRecorder {
	r := &rangeRecorder{s: s, cursor: s.tx.Bucket(bucketState).Cursor(), start: start, end: end, limit: limit}
	k, v := r.cursor.Seek([]byte(start))
	r.setNext(k, v)
	s.ranges = append(s.ranges, r)
	return r
}

func (r *rangeRecorder) setNext(k, v []byte) {
	if k == nil || (r.end != "" && string(k) >= r.end) {
		r.next, r.nextVal = nil, nil
		r.exhausted = true
		return
	}
	r.next, r.nextVal = k, v
}

func (r *rangeRecorder) HasNext() bool {
	if r.closed || r.next == nil {
		return false
	}
	return r.limit == 0 || r.returned < r.limit
}

func (r *rangeRecorder) Next() (*queryresult.KV, error) {
	if !r.HasNext() {
		return nil, errors.New("no more results")
	}
	ver, val, err := decodeState(r.nextVal)
	if err != nil {
		return nil, err
	}
	kv := &queryresult.KV{Namespace: r.s.chaincode, Key: string(r.next), Value: bytes.Clone(val)}
	r.reads = append(r.reads, KVRead{Key: kv.Key, Version: &ver})
	r.returned++
	k, v := r.cursor.Next()
	r.setNext(k, v)
	return kv, nil
}

func (r *rangeRecorder) Close() error {
	r.closed = true
	return nil
}

func (s *stub) paginatedRange(start, end string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if pageSize < 0 {
		return nil, nil, fmt.Errorf("page size must not be negative: %d", pageSize)
	}
	if len(s.writes) > 0 {
		return nil, nil, errors.New("paginated queries are not supported in a transaction that has written state")
	}
	s.paginated = true
	limit := int(pageSize)
	if limit == 0 {
		limit = internalQueryLimit
	}
	if bookmark != "" && bookmark > start {
		start = bookmark
	}
	r := s.newRange(start, end, limit)
	// Fabric fills the page before answering; so do we, so the bookmark is known.
	var page []*queryresult.KV
	for r.HasNext() {
		kv, err := r.Next()
		if err != nil {
			return nil, nil, err
		}
		page = append(page, kv)
	}
	meta := &peer.QueryResponseMetadata{FetchedRecordsCount: int32(len(page))}
	if r.next != nil {
		meta.Bookmark = string(r.next)
	}
	return &pageIterator{page: page}, meta, nil
}

type pageIterator struct {
	page []*queryresult.KV
	i    int
}

func (p *pageIterator) HasNext() bool { return p.i < len(p.page) }
func (p *pageIterator) Next() (*queryresult.KV, error) {
	if p.i >= len(p.page) {
		return nil, errors.New("no more results")
	}
	p.i++
	return p.page[p.i-1], nil
}
func (p *pageIterator) Close() error { return nil }

type historyIterator struct {
	key     string
	entries []*queryresult.KeyModification
	i       int
}

func newHistoryIterator(tx *bolt.Tx, key string) (*historyIterator, error) {
	prefix := historyPrefix(key)
	c := tx.Bucket(bucketHistory).Cursor()
	it := &historyIterator{key: key}
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16; k, v = c.Next() {
		e, err := decodeHistory(v)
		if err != nil {
			return nil, err
		}
		m := &queryresult.KeyModification{TxId: e.TxID, IsDelete: e.IsDelete, Timestamp: timestamppb.New(unixNano(e.Timestamp))}
		if !e.IsDelete {
			m.Value = e.Value
		}
		it.entries = append(it.entries, m)
	}
	// Newest first, as Fabric returns history.
	for i, j := 0, len(it.entries)-1; i < j; i, j = i+1, j-1 {
		it.entries[i], it.entries[j] = it.entries[j], it.entries[i]
	}
	return it, nil
}

func (h *historyIterator) HasNext() bool { return h.i < len(h.entries) }
func (h *historyIterator) Next() (*queryresult.KeyModification, error) {
	if h.i >= len(h.entries) {
		return nil, errors.New("no more results")
	}
	h.i++
	return h.entries[h.i-1], nil
}
func (h *historyIterator) Close() error { return nil }

func validateKey(key string) error {
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("key must be a valid UTF-8 string: [%x]", key)
	}
	return nil
}

func validateSimpleKeys(keys ...string) error {
	for _, k := range keys {
		if len(k) > 0 && k[0] == compositeKeyNamespace[0] {
			return fmt.Errorf("first character of the key [%s] contains a null character which is not allowed", k)
		}
	}
	return nil
}

func partialCompositeRange(objectType string, attributes []string) (string, string, error) {
	partial, err := CreateCompositeKey(objectType, attributes)
	if err != nil {
		return "", "", err
	}
	return partial, partial + string(rune(maxUnicodeRune)), nil
}

// CreateCompositeKey builds a composite key byte for byte as the shim does:
// U+0000, the object type and each attribute, each followed by U+0000.
func CreateCompositeKey(objectType string, attributes []string) (string, error) {
	if err := validateCompositeKeyAttribute(objectType); err != nil {
		return "", err
	}
	var b []byte
	b = append(b, compositeKeyNamespace...)
	b = append(b, objectType...)
	b = append(b, minUnicodeRune)
	for _, a := range attributes {
		if err := validateCompositeKeyAttribute(a); err != nil {
			return "", err
		}
		b = append(b, a...)
		b = append(b, minUnicodeRune)
	}
	return string(b), nil
}

// SplitCompositeKey is the inverse of CreateCompositeKey.
func SplitCompositeKey(compositeKey string) (string, []string, error) {
	var parts []string
	start := 1
	for i := 1; i < len(compositeKey); i++ {
		if compositeKey[i] == minUnicodeRune {
			parts = append(parts, compositeKey[start:i])
			start = i + 1
		}
	}
	if len(parts) == 0 {
		return "", []string{}, nil
	}
	return parts[0], append([]string{}, parts[1:]...), nil
}

func validateCompositeKeyAttribute(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not a valid utf8 string: [%x]", s)
	}
	for i, r := range s {
		if r == minUnicodeRune || r == maxUnicodeRune {
			return fmt.Errorf("input contains unicode %#U starting at position [%d]. %#U and %#U are not allowed in the input attribute of a composite key", r, i, rune(minUnicodeRune), rune(maxUnicodeRune))
		}
	}
	return nil
}
