package contracttest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/shopspring/decimal"
)

// Random sequences of receivable and RECEIVABLE-financing operations
// (fixed seeds): creations, confirmations, applications to several banks,
// approvals one at a time and racing, disbursements, repayments,
// collections by the assignee, closes, defaults and the clock moving on.
// After every step, read back from the ledger: no receivable is collateral
// of two live (approved or active) financings; a receivable under a live
// financing names it and is assigned to its bank; one under none is
// unassigned, or was taken by the bank of a defaulted financing; nothing
// is paid beyond its amount and no balance is negative.
func TestReceivableNeverFinancedTwice(t *testing.T) {
	steps := 80
	if testing.Short() {
		steps = 40
	}
	for _, seed := range []uint64{11, 12, 13} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			p := newRvProp(t, seed)
			for i := 0; i < steps; i++ {
				p.step = i
				p.randomStep()
				p.check()
			}
			t.Logf("seed %d: %d receivables, %d financings; outcomes %v", seed, len(p.receivables), len(p.financings), p.outcomes)
		})
	}
}

type rvProp struct {
	*insFix
	t           *testing.T
	rng         *rand.Rand
	step        int
	sellers     []*Member
	banks       []*Member
	lot         string
	receivables []string
	financings  []string
	bankOf      map[string]*Member // financing -> its bank
	snapF       map[string]api.FinancingView
	snapR       map[string]api.ReceivableView
	outcomes    map[string]int
	mu          sync.Mutex
}

var rvAllowedCodes = []string{"", "INVALID_ARGUMENT", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "RULE_VIOLATION", "ALREADY_FINANCED", "LTV_EXCEEDED", "MVCC_READ_CONFLICT", "ALREADY_ENCUMBERED", "RISK_BLOCKED"}

func newRvProp(t *testing.T, seed uint64) *rvProp {
	f := newInsFix(t)
	p := &rvProp{insFix: f, t: t, rng: rand.New(rand.NewPCG(seed, 0x51ED27)), bankOf: map[string]*Member{},
		snapF: map[string]api.FinancingView{}, snapR: map[string]api.ReceivableView{}, outcomes: map[string]int{}}
	p.sellers = []*Member{f.trader, f.Enterprise(PlatformMSP, "清远鸡出口公司", api.KindExporter)}
	p.banks = []*Member{f.bank, f.Enterprise(BankMSP, "第二银行", api.KindBank), f.Enterprise(BankMSP, "第三银行", api.KindBank)}
	p.lot = f.shippedLot("10000")
	return p
}

func (p *rvProp) pick(n int) int          { return p.rng.IntN(n) }
func (p *rvProp) chance(percent int) bool { return p.rng.IntN(100) < percent }
func rvPick[T any](p *rvProp, xs []T) T   { return xs[p.pick(len(xs))] }
func (p *rvProp) memberOf(code string) *Member {
	for _, m := range append(append([]*Member{p.buyer}, p.sellers...), p.banks...) {
		if m.CreditCode == code {
			return m
		}
	}
	p.t.Fatalf("no member for %s", code)
	return nil
}

func (p *rvProp) submit(as *Member, fn api.Tx, args ...string) ([]byte, error) {
	c, err := p.Submit(as.Identity, fn, args...)
	p.mu.Lock()
	defer p.mu.Unlock()
	code := Code(err)
	if !slices.Contains(rvAllowedCodes, code) {
		p.t.Fatalf("step %d: %s: unexpected %v", p.step, fn, err)
	}
	p.outcomes[string(fn)+"/"+code]++
	if err != nil {
		return nil, err
	}
	return c.Payload, nil
}

func (p *rvProp) randomStep() {
	if len(p.receivables) < 3 {
		p.opCreate()
		return
	}
	switch n := p.pick(100); {
	case n < 14:
		p.opCreate()
	case n < 32:
		p.opApply()
	case n < 44:
		p.opApprove()
	case n < 54:
		p.opRace()
	case n < 63:
		p.opDisburse()
	case n < 70:
		p.opRepay()
	case n < 78:
		p.opCollect()
	case n < 85:
		p.opClose()
	case n < 90:
		p.opDefault()
	case n < 94:
		p.opRejectOrWithdraw()
	default:
		p.Clock.Set(p.Clock.Now().Add(time.Duration(1+p.pick(20)) * 24 * time.Hour))
	}
}

