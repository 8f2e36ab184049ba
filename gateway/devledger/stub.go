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

	reads     map[string]*Version
	writes    map[string]KVWrite
	ranges    []*rangeRecorder
	event     *ChaincodeEvent
	paginated bool
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

func (s *stub) SetStateValidationParameter(string, []byte) error {
	return errors.New("devledger: key-level endorsement policies are not supported")
}

func (s *stub) GetStateValidationParameter(string) ([]byte, error) {
	return nil, errors.New("devledger: key-level endorsement policies are not supported")
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

var errNoPrivateData = errors.New("devledger: private data collections are not supported")

func (s *stub) GetPrivateData(string, string) ([]byte, error) { return nil, errNoPrivateData }
func (s *stub) GetMultiplePrivateData(string, ...string) ([][]byte, error) {
	return nil, errNoPrivateData
}
func (s *stub) GetPrivateDataHash(string, string) ([]byte, error) { return nil, errNoPrivateData }
func (s *stub) PutPrivateData(string, string, []byte) error       { return errNoPrivateData }
func (s *stub) DelPrivateData(string, string) error               { return errNoPrivateData }
func (s *stub) PurgePrivateData(string, string) error             { return errNoPrivateData }
func (s *stub) SetPrivateDataValidationParameter(string, string, []byte) error {
	return errNoPrivateData
}
func (s *stub) GetPrivateDataValidationParameter(string, string) ([]byte, error) {
	return nil, errNoPrivateData
}
func (s *stub) GetPrivateDataByRange(string, string, string) (shim.StateQueryIteratorInterface, error) {
	return nil, errNoPrivateData
}
func (s *stub) GetPrivateDataByPartialCompositeKey(string, string, []string) (shim.StateQueryIteratorInterface, error) {
	return nil, errNoPrivateData
}
func (s *stub) GetPrivateDataQueryResult(string, string) (shim.StateQueryIteratorInterface, error) {
	return nil, errNoPrivateData
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
	return rw
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
