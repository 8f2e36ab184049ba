package httpapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/apidoc"
)

// examplesJSON holds one example per operation, keyed by operationId: the
// request body, the success body (JSON) or text. They are kept out of the
// route table so that the table stays a table; apidoc.Build decodes each
// strictly into its operation's types and validates it against the
// schemas, so an example cannot drift from the API unnoticed. Most were
// taken from the demo's ledger.
//
//go:embed examples.json
var examplesJSON []byte

// routeExamples decodes examplesJSON.
func routeExamples() (map[string]*apidoc.Example, error) {
	var raw map[string]struct {
		Body   json.RawMessage `json:"body"`
		Result json.RawMessage `json:"result"`
		Text   string          `json:"text"`
	}
	dec := json.NewDecoder(bytes.NewReader(examplesJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("httpapi: examples.json: %w", err)
	}
	out := make(map[string]*apidoc.Example, len(raw))
	for id, r := range raw {
		ex := &apidoc.Example{Text: r.Text}
		// An absent body or result stays a nil interface, which Build
		// reads as "none".
		if r.Body != nil {
			ex.Body = r.Body
		}
		if r.Result != nil {
			ex.Result = r.Result
		}
		out[id] = ex
	}
	return out, nil
}

// requiredFields are, by operationId, the request fields the chaincode
// (or the handler) refuses to do without, read from their checks; every
// other field of a body is optional. See apidoc.Operation.Required.
//
// A field required only together with another (termDays or maturityDate,
// a buyer's credit code or its name, country and registration) is left
// optional: the operation's description says what it needs.
func requiredFields() map[string][]string {
	reason := []string{"reason"}
	lots := []string{"lots", "lots.gtin", "lots.lot"}
	payment := []string{"amount", "valueDate"}
	return map[string][]string{
		"registerEnterprise": {"creditCode", "name", "kinds"},
		"bindMember":         {"id"},
		"unbindMember":       {"id"},
		"recordSanction":     {"reason", "basis"},
		"liftSanction":       reason,
		"grantKind":          {"kind"},
		"revokeKind":         reason,
		"proposeGovernance":  {"regulatorMsp", "orgs", "orgs.mspId"},

		"createProduct":   {"gtin", "nameZh", "category", "giStatus"},
		"commissionLot":   {"gtin", "lot", "origin", "origin.place", "origin.latitude", "origin.longitude", "origin.country", "date", "quantity", "unit"},
		"commissionItems": {"serials"},
		"recordEvent": {"type", "bizStep", "eventTime", "lots.gtin", "lots.lot", "inputs.gtin", "inputs.lot", "outputs.gtin", "outputs.lot",
			"childLots.gtin", "childLots.lot", "items.gtin", "items.serial", "childItems.gtin", "childItems.serial",
			"readPoint.id", "bizLocation.id", "sensorReadings.from", "sensorReadings.to", "sensorReadings.type", "sensorReadings.uom"},
		"issueCertificate": {"type", "number", "subjects", "subjects.gtin", "subjects.lot", "documentSha256", "validFrom", "validUntil", "result"},
		"recallLot":        {"gtin", "lot", "reason"},
		"handOver":         {"to"},

		"issueReceipt":         {"gtin", "lot", "quantity", "unit", "valuation", "valuation.amount", "valuation.currency", "holder"},
		"transferReceipt":      {"to"},
		"splitReceipt":         {"parts", "parts.quantity", "parts.valuation"},
		"cancelReceipt":        reason,
		"freezeReceipt":        reason,
		"unfreezeReceipt":      reason,
		"clearRecalledReceipt": {"note"},

		"applyForFinancing": {"bank", "collateral", "requestedPrincipal", "currency", "purpose"},
		"approveFinancing":  {"principal", "annualRate", "maxLtv", "overrides.code", "overrides.reason"},
		"rejectFinancing":   reason,
		"disburseFinancing": {"valueDate"},
		"recordRepayment":   payment,
		"addCollateral":     {"receiptId"},
		// A sheet may be notes only, haircuts only or covenants only.
		"recordPrivateTerms": {},
		"checkPrivateTerms":  {},

		"setCreditLimit":        {"exporter", "buyer", "buyer.name", "buyer.country", "buyer.registrationId", "amount", "currency", "validFrom", "validTo"},
		"issuePolicy":           {"insured", "currency", "coverageRatio", "premiumRate", "startDate", "endDate"},
		"declareShipment":       append([]string{"limitId", "invoiceNumber", "invoiceAmount", "customsDeclarationNo", "customsValue", "shipmentDate", "paymentDueDate"}, lots...),
		"requestAssignment":     {"shipmentId", "bank"},
		"recordShipmentPayment": payment,
		"rejectAssignment":      reason,
		"fileClaim":             {"shipmentId"},
		"approveClaim":          {}, // the note is optional, and so is the body
		"rejectClaim":           reason,
		"payClaim":              {"paymentDate"},

		"createReceivable":        {"buyer", "invoiceNumber", "amount", "currency", "issueDate", "dueDate", "lots.gtin", "lots.lot"},
		"rejectReceivable":        reason,
		"recordReceivablePayment": payment,

		"resolveRiskFlag": {"code", "note"},

		"reportProduct": {"link", "kind", "message"},

		"recordDeclaration": {"number", "tradeMode", "exporter", "consignee", "consignee.name", "consignee.country", "consignee.registrationId", "destination", "currency",
			"lines", "lines.hsCode", "lines.description", "lines.quantity", "lines.unit", "lines.value", "lines.lots", "lines.lots.gtin", "lines.lots.lot"},
		"releaseDeclaration": {"releaseDate"},
		"recordFXReceipt":    {"beneficiary", "amount", "currency", "valueDate", "reference", "settles.invoiceNumber", "settles.amount"},
	}
}

// operationErrors are, by operationId, the codes particular to an
// operation, read from where the chaincode raises them (and the helpers
// that do, followed to the transactions calling them). The codes every
// operation of its shape may answer with (a malformed field, no API key,
// a missing record, a refused transition) apidoc derives itself.
func operationErrors() map[string][]apidoc.Failure {
	notGrantable := apidoc.Failure{Code: string(api.CodeKindNotGrantable), When: "the caller's organisation may not grant this kind (governance)"}
	sanctioned := apidoc.Failure{Code: string(api.CodeSanctioned), When: "the applicant is under a regulator's sanction"}
	pledged := apidoc.Failure{Code: string(api.CodeAlreadyPledged), When: "a collateral receipt is pledged to another financing"}
	encumbered := apidoc.Failure{Code: string(api.CodeAlreadyEncumbered), When: "the goods, invoice, declaration or shipment behind the collateral back another live financing"}
	financed := apidoc.Failure{Code: string(api.CodeAlreadyFinanced), When: "the receivable or shipment backs a live financing"}
	riskBlocked := apidoc.Failure{Code: string(api.CodeRiskBlocked), When: "a blocking risk flag stands on the collateral and is not overridden"}
	recalled := apidoc.Failure{Code: string(api.CodeRecalled), When: "a recall reaches the receipt's goods and no regulator has cleared it"}
	return map[string][]apidoc.Failure{
		"registerEnterprise": {notGrantable},
		"grantKind":          {notGrantable},

		"recordEvent": {
			{Code: string(api.CodeNotCustodian), When: "a lot the event writes is neither the caller's nor in its custody"},
			{Code: string(api.CodeEventTooOld), When: "eventTime (or a reading) is older than the capture tolerance"},
			{Code: string(api.CodeAlreadyEncumbered), When: "the event consumes goods that back a live financing"},
		},
		"handOver": {{Code: string(api.CodeNotCustodian), When: "the lot is neither the caller's nor in its custody"}},

		"issueReceipt":      {{Code: string(api.CodeRecalled), When: "a recall reaches the goods"}},
		"requestRedemption": {recalled},
		"confirmRedemption": {recalled},
		"cancelReceipt":     {recalled},

		"applyForFinancing": {sanctioned, pledged, financed},
		"approveFinancing": {sanctioned, pledged, encumbered, financed, riskBlocked,
			{Code: string(api.CodeLTVExceeded), When: "principal over collateral value is above the maximum loan-to-value (after the grade's factor)"},
			{Code: string(api.CodeRegistrationExists), When: "the registry registration number is on another financing"},
			{Code: string(api.CodeNotReleased), When: "a receivable of an overseas buyer or an insured shipment that no released export declaration covers"}},
		"addCollateral": {pledged, encumbered, riskBlocked},
		"recordPrivateTerms": {{Code: string(api.CodeForbidden), When: "the caller is not the financing's bank"},
			{Code: string(api.CodeInvalidArgument), When: "a haircut outside 0-1, an empty covenant, more than 20 covenants or notes over 4000 characters"}},
		"getPrivateTerms": {{Code: string(api.CodeForbidden), When: "the caller is neither the financing's bank nor its applicant"},
			{Code: string(api.CodeNotFound), When: "the financing has no private terms recorded"},
			{Code: string(api.CodeConflict), When: "the sheet on the caller's organisation's peer does not match the ledger's hash"}},

		"declareShipment": {{Code: string(api.CodeLimitExceeded), When: "the shipment is beyond the buyer credit limit's available amount"}},

		"createReceivable": {
			{Code: string(api.CodeDuplicateInvoice), When: "the invoice (seller, buyer, number) is recorded already"},
			{Code: string(api.CodeLikelyDuplicateReceivable), When: "a receivable for the same sale (buyer, amount, goods) exists under another invoice number"},
		},
	}
}
