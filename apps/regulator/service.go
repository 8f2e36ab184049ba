package regulator

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/qingchain/qingchain/apps/pagekit"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/zonestats"
)

// Service reads the regulator's pages from the read model and writes
// through the typed client, always as the signed-in identity: the
// chaincode decides every write, the service only refuses early what it
// would refuse anyway (a caller that is not a regulator) and malformed
// input.
type Service struct {
	pagekit.Deps
}

// Session is who is signed in.
type Session = pagekit.Session

func mustRegulate(se Session) (readmodel.Viewer, error) {
	return pagekit.Must(se, api.KindRegulator, "regulator's")
}

// Dashboard computes the zone's statistics, exactly as /api/v1/stats
// answers them to the same viewer, and draws them.
func (s *Service) Dashboard(ctx context.Context, se Session, t Texts) (*Dashboard, error) {
	v, err := mustRegulate(se)
	if err != nil {
		return nil, err
	}
	cp, err := s.Store.Checkpoint(ctx)
	if err != nil {
		return nil, pagekit.StoreError(err)
	}
	st, err := zonestats.Compute(ctx, s.Store, v)
	if err != nil {
		return nil, pagekit.StoreError(err)
	}
	st.Through = cp.Seq
	names, err := s.names(ctx, v)
	if err != nil {
		return nil, err
	}
	return NewDashboard(st, t, names)
}

// names maps the enterprises' credit codes and the products' GTINs on the
// first page of each list to their names; anything else shows its code.
func (s *Service) names(ctx context.Context, v readmodel.Viewer) (Names, error) {
	m := map[string]string{}
	for _, kind := range []string{readmodel.KindEnterprise, readmodel.KindProduct} {
		page, err := s.Store.List(ctx, readmodel.Query{Kind: kind, Viewer: v, Sort: "id", Limit: readmodel.MaxLimit})
		if err != nil {
			return nil, pagekit.StoreError(err)
		}
		for _, raw := range page.Items {
			var doc struct {
				CreditCode string `json:"creditCode"`
				Name       string `json:"name"`
				GTIN       string `json:"gtin"`
				NameZh     string `json:"nameZh"`
			}
			if json.Unmarshal(raw, &doc) != nil {
				continue // a row the names cannot use still shows by its code
			}
			if doc.CreditCode != "" && doc.Name != "" {
				m[doc.CreditCode] = doc.Name
			}
			if doc.GTIN != "" && doc.NameZh != "" {
				m[doc.GTIN] = doc.NameZh
			}
		}
	}
	return func(code string) string {
		if n, ok := m[code]; ok {
			return n
		}
		return code
	}, nil
}

// Entry is one enterprise of the register.
type Entry struct {
	api.Enterprise
	Grade     *api.CreditGrade
	Sanctions []api.Sanction
	Active    int // sanctions in force
}

// Register is a page of the enterprise register.
type Register struct {
	Entries []Entry
	Next    string
}

// RegisterPageSize keeps a page's grade and sanction reads bounded.
const RegisterPageSize = 25

// Register lists enterprises from the read model with each one's grade
// and sanctions from the ledger.
func (s *Service) Register(ctx context.Context, se Session, cursor string) (*Register, error) {
	v, err := mustRegulate(se)
	if err != nil {
		return nil, err
	}
	page, err := s.Store.List(ctx, readmodel.Query{Kind: readmodel.KindEnterprise, Viewer: v, Sort: "id", Cursor: cursor, Limit: RegisterPageSize})
	if err != nil {
		return nil, pagekit.StoreError(err)
	}
	out := &Register{Next: page.NextCursor}
	for _, raw := range page.Items {
		var e api.Enterprise
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, gateway.Errorf(gateway.CodeReadModelUnavailable, "read model: enterprise row: %v", err)
		}
		entry, err := s.entry(ctx, se, e)
		if err != nil {
			return nil, err
		}
		out.Entries = append(out.Entries, entry)
	}
	return out, nil
}

