package contracts

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/qingchain/qingchain/chaincode/uscc"
)

// Enterprise kinds (DESIGN.md §4).
const (
	KindProducer  = "producer"
	KindProcessor = "processor"
	KindLogistics = "logistics"
	KindWarehouse = "warehouse"
	KindExporter  = "exporter"
	KindBank      = "bank"
	KindInsurer   = "insurer"
	KindInspector = "inspector"
	KindRegulator = "regulator"
)

var allKinds = []string{KindBank, KindExporter, KindInspector, KindInsurer, KindLogistics, KindProcessor, KindProducer, KindRegulator, KindWarehouse}

const (
	objEnterprise       = "enterprise"
	objMember           = "member"
	idxEnterpriseByMSP  = "enterprise~msp"
	idxMemberOfEnterpr  = "enterprise~member"
	enterpriseActive    = "ACTIVE"
	maxMembersPerListed = 1000
)

// Registry is the on-ledger enterprise registry: which enterprise each
// member identity acts for, and what kinds of business that enterprise does.
type Registry struct {
	contractapi.Contract
}

// Enterprise is a registered enterprise.
type Enterprise struct {
	CreditCode   string   `json:"creditCode"`
	Name         string   `json:"name"`
	NameEn       string   `json:"nameEn,omitempty"`
	MSPID        string   `json:"mspId"`
	Kinds        []string `json:"kinds"`
	Status       string   `json:"status"`
	RegisteredAt string   `json:"registeredAt"`
	RegisteredBy string   `json:"registeredBy"`
	TxID         string   `json:"txId"`
}

// Member binds one identity (MSP ID + cid ID) to an enterprise.
type Member struct {
	MSPID      string `json:"mspId"`
	ID         string `json:"id"`
	Label      string `json:"label,omitempty"`
	CreditCode string `json:"creditCode"`
	BoundAt    string `json:"boundAt"`
	BoundBy    string `json:"boundBy"`
}

// EnterpriseView is an enterprise with its members.
type EnterpriseView struct {
	Enterprise
	Members []Member `json:"members"`
}

// Caller is the identity behind a transaction, resolved through the registry.
type Caller struct {
	MSPID      string      `json:"mspId"`
	ID         string      `json:"id"`
	Admin      bool        `json:"admin"`
	Enterprise *Enterprise `json:"enterprise,omitempty"`
}

// HasKind reports whether the caller's enterprise does this kind of business.
func (c *Caller) HasKind(kind string) bool {
	return c.Enterprise != nil && slices.Contains(c.Enterprise.Kinds, kind)
}

type registerInput struct {
	CreditCode string   `json:"creditCode"`
	Name       string   `json:"name"`
	NameEn     string   `json:"nameEn"`
	Kinds      []string `json:"kinds"`
}

// RegisterEnterprise registers an enterprise in the caller's organisation.
// Only an organisation admin (OU "admin") may do so.
func (r *Registry) RegisterEnterprise(ctx contractapi.TransactionContextInterface, input string) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	if !c.Admin {
		return "", errf(CodeForbidden, "only an organisation admin registers enterprises")
	}
	var in registerInput
	if err := decodeArg("enterprise", input, &in); err != nil {
		return "", err
	}
	if err := uscc.Validate(in.CreditCode); err != nil {
		return "", errf(CodeInvalidArgument, "creditCode: %v", err)
	}
	e := Enterprise{CreditCode: in.CreditCode, MSPID: c.MSPID, Status: enterpriseActive, RegisteredBy: c.ID, TxID: ctx.GetStub().GetTxID()}
	if e.Name, err = cleanText("name", in.Name, true, 100); err != nil {
		return "", err
	}
	if e.NameEn, err = cleanText("nameEn", in.NameEn, false, 200); err != nil {
		return "", err
	}
	if e.Kinds, err = checkKinds(in.Kinds); err != nil {
		return "", err
	}
	k, err := key(ctx, objEnterprise, e.CreditCode)
	if err != nil {
		return "", err
	}
	var existing Enterprise
	if found, err := getJSON(ctx, k, &existing); err != nil {
		return "", err
	} else if found {
		return "", errf(CodeAlreadyExists, "enterprise %s is already registered (%s)", e.CreditCode, existing.Name)
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	e.RegisteredAt = now.Format(timeLayout)
	if err := putJSON(ctx, k, e); err != nil {
		return "", err
	}
	if err := putIndex(ctx, idxEnterpriseByMSP, e.MSPID, e.CreditCode); err != nil {
		return "", err
	}
	if err := emit(ctx, "EnterpriseRegistered", Event{Entity: "enterprise", ID: e.CreditCode, Action: "registered", By: c.MSPID}); err != nil {
		return "", err
	}
	return toJSON(e)
}

