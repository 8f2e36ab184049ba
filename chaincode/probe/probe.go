// Package probe is a small contract that exercises the ledger itself: state,
// composite keys, range queries, history, events, identities and transient
// data. It backs the ledger conformance suite; it is never part of the
// production chaincode.
package probe

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Contract is the probe contract.
type Contract struct {
	contractapi.Contract
}

// New returns the probe contract, named "probe".
func New() *Contract {
	c := &Contract{}
	c.Name = "probe"
	return c
}

// Put writes a simple key.
func (c *Contract) Put(ctx contractapi.TransactionContextInterface, key, value string) error {
	return ctx.GetStub().PutState(key, []byte(value))
}

// Get reads a simple key.
func (c *Contract) Get(ctx contractapi.TransactionContextInterface, key string) (string, error) {
	v, err := ctx.GetStub().GetState(key)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "", fmt.Errorf("NOT_FOUND: key %s does not exist", key)
	}
	return string(v), nil
}

// Del deletes a key.
func (c *Contract) Del(ctx contractapi.TransactionContextInterface, key string) error {
	return ctx.GetStub().DelState(key)
}

// Incr reads a counter and writes it back plus one; concurrent Incrs on one
// key conflict.
func (c *Contract) Incr(ctx contractapi.TransactionContextInterface, key string) (int, error) {
	return increment(func() ([]byte, error) { return ctx.GetStub().GetState(key) },
		func(v []byte) error { return ctx.GetStub().PutState(key, v) })
}

// increment reads a decimal counter (absent: 0) and writes it plus one.
func increment(get func() ([]byte, error), put func([]byte) error) (int, error) {
	v, err := get()
	if err != nil {
		return 0, err
	}
	n := 0
	if v != nil {
		if n, err = strconv.Atoi(string(v)); err != nil {
			return 0, err
		}
	}
	n++
	return n, put([]byte(strconv.Itoa(n)))
}

// PutThenGet writes a key and reads it back in the same transaction; on
// Fabric the read returns the committed value, not the one just written.
func (c *Contract) PutThenGet(ctx contractapi.TransactionContextInterface, key, value string) (string, error) {
	if err := ctx.GetStub().PutState(key, []byte(value)); err != nil {
		return "", err
	}
	v, err := ctx.GetStub().GetState(key)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "<nil>", nil
	}
	return string(v), nil
}

// CountRange counts simple keys in [start, end) and records the count under
// a marker key, making the transaction depend on the range's result set.
func (c *Contract) CountRange(ctx contractapi.TransactionContextInterface, start, end, marker string) (int, error) {
	it, err := ctx.GetStub().GetStateByRange(start, end)
	if err != nil {
		return 0, err
	}
	defer it.Close()
	n := 0
	for it.HasNext() {
		if _, err := it.Next(); err != nil {
			return 0, err
		}
		n++
	}
	return n, ctx.GetStub().PutState(marker, []byte(strconv.Itoa(n)))
}

// PutComposite writes value under a composite key.
func (c *Contract) PutComposite(ctx contractapi.TransactionContextInterface, objectType string, attrs []string, value string) (string, error) {
	k, err := ctx.GetStub().CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", fmt.Errorf("INVALID_ARGUMENT: %w", err)
	}
	return k, ctx.GetStub().PutState(k, []byte(value))
}

// Entry is one state entry with its composite key split.
type Entry struct {
	Key        string   `json:"key"`
	ObjectType string   `json:"objectType"`
	Attributes []string `json:"attributes"`
	Value      string   `json:"value"`
}

// ListPartial lists entries under a partial composite key.
func (c *Contract) ListPartial(ctx contractapi.TransactionContextInterface, objectType string, attrs []string) ([]Entry, error) {
	it, err := ctx.GetStub().GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := []Entry{}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		ot, parts, err := ctx.GetStub().SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Key: kv.Key, ObjectType: ot, Attributes: parts, Value: string(kv.Value)})
	}
	return out, nil
}

// Page is one page of a paginated query.
type Page struct {
	Entries  []Entry `json:"entries"`
	Fetched  int32   `json:"fetched"`
	Bookmark string  `json:"bookmark"`
}

