package contracttest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/gateway"
)

// Random sequences of receipt and financing operations across several
// holders, banks and warehouses (fixed seeds). After every step the
// ledger's own answers are checked: no receipt pledged twice, no goods
// under two live receipt families or more than the lot, no negative
// balance, and every change of a receipt in its history.
func TestFinancingProperty(t *testing.T) {
	steps := 180
	if testing.Short() {
		steps = 60
	}
	for _, seed := range []uint64{1, 2, 3, 4} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			p := newWRProp(t, seed)
			for i := 0; i < steps; i++ {
				p.step = i
				p.randomStep()
				p.check()
			}
			t.Logf("seed %d: %d receipts, %d financings; outcomes %v", seed, len(p.receipts), len(p.financings), p.outcomes)
		})
	}
}

type wrLotInfo struct {
	lot       string
	qty       decimal.Decimal
	warehouse *Member
	shipped   bool
}

type wrProp struct {
	*wrFix
	t        *testing.T
	rng      *rand.Rand
	step     int
	holders  []*Member // applicants; may hold receipts
	banks    []*Member
	whs      []*Member
	lots     []*wrLotInfo
	lotOf    map[string]*wrLotInfo
	outcomes map[string]int

	receipts   []string // every receipt id ever created, in creation order
	financings []string
	// The previous step's view of the ledger.
	snapR    map[string]api.Receipt
	snapF    map[string]api.Financing
	histLen  map[string]int
	txs      []string // transactions committed by the current step
	finalR   map[string]bool
	finalF   map[string]bool
	lastName string
}

func newWRProp(t *testing.T, seed uint64) *wrProp {
	f := newWRFix(t)
	p := &wrProp{
		wrFix: f, t: t, rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		lotOf: map[string]*wrLotInfo{}, outcomes: map[string]int{},
		snapR: map[string]api.Receipt{}, snapF: map[string]api.Financing{}, histLen: map[string]int{},
		finalR: map[string]bool{}, finalF: map[string]bool{},
	}
	p.holders = []*Member{f.trader, f.Enterprise(PlatformMSP, "茶叶加工厂", api.KindProcessor), f.Enterprise(PlatformMSP, "禽业出口商", api.KindExporter)}
	p.banks = []*Member{f.bank, f.Enterprise(BankMSP, "第二银行", api.KindBank), f.Enterprise(BankMSP, "第三银行", api.KindBank)}
	p.whs = []*Member{f.wh, f.Enterprise(WarehouseMSP, "第二仓库", api.KindWarehouse)}
	return p
}

func (p *wrProp) pick(n int) int { return p.rng.IntN(n) }

func (p *wrProp) chance(percent int) bool { return p.rng.IntN(100) < percent }

func pickOf[T any](p *wrProp, xs []T) T { return xs[p.pick(len(xs))] }

// submit runs one transaction of the step, recording what came of it. A
// refusal must carry one of the business codes; nothing may be INTERNAL.
func (p *wrProp) submit(as *Member, fn api.Tx, args ...string) (*gateway.Commit, error) {
	c, err := p.Submit(as.Identity, fn, args...)
	p.record(fn, c, err)
	return c, err
}

var wrAllowedCodes = []string{"", "INVALID_ARGUMENT", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "RULE_VIOLATION", "ALREADY_PLEDGED", "LTV_EXCEEDED", "MVCC_READ_CONFLICT"}

var wrRecordMu sync.Mutex

func (p *wrProp) record(fn api.Tx, c *gateway.Commit, err error) {
	wrRecordMu.Lock()
	defer wrRecordMu.Unlock()
	code := Code(err)
	if !slices.Contains(wrAllowedCodes, code) {
		p.t.Fatalf("step %d: %s: unexpected %v", p.step, fn, err)
	}
	name := fn.Function()
	p.outcomes[name+"/"+code]++
	if c != nil {
		p.txs = append(p.txs, c.TxID)
	}
}

func (p *wrProp) today() string { return p.Clock.Now().In(wrCST).Format("2006-01-02") }