type bindInput struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// BindMember binds an identity of the enterprise's organisation to it. Only
// that organisation's admin may bind; an identity acts for one enterprise.
func (r *Registry) BindMember(ctx contractapi.TransactionContextInterface, creditCode, input string) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	e, err := loadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if !c.Admin || c.MSPID != e.MSPID {
		return "", errf(CodeForbidden, "only an admin of %s binds members of %s", e.MSPID, e.CreditCode)
	}
	var in bindInput
	if err := decodeArg("member", input, &in); err != nil {
		return "", err
	}
	if err := checkClientID(in.ID); err != nil {
		return "", err
	}
	label, err := cleanText("label", in.Label, false, 100)
	if err != nil {
		return "", err
	}
	mk, err := key(ctx, objMember, e.MSPID, in.ID)
	if err != nil {
		return "", err
	}
	var existing Member
	if found, err := getJSON(ctx, mk, &existing); err != nil {
		return "", err
	} else if found {
		return "", errf(CodeAlreadyExists, "identity is already bound to enterprise %s", existing.CreditCode)
	}
	now, err := txTime(ctx)
	if err != nil {
		return "", err
	}
	m := Member{MSPID: e.MSPID, ID: in.ID, Label: label, CreditCode: e.CreditCode, BoundAt: now.Format(timeLayout), BoundBy: c.ID}
	if err := putJSON(ctx, mk, m); err != nil {
		return "", err
	}
	if err := putIndex(ctx, idxMemberOfEnterpr, e.CreditCode, e.MSPID, in.ID); err != nil {
		return "", err
	}
	if err := emit(ctx, "MemberBound", Event{Entity: "enterprise", ID: e.CreditCode, Action: "member-bound", By: c.MSPID}); err != nil {
		return "", err
	}
	return toJSON(m)
}

// UnbindMember removes a member identity from an enterprise.
func (r *Registry) UnbindMember(ctx contractapi.TransactionContextInterface, creditCode, memberID string) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	e, err := loadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	if !c.Admin || c.MSPID != e.MSPID {
		return "", errf(CodeForbidden, "only an admin of %s unbinds members of %s", e.MSPID, e.CreditCode)
	}
	if err := checkClientID(memberID); err != nil {
		return "", err
	}
	mk, err := key(ctx, objMember, e.MSPID, memberID)
	if err != nil {
		return "", err
	}
	var m Member
	if found, err := getJSON(ctx, mk, &m); err != nil {
		return "", err
	} else if !found || m.CreditCode != e.CreditCode {
		return "", errf(CodeNotFound, "identity is not a member of %s", e.CreditCode)
	}
	if err := ctx.GetStub().DelState(mk); err != nil {
		return "", errf(CodeInternal, "delete member: %v", err)
	}
	if err := delIndex(ctx, idxMemberOfEnterpr, e.CreditCode, e.MSPID, memberID); err != nil {
		return "", err
	}
	if err := emit(ctx, "MemberUnbound", Event{Entity: "enterprise", ID: e.CreditCode, Action: "member-unbound", By: c.MSPID}); err != nil {
		return "", err
	}
	return toJSON(m)
}

// GetEnterprise returns an enterprise and its members.
func (r *Registry) GetEnterprise(ctx contractapi.TransactionContextInterface, creditCode string) (string, error) {
	e, err := loadEnterprise(ctx, creditCode)
	if err != nil {
		return "", err
	}
	v := EnterpriseView{Enterprise: *e, Members: []Member{}}
	tails, err := indexTails(ctx, idxMemberOfEnterpr, []string{e.CreditCode})
	if err != nil {
		return "", err
	}
	for _, t := range tails {
		if len(v.Members) >= maxMembersPerListed {
			break
		}
		mk, err := key(ctx, objMember, t[0], t[1])
		if err != nil {
			return "", err
		}
		var m Member
		if found, err := getJSON(ctx, mk, &m); err != nil {
			return "", err
		} else if found {
			v.Members = append(v.Members, m)
		}
	}
	return toJSON(v)
}