// ListPage lists one page of entries under a partial composite key.
func (c *Contract) ListPage(ctx contractapi.TransactionContextInterface, objectType string, attrs []string, pageSize int32, bookmark string) (*Page, error) {
	it, meta, err := ctx.GetStub().GetStateByPartialCompositeKeyWithPagination(objectType, attrs, pageSize, bookmark)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	p := &Page{Entries: []Entry{}, Fetched: meta.FetchedRecordsCount, Bookmark: meta.Bookmark}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		ot, parts, err := ctx.GetStub().SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, err
		}
		p.Entries = append(p.Entries, Entry{Key: kv.Key, ObjectType: ot, Attributes: parts, Value: string(kv.Value)})
	}
	return p, nil
}

// RangePage lists one page of simple keys in [start, end).
func (c *Contract) RangePage(ctx contractapi.TransactionContextInterface, start, end string, pageSize int32, bookmark string) (*Page, error) {
	it, meta, err := ctx.GetStub().GetStateByRangeWithPagination(start, end, pageSize, bookmark)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	p := &Page{Entries: []Entry{}, Fetched: meta.FetchedRecordsCount, Bookmark: meta.Bookmark}
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		p.Entries = append(p.Entries, Entry{Key: kv.Key, Attributes: []string{}, Value: string(kv.Value)})
	}
	return p, nil
}

// Modification is one entry of a key's history.
type Modification struct {
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`
	IsDelete  bool   `json:"isDelete"`
	Value     string `json:"value"`
}

// History returns a key's history, newest first.
func (c *Contract) History(ctx contractapi.TransactionContextInterface, key string) ([]Modification, error) {
	it, err := ctx.GetStub().GetHistoryForKey(key)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := []Modification{}
	for it.HasNext() {
		m, err := it.Next()
		if err != nil {
			return nil, err
		}
		out = append(out, Modification{TxID: m.TxId, Timestamp: m.Timestamp.AsTime().UTC().Format("2006-01-02T15:04:05.000000000Z07:00"), IsDelete: m.IsDelete, Value: string(m.Value)})
	}
	return out, nil
}

// Caller describes the submitting identity as the chaincode sees it.
type Caller struct {
	MSPID     string `json:"mspId"`
	ID        string `json:"id"`
	Role      string `json:"role"`
	HasRole   bool   `json:"hasRole"`
	IsClient  bool   `json:"isClient"`
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`
}

// WhoAmI reports the caller's MSP ID, ID, the "role" attribute and the
// transaction's id and timestamp.
func (c *Contract) WhoAmI(ctx contractapi.TransactionContextInterface) (*Caller, error) {
	ci := ctx.GetClientIdentity()
	msp, err := ci.GetMSPID()
	if err != nil {
		return nil, err
	}
	id, err := ci.GetID()
	if err != nil {
		return nil, err
	}
	role, found, err := ci.GetAttributeValue("role")
	if err != nil {
		return nil, err
	}
	isClient, err := cid.HasOUValue(ctx.GetStub(), "client")
	if err != nil {
		return nil, err
	}
	ts, err := ctx.GetStub().GetTxTimestamp()
	if err != nil {
		return nil, err
	}
	return &Caller{MSPID: msp, ID: id, Role: role, HasRole: found, IsClient: isClient, TxID: ctx.GetStub().GetTxID(),
		Timestamp: ts.AsTime().UTC().Format("2006-01-02T15:04:05.000000000Z07:00")}, nil
}

// Transient returns the transient field name, which the caller sent beside
// the arguments.
func (c *Contract) Transient(ctx contractapi.TransactionContextInterface, name string) (string, error) {
	t, err := ctx.GetStub().GetTransient()
	if err != nil {
		return "", err
	}
	v, ok := t[name]
	if !ok {
		return "", fmt.Errorf("NOT_FOUND: no transient field %s", name)
	}
	return string(v), nil
}