func (p *wrProp) amount(min, max int64) string {
	return decimal.New(min+p.rng.Int64N(max-min+1), -2).StringFixed(2)
}

// receiptsWhere lists the current receipts satisfying ok, in creation order.
func (p *wrProp) receiptsWhere(ok func(api.Receipt) bool) []api.Receipt {
	var out []api.Receipt
	for _, id := range p.receipts {
		if r := p.snapR[id]; ok(r) {
			out = append(out, r)
		}
	}
	return out
}

func (p *wrProp) financingsWhere(ok func(api.Financing) bool) []api.Financing {
	var out []api.Financing
	for _, id := range p.financings {
		if f := p.snapF[id]; ok(f) {
			out = append(out, f)
		}
	}
	return out
}

func (p *wrProp) member(code string) *Member {
	for _, m := range slices.Concat(p.holders, p.banks, p.whs, []*Member{p.reg}) {
		if m.CreditCode == code {
			return m
		}
	}
	p.t.Fatalf("unknown enterprise %s", code)
	return nil
}

// randomStep performs one random operation (sometimes a wrong one: a
// wrong party, too much, a frozen or pledged receipt).
func (p *wrProp) randomStep() {
	p.txs = p.txs[:0]
	ops := []struct {
		weight int
		name   string
		run    func()
	}{
		{8, "issue", p.opIssue},
		{3, "reissue", p.opReissue},
		{6, "transfer", p.opTransfer},
		{3, "split", p.opSplit},
		{10, "apply", p.opApply},
		{8, "approve", p.opApprove},
		{3, "race", p.opRace},
		{6, "disburse", p.opDisburse},
		{12, "repay", p.opRepay},
		{4, "default", p.opDefault},
		{3, "release", p.opRelease},
		{5, "close", p.opClose},
		{4, "redeem", p.opRedeem},
		{2, "cancel", p.opCancel},
		{2, "freeze", p.opFreeze},
		{2, "ship", p.opShip},
		{2, "reject", p.opReject},
		{8, "clock", p.opClock},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := p.pick(total)
	for _, o := range ops {
		if n < o.weight {
			p.lastName = o.name
			o.run()
			return
		}
		n -= o.weight
	}
}

func (p *wrProp) opIssue() {
	qty := decimal.NewFromInt(100 + p.rng.Int64N(900))
	lot := p.lot(qty.String())
	wh := pickOf(p, p.whs)
	p.receive(wh, lot, qty.String())
	info := &wrLotInfo{lot: lot, qty: qty, warehouse: wh}
	p.lots = append(p.lots, info)
	p.lotOf[lot] = info
	issuer, q := wh, qty
	switch {
	case p.chance(10):
		issuer = pickOf(p, p.whs) // maybe not where the goods are
	case p.chance(10):
		q = qty.Add(decimal.NewFromInt(1)) // more than received
	case p.chance(20):
		q = qty.Sub(decimal.NewFromInt(p.rng.Int64N(50)))
	}
	p.issueOn(issuer, lot, q)
}

func (p *wrProp) issueOn(issuer *Member, lot string, q decimal.Decimal) {
	holder := pickOf(p, p.holders)
	c, err := p.submit(issuer, api.TxIssueReceipt, trJSON(wrIssueInput(p.gtin, lot, q.String(), p.amount(1_000_000, 50_000_000), "CNY", holder.CreditCode)))
	if err == nil {
		var r api.Receipt
		json.Unmarshal(c.Payload, &r)
		p.receipts = append(p.receipts, r.ID)
	}
}

// opReissue: the warehouse stores goods again (a fresh custody event) and
// tries another receipt on the lot: allowed only when no live receipt
// covers it.
func (p *wrProp) opReissue() {
	if len(p.lots) == 0 {
		return
	}
	info := pickOf(p, p.lots)
	if !info.shipped {
		if _, err := p.event(info.warehouse, "storing", info.lot, info.qty.String()); err != nil {
			p.t.Fatalf("storing: %v", err)
		}
	}
	p.issueOn(info.warehouse, info.lot, info.qty)
}

func (p *wrProp) opTransfer() {
	rs := p.receiptsWhere(func(r api.Receipt) bool { return r.Status != "SPLIT" })
	if len(rs) == 0 {
		return
	}
	r := pickOf(p, rs)
	as := p.member(r.Holder)
	if p.chance(15) {
		as = pickOf(p, p.holders)
	}
	to := pickOf(p, slices.Concat(p.holders, p.banks))
	p.submit(as, api.TxTransferReceipt, r.ID, to.CreditCode)
}

func (p *wrProp) opSplit() {
	rs := p.receiptsWhere(func(r api.Receipt) bool { return r.Status == "ISSUED" || r.Status == "PLEDGED" })
	if len(rs) == 0 {
		return
	}
	r := pickOf(p, rs)
	q, _ := decimal.NewFromString(r.Quantity)
	v, _ := decimal.NewFromString(r.Valuation.Amount)
	q1 := q.Mul(decimal.NewFromInt(1 + p.rng.Int64N(9))).Div(decimal.NewFromInt(10)).Round(3)
	v1 := v.Mul(decimal.NewFromInt(1 + p.rng.Int64N(9))).Div(decimal.NewFromInt(10)).Round(2)
	v2 := v.Sub(v1)
	if p.chance(15) {
		v2 = v2.Add(decimal.New(1, -2)) // does not add up
	}
	in, _ := json.Marshal(map[string]any{"parts": []map[string]string{
		{"quantity": q1.String(), "valuation": v1.StringFixed(2)},
		{"quantity": q.Sub(q1).String(), "valuation": v2.StringFixed(2)},
	}})
	c, err := p.submit(p.member(r.Holder), api.TxSplitReceipt, r.ID, string(in))
	if err == nil {
		var parts []api.Receipt
		json.Unmarshal(c.Payload, &parts)
		for _, x := range parts {
			p.receipts = append(p.receipts, x.ID)
		}
	}
}

func (p *wrProp) opApply() {
	applicant := pickOf(p, p.holders)
	mine := p.receiptsWhere(func(r api.Receipt) bool {
		return r.Holder == applicant.CreditCode && (r.Status == "ISSUED" || p.chance(10))
	})
	if len(mine) == 0 {
		return
	}
	var ids []string
	total := decimal.Zero
	for _, i := range p.rng.Perm(len(mine))[:1+p.pick(min(3, len(mine)))] {
		ids = append(ids, mine[i].ID)
		v, _ := decimal.NewFromString(mine[i].Valuation.Amount)
		total = total.Add(v)
	}
	principal := total.Mul(decimal.NewFromInt(3 + p.rng.Int64N(7))).Div(decimal.NewFromInt(10)).Round(2)
	c, err := p.submit(applicant, api.TxApplyForFinancing, trJSON(wrApplyInput(pickOf(p, p.banks).CreditCode, principal.StringFixed(2), "CNY", ids...)))
	if err == nil {
		var f api.Financing
		json.Unmarshal(c.Payload, &f)
		p.financings = append(p.financings, f.ID)
	}
}

func (p *wrProp) approveArgs(f api.Financing) (*Member, []string) {
	principal, _ := decimal.NewFromString(f.RequestedPrincipal)
	if p.chance(30) {
		principal = principal.Mul(decimal.NewFromInt(5 + p.rng.Int64N(5))).Div(decimal.NewFromInt(10)).Round(2)
	}
	terms := wrTerms(principal.StringFixed(2), pickOf(p, []string{"0.0435", "0.06", "0.0385", "0.12"}), 3+p.pick(22), pickOf(p, []string{"0.5", "0.7", "0.9"}))
	bank := p.member(f.Bank)
	if p.chance(10) {
		bank = pickOf(p, p.banks)
	}
	return bank, []string{f.ID, trJSON(terms)}
}

func (p *wrProp) opApprove() {
	fs := p.financingsWhere(func(f api.Financing) bool { return f.Status == "APPLIED" })
	if len(fs) == 0 {
		return
	}
	bank, args := p.approveArgs(pickOf(p, fs))
	p.submit(bank, api.TxApproveFinancing, args...)
}

// opRace approves up to four applications at once; those sharing a
// receipt cannot all commit.
func (p *wrProp) opRace() {
	fs := p.financingsWhere(func(f api.Financing) bool { return f.Status == "APPLIED" })
	if len(fs) < 2 {
		return
	}
	k := min(len(fs), 2+p.pick(3))
	var wg sync.WaitGroup
	for _, i := range p.rng.Perm(len(fs))[:k] {
		bank, args := p.approveArgs(fs[i])
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.submit(bank, api.TxApproveFinancing, args...)
		}()
	}
	wg.Wait()
}