func (p *rvProp) opCreate() {
	seller := rvPick(p, p.sellers)
	amount := decimal.New(100000+p.rng.Int64N(10000000), -2)
	out, err := p.submit(seller, api.TxCreateReceivable, trJSON(p.receivableInput(insRecvOpts{
		buyer: api.ReceivableBuyerInput{CreditCode: p.buyer.CreditCode}, invoice: p.nextInvoice(), amount: amount.StringFixed(2), currency: "CNY",
		issue: p.day(), due: p.dayPlus(20 + p.pick(40)), lots: []string{p.lot},
	})))
	if err != nil {
		return
	}
	var rv api.ReceivableView
	_ = json.Unmarshal(out, &rv)
	p.receivables = append(p.receivables, rv.ID)
	p.snapR[rv.ID] = rv
	if p.chance(85) {
		p.submit(p.buyer, api.TxConfirmReceivable, rv.ID)
	}
}

func (p *rvProp) finWhere(ok func(api.FinancingView) bool) []api.FinancingView {
	var out []api.FinancingView
	for _, id := range p.financings {
		if v := p.snapF[id]; ok(v) {
			out = append(out, v)
		}
	}
	return out
}

func (p *rvProp) opApply() {
	if len(p.receivables) == 0 {
		return
	}
	var free []string
	for _, id := range p.receivables {
		if rv := p.snapR[id]; rv.Status == "CONFIRMED" && rv.FinancingID == "" {
			free = append(free, id)
		}
	}
	id := rvPick(p, p.receivables)
	if len(free) > 0 && p.chance(80) {
		id = rvPick(p, free)
	}
	rv := p.snapR[id]
	applicant := p.memberOf(rv.Seller)
	if p.chance(10) {
		applicant = rvPick(p, p.sellers)
	}
	out, _ := decimal.NewFromString(rv.Outstanding)
	principal := out.Mul(decimal.NewFromInt(3 + p.rng.Int64N(7))).Div(decimal.NewFromInt(10)).Round(2)
	if principal.Sign() <= 0 {
		principal = decimal.New(1, -2)
	}
	bank := rvPick(p, p.banks)
	b, err := p.submit(applicant, api.TxApplyForFinancing, trJSON(insApply("RECEIVABLE", bank.CreditCode, principal.StringFixed(2), "CNY", rv.ID)))
	if err == nil {
		var fin api.Financing
		_ = json.Unmarshal(b, &fin)
		p.financings = append(p.financings, fin.ID)
		p.bankOf[fin.ID] = bank
		p.snapF[fin.ID] = api.FinancingView{Financing: fin}
	}
}

func (p *rvProp) approveArgs(f api.FinancingView) (*Member, []string) {
	terms := rvTerms(f.RequestedPrincipal, rvPick(p, []string{"0.0435", "0.06"}), 5+p.pick(40), rvPick(p, []string{"0.5", "0.8", "0.9"}))
	bank := p.bankOf[f.ID]
	if p.chance(10) {
		bank = rvPick(p, p.banks)
	}
	return bank, []string{f.ID, trJSON(terms)}
}

func (p *rvProp) opApprove() {
	fs := p.finWhere(func(f api.FinancingView) bool { return f.Status == "APPLIED" })
	if len(fs) == 0 {
		return
	}
	bank, args := p.approveArgs(rvPick(p, fs))
	p.submit(bank, api.TxApproveFinancing, args...)
}

// opRace approves at once every pending application on one receivable
// (or, if none has two, up to four pending applications).
func (p *rvProp) opRace() {
	fs := p.finWhere(func(f api.FinancingView) bool { return f.Status == "APPLIED" })
	if len(fs) < 2 {
		return
	}
	byRv := map[string][]api.FinancingView{}
	var shared []string
	for _, f := range fs {
		id := f.Collateral[0].ReceivableID
		byRv[id] = append(byRv[id], f)
		if len(byRv[id]) == 2 {
			shared = append(shared, id)
		}
	}
	group := fs[:min(len(fs), 4)]
	if len(shared) > 0 {
		group = byRv[rvPick(p, shared)]
	}
	var wg sync.WaitGroup
	for _, f := range group {
		bank, args := p.approveArgs(f)
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.submit(bank, api.TxApproveFinancing, args...)
		}()
	}
	wg.Wait()
}

func (p *rvProp) opDisburse() {
	fs := p.finWhere(func(f api.FinancingView) bool { return f.Status == "APPROVED" })
	if len(fs) == 0 {
		return
	}
	f := rvPick(p, fs)
	p.submit(p.bankOf[f.ID], api.TxDisburseFinancing, f.ID, p.day())
}

func (p *rvProp) opRepay() {
	fs := p.finWhere(func(f api.FinancingView) bool { return f.Status == "ACTIVE" })
	if len(fs) == 0 {
		return
	}
	f := rvPick(p, fs)
	v := p.getFinancing(p.bankOf[f.ID], f.ID, p.day())
	payoff, _ := decimal.NewFromString(v.AsOf.Payoff)
	amount := payoff
	if p.chance(50) {
		amount = payoff.Mul(decimal.NewFromInt(1 + p.rng.Int64N(90))).Div(decimal.NewFromInt(100)).Round(2)
	}
	if amount.Sign() <= 0 {
		return
	}
	p.submit(p.memberOf(f.Applicant), api.TxRecordRepayment, f.ID, amount.StringFixed(2), p.day())
}

