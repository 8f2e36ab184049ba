package readmodel

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Rule is who may see a row of a kind, mirroring the kind's Get* query in
// the chaincode. A viewer named on the row as a party (any role recorded in
// Row.Parties) always sees it; beyond that:
type Rule struct {
	Public     bool     // anyone, without an enterprise (GetLot, GetProduct, GetEnterprise)
	Registered bool     // any active enterprise (GetReceipt)
	Kinds      []string // an active enterprise holding one of these kinds in effect
}

// RuleOf is the chaincode's read rule of a kind (ok false for a kind the
// projection keeps no rows of):
//
//   - financing: the applicant and the bank (finance:GetFinancing); the
//     regulator does not read financings on the ledger, so not here either;
//   - receivable: seller, creditor, buyer, any bank, a regulator;
//   - claim: insurer, insured, the paid beneficiary, the assignee bank of
//     its shipment, a regulator;
//   - shipment: insurer, insured, assignee bank, the bank financing it, a
//     regulator;
//   - policy: insurer, insured, a regulator;
//   - receipt: any registered enterprise;
//   - declaration: exporter, declarant, customs, banks, insurers, a
//     regulator (trade:GetDeclaration);
//   - trade: the seller, the insurer of its shipment, banks, customs, a
//     regulator (trade:GetTradeVerification);
//   - lot, product, enterprise: anyone.
func RuleOf(kind string) (Rule, bool) {
	switch kind {
	case KindFinancing:
		return Rule{}, true
	case KindReceivable:
		return Rule{Kinds: []string{"bank", "regulator"}}, true
	case KindClaim, KindShipment, KindPolicy:
		return Rule{Kinds: []string{"regulator"}}, true
	case KindReceipt:
		return Rule{Registered: true}, true
	case KindDeclaration:
		return Rule{Kinds: []string{"customs", "bank", "insurer", "regulator"}}, true
	case KindTrade:
		return Rule{Kinds: []string{"bank", "customs", "regulator"}}, true
	case KindLot, KindProduct, KindEnterprise:
		return Rule{Public: true}, true
	}
	return Rule{}, false
}

// SeesAll reports whether v sees every row of kind without being named on
// it.
func (r Rule) SeesAll(v Viewer) bool {
	if r.Public {
		return true
	}
	if v.CreditCode == "" {
		return false
	}
	if r.Registered {
		return true
	}
	for _, k := range r.Kinds {
		if v.Has(k) {
			return true
		}
	}
	return false
}

// EventKind maps an event's entity to the kind of row whose visibility it
// has; ok is false for entities the projection keeps no rows of
// (assignment, creditLimit, certificate, traceEvent, governance), whose
// events only the acting party and regulators see.
func EventKind(entity string) (string, bool) {
	_, ok := RuleOf(entity)
	return entity, ok
}

// ViewerOf resolves an enterprise to a viewer from the projected registry:
// an enterprise that is not active, or holds no kind in effect, may read
// only what anyone may (the chaincode's requireEnterprise).
func ViewerOf(ctx context.Context, s Store, creditCode string) (Viewer, error) {
	if creditCode == "" {
		return Viewer{}, nil
	}
	r, ok, err := s.Row(ctx, Ref{Kind: KindEnterprise, ID: creditCode})
	if err != nil || !ok {
		return Viewer{}, err
	}
	var e struct {
		Status string   `json:"status"`
		Kinds  []string `json:"kinds"`
	}
	if err := json.Unmarshal(r.Doc, &e); err != nil {
		return Viewer{}, err
	}
	return viewerOf(creditCode, e.Status, e.Kinds), nil
}

// ViewerOfCaller is the viewer the chaincode's WhoAmI describes.
func ViewerOfCaller(me api.Caller) Viewer {
	if me.Enterprise == nil {
		return Viewer{}
	}
	return viewerOf(me.Enterprise.CreditCode, me.Enterprise.Status, me.Enterprise.Kinds)
}

func viewerOf(code, status string, kinds []string) Viewer {
	if status != api.EnterpriseActive || len(kinds) == 0 {
		return Viewer{}
	}
	return Viewer{CreditCode: code, Kinds: slices.Clone(kinds)}
}
