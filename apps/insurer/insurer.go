// Package insurer is the export credit insurer's portal: buyer credit
// limits with their usage, policies, the queue of shipment declarations,
// assignments waiting for acceptance, the claims queue (filed, approved,
// paid) with the indemnity, and the loss ratio; its actions approve and
// pay a claim and accept an assignment, through the typed client as the
// signed-in identity. Reads come from the read model with the visibility
// of /api/v1/lists, or from the chaincode where the read model keeps no
// list (limits, assignments), so an insurer sees only its own.
package insurer

import (
	"context"
	"encoding/json"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/apps/pagekit"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/money"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/zonestats"
)

// Service reads and writes the insurer's pages.
type Service struct {
	pagekit.Deps
}

// Session is who is signed in.
type Session = pagekit.Session

func mustInsure(se Session) (readmodel.Viewer, error) {
	return pagekit.Must(se, api.KindInsurer, "insurer's")
}

// Limit is a buyer credit limit with its usage as a share of the amount.
type Limit struct {
	api.CreditLimitView
	UsedShare string // used / amount, four places; empty for a zero limit
}

// ClaimLine is a claim of the queue with what it would be indemnified at
// on approval: the smaller of the cover (loss × coverage) and what the
// buyer's limit and the policy's maximum liability have left. The
// chaincode computes it again when it approves; this is the preview.
type ClaimLine struct {
	api.Claim
	Indemnity string // the claim's own once approved, else the preview
	Preview   bool
}

// Overview is the insurer's work page.
type Overview struct {
	Limits      []Limit
	Policies    []api.Policy
	Shipments   []api.ShipmentView
	Assignments []api.Assignment // waiting for acceptance
	Claims      map[string][]ClaimLine
	LossRatio   []zonestats.LossRatioStats
}

// ClaimStatuses is the claims queue's order.
func ClaimStatuses() []string {
	return []string{api.ClaimFiled, api.ClaimApproved, api.ClaimPaid, api.ClaimRejected}
}

// Overview reads everything the insurer works on.
func (s *Service) Overview(ctx context.Context, se Session) (*Overview, error) {
	v, err := mustInsure(se)
	if err != nil {
		return nil, err
	}
	out := &Overview{Claims: map[string][]ClaimLine{}}
	limits, err := s.Client.ListCreditLimits(ctx, se.ID)
	if err != nil {
		return nil, err
	}
	byLimit := map[string]api.CreditLimitView{}
	for _, l := range limits {
		byLimit[l.ID] = l
		out.Limits = append(out.Limits, Limit{CreditLimitView: l, UsedShare: share(l.Used, l.Amount)})
	}
	if err := list(ctx, s.Store, readmodel.KindPolicy, v, &out.Policies); err != nil {
		return nil, err
	}
	byPolicy := map[string]api.Policy{}
	for _, p := range out.Policies {
		byPolicy[p.ID] = p
	}
	if err := list(ctx, s.Store, readmodel.KindShipment, v, &out.Shipments); err != nil {
		return nil, err
	}
	as, err := s.Client.ListAssignments(ctx, se.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.Status == api.AssignmentRequested {
			out.Assignments = append(out.Assignments, a)
		}
	}
	var claims []api.Claim
	if err := list(ctx, s.Store, readmodel.KindClaim, v, &claims); err != nil {
		return nil, err
	}
	for _, c := range claims {
		out.Claims[c.Status] = append(out.Claims[c.Status], line(c, byLimit, byPolicy))
	}
	st, err := zonestats.Compute(ctx, s.Store, v)
	if err != nil {
		return nil, pagekit.StoreError(err)
	}
	out.LossRatio = st.LossRatio
	return out, nil
}

// list reads the first page (up to readmodel.MaxLimit rows) of a kind as
// the viewer may see it, newest first.
func list[T any](ctx context.Context, store readmodel.Store, kind string, v readmodel.Viewer, into *[]T) error {
	page, err := store.List(ctx, readmodel.Query{Kind: kind, Viewer: v, Desc: true, Limit: readmodel.MaxLimit})
	if err != nil {
		return pagekit.StoreError(err)
	}
	for _, raw := range page.Items {
		var x T
		if err := json.Unmarshal(raw, &x); err != nil {
			return gateway.Errorf(gateway.CodeReadModelUnavailable, "read model: %s row: %v", kind, err)
		}
		*into = append(*into, x)
	}
	return nil
}

