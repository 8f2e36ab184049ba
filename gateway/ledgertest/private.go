package ledgertest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// collection is the probe's private data collection of A's and B's
// organisations (network/collections/probe.json).
const collection = "probe-ab"

func (s *suite) refused(t *testing.T, err error, what string) *gateway.ChaincodeError {
	t.Helper()
	var ce *gateway.ChaincodeError
	if !errors.As(err, &ce) {
		t.Errorf("%s: err = %v, want a chaincode refusal", what, err)
	}
	return ce
}

func commitCode(t *testing.T, err error) gateway.ValidationCode {
	t.Helper()
	var ce *gateway.CommitError
	switch {
	case err == nil:
		return gateway.Valid
	case errors.As(err, &ce):
		return ce.Code
	}
	t.Fatalf("not a commit outcome: %v", err)
	return ""
}

// Private data: a value passed as transient data reaches the member
// organisations' peers and never a block; a member reads it, a non-member
// may not, and anyone can check a value shown to it against the hash every
// peer keeps.
func (s *suite) privateData(t *testing.T) {
	ctx := context.Background()
	k := s.key("pvt")
	secret := "PRIVATE-TERMS-" + s.ns
	put := gateway.Request{Function: "PutPrivate", Args: []string{collection, k}, Transient: map[string][]byte{"value": []byte(secret)}}
	c, err := s.l.Submit(ctx, s.h.A, put)
	if err != nil {
		t.Fatalf("PutPrivate as a member: %v", err)
	}
	if s.h.BlockBytes != nil {
		raw := s.blockBytes(t, c.BlockNumber)
		if has(raw, []byte(secret)) {
			t.Errorf("the private value is in block %d", c.BlockNumber)
		}
		if sum := sha256.Sum256([]byte(secret)); !has(raw, sum[:]) {
			t.Errorf("block %d does not carry the private value's hash", c.BlockNumber)
		}
	}

	tests := []struct {
		name   string
		id     *identity.Identity
		fn     string
		want   string
		refuse bool
	}{
		{"the writer reads it", s.h.A, "GetPrivate", secret, false},
		{"the other member reads it", s.h.B, "GetPrivate", secret, false},
		{"a non-member may not read it", s.h.C, "GetPrivate", "", true},
		{"a non-member reads its hash", s.h.C, "PrivateHash", sha256Hex(secret), false},
		{"a member reads its hash", s.h.B, "PrivateHash", sha256Hex(secret), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.l.Evaluate(ctx, tc.id, gateway.Request{Function: tc.fn, Args: []string{collection, k}})
			if tc.refuse {
				s.refused(t, err, tc.fn)
				return
			}
			if err != nil || string(out) != tc.want {
				t.Errorf("%s = %q, %v; want %q", tc.fn, out, err, tc.want)
			}
		})
	}
	// A third party shown a value checks it against the ledger's hash.
	h := s.evaluate(t, s.h.C, "PrivateHash", collection, k)
	if h != sha256Hex(secret) || h == sha256Hex(secret+"0") {
		t.Errorf("the ledger's hash %s does not tell the true value from a false one", h)
	}
	_, err = s.l.Evaluate(ctx, s.h.C, gateway.Request{Function: "PrivateHash", Args: []string{collection, s.key("pvt-none")}})
	if ce := s.refused(t, err, "PrivateHash of a missing key"); ce != nil && ce.Code != "NOT_FOUND" {
		t.Errorf("PrivateHash of a missing key: %v, want NOT_FOUND", err)
	}
	// A non-member may not write the collection.
	_, err = s.l.Submit(ctx, s.h.C, gateway.Request{Function: "PutPrivate", Args: []string{collection, s.key("pvt-c")}, Transient: map[string][]byte{"value": []byte("x")}})
	s.refused(t, err, "PutPrivate as a non-member")
	// An unknown collection is refused.
	_, err = s.l.Evaluate(ctx, s.h.A, gateway.Request{Function: "GetPrivate", Args: []string{"no-such-collection", k}})
	s.refused(t, err, "GetPrivate of an unknown collection")
}

// has tells whether a block's bytes hold b, raw (protobuf, as Fabric's) or
// in base64 (JSON, as devledger's).
func has(raw, b []byte) bool {
	return strings.Contains(string(raw), string(b)) || strings.Contains(string(raw), base64.StdEncoding.EncodeToString(b))
}