func (p *wrProp) opDisburse() {
	fs := p.financingsWhere(func(f api.Financing) bool { return f.Status == "APPROVED" })
	if len(fs) == 0 {
		return
	}
	f := pickOf(p, fs)
	p.submit(p.member(f.Bank), api.TxDisburseFinancing, f.ID, p.today())
}

func (p *wrProp) opRepay() {
	fs := p.financingsWhere(func(f api.Financing) bool { return f.Status == "ACTIVE" })
	if len(fs) == 0 {
		return
	}
	f := pickOf(p, fs)
	last, _ := time.Parse("2006-01-02", f.LastPostingDate)
	today, _ := time.Parse("2006-01-02", p.today())
	vd := today
	if days := int(today.Sub(last).Hours() / 24); days > 0 && p.chance(40) {
		vd = last.AddDate(0, 0, p.pick(days+1))
	}
	valueDate := vd.Format("2006-01-02")
	v := p.getFinancing(p.member(f.Applicant), f.ID, valueDate)
	payoff, _ := decimal.NewFromString(v.AsOf.Payoff)
	var amount decimal.Decimal
	switch {
	case p.chance(10):
		amount = payoff.Add(decimal.New(1, -2)) // refused: more than owed
	case p.chance(25):
		amount = payoff
	default:
		amount = payoff.Mul(decimal.NewFromInt(1 + p.rng.Int64N(60))).Div(decimal.NewFromInt(100)).Round(2)
	}
	if amount.Sign() <= 0 {
		amount = decimal.New(1, -2)
	}
	as := p.member(f.Applicant)
	if p.chance(30) {
		as = p.member(f.Bank)
	}
	p.submit(as, api.TxRecordRepayment, f.ID, amount.StringFixed(2), valueDate)
}

