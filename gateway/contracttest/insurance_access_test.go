package contracttest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/qingchain/qingchain/gateway/identity"
)

// Every writing transaction of the insurance, receivable and risk
// contracts (and the new financing types), tried by an enterprise of every
// kind that is party to nothing, by an identity bound to no enterprise,
// by an organisation admin, and finally by the party entitled to it, which
// succeeds. Unless the table says otherwise an outsider gets FORBIDDEN.
func TestInsuranceAccessControl(t *testing.T) {
	f := newInsFix(t)
	outsider := map[string]*Member{}
	for _, k := range wrKinds {
		outsider[k] = f.Enterprise(wrOrgOf(k), "outsider "+k, k)
	}
	ca, _ := f.Ledger.CA(PlatformMSP)
	stranger, err := ca.Issue("stranger", identity.RoleClient, nil)
	if err != nil {
		t.Fatal(err)
	}
	regulator := outsider[api.KindRegulator]
	target := f.Enterprise(PlatformMSP, "失信企业", api.KindProducer)

	lot := f.shippedLot("1000")
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"}) // no waiting period
	later := func(days int) { f.Clock.Set(f.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)) }
	shipInput := func() string {
		l := f.limit(f.overseasBuyer(), "1000000.00", "USD")
		return trJSON(f.shipmentInput(insShip{policy: p.ID, limit: l.ID, amount: "1000.00", shipDate: f.day(), dueDate: f.dayPlus(1), lots: []string{lot}}, f.nextInvoice()))
	}
	shipment := func() string {
		var s api.ShipmentView
		f.mustDo(&s, f.trader.Identity, api.TxDeclareShipment, shipInput())
		return s.ID
	}
	defaulted := func() string {
		s := shipment()
		later(2)
		f.OK(f.C.ReportBuyerDefault(f.Ctx, f.trader.Identity, s))
		return s
	}
	filed := func() string {
		var c api.Claim
		Result(f.T, &c)(f.C.FileClaim(f.Ctx, f.trader.Identity, defaulted(), api.ClaimInput{}))
		return c.ID
	}
	approvedClaim := func() string {
		c := filed()
		f.OK(f.C.ApproveClaim(f.Ctx, f.insurer.Identity, c, ""))
		return c
	}
	requested := func() string {
		var a api.Assignment
		Result(f.T, &a)(f.C.RequestAssignment(f.Ctx, f.trader.Identity, shipment(), f.bank.CreditCode, p.ID))
		return a.ID
	}
	accepted := func() string {
		a := requested()
		f.OK(f.C.AcceptAssignment(f.Ctx, f.insurer.Identity, a))
		return a
	}
	assignedShipment := func() string {
		s := shipment()
		f.assign(s, f.bank)
		return s
	}
	recvN := 0
	recvInput := func(due string, lots ...string) string {
		recvN++ // a new amount each time: the same lots, buyer and amount twice is a likely duplicate
		return trJSON(f.receivableInput(insRecvOpts{buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: f.nextInvoice(), amount: fmt.Sprintf("%d.00", 1000+recvN), currency: "CNY",
			issue: f.day(), due: due, lots: lots}))
	}
	pastDue := func() string {
		var rv api.ReceivableView
		f.mustDo(&rv, f.trader.Identity, api.TxCreateReceivable, recvInput(f.dayPlus(1), lot))
		later(2)
		return rv.ID
	}
	flagged := func() string {
		var rv api.ReceivableView
		f.mustDo(&rv, f.trader.Identity, api.TxCreateReceivable, recvInput(f.dayPlus(30), f.lot("1")))
		return rv.ID
	}
	sanction := `{"reason":"拒不履行","basis":"(2026)粤1802执1号"}`
	anyOf := func(kinds ...string) map[string]string {
		m := map[string]string{}
		for _, k := range kinds {
			m[k] = ""
		}
		return m
	}
	allConflict := map[string]string{}
	for _, k := range wrKinds {
		allConflict[k] = "FORBIDDEN" // collateral offered by anyone but its holder
	}

	rows := []struct {
		name  string
		fn    api.Tx
		setup func() []string
		party *Member
		other map[string]string // outsider kind → code when not FORBIDDEN
	}{
		{"", api.TxSetCreditLimit, func() []string {
			return []string{trJSON(insLimitInput(f.trader.CreditCode, f.overseasBuyer(), "100.00", "USD", "2026-04-01", "2027-03-31"))}
		}, f.insurer, anyOf(api.KindInsurer)}, // any insurer sets its own limits
		{"", api.TxIssuePolicy, func() []string {
			return []string{trJSON(insPolicyInput(f.trader.CreditCode, insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"}))}
		}, f.insurer, anyOf(api.KindInsurer)},
		{"", api.TxDeclareShipment, func() []string { return []string{shipInput()} }, f.trader, nil},
		{"", api.TxRecordShipmentPayment, func() []string { return []string{shipment(), "1.00", f.day()} }, f.trader, nil},
		{"", api.TxReportBuyerDefault, func() []string { s := shipment(); later(2); return []string{s} }, f.trader, nil},
		{"", api.TxRequestAssignment, func() []string { return []string{shipment(), f.bank.CreditCode, p.ID} }, f.trader, nil},
		{"", api.TxAcceptAssignment, func() []string { return []string{requested()} }, f.insurer, nil},
		{"", api.TxRejectAssignment, func() []string { return []string{requested(), "no"} }, f.insurer, nil},
		{"", api.TxReleaseAssignment, func() []string { return []string{accepted()} }, f.bank, nil},
		{"", api.TxFileClaim, func() []string { return []string{defaulted(), `{}`} }, f.trader, nil},
		{"", api.TxApproveClaim, func() []string { return []string{filed(), ""} }, f.insurer, nil},
		{"", api.TxRejectClaim, func() []string { return []string{filed(), "no"} }, f.insurer, nil},
		{"", api.TxPayClaim, func() []string { return []string{approvedClaim(), f.day()} }, f.insurer, nil},
		{"", api.TxCreateReceivable, func() []string { return []string{recvInput(f.dayPlus(30), lot)} },
			f.trader, anyOf(api.KindExporter, api.KindProducer, api.KindProcessor)}, // sellers record their own invoices
		{"", api.TxConfirmReceivable, func() []string { return []string{f.receivable("10.00", false).ID} }, f.buyer, nil},
		{"", api.TxRejectReceivable, func() []string { return []string{f.receivable("10.00", false).ID, "no"} }, f.buyer, nil},
		{"", api.TxRecordReceivablePayment, func() []string { return []string{f.receivable("10.00", true).ID, "1.00", f.day()} }, f.trader, nil},
		{"", api.TxMarkReceivableOverdue, func() []string { return []string{pastDue()} }, f.trader, nil},
		{"", api.TxDeclareReceivableDefault, func() []string { return []string{pastDue()} }, f.trader, nil},
		{"", api.TxAssessRisk, func() []string { return []string{"receivable", flagged()} },
			f.bank, anyOf(api.KindBank, api.KindRegulator)}, // an insurer only on its own shipments
		{"", api.TxResolveRiskFlag, func() []string { return []string{"receivable", flagged(), "NO_SHIPPING_EVENT", "checked"} }, regulator, nil},
		{"", api.TxRecordSanction, func() []string { return []string{target.CreditCode, sanction} }, f.reg, anyOf(api.KindRegulator)},
		{"", api.TxLiftSanction, func() []string {
			var sn api.Sanction
			f.mustDo(&sn, f.reg.Identity, api.TxRecordSanction, target.CreditCode, sanction)
			return []string{sn.ID, "lifted"}
		}, regulator, nil}, // any regulator
		{"RECEIVABLE", api.TxApplyForFinancing, func() []string {
			return []string{trJSON(insApply("RECEIVABLE", f.bank.CreditCode, "500.00", "CNY", f.receivable("1000.00", true).ID))}
		}, f.trader, allConflict}, // anyone may apply, only with its own receivables
		{"POLICY", api.TxApplyForFinancing, func() []string {
			return []string{trJSON(insApply("POLICY", f.bank.CreditCode, "500.00", "USD", assignedShipment()))}
		}, f.trader, allConflict},
		{"RECEIVABLE", api.TxApproveFinancing, func() []string {
			var fin api.Financing
			Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "500.00", "CNY", f.receivable("1000.00", true).ID)))
			return []string{fin.ID, trJSON(rvTerms("500.00", "0.05", 30, "0.8"))}
		}, f.bank, nil},
	}
	for _, row := range rows {
		t.Run(strings.TrimSpace(string(row.fn)+" "+row.name), func(t *testing.T) {
			args := row.setup()
			for _, k := range wrKinds {
				m := outsider[k]
				if m == row.party {
					continue
				}
				want := "FORBIDDEN"
				if c, ok := row.other[k]; ok {
					want = c
				}
				_, err := f.Submit(m.Identity, row.fn, args...)
				if got := Code(err); got != want {
					t.Errorf("%s: code %q, want %q (%v)", k, got, want, err)
				}
			}
			_, err := f.Submit(stranger, row.fn, args...)
			if got := Code(err); got != "UNREGISTERED" {
				t.Errorf("unregistered identity: code %q (%v)", got, err)
			}
			_, err = f.Submit(f.Admins[PlatformMSP], row.fn, args...)
			if got := Code(err); got != "UNREGISTERED" {
				t.Errorf("organisation admin: code %q (%v)", got, err)
			}
			if _, err := f.Submit(row.party.Identity, row.fn, args...); err != nil {
				t.Errorf("party %s: %v", row.party.CreditCode, err)
			}
		})
	}

	// Reads: to the parties and regulators; grades, sanctions and risk
	// flags also to banks and insurers; receivables to banks.
	var limits []api.CreditLimitView
	Into(f.T, &limits)(f.C.ListCreditLimits(f.Ctx, f.insurer.Identity)) // the ones it set
	var claims []api.Claim
	Into(f.T, &claims)(f.C.ListClaims(f.Ctx, f.trader.Identity))
	var assignments []api.Assignment
	Into(f.T, &assignments)(f.C.ListAssignments(f.Ctx, f.bank.Identity))
	if len(limits) == 0 || len(claims) == 0 || len(assignments) == 0 {
		t.Fatalf("lists: %d limits, %d claims, %d assignments", len(limits), len(claims), len(assignments))
	}
	rv := f.receivable("10.00", false)
	reads := []struct {
		fn   api.Tx
		args []string
		ok   map[string]string
	}{
		{api.TxGetCreditLimit, []string{limits[0].ID}, anyOf(api.KindRegulator)},
		{api.TxGetPolicy, []string{p.ID}, anyOf(api.KindRegulator)},
		{api.TxListShipments, []string{p.ID}, anyOf(api.KindRegulator)},
		{api.TxGetShipment, []string{claims[0].ShipmentID}, anyOf(api.KindRegulator)},
		{api.TxGetClaim, []string{claims[0].ID}, anyOf(api.KindRegulator)},
		{api.TxGetAssignment, []string{assignments[0].ID}, anyOf(api.KindRegulator)},
		{api.TxGetReceivable, []string{rv.ID}, anyOf(api.KindRegulator, api.KindBank)},
		{api.TxGetRiskFlags, []string{"receivable", rv.ID}, anyOf(api.KindRegulator, api.KindBank, api.KindInsurer)},
		{api.TxListSanctions, []string{f.trader.CreditCode}, anyOf(api.KindRegulator, api.KindBank, api.KindInsurer)},
		{api.TxGetCreditGrade, []string{f.trader.CreditCode}, anyOf(api.KindRegulator, api.KindBank, api.KindInsurer)},
	}
	for _, r := range reads {
		for _, k := range wrKinds {
			want, ok := r.ok[k]
			if !ok {
				want = "FORBIDDEN"
			}
			out, err := f.Evaluate(outsider[k].Identity, r.fn, r.args...)
			if got := Code(err); got != want {
				t.Errorf("%s by %s: code %q, want %q", r.fn, k, got, want)
			} else if err == nil && !json.Valid(out) {
				t.Errorf("%s by %s: %s", r.fn, k, out)
			}
		}
		if _, err := f.Evaluate(stranger, r.fn, r.args...); Code(err) != "UNREGISTERED" {
			t.Errorf("%s by a stranger: %v", r.fn, err)
		}
	}
}
