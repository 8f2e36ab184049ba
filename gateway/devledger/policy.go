package devledger

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspproto "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// Endorsement policies are Fabric's signature policies: the text form the
// peer CLI takes (AND, OR, OutOf over 'MSPID.role' principals) compiles to
// the common.SignaturePolicyEnvelope that a chaincode's key-level policy
// (statebased.KeyEndorsementPolicy) also produces, and both are evaluated
// the same way: against the set of endorsers, each endorsement counting for
// at most one principal, as Fabric's cauthdsl does.

// ParsePolicy compiles a signature policy in Fabric's text syntax, for
// example OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.peer').
func ParsePolicy(text string) (*common.SignaturePolicyEnvelope, error) {
	p := &policyParser{src: text}
	env := &common.SignaturePolicyEnvelope{Version: 0}
	rule, err := p.expr(env)
	if err != nil {
		return nil, fmt.Errorf("policy %q: %w", text, err)
	}
	p.space()
	if p.pos != len(p.src) {
		return nil, fmt.Errorf("policy %q: unexpected %q at %d", text, p.src[p.pos:], p.pos)
	}
	env.Rule = rule
	return env, nil
}

type policyParser struct {
	src string
	pos int
}

func (p *policyParser) space() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *policyParser) expect(c byte) error {
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return fmt.Errorf("expected %q at %d", c, p.pos)
	}
	p.pos++
	return nil
}

func (p *policyParser) expr(env *common.SignaturePolicyEnvelope) (*common.SignaturePolicy, error) {
	p.space()
	if p.pos < len(p.src) && (p.src[p.pos] == '\'' || p.src[p.pos] == '"') {
		return p.principal(env)
	}
	start := p.pos
	for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos]))) {
		p.pos++
	}
	op := strings.ToLower(p.src[start:p.pos])
	if err := p.expect('('); err != nil {
		return nil, err
	}
	n := -1
	if op == "outof" {
		p.space()
		s := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		v, err := strconv.Atoi(p.src[s:p.pos])
		if err != nil {
			return nil, fmt.Errorf("OutOf needs a count at %d", s)
		}
		n = v
		if err := p.expect(','); err != nil {
			return nil, err
		}
	} else if op != "and" && op != "or" {
		return nil, fmt.Errorf("unknown operator %q", p.src[start:p.pos])
	}
	var rules []*common.SignaturePolicy
	for {
		r, err := p.expr(env)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
		break
	}
	switch op {
	case "and":
		n = len(rules)
	case "or":
		n = 1
	}
	if n < 0 || n > len(rules) {
		return nil, fmt.Errorf("OutOf(%d) over %d policies", n, len(rules))
	}
	return &common.SignaturePolicy{Type: &common.SignaturePolicy_NOutOf_{NOutOf: &common.SignaturePolicy_NOutOf{N: int32(n), Rules: rules}}}, nil
}

var roleNames = map[string]mspproto.MSPRole_MSPRoleType{
	"member": mspproto.MSPRole_MEMBER, "admin": mspproto.MSPRole_ADMIN, "client": mspproto.MSPRole_CLIENT,
	"peer": mspproto.MSPRole_PEER, "orderer": mspproto.MSPRole_ORDERER,
}

func (p *policyParser) principal(env *common.SignaturePolicyEnvelope) (*common.SignaturePolicy, error) {
	q := p.src[p.pos]
	p.pos++
	end := strings.IndexByte(p.src[p.pos:], q)
	if end < 0 {
		return nil, fmt.Errorf("unterminated principal at %d", p.pos-1)
	}
	s := p.src[p.pos : p.pos+end]
	p.pos += end + 1
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 {
		return nil, fmt.Errorf("principal %q is not MSPID.role", s)
	}
	role, ok := roleNames[strings.ToLower(s[dot+1:])]
	if !ok {
		return nil, fmt.Errorf("principal %q: unknown role", s)
	}
	raw, err := proto.Marshal(&mspproto.MSPRole{MspIdentifier: s[:dot], Role: role})
	if err != nil {
		return nil, err
	}
	env.Identities = append(env.Identities, &mspproto.MSPPrincipal{PrincipalClassification: mspproto.MSPPrincipal_ROLE, Principal: raw})
	return &common.SignaturePolicy{Type: &common.SignaturePolicy_SignedBy{SignedBy: int32(len(env.Identities) - 1)}}, nil
}