func (p *wrProp) opDefault() {
	fs := p.financingsWhere(func(f api.Financing) bool { return f.Status == "ACTIVE" })
	if len(fs) == 0 {
		return
	}
	f := pickOf(p, fs)
	p.submit(p.member(f.Bank), api.TxDeclareDefault, f.ID)
}

func (p *wrProp) opRelease() {
	rs := p.receiptsWhere(func(r api.Receipt) bool { return r.Pledge != nil })
	if len(rs) == 0 {
		return
	}
	r := pickOf(p, rs)
	as := p.member(r.Pledge.Pledgee)
	if p.chance(20) {
		as = pickOf(p, p.banks)
	}
	p.submit(as, api.TxReleasePledge, r.ID)
}

func (p *wrProp) opClose() {
	fs := p.financingsWhere(func(f api.Financing) bool { return f.Status == "ACTIVE" || f.Status == "APPROVED" })
	if len(fs) == 0 {
		return
	}
	f := pickOf(p, fs)
	p.submit(p.member(f.Bank), api.TxCloseFinancing, f.ID)
}

func (p *wrProp) opRedeem() {
	rs := p.receiptsWhere(func(r api.Receipt) bool {
		return r.Status == "ISSUED" || r.Status == "REDEEMING" || r.Status == "PLEDGED"
	})
	if len(rs) == 0 {
		return
	}
	r := pickOf(p, rs)
	switch {
	case r.Status == "REDEEMING" && p.chance(20):
		p.submit(p.member(r.Holder), api.TxWithdrawRedemption, r.ID)
	case r.Status == "REDEEMING":
		p.submit(p.member(r.Warehouse), api.TxConfirmRedemption, r.ID)
	default:
		p.submit(p.member(r.Holder), api.TxRequestRedemption, r.ID)
	}
}