// Emit writes a key and sets one or more events; only the last counts.
func (c *Contract) Emit(ctx contractapi.TransactionContextInterface, key string, names []string) error {
	for _, n := range names {
		payload, _ := json.Marshal(map[string]string{"key": key, "name": n})
		if err := ctx.GetStub().SetEvent(n, payload); err != nil {
			return err
		}
	}
	return ctx.GetStub().PutState(key, []byte("emitted"))
}

// Fail refuses with the given code, to exercise error transport.
func (c *Contract) Fail(ctx contractapi.TransactionContextInterface, code, message string) error {
	if err := ctx.GetStub().PutState("fail-attempt", []byte(code)); err != nil {
		return err
	}
	return errors.New(code + ": " + message)
}

// IncrEmit is Incr that also sets an event, so that an invalidated
// read-modify-write carries an event that must never be delivered.
func (c *Contract) IncrEmit(ctx contractapi.TransactionContextInterface, key, name string) (int, error) {
	n, err := c.Incr(ctx, key)
	if err != nil {
		return 0, err
	}
	return n, ctx.GetStub().SetEvent(name, []byte(key))
}

// PutPrivate writes the transient field "value" under key in a private data
// collection: the value goes to the collection's member peers, its hash to
// the block.
func (c *Contract) PutPrivate(ctx contractapi.TransactionContextInterface, collection, key string) error {
	t, err := ctx.GetStub().GetTransient()
	if err != nil {
		return err
	}
	v, ok := t["value"]
	if !ok {
		return errors.New("INVALID_ARGUMENT: the private value travels as transient field value")
	}
	return ctx.GetStub().PutPrivateData(collection, key, v)
}

// GetPrivate reads a private value.
func (c *Contract) GetPrivate(ctx contractapi.TransactionContextInterface, collection, key string) (string, error) {
	v, err := ctx.GetStub().GetPrivateData(collection, key)
	if err != nil {
		return "", fmt.Errorf("FORBIDDEN: %w", err)
	}
	if v == nil {
		return "", fmt.Errorf("NOT_FOUND: no private key %s in %s", key, collection)
	}
	return string(v), nil
}

// PrivateHash returns the hex SHA-256 of a private value, which every peer
// has: a party shown the value can check it against the ledger.
func (c *Contract) PrivateHash(ctx contractapi.TransactionContextInterface, collection, key string) (string, error) {
	h, err := ctx.GetStub().GetPrivateDataHash(collection, key)
	if err != nil {
		return "", err
	}
	if h == nil {
		return "", fmt.Errorf("NOT_FOUND: no private key %s in %s", key, collection)
	}
	return hex.EncodeToString(h), nil
}

// IncrPrivate is Incr on a private counter; concurrent IncrPrivates on one
// key conflict on the key's hash.
func (c *Contract) IncrPrivate(ctx contractapi.TransactionContextInterface, collection, key string) (int, error) {
	return increment(func() ([]byte, error) { return ctx.GetStub().GetPrivateData(collection, key) },
		func(v []byte) error { return ctx.GetStub().PutPrivateData(collection, key, v) })
}

// SetKeyPolicy gives key a key-level endorsement policy: the peers of every
// organisation named must endorse each later write to it.
func (c *Contract) SetKeyPolicy(ctx contractapi.TransactionContextInterface, key string, orgs []string) error {
	ep, err := statebased.NewStateEP(nil)
	if err != nil {
		return err
	}
	if err := ep.AddOrgs(statebased.RoleTypePeer, orgs...); err != nil {
		return fmt.Errorf("INVALID_ARGUMENT: %w", err)
	}
	raw, err := ep.Policy()
	if err != nil {
		return err
	}
	return ctx.GetStub().SetStateValidationParameter(key, raw)
}

// KeyPolicy lists the organisations a key's key-level policy names.
func (c *Contract) KeyPolicy(ctx contractapi.TransactionContextInterface, key string) ([]string, error) {
	raw, err := ctx.GetStub().GetStateValidationParameter(key)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return []string{}, nil
	}
	ep, err := statebased.NewStateEP(raw)
	if err != nil {
		return nil, err
	}
	orgs := ep.ListOrgs()
	sort.Strings(orgs) // ListOrgs ranges over a map
	return orgs, nil
}
