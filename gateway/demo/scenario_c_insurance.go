package demo

import (
	"context"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"
)

// ExportCreditInsurance insures the tea's export shipments (after Tea).
var ExportCreditInsurance = Scenario{Name: "tea-export-credit-insurance", Run: insuranceScenario}

// insuranceScenario: the insurer sets a limit on a Hamburg buyer and
// insures the exporter; the first shipment of Yingde black tea is financed
// by the bank against the policy (claim proceeds assigned to it), the buyer
// defaults, and the paid claim repays the loan with the surplus to the
// exporter; a second insured shipment is assigned to the bank and still
// running; the cooperative's receivable from the exporter is financed too.
func insuranceScenario(ctx context.Context, e *Env) error {
	cst := time.FixedZone("CST", 8*3600)
	today := time.Now().In(cst).Truncate(24 * time.Hour)
	day := func(n, hour int) time.Time { return today.AddDate(0, 0, n).Add(time.Duration(hour) * time.Hour) }
	date := func(n int) string { return day(n, 12).Format("2006-01-02") }
	exporter, bank := e.Users["exporter"].Enterprise, e.Users["bank"].Enterprise
	c := e.Client

	buyer := api.BuyerInput{Name: "Hamburger Teehandel Nord GmbH", Country: "DE", RegistrationID: "HRB-104711"}
	lots := []api.LotRef{{GTIN: GTINBlackTea, Lot: LotTeaExport}}

	limit, err := c.SetCreditLimit(ctx, e.As(day(-60, 10), "insurer"), api.CreditLimitInput{Exporter: exporter, Buyer: buyer, Amount: "60000.00", Currency: "USD", ValidFrom: date(-60), ValidTo: date(300)})
	if err != nil {
		return err
	}
	policy, err := c.IssuePolicy(ctx, e.As(day(-60, 11), "insurer"), api.PolicyInput{Insured: exporter, Currency: "USD", CoverageRatio: "0.90", PremiumRate: "0.0045",
		StartDate: date(-60), EndDate: date(300), WaitingPeriodDays: 10, MaxCreditDays: 120})
	if err != nil {
		return err
	}
	declare := func(at time.Time, invoice, customs, amount string, due int) (string, error) {
		sh, err := c.DeclareShipment(ctx, e.As(at, "exporter"), api.ShipmentInput{PolicyID: policy.Result.ID, LimitID: limit.Result.ID, InvoiceNumber: invoice, InvoiceAmount: amount,
			CustomsDeclarationNo: customs, CustomsValue: amount, ShipmentDate: date(-28), PaymentDueDate: date(due), Lots: lots})
		return sh.Result.ID, err
	}
	assign := func(at time.Time, shipment string) error {
		a, err := c.RequestAssignment(ctx, e.As(at, "exporter"), shipment, bank, policy.Result.ID)
		if err != nil {
			return err
		}
		_, err = c.AcceptAssignment(ctx, e.As(at.Add(time.Hour), "insurer"), a.Result.ID)
		return err
	}
	finance := func(at time.Time, user, typ, collateral, principal, currency, rate string, termDays int) (string, error) {
		f, err := c.ApplyForFinancing(ctx, e.As(at, user), api.FinancingApplication{Type: typ, Bank: bank, Collateral: []string{collateral}, RequestedPrincipal: principal, Currency: currency, Purpose: "出口备货 export working capital"})
		if err != nil {
			return "", err
		}
		terms := api.FinancingTerms{Principal: principal, AnnualRate: rate, TermDays: termDays, MaxLTV: "0.80"}
		if typ == "RECEIVABLE" {
			// The pledge's registration in the movable-property financing
			// registry (中登网), made by the bank before it approves.
			terms.RegistrationNo = "04362371000360816245"
		}
		if _, err := c.ApproveFinancing(ctx, e.As(at.Add(2*time.Hour), "bank"), f.Result.ID, terms); err != nil {
			return "", err
		}
		_, err = c.DisburseFinancing(ctx, e.As(at.Add(3*time.Hour), "bank"), f.Result.ID, at.In(cst).Format("2006-01-02"))
		return f.Result.ID, err
	}

	// Shipment 1: financed against the policy, the buyer defaults, the claim repays the loan.
	ship1, err := declare(day(-27, 10), "QYX-2026-0701", "516820261000000701", "15000.00", -20)
	if err != nil {
		return err
	}
	if err := customsClear(ctx, e, day(-27, 10).Add(10*time.Minute), ship1, "800"); err != nil {
		return err
	}
	if err := assign(day(-27, 11), ship1); err != nil {
		return err
	}
	policyLoan, err := finance(day(-26, 9), "exporter", "POLICY", ship1, "10000.00", "USD", "0.05", 90)
	if err != nil {
		return err
	}
	if _, err := c.ReportBuyerDefault(ctx, e.As(day(-19, 10), "exporter"), ship1); err != nil {
		return err
	}
	claim, err := c.FileClaim(ctx, e.As(day(-8, 10), "exporter"), ship1, api.ClaimInput{Note: "buyer insolvent: Amtsgericht Hamburg insolvency filing"})
	if err != nil {
		return err
	}
	if _, err := c.ApproveClaim(ctx, e.As(day(-6, 10), "insurer"), claim.Result.ID, "insolvency confirmed by the insurer's Hamburg agent"); err != nil {
		return err
	}
	if _, err := c.PayClaim(ctx, e.As(day(-5, 10), "insurer"), claim.Result.ID, date(-5)); err != nil {
		return err
	}

	// Shipment 3, to a second buyer, not financed: due 20 days ago, the
	// buyer's default reported the day after, the waiting period over. Its
	// claim is left for the insurer's README flow to file, approve and pay.
	buyer3 := api.BuyerInput{Name: "Antwerpse Theehandel NV", Country: "BE", RegistrationID: "BE-0412345678"}
	limit3, err := c.SetCreditLimit(ctx, e.As(day(-60, 12), "insurer"), api.CreditLimitInput{Exporter: exporter, Buyer: buyer3, Amount: "20000.00", Currency: "USD", ValidFrom: date(-60), ValidTo: date(300)})
	if err != nil {
		return err
	}
	ship3, err := c.DeclareShipment(ctx, e.As(day(-27, 12), "exporter"), api.ShipmentInput{PolicyID: policy.Result.ID, LimitID: limit3.Result.ID, InvoiceNumber: "QYX-2026-0703", InvoiceAmount: "6000.00",
		CustomsDeclarationNo: "516820261000000703", CustomsValue: "6000.00", ShipmentDate: date(-28), PaymentDueDate: date(-20), Lots: lots})
	if err != nil {
		return err
	}
	if _, err := c.ReportBuyerDefault(ctx, e.As(day(-19, 11), "exporter"), ship3.Result.ID); err != nil {
		return err
	}

	// The default suspended the buyer's limit; the insurer reinstates it,
	// smaller. Shipment 2: insured, proceeds assigned to the bank, not yet due.
	if _, err := c.SetCreditLimit(ctx, e.As(day(-4, 10), "insurer"), api.CreditLimitInput{Exporter: exporter, Buyer: buyer, Amount: "40000.00", Currency: "USD", ValidFrom: date(-60), ValidTo: date(300)}); err != nil {
		return err
	}
	ship2, err := declare(day(-3, 10), "QYX-2026-0702", "516820261000000702", "22000.00", 60)
	if err != nil {
		return err
	}
	if err := customsClear(ctx, e, day(-3, 10).Add(10*time.Minute), ship2, "800"); err != nil {
		return err
	}
	if err := assign(day(-3, 11), ship2); err != nil {
		return err
	}

	// The cooperative sold the export lot to the exporter; the exporter
	// confirms the invoice and the bank finances the receivable.
	rv, err := c.CreateReceivable(ctx, e.As(day(-27, 14), "tea-coop"), api.ReceivableInput{Buyer: api.ReceivableBuyerInput{CreditCode: exporter}, InvoiceNumber: "HY-2026-0611", Amount: "96000.00", Currency: "CNY",
		IssueDate: date(-27), DueDate: date(33), Lots: lots})
	if err != nil {
		return err
	}
	if _, err := c.ConfirmReceivable(ctx, e.As(day(-26, 15), "exporter"), rv.Result.ID); err != nil {
		return err
	}
	rvLoan, err := finance(day(-25, 9), "tea-coop", "RECEIVABLE", rv.Result.ID, "70000.00", "CNY", "0.0435", 60)
	if err != nil {
		return err
	}
	e.Entities["insurance"] = obj{
		"creditLimit": limit.Result.ID, "policy": policy.Result.ID,
		"claimedShipment": ship1, "policyFinancing": policyLoan, "paidClaim": claim.Result.ID,
		"assignedShipment": ship2, "claimableShipment": ship3.Result.ID,
		"receivable": rv.Result.ID, "receivableFinancing": rvLoan,
	}
	return nil
}