func (p *wrProp) opCancel() {
	rs := p.receiptsWhere(func(r api.Receipt) bool { return r.Status == "ISSUED" || r.Status == "PLEDGED" })
	if len(rs) == 0 {
		return
	}
	r := pickOf(p, rs)
	p.submit(p.member(r.Warehouse), api.TxCancelReceipt, r.ID, "盘点差异")
}

func (p *wrProp) opFreeze() {
	rs := p.receiptsWhere(func(r api.Receipt) bool { return r.Status != "SPLIT" })
	if len(rs) == 0 {
		return
	}
	r := pickOf(p, rs)
	if r.Frozen != nil {
		p.submit(p.reg, api.TxUnfreezeReceipt, r.ID, "解除")
	} else {
		p.submit(p.reg, api.TxFreezeReceipt, r.ID, "核查")
	}
}

// opShip: the warehouse ships a lot out; trace refuses while a live
// receipt covers it.
func (p *wrProp) opShip() {
	if len(p.lots) == 0 {
		return
	}
	info := pickOf(p, p.lots)
	if info.shipped {
		return
	}
	_, err := p.event(info.warehouse, "shipping", info.lot, "")
	live := p.receiptsWhere(func(r api.Receipt) bool {
		return r.Lot == info.lot && (r.Status == "ISSUED" || r.Status == "PLEDGED" || r.Status == "REDEEMING")
	})
	switch code := Code(err); {
	case code == "" && len(live) > 0:
		p.t.Fatalf("step %d: lot %s shipped under live receipts %v", p.step, info.lot, live)
	case code == "":
		info.shipped = true
		p.outcomes["ship/"]++
	case code == "CONFLICT" && len(live) > 0:
		p.outcomes["ship/CONFLICT"]++
	default:
		p.t.Fatalf("step %d: shipping lot %s (%d live receipts): %v", p.step, info.lot, len(live), err)
	}
}

func (p *wrProp) opReject() {
	fs := p.financingsWhere(func(f api.Financing) bool { return f.Status == "APPLIED" })
	if len(fs) == 0 {
		return
	}
	f := pickOf(p, fs)
	if p.chance(50) {
		p.submit(p.member(f.Bank), api.TxRejectFinancing, f.ID, "不符合条件")
	} else {
		p.submit(p.member(f.Applicant), api.TxWithdrawFinancing, f.ID)
	}
}

func (p *wrProp) opClock() {
	p.Clock.Set(p.Clock.Now().Add(time.Duration(1+p.pick(12)) * 24 * time.Hour))
}