func sha256Hex(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// Two read-modify-writes of one private key simulated on the same state:
// validation compares the versions of the key's hash, so exactly one
// commits.
func (s *suite) privateMVCC(t *testing.T) {
	if s.h.Prepare == nil {
		t.Skip("backend cannot prepare transactions without ordering them")
	}
	k := s.key("pvt-counter")
	incr := gateway.Request{Function: "IncrPrivate", Args: []string{collection, k}}
	pa, pb := s.prepareBoth(t, s.h.A, s.h.B, incr, incr)
	var wg sync.WaitGroup
	codes := make([]gateway.ValidationCode, 2)
	errs := make([]error, 2)
	for i, p := range []Pending{pa, pb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = p.Submit(context.Background())
		}()
	}
	wg.Wait()
	for i := range errs {
		codes[i] = commitCode(t, errs[i])
	}
	slices.Sort(codes)
	if want := []gateway.ValidationCode{gateway.MVCCReadConflict, gateway.Valid}; !slices.Equal(codes, want) {
		t.Fatalf("codes = %v, want %v", codes, want)
	}
	if got := s.evaluate(t, s.h.B, "GetPrivate", collection, k); got != "1" {
		t.Errorf("private counter = %s, want 1", got)
	}
}

// Endorsement policies, validated at commit: the chaincode's (two
// organisations), the collection's (both members) and a key's own
// (key-level, set by the chaincode). A transaction endorsed by too few is
// ENDORSEMENT_POLICY_FAILURE and changes nothing; left to the ledger, the
// endorsers are chosen to satisfy every policy.
func (s *suite) endorsementPolicies(t *testing.T) {
	ctx := context.Background()
	a, b, c := s.h.A.MSPID, s.h.B.MSPID, s.h.C.MSPID
	sbe := s.key("sbe")
	s.submit(t, s.h.A, "Put", sbe, "v0")
	s.submit(t, s.h.A, "SetKeyPolicy", sbe, jsonArg(t, []string{a, c}))
	want := []string{a, c}
	slices.Sort(want)
	if got := s.evaluate(t, s.h.B, "KeyPolicy", sbe); got != jsonArg(t, want) {
		t.Errorf("KeyPolicy = %s, want %s", got, jsonArg(t, want))
	}
	tests := []struct {
		name      string
		req       gateway.Request
		endorsers []string
		want      gateway.ValidationCode
		check     func(t *testing.T)
	}{
		{"chaincode policy: one organisation is not enough",
			gateway.Request{Function: "Put", Args: []string{s.key("ep1"), "x"}}, []string{a}, gateway.EndorsementPolicyFailure,
			func(t *testing.T) {
				_, err := s.l.Evaluate(ctx, s.h.B, gateway.Request{Function: "Get", Args: []string{s.key("ep1")}})
				s.refused(t, err, "Get of a key whose write failed validation")
			}},
		{"chaincode policy: two organisations",
			gateway.Request{Function: "Put", Args: []string{s.key("ep2"), "x"}}, []string{a, c}, gateway.Valid, nil},
		{"collection policy: both members, not any two",
			gateway.Request{Function: "PutPrivate", Args: []string{collection, s.key("ep3")}, Transient: map[string][]byte{"value": []byte("y")}}, []string{a, c}, gateway.EndorsementPolicyFailure,
			func(t *testing.T) {
				_, err := s.l.Evaluate(ctx, s.h.C, gateway.Request{Function: "PrivateHash", Args: []string{collection, s.key("ep3")}})
				s.refused(t, err, "PrivateHash of a write that failed validation")
			}},
		{"key-level policy: the chaincode's is not enough",
			gateway.Request{Function: "Put", Args: []string{sbe, "v1"}}, []string{a, b}, gateway.EndorsementPolicyFailure,
			func(t *testing.T) {
				if got := s.evaluate(t, s.h.B, "Get", sbe); got != "v0" {
					t.Errorf("Get = %q, want v0: an invalid write changed the key", got)
				}
			}},
		{"key-level policy: its organisations",
			gateway.Request{Function: "Put", Args: []string{sbe, "v2"}}, []string{a, c}, gateway.Valid, nil},
		{"key-level policy: the ledger chooses its endorsers",
			gateway.Request{Function: "Put", Args: []string{sbe, "v3"}}, nil, gateway.Valid,
			func(t *testing.T) {
				if got := s.evaluate(t, s.h.B, "Get", sbe); got != "v3" {
					t.Errorf("Get = %q, want v3", got)
				}
			}},
		{"key-level policy: changing it needs it too",
			gateway.Request{Function: "SetKeyPolicy", Args: []string{sbe, jsonArg(t, []string{a})}}, []string{a, b}, gateway.EndorsementPolicyFailure, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			req.EndorsingOrgs = tc.endorsers
			_, err := s.l.Submit(ctx, s.h.A, req)
			if got := commitCode(t, err); got != tc.want {
				t.Errorf("code = %s, want %s", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}