func (s *Service) entry(ctx context.Context, se Session, e api.Enterprise) (Entry, error) {
	en := Entry{Enterprise: e}
	g, err := s.Client.GetCreditGrade(ctx, se.ID, e.CreditCode)
	if err != nil {
		return en, err
	}
	en.Grade = &g
	if en.Sanctions, err = s.Client.ListSanctions(ctx, se.ID, e.CreditCode); err != nil {
		return en, err
	}
	for _, x := range en.Sanctions {
		if x.Status == api.SanctionActive {
			en.Active++
		}
	}
	return en, nil
}

// Enterprise is one enterprise's page: the register's entry from the
// ledger itself (the read model may lag a write just made).
func (s *Service) Enterprise(ctx context.Context, se Session, code string) (*Entry, error) {
	if _, err := mustRegulate(se); err != nil {
		return nil, err
	}
	if err := pagekit.CheckCode(code); err != nil {
		return nil, err
	}
	ev, err := s.Client.GetEnterprise(ctx, se.ID, code)
	if err != nil {
		return nil, err
	}
	en, err := s.entry(ctx, se, ev.Enterprise)
	return &en, err
}

// Text limits of the forms.
const (
	maxReason = 500
	maxBasis  = 100
)

// RecordSanction records a sanction against an enterprise.
func (s *Service) RecordSanction(ctx context.Context, se Session, code, reason, basis string) (api.Sanction, error) {
	if _, err := mustRegulate(se); err != nil {
		return api.Sanction{}, err
	}
	if err := pagekit.CheckCode(code); err != nil {
		return api.Sanction{}, err
	}
	reason, err := pagekit.Text("reason", reason, maxReason)
	if err != nil {
		return api.Sanction{}, err
	}
	if basis, err = pagekit.Text("basis", basis, maxBasis); err != nil {
		return api.Sanction{}, err
	}
	w, err := s.Client.RecordSanction(ctx, se.ID, code, api.SanctionInput{Reason: reason, Basis: basis})
	if err != nil {
		return api.Sanction{}, err
	}
	s.Log.InfoContext(ctx, "portal: sanction recorded", "enterprise", code, "sanction", w.Result.ID, "tx", w.Commit.TxID)
	return w.Result, nil
}

// RecallLot recalls a lot (GTIN-8/12/13/14 and a GS1 lot number).
func (s *Service) RecallLot(ctx context.Context, se Session, gtin, lot, reason string) (api.Recall, error) {
	if _, err := mustRegulate(se); err != nil {
		return api.Recall{}, err
	}
	k, err := gs1.NewKey(strings.TrimSpace(gtin), strings.TrimSpace(lot), "")
	if err != nil {
		return api.Recall{}, gateway.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	if k.Lot == "" {
		return api.Recall{}, gateway.Errorf(api.CodeInvalidArgument, "lot: required")
	}
	if reason, err = pagekit.Text("reason", reason, maxReason); err != nil {
		return api.Recall{}, err
	}
	w, err := s.Client.RecallLot(ctx, se.ID, k.GTIN, k.Lot, reason)
	if err != nil {
		return api.Recall{}, err
	}
	s.Log.InfoContext(ctx, "portal: lot recalled", "gtin", k.GTIN, "lot", k.Lot, "tx", w.Commit.TxID)
	return w.Result, nil
}

// ApproveKind approves a pending trust kind of an enterprise.
func (s *Service) ApproveKind(ctx context.Context, se Session, code, kind string) (api.Enterprise, error) {
	if _, err := mustRegulate(se); err != nil {
		return api.Enterprise{}, err
	}
	if err := pagekit.CheckCode(code); err != nil {
		return api.Enterprise{}, err
	}
	if !knownKind(kind) {
		return api.Enterprise{}, gateway.Errorf(api.CodeInvalidArgument, "kind: %q is not a kind of business", kind)
	}
	w, err := s.Client.ApproveKind(ctx, se.ID, code, kind)
	if err != nil {
		return api.Enterprise{}, err
	}
	s.Log.InfoContext(ctx, "portal: kind approved", "enterprise", code, "kind", kind, "tx", w.Commit.TxID)
	return w.Result, nil
}

func knownKind(k string) bool {
	switch k {
	case api.KindProducer, api.KindProcessor, api.KindLogistics, api.KindWarehouse, api.KindExporter,
		api.KindBank, api.KindInsurer, api.KindInspector, api.KindRegulator, api.KindCustoms, api.KindCustomsBroker:
		return true
	}
	return false
}
