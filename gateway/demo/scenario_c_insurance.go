package demo

import (
	"context"
	"github.com/qingchain/qingchain/chaincode/api"
	"time"
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

	do := func(at time.Time, user string, fn api.Tx, args ...string) (map[string]any, error) {
		return e.SubmitAt(ctx, at, user, fn, args...)
	}
	id := func(m map[string]any) string { s, _ := m["id"].(string); return s }
	buyer := obj{"name": "Hamburger Teehandel Nord GmbH", "country": "DE", "registrationId": "HRB-104711"}
	lots := []obj{{"gtin": GTINBlackTea, "lot": LotTeaExport}}

	limit, err := do(day(-60, 10), "insurer", api.TxSetCreditLimit, js(obj{"exporter": exporter, "buyer": buyer, "amount": "60000.00", "currency": "USD", "validFrom": date(-60), "validTo": date(300)}))
	if err != nil {
		return err
	}
	policy, err := do(day(-60, 11), "insurer", api.TxIssuePolicy, js(obj{"insured": exporter, "currency": "USD", "coverageRatio": "0.90", "premiumRate": "0.0045",
		"startDate": date(-60), "endDate": date(300), "waitingPeriodDays": 10, "maxCreditDays": 120}))
	if err != nil {
		return err
	}
	declare := func(at time.Time, invoice, customs, amount string, due int) (map[string]any, error) {
		return do(at, "exporter", api.TxDeclareShipment, js(obj{"policyId": id(policy), "limitId": id(limit), "invoiceNumber": invoice, "invoiceAmount": amount,
			"customsDeclarationNo": customs, "customsValue": amount, "shipmentDate": date(-28), "paymentDueDate": date(due), "lots": lots}))
	}
	assign := func(at time.Time, shipment string) error {
		a, err := do(at, "exporter", api.TxRequestAssignment, shipment, bank, id(policy))
		if err != nil {
			return err
		}
		_, err = do(at.Add(time.Hour), "insurer", api.TxAcceptAssignment, id(a))
		return err
	}
	finance := func(at time.Time, user, typ, collateral, principal, currency, rate string, termDays int) (string, error) {
		f, err := do(at, user, api.TxApplyForFinancing, js(obj{"type": typ, "bank": bank, "collateral": []string{collateral}, "requestedPrincipal": principal, "currency": currency, "purpose": "出口备货 export working capital"}))
		if err != nil {
			return "", err
		}
		terms := obj{"principal": principal, "annualRate": rate, "termDays": termDays, "maxLtv": "0.80"}
		if typ == "RECEIVABLE" {
			// The pledge's registration in the movable-property financing
			// registry (中登网), made by the bank before it approves.
			terms["registrationNo"] = "04362371000360816245"
		}
		if _, err := do(at.Add(2*time.Hour), "bank", api.TxApproveFinancing, id(f), js(terms)); err != nil {
			return "", err
		}
		_, err = do(at.Add(3*time.Hour), "bank", api.TxDisburseFinancing, id(f), at.In(cst).Format("2006-01-02"))
		return id(f), err
	}

	// Shipment 1: financed against the policy, the buyer defaults, the claim repays the loan.
	ship1, err := declare(day(-27, 10), "QYX-2026-0701", "516820261000000701", "15000.00", -20)
	if err != nil {
		return err
	}
	if err := assign(day(-27, 11), id(ship1)); err != nil {
		return err
	}
	policyLoan, err := finance(day(-26, 9), "exporter", "POLICY", id(ship1), "10000.00", "USD", "0.05", 90)
	if err != nil {
		return err
	}
	if _, err := do(day(-19, 10), "exporter", api.TxReportBuyerDefault, id(ship1)); err != nil {
		return err
	}
	claim, err := do(day(-8, 10), "exporter", api.TxFileClaim, id(ship1), js(obj{"note": "buyer insolvent: Amtsgericht Hamburg insolvency filing"}))
	if err != nil {
		return err
	}
	if _, err := do(day(-6, 10), "insurer", api.TxApproveClaim, id(claim), "insolvency confirmed by the insurer's Hamburg agent"); err != nil {
		return err
	}
	if _, err := do(day(-5, 10), "insurer", api.TxPayClaim, id(claim), date(-5)); err != nil {
		return err
	}

	// Shipment 3, to a second buyer, not financed: due 20 days ago, the
	// buyer's default reported the day after, the waiting period over. Its
	// claim is left for the insurer's README flow to file, approve and pay.
	buyer3 := obj{"name": "Antwerpse Theehandel NV", "country": "BE", "registrationId": "BE-0412345678"}
	limit3, err := do(day(-60, 12), "insurer", api.TxSetCreditLimit, js(obj{"exporter": exporter, "buyer": buyer3, "amount": "20000.00", "currency": "USD", "validFrom": date(-60), "validTo": date(300)}))
	if err != nil {
		return err
	}
	ship3, err := do(day(-27, 12), "exporter", api.TxDeclareShipment, js(obj{"policyId": id(policy), "limitId": id(limit3), "invoiceNumber": "QYX-2026-0703", "invoiceAmount": "6000.00",
		"customsDeclarationNo": "516820261000000703", "customsValue": "6000.00", "shipmentDate": date(-28), "paymentDueDate": date(-20), "lots": lots}))
	if err != nil {
		return err
	}
	if _, err := do(day(-19, 11), "exporter", api.TxReportBuyerDefault, id(ship3)); err != nil {
		return err
	}

	// The default suspended the buyer's limit; the insurer reinstates it,
	// smaller. Shipment 2: insured, proceeds assigned to the bank, not yet due.
	if _, err := do(day(-4, 10), "insurer", api.TxSetCreditLimit, js(obj{"exporter": exporter, "buyer": buyer, "amount": "40000.00", "currency": "USD", "validFrom": date(-60), "validTo": date(300)})); err != nil {
		return err
	}
	ship2, err := declare(day(-3, 10), "QYX-2026-0702", "516820261000000702", "22000.00", 60)
	if err != nil {
		return err
	}
	if err := assign(day(-3, 11), id(ship2)); err != nil {
		return err
	}

	// The cooperative sold the export lot to the exporter; the exporter
	// confirms the invoice and the bank finances the receivable.
	rv, err := do(day(-27, 14), "tea-coop", api.TxCreateReceivable, js(obj{"buyer": obj{"creditCode": exporter}, "invoiceNumber": "HY-2026-0611", "amount": "96000.00", "currency": "CNY",
		"issueDate": date(-27), "dueDate": date(33), "lots": lots}))
	if err != nil {
		return err
	}
	if _, err := do(day(-26, 15), "exporter", api.TxConfirmReceivable, id(rv)); err != nil {
		return err
	}
	rvLoan, err := finance(day(-25, 9), "tea-coop", "RECEIVABLE", id(rv), "70000.00", "CNY", "0.0435", 60)
	if err != nil {
		return err
	}
	e.Entities["insurance"] = obj{
		"creditLimit": id(limit), "policy": id(policy),
		"claimedShipment": id(ship1), "policyFinancing": policyLoan, "paidClaim": id(claim),
		"assignedShipment": id(ship2), "claimableShipment": id(ship3),
		"receivable": id(rv), "receivableFinancing": rvLoan,
	}
	return nil
}