// signer is one endorser as a policy sees it: its organisation and the
// roles (OUs) its certificate carries.
type signer struct {
	msp  string
	ous  []string
	cert *x509.Certificate
}

func (s signer) has(role mspproto.MSPRole_MSPRoleType) bool {
	switch role {
	case mspproto.MSPRole_MEMBER:
		return true
	case mspproto.MSPRole_ADMIN:
		return slices.Contains(s.ous, "admin")
	case mspproto.MSPRole_CLIENT:
		return slices.Contains(s.ous, "client")
	case mspproto.MSPRole_PEER:
		return slices.Contains(s.ous, "peer")
	case mspproto.MSPRole_ORDERER:
		return slices.Contains(s.ous, "orderer")
	}
	return false
}

// compiledPolicy is a policy ready to evaluate.
type compiledPolicy struct {
	principals []*mspproto.MSPRole // nil where a principal is not a role
	rule       *common.SignaturePolicy
}

func compilePolicy(env *common.SignaturePolicyEnvelope) (*compiledPolicy, error) {
	if env == nil || env.Rule == nil {
		return nil, fmt.Errorf("empty signature policy")
	}
	c := &compiledPolicy{rule: env.Rule}
	for _, id := range env.Identities {
		if id.PrincipalClassification != mspproto.MSPPrincipal_ROLE {
			c.principals = append(c.principals, nil)
			continue
		}
		var r mspproto.MSPRole
		if err := proto.Unmarshal(id.Principal, &r); err != nil {
			return nil, fmt.Errorf("principal: %w", err)
		}
		c.principals = append(c.principals, &r)
	}
	return c, nil
}

// compilePolicyBytes compiles a marshalled SignaturePolicyEnvelope, as a
// key-level validation parameter holds it.
func compilePolicyBytes(raw []byte) (*compiledPolicy, error) {
	var env common.SignaturePolicyEnvelope
	if err := proto.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("signature policy envelope: %w", err)
	}
	return compilePolicy(&env)
}

// satisfied tells whether the signers satisfy the policy.
func (c *compiledPolicy) satisfied(signers []signer) bool {
	used := make([]bool, len(signers))
	return c.eval(c.rule, signers, used)
}

func (c *compiledPolicy) eval(r *common.SignaturePolicy, signers []signer, used []bool) bool {
	switch t := r.Type.(type) {
	case *common.SignaturePolicy_SignedBy:
		if int(t.SignedBy) >= len(c.principals) || c.principals[t.SignedBy] == nil {
			return false
		}
		want := c.principals[t.SignedBy]
		for i, s := range signers {
			if !used[i] && s.msp == want.MspIdentifier && s.has(want.Role) {
				used[i] = true
				return true
			}
		}
		return false
	case *common.SignaturePolicy_NOutOf_:
		n := 0
		trial := make([]bool, len(used))
		for _, sub := range t.NOutOf.Rules {
			copy(trial, used)
			if c.eval(sub, signers, trial) {
				n++
				copy(used, trial)
			}
		}
		return n >= int(t.NOutOf.N)
	}
	return false
}

// orgs lists the organisations a policy names, in order of appearance.
func (c *compiledPolicy) orgs() []string {
	var out []string
	for _, p := range c.principals {
		if p != nil && !slices.Contains(out, p.MspIdentifier) {
			out = append(out, p.MspIdentifier)
		}
	}
	return out
}