// ListEnterprises lists the enterprises of one organisation (MSP ID), or of
// all organisations when mspID is empty.
func (r *Registry) ListEnterprises(ctx contractapi.TransactionContextInterface, mspID string) (string, error) {
	out := []Enterprise{}
	if mspID == "" {
		it, err := ctx.GetStub().GetStateByPartialCompositeKey(objEnterprise, nil)
		if err != nil {
			return "", errf(CodeInternal, "list: %v", err)
		}
		defer it.Close()
		for it.HasNext() {
			kv, err := it.Next()
			if err != nil {
				return "", errf(CodeInternal, "list: %v", err)
			}
			var e Enterprise
			if err := jsonUnmarshal(kv.Value, &e); err != nil {
				return "", err
			}
			out = append(out, e)
		}
		return toJSON(out)
	}
	tails, err := indexTails(ctx, idxEnterpriseByMSP, []string{mspID})
	if err != nil {
		return "", err
	}
	for _, t := range tails {
		e, err := loadEnterprise(ctx, t[0])
		if err != nil {
			return "", err
		}
		out = append(out, *e)
	}
	return toJSON(out)
}

// WhoAmI resolves the caller through the registry.
func (r *Registry) WhoAmI(ctx contractapi.TransactionContextInterface) (string, error) {
	c, err := identify(ctx)
	if err != nil {
		return "", err
	}
	return toJSON(c)
}

// identify resolves the caller: MSP ID, cid ID, admin OU, and the enterprise
// the identity is bound to (nil when unbound).
func identify(ctx contractapi.TransactionContextInterface) (*Caller, error) {
	ci := ctx.GetClientIdentity()
	msp, err := ci.GetMSPID()
	if err != nil {
		return nil, errf(CodeForbidden, "cannot read caller's MSP ID: %v", err)
	}
	id, err := ci.GetID()
	if err != nil {
		return nil, errf(CodeForbidden, "cannot read caller's identity: %v", err)
	}
	admin, err := cid.HasOUValue(ctx.GetStub(), "admin")
	if err != nil {
		admin = false
	}
	c := &Caller{MSPID: msp, ID: id, Admin: admin}
	mk, err := key(ctx, objMember, msp, id)
	if err != nil {
		return nil, err
	}
	var m Member
	found, err := getJSON(ctx, mk, &m)
	if err != nil {
		return nil, err
	}
	if found {
		e, err := loadEnterprise(ctx, m.CreditCode)
		if err != nil {
			return nil, err
		}
		c.Enterprise = e
	}
	return c, nil
}

// requireKind resolves the caller and insists that its enterprise is active
// and does one of the given kinds of business.
func requireKind(ctx contractapi.TransactionContextInterface, action string, kinds ...string) (*Caller, error) {
	c, err := identify(ctx)
	if err != nil {
		return nil, err
	}
	if c.Enterprise == nil {
		return nil, errf(CodeUnauthenticated, "identity is not bound to any registered enterprise; an admin of %s must bind it first", c.MSPID)
	}
	if c.Enterprise.Status != enterpriseActive {
		return nil, errf(CodeForbidden, "enterprise %s is %s", c.Enterprise.CreditCode, c.Enterprise.Status)
	}
	for _, k := range kinds {
		if c.HasKind(k) {
			return c, nil
		}
	}
	return nil, errf(CodeForbidden, "%s requires an enterprise of kind %s; %s is %s", action, strings.Join(kinds, " or "), c.Enterprise.CreditCode, strings.Join(c.Enterprise.Kinds, ", "))
}

func loadEnterprise(ctx contractapi.TransactionContextInterface, creditCode string) (*Enterprise, error) {
	if err := uscc.Validate(creditCode); err != nil {
		return nil, errf(CodeInvalidArgument, "creditCode: %v", err)
	}
	k, err := key(ctx, objEnterprise, creditCode)
	if err != nil {
		return nil, err
	}
	var e Enterprise
	found, err := getJSON(ctx, k, &e)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errf(CodeNotFound, "enterprise %s is not registered", creditCode)
	}
	return &e, nil
}

func checkKinds(kinds []string) ([]string, error) {
	if len(kinds) == 0 {
		return nil, errf(CodeInvalidArgument, "kinds: at least one of %s", strings.Join(allKinds, ", "))
	}
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		if !slices.Contains(allKinds, k) {
			return nil, errf(CodeInvalidArgument, "kinds: unknown kind %q (one of %s)", k, strings.Join(allKinds, ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

// checkClientID insists on the form cid.GetID produces: base64 of
// "x509::<subject>::<issuer>".
func checkClientID(id string) error {
	if id == "" || len(id) > 2048 {
		return errf(CodeInvalidArgument, "member id is empty or too long")
	}
	raw, err := base64.StdEncoding.DecodeString(id)
	if err != nil || !strings.HasPrefix(string(raw), "x509::") || strings.Count(string(raw), "::") < 2 {
		return errf(CodeInvalidArgument, "member id must be a client identity id (base64 of x509::subject::issuer)")
	}
	return nil
}