// check reads the ledger and checks the invariants against it and against
// the previous step's view.
func (p *wrProp) check() {
	t := p.t
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("step %d (%s): "+format, append([]any{p.step, p.lastName}, args...)...)
	}
	// Receipts, through the holder index; every receipt has one holder.
	rs := map[string]api.Receipt{}
	for _, m := range slices.Concat(p.holders, p.banks) {
		var list []api.Receipt
		Into(p.T, &list)(p.C.ListReceiptsByHolder(p.Ctx, p.reg.Identity, m.CreditCode))
		for _, r := range list {
			if _, dup := rs[r.ID]; dup || r.Holder != m.CreditCode {
				fail("receipt %s listed under %s, held by %s", r.ID, m.CreditCode, r.Holder)
			}
			rs[r.ID] = r
		}
	}
	if len(rs) != len(p.receipts) {
		fail("%d receipts listed, %d created", len(rs), len(p.receipts))
	}
	// Financings, through each bank's list.
	fs := map[string]api.Financing{}
	for _, b := range p.banks {
		var list []api.Financing
		Into(p.T, &list)(p.C.ListFinancings(p.Ctx, b.Identity))
		for _, f := range list {
			fs[f.ID] = f
		}
	}
	if len(fs) != len(p.financings) {
		fail("%d financings listed, %d created", len(fs), len(p.financings))
	}

	// No receipt pledged twice; a pledge and its financing agree.
	pledgedIn := map[string][]string{}
	for _, id := range p.financings {
		f := fs[id]
		for _, c := range f.Collateral {
			if c.Status == "PLEDGED" {
				if f.Status != "APPROVED" && f.Status != "ACTIVE" {
					fail("financing %s is %s and still holds a pledge on %s", f.ID, f.Status, c.ReceiptID)
				}
				pledgedIn[c.ReceiptID] = append(pledgedIn[c.ReceiptID], f.ID)
			}
		}
	}
	for _, id := range p.receipts {
		r := rs[id]
		in := pledgedIn[id]
		switch {
		case len(in) > 1:
			fail("receipt %s pledged to %v", id, in)
		case r.Pledge == nil && (len(in) > 0 || r.Status == "PLEDGED"):
			fail("receipt %s (%s) unpledged, financings say %v", id, r.Status, in)
		case r.Pledge != nil && (len(in) != 1 || in[0] != r.Pledge.FinancingID || r.Status != "PLEDGED" || fs[in[0]].Bank != r.Pledge.Pledgee):
			fail("receipt %s pledged to %+v, financings say %v", id, r.Pledge, in)
		}
	}

	// Goods: the live receipts of a lot descend from one issuance, sit in
	// one warehouse and together cover no more than the lot.
	root := func(r api.Receipt) string {
		for r.Parent != "" {
			r = rs[r.Parent]
		}
		return r.ID
	}
	type cover struct {
		qty      decimal.Decimal
		root, wh string
		receipts []string
	}
	covers := map[string]*cover{}
	for _, id := range p.receipts {
		r := rs[id]
		if r.Status != "ISSUED" && r.Status != "PLEDGED" && r.Status != "REDEEMING" {
			continue
		}
		q, _ := decimal.NewFromString(r.Quantity)
		c := covers[r.Lot]
		if c == nil {
			c = &cover{root: root(r), wh: r.Warehouse}
			covers[r.Lot] = c
		}
		c.qty = c.qty.Add(q)
		c.receipts = append(c.receipts, id)
		if c.root != root(r) || c.wh != r.Warehouse {
			fail("lot %s is under live receipts of two issuances: %v", r.Lot, c.receipts)
		}
	}
	for lot, c := range covers {
		info := p.lotOf[lot]
		if c.qty.GreaterThan(info.qty) {
			fail("lot %s of %s is under live receipts for %s", lot, info.qty, c.qty)
		}
		if info.shipped {
			fail("shipped lot %s is under live receipts %v", lot, c.receipts)
		}
		if c.wh != info.warehouse.CreditCode {
			fail("lot %s is in %s, its receipts name %s", lot, info.warehouse.CreditCode, c.wh)
		}
	}

	// Balances never negative, and the posting ledger adds up.
	zero := decimal.Zero
	dec := func(s string) decimal.Decimal {
		d, err := decimal.NewFromString(s)
		if err != nil {
			fail("amount %q: %v", s, err)
		}
		if d.LessThan(zero) {
			fail("negative amount %s", s)
		}
		return d
	}
	repayments := map[string][2]int{} // applicant → repayments, defaults
	for _, id := range p.financings {
		f := fs[id]
		principal, unpaid := dec(f.PrincipalOutstanding), dec(f.InterestUnpaid)
		paidI, paidP := dec(f.InterestPaid), dec(f.PrincipalRepaid)
		sumI, sumP, disbursed := zero, zero, zero
		n := repayments[f.Applicant]
		for _, ps := range f.Postings {
			for _, s := range []string{ps.Amount, ps.InterestAccrued, ps.ToInterest, ps.ToPrincipal, ps.PrincipalAfter, ps.InterestUnpaidAfter} {
				dec(s)
			}
			switch ps.Kind {
			case "DISBURSEMENT":
				disbursed = disbursed.Add(dec(ps.Amount))
			case "REPAYMENT":
				n[0]++
				if !dec(ps.ToInterest).Add(dec(ps.ToPrincipal)).Equal(dec(ps.Amount)) {
					fail("financing %s posting %d does not add up", f.ID, ps.Seq)
				}
			case "DEFAULT":
				n[1]++
			}
			sumI, sumP = sumI.Add(dec(ps.ToInterest)), sumP.Add(dec(ps.ToPrincipal))
		}
		repayments[f.Applicant] = n
		if !sumI.Equal(paidI) || !sumP.Equal(paidP) || !disbursed.Sub(paidP).Equal(principal) {
			fail("financing %s: postings %s/%s, paid %s/%s, disbursed %s, outstanding %s", f.ID, sumI, sumP, paidI, paidP, disbursed, principal)
		}
		if f.Terms != nil && principal.GreaterThan(dec(f.Terms.Principal)) {
			fail("financing %s owes more principal than lent", f.ID)
		}
		if f.Status == "CLOSED" && (principal.Sign() != 0 || unpaid.Sign() != 0) {
			fail("financing %s closed owing %s + %s", f.ID, principal, unpaid)
		}
		if f.Status == "ACTIVE" && f.TxID != p.snapF[id].TxID {
			v := p.getFinancing(p.member(f.Bank), id, "")
			if !dec(v.AsOf.Payoff).Equal(dec(v.AsOf.PrincipalOutstanding).Add(dec(v.AsOf.InterestAccrued))) {
				fail("financing %s payoff %+v", id, v.AsOf)
			}
		}
	}
	changed := false
	for id, f := range fs {
		changed = changed || f.TxID != p.snapF[id].TxID
	}
	for _, h := range p.holders {
		if !changed {
			break // credit records change only with a financing
		}
		var rec api.CreditRecord
		Into(p.T, &rec)(p.C.GetCreditRecord(p.Ctx, p.bank.Identity, h.CreditCode))
		if n := repayments[h.CreditCode]; rec.OnTime.Count+rec.Late.Count != n[0] || rec.Defaults.Count != n[1] {
			fail("credit record of %s %+v, postings say %v", h.CreditCode, rec, n)
		}
	}

	// Every change is in the history, made by this step's transactions;
	// final states never change; the posting ledger only grows.
	for _, id := range p.receipts {
		r, before := rs[id], p.snapR[id]
		if reflect.DeepEqual(r, before) {
			continue
		}
		if p.finalR[id] {
			fail("receipt %s changed after it was %s", id, before.Status)
		}
		if !slices.Contains(p.txs, r.TxID) {
			fail("receipt %s changed by %s, not by this step %v", id, r.TxID, p.txs)
		}
		h := p.history(id)
		if len(h) != p.histLen[id]+1 || h[0].TxID != r.TxID || !reflect.DeepEqual(*h[0].Receipt, r) {
			fail("receipt %s: history of %d (was %d), head %s, receipt by %s", id, len(h), p.histLen[id], h[0].TxID, r.TxID)
		}
		p.histLen[id] = len(h)
		if r.Status == "REDEEMED" || r.Status == "CANCELLED" || r.Status == "SPLIT" {
			p.finalR[id] = true
		}
	}
	for _, id := range p.financings {
		f, before := fs[id], p.snapF[id]
		if reflect.DeepEqual(f, before) {
			continue
		}
		if p.finalF[id] {
			fail("financing %s changed after it was %s", id, before.Status)
		}
		if !slices.Contains(p.txs, f.TxID) {
			fail("financing %s changed by %s, not by this step", id, f.TxID)
		}
		if len(f.Postings) < len(before.Postings) || (len(before.Postings) > 0 && !reflect.DeepEqual(f.Postings[:len(before.Postings)], before.Postings)) {
			fail("financing %s rewrote its postings", id)
		}
		switch f.Status {
		case "CLOSED", "DEFAULTED", "REJECTED", "WITHDRAWN":
			p.finalF[id] = true
		}
	}
	p.snapR, p.snapF = rs, fs
}