func (p *rvProp) opCollect() {
	var assigned []api.ReceivableView
	for _, id := range p.receivables {
		if rv := p.snapR[id]; rv.Assignee != "" && rv.Outstanding != "0.00" {
			assigned = append(assigned, rv)
		}
	}
	if len(assigned) == 0 {
		return
	}
	rv := rvPick(p, assigned)
	out, _ := decimal.NewFromString(rv.Outstanding)
	amount := out
	if p.chance(50) {
		amount = out.Mul(decimal.NewFromInt(1 + p.rng.Int64N(90))).Div(decimal.NewFromInt(100)).Round(2)
	}
	if amount.Sign() <= 0 {
		return
	}
	p.submit(p.memberOf(rv.Assignee), api.TxRecordReceivablePayment, rv.ID, amount.StringFixed(2), p.day())
}

func (p *rvProp) opClose() {
	fs := p.finWhere(func(f api.FinancingView) bool { return f.Status == "ACTIVE" || f.Status == "APPROVED" })
	if len(fs) == 0 {
		return
	}
	f := rvPick(p, fs)
	p.submit(p.bankOf[f.ID], api.TxCloseFinancing, f.ID)
}

func (p *rvProp) opDefault() {
	fs := p.finWhere(func(f api.FinancingView) bool { return f.Status == "ACTIVE" })
	if len(fs) == 0 {
		return
	}
	f := rvPick(p, fs)
	p.submit(p.bankOf[f.ID], api.TxDeclareDefault, f.ID)
}

func (p *rvProp) opRejectOrWithdraw() {
	fs := p.finWhere(func(f api.FinancingView) bool { return f.Status == "APPLIED" })
	if len(fs) == 0 {
		return
	}
	f := rvPick(p, fs)
	if p.chance(50) {
		p.submit(p.bankOf[f.ID], api.TxRejectFinancing, f.ID, "not now")
	} else {
		p.submit(p.memberOf(f.Applicant), api.TxWithdrawFinancing, f.ID)
	}
}

// check reads every financing and receivable back and checks the
// invariants.
func (p *rvProp) check() {
	p.t.Helper()
	for _, id := range p.financings {
		v := p.getFinancing(p.bankOf[id], id, "")
		for _, s := range []string{v.PrincipalOutstanding, v.InterestUnpaid} {
			if d, _ := decimal.NewFromString(s); d.Sign() < 0 {
				p.t.Fatalf("step %d: financing %s has a negative balance %+v", p.step, id, v.Financing)
			}
		}
		p.snapF[id] = v
	}
	for _, id := range p.receivables {
		rv := p.getReceivable(id)
		p.snapR[id] = rv
		amount, _ := decimal.NewFromString(rv.Amount)
		paid, _ := decimal.NewFromString(rv.Paid)
		if paid.GreaterThan(amount) || paid.Sign() < 0 {
			p.t.Fatalf("step %d: receivable %s paid %s of %s", p.step, id, rv.Paid, rv.Amount)
		}
		var live []api.FinancingView
		for _, fid := range p.financings {
			f := p.snapF[fid]
			if f.Collateral[0].ReceivableID == id && (f.Status == "APPROVED" || f.Status == "ACTIVE") {
				live = append(live, f)
			}
		}
		switch len(live) {
		case 0:
			if rv.FinancingID != "" {
				f, ok := p.snapF[rv.FinancingID]
				if !ok || f.Status != "DEFAULTED" || rv.Creditor != f.Bank || rv.Assignee != f.Bank {
					p.t.Fatalf("step %d: receivable %s names financing %s (%s) that does not hold it", p.step, id, rv.FinancingID, f.Status)
				}
			} else if rv.Assignee != "" {
				p.t.Fatalf("step %d: receivable %s is assigned to %s with no financing", p.step, id, rv.Assignee)
			}
		case 1:
			if rv.FinancingID != live[0].ID || rv.Assignee != live[0].Bank {
				p.t.Fatalf("step %d: receivable %s is under %s but names %q assigned to %q", p.step, id, live[0].ID, rv.FinancingID, rv.Assignee)
			}
		default:
			ids := make([]string, len(live))
			for i, f := range live {
				ids[i] = f.ID
			}
			p.t.Fatalf("step %d: receivable %s is collateral of %d live financings %v", p.step, id, len(live), ids)
		}
	}
}
