package devledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/qingchain/qingchain/gateway/identity"
)

// A chaincode definition, as Fabric's lifecycle commits it: the endorsement
// policy and the private data collections. devledger keeps the definitions
// in force with the block from which each applies, so that Verify replays
// every block under the definition it was validated with.
type definition struct {
	From        uint64       `json:"from"`
	Policy      string       `json:"policy,omitempty"` // "": a ledger from before policies; not checked
	Collections []Collection `json:"collections,omitempty"`
}

type chaincodeDefinition struct {
	definition
	ep    *compiledPolicy
	colls map[string]*collection
}

func compileDefinition(d definition) (*chaincodeDefinition, error) {
	cd := &chaincodeDefinition{definition: d, colls: map[string]*collection{}}
	if d.Policy != "" {
		env, err := ParsePolicy(d.Policy)
		if err != nil {
			return nil, fmt.Errorf("devledger: endorsement policy: %w", err)
		}
		if cd.ep, err = compilePolicy(env); err != nil {
			return nil, err
		}
	}
	for _, c := range d.Collections {
		cc, err := compileCollection(c)
		if err != nil {
			return nil, err
		}
		if _, dup := cd.colls[c.Name]; dup {
			return nil, fmt.Errorf("devledger: collection %s defined twice", c.Name)
		}
		cd.colls[c.Name] = cc
	}
	return cd, nil
}

// definitions are the chaincode definitions in force, by first block.
type definitions []*chaincodeDefinition

func (ds definitions) at(block uint64) *chaincodeDefinition {
	for i := len(ds) - 1; i >= 0; i-- {
		if ds[i].From <= block {
			return ds[i]
		}
	}
	return ds[0]
}

var keyDefinitions = []byte("chaincode")

func readDefinitions(tx *bolt.Tx) (definitions, error) {
	b := tx.Bucket(bucketDefinitions)
	if b == nil {
		return nil, nil
	}
	raw := b.Get(keyDefinitions)
	if raw == nil {
		return nil, nil
	}
	var ds []definition
	if err := json.Unmarshal(raw, &ds); err != nil {
		return nil, fmt.Errorf("devledger: chaincode definitions: %w", err)
	}
	out := make(definitions, 0, len(ds))
	for _, d := range ds {
		cd, err := compileDefinition(d)
		if err != nil {
			return nil, err
		}
		out = append(out, cd)
	}
	return out, nil
}

// adoptDefinition makes want the definition in force from block height on,
// unless it is already; a ledger that predates definitions keeps its older
// blocks under the empty one.
func adoptDefinition(tx *bolt.Tx, height uint64, want definition) (definitions, error) {
	ds, err := readDefinitions(tx)
	if err != nil {
		return nil, err
	}
	var list []definition
	for _, d := range ds {
		list = append(list, d.definition)
	}
	if len(list) == 0 && height > 1 {
		list = append(list, definition{From: 0})
	}
	if len(list) > 0 {
		last := list[len(list)-1]
		a, _ := json.Marshal(definition{Policy: last.Policy, Collections: last.Collections})
		b, _ := json.Marshal(definition{Policy: want.Policy, Collections: want.Collections})
		if bytes.Equal(a, b) {
			return ds, nil
		}
	}
	want.From = height
	if len(list) == 0 {
		want.From = 0
	}
	list = append(list, want)
	raw, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bucketDefinitions).Put(keyDefinitions, raw); err != nil {
		return nil, err
	}
	return readDefinitions(tx)
}

// defaultPolicy is what a chaincode without an explicit policy needs: one
// endorsement by any organisation's peer.
func defaultPolicy(orgs []string) string {
	ps := make([]string, len(orgs))
	for i, o := range orgs {
		ps[i] = "'" + o + ".peer'"
	}
	return "OR(" + strings.Join(ps, ", ") + ")"
}

// signersOf turns peer identities into policy signers.
func signerOf(id *identity.Identity) signer {
	return signer{msp: id.MSPID, ous: id.Cert.Subject.OrganizationalUnit, cert: id.Cert}
}