// share is a/b to four places, empty when either is not a positive
// decimal.
func share(a, b string) string {
	x, err1 := decimal.NewFromString(a)
	y, err2 := decimal.NewFromString(b)
	if err1 != nil || err2 != nil || !y.IsPositive() {
		return ""
	}
	return x.DivRound(y, 4).String()
}

// line previews a claim's indemnity until the chaincode has set it.
func line(c api.Claim, limits map[string]api.CreditLimitView, policies map[string]api.Policy) ClaimLine {
	l := ClaimLine{Claim: c, Indemnity: c.Indemnity}
	if c.Indemnity != "" || c.Status != api.ClaimFiled {
		return l
	}
	covered, err := decimal.NewFromString(c.Covered)
	if err != nil {
		return l
	}
	amt := covered
	if lim, ok := limits[c.LimitID]; ok {
		if left, ok := left(lim.Amount, lim.Indemnified); ok {
			amt = decimal.Min(amt, left)
		}
	}
	if p, ok := policies[c.PolicyID]; ok && p.MaxLiability != "" {
		if left, ok := left(p.MaxLiability, p.Indemnified); ok {
			amt = decimal.Min(amt, left)
		}
	}
	// In the cover's minor units, as the chaincode writes amounts.
	l.Indemnity, l.Preview = decimal.Max(amt, decimal.Zero).StringFixed(max(0, -covered.Exponent())), true
	return l
}

func left(total, used string) (decimal.Decimal, bool) {
	t, err1 := decimal.NewFromString(total)
	u, err2 := decimal.NewFromString(used)
	if err1 != nil || err2 != nil {
		return decimal.Zero, false
	}
	return t.Sub(u), true
}

// Claim reads one claim as the signed-in insurer; the chaincode refuses
// another insurer's.
func (s *Service) Claim(ctx context.Context, se Session, id string) (*api.Claim, error) {
	if _, err := mustInsure(se); err != nil {
		return nil, err
	}
	if err := pagekit.CheckID(api.PrefixClaim, id); err != nil {
		return nil, err
	}
	c, err := s.Client.GetClaim(ctx, se.ID, id)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

const maxNote = 500

// ApproveClaim approves a filed claim; the chaincode computes the
// indemnity.
func (s *Service) ApproveClaim(ctx context.Context, se Session, id, note string) (api.Claim, error) {
	if _, err := mustInsure(se); err != nil {
		return api.Claim{}, err
	}
	if err := pagekit.CheckID(api.PrefixClaim, id); err != nil {
		return api.Claim{}, err
	}
	note, err := pagekit.Text("note", note, maxNote)
	if err != nil {
		return api.Claim{}, err
	}
	w, err := s.Client.ApproveClaim(ctx, se.ID, id, note)
	if err != nil {
		return api.Claim{}, err
	}
	s.Log.InfoContext(ctx, "portal: claim approved", "claim", id, "tx", w.Commit.TxID)
	return w.Result, nil
}

// PayClaim pays an approved claim on a date; when the proceeds are
// assigned to a bank financing the shipment, the chaincode repays that
// financing first in the same transaction.
func (s *Service) PayClaim(ctx context.Context, se Session, id, date string) (api.Claim, error) {
	if _, err := mustInsure(se); err != nil {
		return api.Claim{}, err
	}
	if err := pagekit.CheckID(api.PrefixClaim, id); err != nil {
		return api.Claim{}, err
	}
	d, err := money.ParseDate(date)
	if err != nil {
		return api.Claim{}, gateway.Errorf(api.CodeInvalidArgument, "payment date: %v", err)
	}
	w, err := s.Client.PayClaim(ctx, se.ID, id, d.String())
	if err != nil {
		return api.Claim{}, err
	}
	s.Log.InfoContext(ctx, "portal: claim paid", "claim", id, "tx", w.Commit.TxID)
	return w.Result, nil
}

// AcceptAssignment accepts an assignment of claim proceeds to a bank.
func (s *Service) AcceptAssignment(ctx context.Context, se Session, id string) (api.Assignment, error) {
	if _, err := mustInsure(se); err != nil {
		return api.Assignment{}, err
	}
	if err := pagekit.CheckID(api.PrefixAssignment, id); err != nil {
		return api.Assignment{}, err
	}
	w, err := s.Client.AcceptAssignment(ctx, se.ID, id)
	if err != nil {
		return api.Assignment{}, err
	}
	s.Log.InfoContext(ctx, "portal: assignment accepted", "assignment", id, "tx", w.Commit.TxID)
	return w.Result, nil
}
