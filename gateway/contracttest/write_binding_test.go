package contracttest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Writes are bound to what they touch (DESIGN.md §4): every writing
// transaction of the receipt, finance, insurance, receivable and risk
// contracts, attempted by a caller of the kind the step needs but the wrong
// enterprise for the receipt, lot, financing, policy, shipment, claim,
// invoice or sanction it names. Each row names the attack; each is refused
// with its code, and the entity reads back exactly as before.
// (credit and grade have no writing transactions: their records change
// only inside the writes above.)
func TestWriteBinding(t *testing.T) {
	f := newInsFix(t)
	bank2 := f.Enterprise(BankMSP, "第二农商银行", api.KindBank)
	wh2 := f.Enterprise(WarehouseMSP, "第二保税仓", api.KindWarehouse)
	trader2 := f.Enterprise(PlatformMSP, "另一茶叶出口商", api.KindExporter)
	insurer2 := f.Enterprise(InsurerMSP, "另一信用保险公司", api.KindInsurer)
	buyer2 := f.Enterprise(PlatformMSP, "深圳茶叶连锁有限公司", api.KindProcessor)
	reg2 := f.Enterprise(RegulatorMSP, "英德市场监管局", api.KindRegulator)

	later := func(days int) { f.Clock.Set(f.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)) }
	read := func(fn api.Tx, as *Member, args ...string) func() string {
		return func() string {
			out, err := f.Evaluate(as.Identity, fn, args...)
			if err != nil {
				t.Fatalf("%s %v: %v", fn, args, err)
			}
			return string(out)
		}
	}
	receiptOf := func(id string) func() string { return read(api.TxGetReceipt, f.reg, id) }
	financingOf := func(id string) func() string { return read(api.TxGetFinancing, f.bank, id, "2026-12-31") }
	shipmentOf := func(id string) func() string { return read(api.TxGetShipment, f.reg, id) }
	receivableOf := func(id string) func() string { return read(api.TxGetReceivable, f.reg, id) }

	// Receipts and warehouse-receipt financings of the trader at f.bank.
	receipt := func() string { return f.receipt(f.trader, "100", "10000.00", "CNY").ID }
	terms := wrTerms("5000.00", "0.05", 1, "0.6")
	applied := func() string { return f.apply(f.trader, f.bank, "5000.00", "CNY", receipt()).ID }
	approved := func() (string, string) {
		r := receipt()
		id := f.apply(f.trader, f.bank, "5000.00", "CNY", r).ID
		f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, id, terms))
		return r, id
	}
	active := func() string {
		_, id := approved()
		f.OK(f.C.DisburseFinancing(f.Ctx, f.bank.Identity, id, f.day()))
		return id
	}
	received := func() string {
		lot := f.lot("100")
		f.receive(f.wh, lot, "100")
		return lot
	}
	issue := func(lot string) string {
		return trJSON(wrIssueInput(f.gtin, lot, "100", "10000.00", "CNY", f.trader.CreditCode))
	}

	// Insurance: the trader's policy at f.insurer, shipments on fresh buyers.
	p := f.policy(insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"})
	shipped := f.shippedLot("1000")
	shipInput := func(limit string, lots ...string) string {
		return trJSON(f.shipmentInput(insShip{policy: p.ID, limit: limit, amount: "1000.00", shipDate: f.day(), dueDate: f.dayPlus(1), lots: lots}, f.nextInvoice()))
	}
	shipment := func() string {
		var s api.ShipmentView
		f.mustDo(&s, f.trader.Identity, api.TxDeclareShipment, shipInput(f.limit(f.overseasBuyer(), "1000000.00", "USD").ID, shipped))
		return s.ID
	}
	assigned := func() string { s := shipment(); f.assign(s, f.bank); return s }
	defaulted := func() string {
		s := assigned()
		later(2)
		f.OK(f.C.ReportBuyerDefault(f.Ctx, f.trader.Identity, s))
		return s
	}
	requested := func() string {
		var a api.Assignment
		Result(f.T, &a)(f.C.RequestAssignment(f.Ctx, f.trader.Identity, shipment(), f.bank.CreditCode, p.ID))
		return a.ID
	}
	claim := func(approve bool) string {
		var c api.Claim
		Result(f.T, &c)(f.C.FileClaim(f.Ctx, f.trader.Identity, defaulted(), api.ClaimInput{}))
		if approve {
			f.OK(f.C.ApproveClaim(f.Ctx, f.insurer.Identity, c.ID, ""))
		}
		return c.ID
	}
	receivable := func(confirm bool) string { return f.receivable("1000.00", confirm).ID }
	pastDueN := 0
	pastDue := func() string {
		var rv api.ReceivableView
		pastDueN++ // a new amount each time: the same lots, buyer and amount twice is a likely duplicate
		Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
			buyer: api.ReceivableBuyerInput{CreditCode: f.buyer.CreditCode}, invoice: f.nextInvoice(), amount: fmt.Sprintf("%d.00", 1000+pastDueN), currency: "CNY",
			issue: f.day(), due: f.dayPlus(1), lots: []string{shipped}})))
		later(2)
		return rv.ID
	}
	sanction := `{"reason":"拒不履行","basis":"(2026)粤1802执9号"}`

	type attack struct {
		by    *Member
		fn    api.Tx
		args  []string
		state func() string // what must not change
	}
	rows := []struct {
		attack string
		setup  func() attack
		want   string
	}{
		// Warehouse receipts.
		{"warehouse W2 issues a receipt on goods held by W1", func() attack {
			lot := received()
			return attack{wh2, api.TxIssueReceipt, []string{issue(lot)}, read(api.TxListReceiptsByWarehouse, f.reg, wh2.CreditCode)}
		}, "RULE_VIOLATION"},
		{"warehouse W1 issues a receipt on goods its owner has shipped out of W1", func() attack {
			lot := received()
			if _, err := f.event(f.producer, "shipping", lot, ""); err != nil {
				t.Fatalf("owner ships %s: %v", lot, err)
			}
			return attack{f.wh, api.TxIssueReceipt, []string{issue(lot)}, read(api.TxListReceiptsByWarehouse, f.reg, f.wh.CreditCode)}
		}, "RULE_VIOLATION"},
		{"warehouse W1 issues a receipt on a recalled lot it holds", func() attack {
			lot := received()
			f.OK(f.C.RecallLot(f.Ctx, f.producer.Identity, f.gtin, lot, "农残超标"))
			return attack{f.wh, api.TxIssueReceipt, []string{issue(lot)}, read(api.TxListReceiptsByWarehouse, f.reg, f.wh.CreditCode)}
		}, "RECALLED"},
		{"exporter Y transfers exporter X's receipt to itself", func() attack {
			r := receipt()
			return attack{trader2, api.TxTransferReceipt, []string{r, trader2.CreditCode}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"exporter Y splits exporter X's receipt", func() attack {
			r := receipt()
			return attack{trader2, api.TxSplitReceipt, []string{r, `{"parts":[{"quantity":"60","valuation":"6000.00"},{"quantity":"40","valuation":"4000.00"}]}`}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"exporter Y asks to redeem exporter X's receipt", func() attack {
			r := receipt()
			return attack{trader2, api.TxRequestRedemption, []string{r}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"exporter Y withdraws exporter X's redemption request", func() attack {
			r := receipt()
			f.OK(f.C.RequestRedemption(f.Ctx, f.trader.Identity, r))
			return attack{trader2, api.TxWithdrawRedemption, []string{r}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"warehouse W2 confirms the redemption of a receipt W1 issued", func() attack {
			r := receipt()
			f.OK(f.C.RequestRedemption(f.Ctx, f.trader.Identity, r))
			return attack{wh2, api.TxConfirmRedemption, []string{r}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"warehouse W2 cancels a receipt W1 issued", func() attack {
			r := receipt()
			return attack{wh2, api.TxCancelReceipt, []string{r, "issued in error"}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"regulator R freezes a receipt its own enterprise holds", func() attack {
			r := f.receipt(f.reg, "100", "10000.00", "CNY").ID
			return attack{f.reg, api.TxFreezeReceipt, []string{r, "court order"}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"regulator R unfreezes a receipt it holds, frozen by regulator R2", func() attack {
			r := f.receipt(f.reg, "100", "10000.00", "CNY").ID
			f.OK(f.C.FreezeReceipt(f.Ctx, reg2.Identity, r, "涉案冻结"))
			return attack{f.reg, api.TxUnfreezeReceipt, []string{r, "lifted"}, receiptOf(r)}
		}, "FORBIDDEN"},
		{"bank B2 releases a pledge held by bank B1", func() attack {
			r, _ := approved()
			return attack{bank2, api.TxReleasePledge, []string{r}, receiptOf(r)}
		}, "FORBIDDEN"},

		// Financings.
		{"exporter Y applies for a loan against exporter X's receipt", func() attack {
			r := receipt()
			return attack{trader2, api.TxApplyForFinancing, []string{trJSON(wrApplyInput(f.bank.CreditCode, "5000.00", "CNY", r))}, read(api.TxListFinancings, trader2)}
		}, "FORBIDDEN"},
		{"buyer B1 applies for a loan against the receivable it owes exporter X", func() attack {
			rv := receivable(true)
			return attack{f.buyer, api.TxApplyForFinancing, []string{trJSON(insApply("RECEIVABLE", f.bank.CreditCode, "500.00", "CNY", rv))}, receivableOf(rv)}
		}, "FORBIDDEN"},
		{"exporter Y applies for a loan against exporter X's insured shipment", func() attack {
			s := assigned()
			return attack{trader2, api.TxApplyForFinancing, []string{trJSON(insApply("POLICY", f.bank.CreditCode, "500.00", "USD", s))}, shipmentOf(s)}
		}, "FORBIDDEN"},
		{"bank B2 approves bank B1's financing", func() attack {
			id := applied()
			return attack{bank2, api.TxApproveFinancing, []string{id, trJSON(terms)}, financingOf(id)}
		}, "FORBIDDEN"},
		{"bank B2 rejects bank B1's financing", func() attack {
			id := applied()
			return attack{bank2, api.TxRejectFinancing, []string{id, "no"}, financingOf(id)}
		}, "FORBIDDEN"},
		{"exporter Y withdraws exporter X's application", func() attack {
			id := applied()
			return attack{trader2, api.TxWithdrawFinancing, []string{id}, financingOf(id)}
		}, "FORBIDDEN"},
		{"bank B2 disburses bank B1's approved loan", func() attack {
			_, id := approved()
			return attack{bank2, api.TxDisburseFinancing, []string{id, f.day()}, financingOf(id)}
		}, "FORBIDDEN"},
		{"exporter Y repays exporter X's loan", func() attack {
			id := active()
			return attack{trader2, api.TxRecordRepayment, []string{id, "100.00", f.day()}, financingOf(id)}
		}, "FORBIDDEN"},
		{"bank B2 records a repayment of bank B1's loan", func() attack {
			id := active()
			return attack{bank2, api.TxRecordRepayment, []string{id, "100.00", f.day()}, financingOf(id)}
		}, "FORBIDDEN"},
		{"bank B2 closes bank B1's financing and frees its collateral", func() attack {
			_, id := approved()
			return attack{bank2, api.TxCloseFinancing, []string{id}, financingOf(id)}
		}, "FORBIDDEN"},
		{"bank B2 declares bank B1's matured loan in default and takes the receipt", func() attack {
			id := active()
			later(2)
			return attack{bank2, api.TxDeclareDefault, []string{id}, financingOf(id)}
		}, "FORBIDDEN"},

		// Export credit insurance.
		{"insurer I2 sets a buyer limit naming bank B1 as the exporter", func() attack {
			return attack{insurer2, api.TxSetCreditLimit, []string{trJSON(insLimitInput(f.bank.CreditCode, f.overseasBuyer(), "100.00", "USD", "2026-04-01", "2027-03-31"))},
				read(api.TxListCreditLimits, insurer2)}
		}, "RULE_VIOLATION"},
		{"insurer I2 issues a policy insuring insurer I1", func() attack {
			return attack{insurer2, api.TxIssuePolicy, []string{trJSON(insPolicyInput(f.insurer.CreditCode, insPolicyOpts{currency: "USD", coverage: "0.9", premium: "0.004"}))},
				read(api.TxListPolicies, insurer2)}
		}, "RULE_VIOLATION"},
		{"exporter X declares a shipment against exporter Y's buyer limit", func() attack {
			var l api.CreditLimitView
			Result(f.T, &l)(f.C.SetCreditLimit(f.Ctx, f.insurer.Identity, insLimitInput(trader2.CreditCode, f.overseasBuyer(), "100000.00", "USD", "2026-04-01", "2027-03-31")))
			return attack{f.trader, api.TxDeclareShipment, []string{shipInput(l.ID, shipped)}, read(api.TxGetCreditLimit, f.insurer, l.ID)}
		}, "FORBIDDEN"},
		{"exporter X insures a lot that someone else shipped", func() attack {
			lot := f.lot("10")
			if _, err := f.event(f.producer, "shipping", lot, ""); err != nil {
				t.Fatalf("producer ships %s: %v", lot, err)
			}
			l := f.limit(f.overseasBuyer(), "100000.00", "USD")
			return attack{f.trader, api.TxDeclareShipment, []string{shipInput(l.ID, lot)}, read(api.TxGetCreditLimit, f.insurer, l.ID)}
		}, "FORBIDDEN"},
		{"exporter Y records a buyer payment on exporter X's shipment", func() attack {
			s := shipment()
			return attack{trader2, api.TxRecordShipmentPayment, []string{s, "1.00", f.day()}, shipmentOf(s)}
		}, "FORBIDDEN"},
		{"bank B2 reports a buyer default on a shipment assigned to bank B1", func() attack {
			s := assigned()
			later(2)
			return attack{bank2, api.TxReportBuyerDefault, []string{s}, shipmentOf(s)}
		}, "FORBIDDEN"},
		{"exporter Y assigns the proceeds of exporter X's shipment to bank B2", func() attack {
			s := shipment()
			return attack{trader2, api.TxRequestAssignment, []string{s, bank2.CreditCode, p.ID}, shipmentOf(s)}
		}, "FORBIDDEN"},
		{"insurer I2 accepts an assignment under insurer I1's policy", func() attack {
			a := requested()
			return attack{insurer2, api.TxAcceptAssignment, []string{a}, read(api.TxGetAssignment, f.insurer, a)}
		}, "FORBIDDEN"},
		{"insurer I2 rejects an assignment under insurer I1's policy", func() attack {
			a := requested()
			return attack{insurer2, api.TxRejectAssignment, []string{a, "no"}, read(api.TxGetAssignment, f.insurer, a)}
		}, "FORBIDDEN"},
		{"bank B2 releases the assignment accepted for bank B1", func() attack {
			s := assigned()
			a := f.shipment(f.insurer.Identity, s).AssignmentID
			return attack{bank2, api.TxReleaseAssignment, []string{a}, read(api.TxGetAssignment, f.insurer, a)}
		}, "FORBIDDEN"},
		{"exporter Y files a claim on exporter X's defaulted shipment", func() attack {
			s := defaulted()
			return attack{trader2, api.TxFileClaim, []string{s, `{}`}, shipmentOf(s)}
		}, "FORBIDDEN"},
		{"insurer I2 approves a claim under insurer I1's policy", func() attack {
			c := claim(false)
			return attack{insurer2, api.TxApproveClaim, []string{c, ""}, read(api.TxGetClaim, f.insurer, c)}
		}, "FORBIDDEN"},
		{"insurer I2 rejects a claim under insurer I1's policy", func() attack {
			c := claim(false)
			return attack{insurer2, api.TxRejectClaim, []string{c, "no"}, read(api.TxGetClaim, f.insurer, c)}
		}, "FORBIDDEN"},
		{"insurer I2 pays out a claim approved under insurer I1's policy", func() attack {
			c := claim(true)
			return attack{insurer2, api.TxPayClaim, []string{c, f.day()}, read(api.TxGetClaim, f.insurer, c)}
		}, "FORBIDDEN"},

		// Receivables.
		{"exporter Y invoices on exporter X's insured shipment", func() attack {
			s := shipment()
			sv := f.shipment(f.insurer.Identity, s)
			in := f.receivableInput(insRecvOpts{buyer: rvBuyerOf(insBuyer(sv.Buyer)),
				invoice: sv.InvoiceNumber, amount: sv.InvoiceAmount, currency: sv.Currency, issue: f.day(), due: f.dayPlus(30), shipment: s})
			return attack{trader2, api.TxCreateReceivable, []string{trJSON(in)}, read(api.TxListReceivables, trader2)}
		}, "FORBIDDEN"},
		{"buyer B2 confirms an invoice addressed to buyer B1", func() attack {
			rv := receivable(false)
			return attack{buyer2, api.TxConfirmReceivable, []string{rv}, receivableOf(rv)}
		}, "FORBIDDEN"},
		{"buyer B2 disputes an invoice addressed to buyer B1", func() attack {
			rv := receivable(false)
			return attack{buyer2, api.TxRejectReceivable, []string{rv, "not ours"}, receivableOf(rv)}
		}, "FORBIDDEN"},
		{"exporter Y records a payment on exporter X's receivable", func() attack {
			rv := receivable(true)
			return attack{trader2, api.TxRecordReceivablePayment, []string{rv, "1.00", f.day()}, receivableOf(rv)}
		}, "FORBIDDEN"},
		{"exporter X records a payment on its receivable assigned to bank B1", func() attack {
			rv := receivable(true)
			var fin api.Financing
			Result(f.T, &fin)(f.C.ApplyForFinancing(f.Ctx, f.trader.Identity, insApply("RECEIVABLE", f.bank.CreditCode, "500.00", "CNY", rv)))
			f.OK(f.C.ApproveFinancing(f.Ctx, f.bank.Identity, fin.ID, rvTerms("500.00", "0.05", 30, "0.8")))
			return attack{f.trader, api.TxRecordReceivablePayment, []string{rv, "1.00", f.day()}, receivableOf(rv)}
		}, "FORBIDDEN"},
		{"exporter Y marks exporter X's receivable overdue", func() attack {
			rv := pastDue()
			return attack{trader2, api.TxMarkReceivableOverdue, []string{rv}, receivableOf(rv)}
		}, "FORBIDDEN"},
		{"exporter Y declares exporter X's receivable in default", func() attack {
			rv := pastDue()
			return attack{trader2, api.TxDeclareReceivableDefault, []string{rv}, receivableOf(rv)}
		}, "FORBIDDEN"},

		// Risk and sanctions.
		{"insurer I2 assesses the risk of a shipment insurer I1 insures", func() attack {
			s := shipment()
			return attack{insurer2, api.TxAssessRisk, []string{"shipment", s}, read(api.TxGetRiskFlags, f.reg, "shipment", s)}
		}, "FORBIDDEN"},
		{"insurer I2 assesses the risk of a receivable it has no shipment behind", func() attack {
			rv := receivable(false)
			return attack{insurer2, api.TxAssessRisk, []string{"receivable", rv}, read(api.TxGetRiskFlags, f.reg, "receivable", rv)}
		}, "FORBIDDEN"},
		{"regulator R resolves the risk flag on a receivable it owes", func() attack {
			var rv api.ReceivableView
			Result(f.T, &rv)(f.C.CreateReceivable(f.Ctx, f.trader.Identity, f.receivableInput(insRecvOpts{
				buyer: api.ReceivableBuyerInput{CreditCode: f.reg.CreditCode}, invoice: f.nextInvoice(), amount: "1000.00", currency: "CNY",
				issue: f.day(), due: f.dayPlus(30), lots: []string{f.lot("1")}}))) // never shipped: flagged
			if len(rv.RiskFlags) == 0 {
				t.Fatalf("receivable %s raised no flag", rv.ID)
			}
			return attack{f.reg, api.TxResolveRiskFlag, []string{"receivable", rv.ID, rv.RiskFlags[0], "checked"}, read(api.TxGetRiskFlags, reg2, "receivable", rv.ID)}
		}, "FORBIDDEN"},
		{"regulator R sanctions its own enterprise", func() attack {
			return attack{f.reg, api.TxRecordSanction, []string{f.reg.CreditCode, sanction}, read(api.TxListSanctions, f.reg, f.reg.CreditCode)}
		}, "RULE_VIOLATION"},
		{"regulator R lifts the sanction regulator R2 put on R", func() attack {
			var sn api.Sanction
			f.mustDo(&sn, reg2.Identity, api.TxRecordSanction, f.reg.CreditCode, sanction)
			return attack{f.reg, api.TxLiftSanction, []string{sn.ID, "整改完成"}, read(api.TxListSanctions, reg2, f.reg.CreditCode)}
		}, "FORBIDDEN"},
	}
	for _, row := range rows {
		t.Run(row.attack, func(t *testing.T) {
			a := row.setup()
			before := a.state()
			_, err := f.Submit(a.by.Identity, a.fn, a.args...)
			if got := Code(err); got != row.want {
				t.Fatalf("%s: code %q, want %q (%v)", a.fn, got, row.want, err)
			}
			if after := a.state(); after != before {
				t.Errorf("%s changed the ledger:\nbefore %s\nafter  %s", a.fn, before, after)
			}
			if !json.Valid([]byte(before)) {
				t.Errorf("state is not JSON: %s", before)
			}
		})
	}
}