// policiesFor lists the policies a transaction with this read-write set
// must satisfy, as the validator will check them: for each written key its
// key-level policy if it has one, else the collection's policy for a
// private key if the collection has one, else the chaincode's; the
// chaincode's also when nothing is written. kv reads key-level policies.
func policiesFor(def *chaincodeDefinition, rw *RWSet, vparam func(key string) []byte) ([]*compiledPolicy, error) {
	var out []*compiledPolicy
	needCC := false
	seen := map[string]bool{}
	keys := make([]string, 0, len(rw.Writes)+len(rw.MetaWrites))
	for _, w := range rw.Writes {
		keys = append(keys, w.Key)
	}
	for _, m := range rw.MetaWrites {
		keys = append(keys, m.Key)
	}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		vp := vparam(k)
		if len(vp) == 0 {
			needCC = true
			continue
		}
		p, err := compilePolicyBytes(vp)
		if err != nil {
			return nil, fmt.Errorf("key-level policy of %q: %w", k, err)
		}
		out = append(out, p)
	}
	wrotePrivate := false
	for _, c := range rw.Collections {
		if len(c.Writes) == 0 {
			continue
		}
		wrotePrivate = true
		cc, ok := def.colls[c.Collection]
		if !ok {
			return nil, fmt.Errorf("collection %s is not defined", c.Collection)
		}
		if cc.ep != nil {
			out = append(out, cc.ep)
		} else {
			needCC = true
		}
	}
	if needCC || (len(keys) == 0 && !wrotePrivate) {
		out = append(out, def.ep)
	}
	return out, nil
}

func satisfiesAll(ps []*compiledPolicy, signers []signer) bool {
	for _, p := range ps {
		if !p.satisfied(signers) {
			return false
		}
	}
	return true
}

// plan chooses the organisations whose peers endorse, as Fabric's gateway
// does with service discovery after a first endorsement on the client's own
// organisation's peer: the smallest set that satisfies every policy the
// transaction will be validated against (the chaincode's, the written
// collections' and the written keys' key-level policies), preferring one
// with the first organisation and organisations in channel order. Peers of
// organisations that are not members of a collection the transaction reads
// are not asked; with transient data, not of any collection it touches
// (Fabric's gateway keeps transient data within the collections'
// distribution).
func (l *Ledger) plan(def *chaincodeDefinition, rw *RWSet, transient bool, first string, vparam func(string) []byte) ([]string, error) {
	policies, err := policiesFor(def, rw, vparam)
	if err != nil {
		return nil, err
	}
	// As the interest Fabric's endorser reports to discovery: a collection
	// touched brings the chaincode's policy (over the collection's members,
	// see below) even where the collection's own policy validates it.
	if len(rw.Collections) > 0 && !slices.Contains(policies, def.ep) {
		policies = append(policies, def.ep)
	}
	orgs := l.Orgs()
	allowed := slices.Clone(orgs)
	var protected []string
	for _, c := range rw.Collections {
		cc, ok := def.colls[c.Collection]
		if !ok {
			return nil, fmt.Errorf("devledger: collection %s is not defined", c.Collection)
		}
		if len(c.Reads) > 0 || transient {
			allowed = slices.DeleteFunc(allowed, func(o string) bool { return !cc.member(o) })
			if len(c.Reads) == 0 {
				protected = append(protected, c.Collection)
			}
		}
	}
	choose := func(cands []string) []string {
		var best []string
		n := len(cands)
		for mask := 1; mask < 1<<n; mask++ {
			var set []string
			for i := range n {
				if mask&(1<<i) != 0 {
					set = append(set, cands[i])
				}
			}
			signers := make([]signer, len(set))
			for i, o := range set {
				signers[i] = signerOf(l.peers[o])
			}
			if !satisfiesAll(policies, signers) {
				continue
			}
			if best == nil || better(set, best, first) {
				best = set
			}
		}
		return best
	}
	if set := choose(allowed); set != nil {
		return set, nil
	}
	if len(protected) > 0 && choose(orgs) != nil {
		return nil, fmt.Errorf("requires endorsement from organisation(s) that are not in the distribution policy of the private data collection(s): %v; retry specifying trusted endorsing organizations to protect transient data", protected)
	}
	return nil, errors.New("no combination of the channel's peers satisfies the endorsement policy")
}

// better prefers fewer organisations, then a set with first, then the
// earlier set in channel order.
func better(a, b []string, first string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	ha, hb := slices.Contains(a, first), slices.Contains(b, first)
	if ha != hb {
		return ha
	}
	return slices.Compare(a, b) < 0
}

// checkEndorsements verifies every endorsement's certificate (a peer of a
// channel organisation) and signature, and returns the endorsers.
func (v *validator) checkEndorsements(p *TxPayload) ([]signer, bool) {
	if len(p.Endorsements) == 0 {
		return nil, true
	}
	var out []signer
	seen := map[string]bool{}
	for _, e := range p.Endorsements {
		cert, msp, err := v.checkCreator(e.Endorser)
		if err != nil {
			return nil, false
		}
		if err := identity.Verify(cert, endorsedMessage(p.ResponsePayload, e.Endorser), e.Signature); err != nil {
			return nil, false
		}
		if seen[string(e.Endorser)] {
			continue
		}
		seen[string(e.Endorser)] = true
		out = append(out, signer{msp: msp, ous: cert.Subject.OrganizationalUnit, cert: cert})
	}
	return out, true
}

// applyPrivate stores a valid transaction's hashed writes in the hash
// store and its private values, where they match the hashes, in the
// private stores of the collections' member organisations.
func applyPrivate(tx *bolt.Tx, def *chaincodeDefinition, ver Version, rw *RWSet, pvt []PrivateWrites) ([]KVWrite, error) {
	hashes := tx.Bucket(bucketPvtHash)
	var applied []KVWrite
	for _, c := range rw.Collections {
		for _, w := range c.Writes {
			k := pvtHashKey(c.Collection, w.KeyHash)
			var err error
			if w.IsDelete {
				err = hashes.Delete(k)
			} else {
				err = hashes.Put(k, encodeState(ver, w.ValueHash))
			}
			if err != nil {
				return nil, err
			}
			applied = append(applied, KVWrite{Key: "\x00pvt\x00" + string(k), Value: w.ValueHash, IsDelete: w.IsDelete})
		}
	}
	store := tx.Bucket(bucketPrivate)
	if store == nil {
		return applied, nil
	}
	for _, p := range pvt {
		cc := def.colls[p.Collection]
		hashed := hashedWrites(rw, p.Collection)
		if cc == nil {
			continue
		}
		for _, w := range p.Writes {
			hw, ok := hashed[string(keyHash(w.Key))]
			if !ok || hw.IsDelete != w.IsDelete || (!w.IsDelete && !bytes.Equal(hw.ValueHash, valueHash(w.Value))) {
				continue // not the value the block vouches for
			}
			for _, m := range cc.members {
				var err error
				if w.IsDelete {
					err = store.Delete(privateKey(m, p.Collection, w.Key))
				} else {
					err = store.Put(privateKey(m, p.Collection, w.Key), encodeState(ver, w.Value))
				}
				if err != nil {
					return nil, err
				}
			}
		}
	}
	return applied, nil
}

func hashedWrites(rw *RWSet, coll string) map[string]HashedWrite {
	out := map[string]HashedWrite{}
	for _, c := range rw.Collections {
		if c.Collection == coll {
			for _, w := range c.Writes {
				out[string(w.KeyHash)] = w
			}
		}
	}
	return out
}

// applyMeta stores a valid transaction's key-level policies. Like Fabric,
// a policy lives with its key: deleting the key drops it, and setting one
// gives an existing key a new version.
func applyMeta(tx *bolt.Tx, ver Version, rw *RWSet) ([]KVWrite, error) {
	vps := tx.Bucket(bucketVParams)
	state := tx.Bucket(bucketState)
	written := map[string]KVWrite{}
	for _, w := range rw.Writes {
		written[w.Key] = w
		if w.IsDelete {
			if err := vps.Delete([]byte(w.Key)); err != nil {
				return nil, err
			}
		}
	}
	var applied []KVWrite
	for _, m := range rw.MetaWrites {
		if w, ok := written[m.Key]; ok && w.IsDelete {
			continue
		}
		raw := state.Get([]byte(m.Key))
		if raw == nil {
			continue // Fabric ignores metadata of a key that does not exist
		}
		var err error
		if len(m.ValidationParameter) == 0 {
			err = vps.Delete([]byte(m.Key))
		} else {
			err = vps.Put([]byte(m.Key), m.ValidationParameter)
		}
		if err != nil {
			return nil, err
		}
		if _, ok := written[m.Key]; !ok {
			_, val, err := decodeState(raw)
			if err != nil {
				return nil, err
			}
			if err := state.Put([]byte(m.Key), encodeState(ver, bytes.Clone(val))); err != nil {
				return nil, err
			}
		}
		applied = append(applied, KVWrite{Key: "\x00vp\x00" + m.Key, Value: m.ValidationParameter})
	}
	return applied, nil
}

// checkHashedReads is MVCC on private data: every hashed read's version
// must still be the committed hash's version.
func checkHashedReads(tx *bolt.Tx, rw *RWSet) (bool, error) {
	hashes := tx.Bucket(bucketPvtHash)
	for _, c := range rw.Collections {
		for _, r := range c.Reads {
			raw := hashes.Get(pvtHashKey(c.Collection, r.KeyHash))
			var cur *Version
			if raw != nil {
				v, _, err := decodeState(raw)
				if err != nil {
					return false, err
				}
				cur = &v
			}
			if !sameVersion(cur, r.Version) {
				return false, nil
			}
		}
	}
	return true, nil
}
