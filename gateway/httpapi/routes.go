package httpapi

import (
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/apidoc"
	"github.com/qingchain/qingchain/gateway/epcis"
	"github.com/qingchain/qingchain/gateway/resolver"
	"github.com/qingchain/qingchain/gateway/scans"
)

// Route is one endpoint: its documentation (method, Gin path, operationId,
// parameters, body and result types), which the OpenAPI generator reads,
// and how it is served.
type Route struct {
	apidoc.Operation
	handle handler
	// page renders the route's errors in another shape than JSON, when
	// the client asks for it (the shopper's HTML).
	page ErrorPage
}

// Operations documents every route, in the order of the table.
func (s *Server) Operations() []apidoc.Operation {
	ops := make([]apidoc.Operation, len(s.routes))
	for i, r := range s.routes {
		ops[i] = r.Operation
	}
	return ops
}

// ErrorStatuses is the error table: each code the gateway answers with
// and its HTTP status.
func ErrorStatuses() map[api.Code]int {
	out := make(map[api.Code]int, len(statusByCode))
	for code, status := range statusByCode {
		out[code] = status
	}
	return out
}

// mount registers every route of the table. Auth puts the API key check
// in front; Idempotent the Idempotency-Key handling after it (it scopes
// keys to the API key).
func (s *Server) mount() {
	for _, r := range s.routes {
		var chain []gin.HandlerFunc
		if r.Auth {
			chain = append(chain, s.authenticate)
		}
		if r.Idempotent {
			chain = append(chain, s.idempotent)
		}
		chain = append(chain, s.handle(r.handle, r.page))
		s.engine.Handle(r.Method, r.Path, chain...)
	}
}

// table is every route the gateway serves.
func (s *Server) table() []Route {
	routes := []Route{
		// Operations: no API key.
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/healthz", ID: "getHealth", Tag: "operations", Summary: "Liveness", Result: health{}},
			handle: s.healthz},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/readyz", ID: "getReadiness", Tag: "operations", Summary: "Readiness: the ledger answers", Result: health{}},
			handle: s.readyz},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/metrics", ID: "getMetrics", Tag: "operations", Summary: "Prometheus metrics", ContentTypes: []string{"text/plain"}},
			handle: s.serveMetrics()},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: specPath, ID: "getOpenAPI", Tag: "operations", Summary: "This document: the whole API, OpenAPI 3, generated from the route table", Result: map[string]any{}},
			handle: s.serveSpec},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: docsPath, ID: "getAPIDocs", Tag: "operations", Summary: "The API's reference page, rendered from this document; it loads nothing from anywhere", ContentTypes: []string{"text/html"}},
			handle: s.serveDocsPage},

		// Enterprises, their kinds and the governance that grants them.
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/me", ID: "whoAmI", Tag: "registry", Summary: "Who the API key acts as: MSP ID, identity id, admin flag, enterprise and kinds", Auth: true, Result: api.Caller{}},
			handle: s.me},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/enterprises", ID: "listEnterprises", Tag: "registry", Summary: "List registered enterprises, optionally of one organisation", Auth: true, Params: params(orgParam), Result: []api.Enterprise{}},
			handle: s.listEnterprises},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/enterprises", ID: "registerEnterprise", Tag: "registry", Summary: "Register an enterprise in the caller's organisation (organisation admins only)", Auth: true, Idempotent: true, Body: api.EnterpriseInput{}, Result: written[api.Enterprise]{}, Status: http.StatusCreated},
			handle: s.registerEnterprise},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/enterprises/:code", ID: "getEnterprise", Tag: "registry", Summary: "An enterprise and its member identities", Auth: true, Params: params(creditCodeParam), Result: api.EnterpriseView{}},
			handle: codeRead(s, s.client.GetEnterprise)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/enterprises/:code/members", ID: "bindMember", Tag: "registry", Summary: "Bind an identity of the organisation to the enterprise (organisation admins only)", Auth: true, Idempotent: true, Params: params(creditCodeParam), Body: api.BindInput{}, Result: written[api.Member]{}, Status: http.StatusCreated},
			handle: s.bindMember},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/enterprises/:code/members/unbind", ID: "unbindMember", Tag: "registry", Summary: "Remove a member identity from the enterprise (organisation admins only)", Auth: true, Idempotent: true, Params: params(creditCodeParam), Body: api.BindInput{}, Result: written[api.Member]{}},
			handle: s.unbindMember},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/enterprises/:code/credit", ID: "getCreditGrade", Tag: "registry", Summary: "An enterprise's credit grade (A-D, computed from its on-ledger record: repayments, defaults, claims, sanctions), the loan-to-value factor it puts on a bank's maximum, and the record itself", Auth: true, Params: params(creditCodeParam), Result: api.CreditGrade{}},
			handle: codeRead(s, s.client.GetCreditGrade)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/enterprises/:code/sanctions", ID: "listSanctions", Tag: "registry", Summary: "Sanctions of an enterprise", Auth: true, Params: params(creditCodeParam), Result: []api.Sanction{}},
			handle: codeRead(s, s.client.ListSanctions)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/enterprises/:code/sanctions", ID: "recordSanction", Tag: "registry", Summary: "Record a sanction (失信联合惩戒) (regulator); a sanctioned enterprise cannot apply for financing", Auth: true, Idempotent: true, Params: params(creditCodeParam), Body: api.SanctionInput{}, Result: written[api.Sanction]{}, Status: http.StatusCreated},
			handle: s.recordSanction},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/sanctions/:id/lift", ID: "liftSanction", Tag: "registry", Summary: "Lift a sanction (regulator)", Auth: true, Idempotent: true, Params: params(idParamOf("Sanction id", sanctionIDPattern)), Body: reasonRequest{}, Result: written[api.Sanction]{}},
			handle: idWithReason(s, sanctionIDPattern, s.client.LiftSanction)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/enterprises/:code/kinds", ID: "grantKind", Tag: "registry", Summary: "Grant the enterprise one more kind (an admin of its organisation, a kind the organisation may grant; trust kinds wait for the regulator's approval)", Auth: true, Idempotent: true, Params: params(creditCodeParam), Body: grantKindRequest{}, Result: written[api.Enterprise]{}, Status: http.StatusCreated},
			handle: s.grantKind},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/enterprises/:code/kinds/:kind/approve", ID: "approveKind", Tag: "registry", Summary: "The zone regulator approves a trust kind granted to the enterprise; it takes effect with this transaction", Auth: true, Idempotent: true, Params: params(creditCodeParam, kindParam), Result: written[api.Enterprise]{}},
			handle: s.approveKind},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/enterprises/:code/kinds/:kind/revoke", ID: "revokeKind", Tag: "registry", Summary: "Revoke a kind (the enterprise's organisation admin or the zone regulator); it takes effect on the next transaction", Auth: true, Idempotent: true, Params: params(creditCodeParam, kindParam), Body: reasonRequest{}, Result: written[api.Enterprise]{}},
			handle: s.revokeKind},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/enterprises/:code/history", ID: "getEnterpriseHistory", Tag: "registry", Summary: "Every recorded state of the enterprise, newest first: registration, grants, approvals and revocations", Auth: true, Params: params(creditCodeParam), Result: []api.EnterpriseVersion{}},
			handle: codeRead(s, s.client.GetEnterpriseHistory)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/governance", ID: "getGovernance", Tag: "registry", Summary: "The governance configuration in force", Auth: true, Result: api.Governance{}},
			handle: s.getGovernance},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/governance/proposals", ID: "proposeGovernance", Tag: "registry", Summary: "Propose a new governance configuration (an admin of a listed organisation; the proposer's organisation approves it)", Auth: true, Idempotent: true, Body: api.GovernanceInput{}, Result: written[api.GovernanceProposal]{}, Status: http.StatusCreated},
			handle: s.proposeGovernance},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/governance/proposals/:id", ID: "getGovernanceProposal", Tag: "registry", Summary: "A governance proposal and its approvals", Auth: true, Params: params(proposalIDParam), Result: api.GovernanceProposal{}},
			handle: s.getGovernanceProposal},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/governance/proposals/:id/approve", ID: "approveGovernance", Tag: "registry", Summary: "Approve a governance proposal for the caller's organisation; adopted in the transaction that brings a majority", Auth: true, Idempotent: true, Params: params(proposalIDParam), Result: written[api.GovernanceProposal]{}},
			handle: s.approveGovernance},

		// The chain itself.
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/transactions/:txId", ID: "getTransaction", Tag: "ledger", Summary: "Where a transaction sits in the chain: validation code, block number and hashes", Auth: true, Params: params(txIDParam), Result: TransactionProof{}},
			handle: s.getTransaction},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/blocks/:number", ID: "getBlock", Tag: "ledger", Summary: "A block header", Auth: true, Params: params(blockNumberParam), Result: BlockView{}},
			handle: s.getBlock},

		// Shoppers: the Digital Link resolver and its QR codes, no API key; a browser's failed lookup is a page.
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/01/*path", ID: "resolveDigitalLink", Tag: "public", Summary: "GS1 Digital Link resolver: the shopper's page (HTML), the trace (JSON with Accept: application/json), the key's RFC 9264 linkset (Accept: application/linkset+json or linkType=all), or a 307 to one link type (linkType=gs1:...); an unknown serial or lot walks up to its lot or product", Params: params(digitalLinkParam, langParam, linkTypeParam), Result: resolver.ResolvedItem{}, ContentTypes: []string{"application/json", "text/html"}},
			handle: s.resolver.Resolve, page: s.resolver.ErrorPage},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/qr/01/*path", ID: "getQRCode", Tag: "public", Summary: "QR code (PNG or SVG) of the canonical Digital Link URL on the public base URL; the path ends in .png or .svg", Params: params(digitalLinkParam, qrSizeParam), ContentTypes: []string{"image/png", "image/svg+xml"}},
			handle: s.resolver.QRImage},
		{Operation: apidoc.Operation{Method: http.MethodHead, Path: "/01/*path", ID: "headDigitalLink", Tag: "public", Summary: "The resolver's headers for a Digital Link (Link to its linkset, ETag, caching) without the body; not counted as a scan", Params: params(digitalLinkParam, langParam, linkTypeParam)},
			handle: s.resolver.Resolve, page: s.resolver.ErrorPage},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/.well-known/gs1resolver", ID: "getResolverDescription", Tag: "public", Summary: "GS1 resolver description: root, supported primary keys and link type namespaces", Result: resolver.ResolverDescription{}},
			handle: s.resolver.WellKnown},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/voc/context.jsonld", ID: "getVocabularyContext", Tag: "public", Summary: "The JSON-LD context of Qingchain's own EPCIS terms (the qc: namespace, --vocab-namespace) and of the master data terms GS1's context leaves out; EPCIS documents name it after GS1's", Result: jsonObject{}, ContentTypes: []string{"application/ld+json"}},
			handle: s.resolver.VocabContext},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/reports", ID: "reportProduct", Tag: "public", Summary: "A shopper reports a suspicious product or a complaint about a scanned code (form or JSON, no API key; 5 a day per device, then 429 TOO_MANY_REPORTS); kept off the ledger for the producer and the regulator", Idempotent: true, Body: resolver.ReportRequest{}, Result: scans.Report{}, Status: http.StatusCreated, ContentTypes: []string{"application/json", "text/html"}},
			handle: s.shopperReport, page: s.resolver.ErrorPage},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/reports", ID: "listReports", Tag: "public", Summary: "Shoppers' reports, newest first: every report for the zone regulator (one producer's with producer=), those about its own goods for an enterprise", Auth: true, Params: params(reportProducerParam, reportLimitParam), Result: resolver.ReportList{}},
			handle: s.listReports},

		// Products, lots, events, certificates and recalls.
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/products", ID: "createProduct", Tag: "trace", Summary: "Create a product (producer or processor)", Auth: true, Idempotent: true, Body: api.ProductInput{}, Result: written[api.Product]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.CreateProduct)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/products/:gtin", ID: "getProduct", Tag: "trace", Summary: "A product", Auth: true, Params: params(gtinParam), Result: api.Product{}},
			handle: s.getProduct},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/lots", ID: "commissionLot", Tag: "trace", Summary: "Commission a lot with its origin (producer or processor)", Auth: true, Idempotent: true, Body: api.LotInput{}, Result: written[api.Lot]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.CommissionLot)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot", ID: "getLot", Tag: "trace", Summary: "A lot with its recall status", Auth: true, Params: params(gtinParam, lotParam), Result: api.LotView{}},
			handle: lotRead(s, s.client.GetLot)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot/trace", ID: "getLotTrace", Tag: "trace", Summary: "Everything about a lot and its inputs: events, certificates, readings, recall", Auth: true, Params: params(gtinParam, lotParam), Result: api.TraceDocument{}},
			handle: s.getLotTrace},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot/events", ID: "listLotEvents", Tag: "trace", Summary: "Every event naming a lot, oldest first, a page at a time", Auth: true, Params: params(gtinParam, lotParam, cursorParam, limitParam), Result: api.LotEventsPage{}},
			handle: s.getLotEvents},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot/lineage", ID: "getLineage", Tag: "trace", Summary: "Lots upstream (inputs) or downstream (outputs), from indexes", Auth: true, Params: params(gtinParam, lotParam, directionParam, depthParam), Result: api.LineageResult{}},
			handle: s.getLineage},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot/certificates", ID: "listLotCertificates", Tag: "trace", Summary: "Certificates of a lot", Auth: true, Params: params(gtinParam, lotParam), Result: []api.Certificate{}},
			handle: lotRead(s, s.client.ListLotCertificates)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/lots/:gtin/:lot/items", ID: "commissionItems", Tag: "trace", Summary: "Commission serialized items under a lot", Auth: true, Idempotent: true, Params: params(gtinParam, lotParam), Body: itemsRequest{}, Result: written[[]api.Item]{}, Status: http.StatusCreated},
			handle: s.commissionItems},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot/items/:serial", ID: "getItem", Tag: "trace", Summary: "A serialized item", Auth: true, Params: params(gtinParam, lotParam, serialParam), Result: api.ItemView{}},
			handle: s.getItem},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/events", ID: "recordEvent", Tag: "trace", Summary: "Record an EPCIS-style event (ObjectEvent, TransformationEvent, AggregationEvent); the id derives from the content, so recording it twice records it once", Auth: true, Idempotent: true, Body: api.EventInput{}, Result: written[api.TraceEvent]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.RecordEvent)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/events/:id", ID: "getEvent", Tag: "trace", Summary: "An event by the hex digest of its id", Auth: true, Params: params(eventIDParam), Result: api.TraceEvent{}},
			handle: s.getEvent},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/certificates", ID: "issueCertificate", Tag: "trace", Summary: "Issue a certificate (inspection types by inspectors, GI by regulators)", Auth: true, Idempotent: true, Body: api.CertificateInput{}, Result: written[api.Certificate]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.IssueCertificate)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/certificates/:id", ID: "getCertificate", Tag: "trace", Summary: "A certificate", Auth: true, Params: params(certificateIDParam), Result: api.Certificate{}},
			handle: s.getCertificate},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/recalls", ID: "recallLot", Tag: "trace", Summary: "Recall a lot (its producer or a regulator); reaches every lot and item downstream", Auth: true, Idempotent: true, Body: recallRequest{}, Result: written[api.Recall]{}, Status: http.StatusCreated},
			handle: s.recall},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot/epcis", ID: "exportLotEPCIS", Tag: "trace", Summary: "The lot's events and its inputs' as a GS1 EPCIS 2.0 JSON-LD EPCISDocument", Auth: true, Params: params(gtinParam, lotParam), Result: epcis.Document{}, ContentTypes: []string{"application/ld+json"}},
			handle: s.getLotEPCIS},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/lots/:gtin/:lot/handovers", ID: "handOver", Tag: "trace", Summary: "Hand the lot's goods over to another enterprise, which becomes their custodian (the lot's owner or current custodian; not while a live warehouse receipt covers them)", Auth: true, Idempotent: true, Params: params(gtinParam, lotParam), Body: handoverRequest{}, Result: written[api.Handover]{}, Status: http.StatusCreated},
			handle: s.handOver},

		// Warehouse receipts.
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts", ID: "issueReceipt", Tag: "receipts", Summary: "Issue a warehouse receipt for goods the ledger shows received into the caller's warehouse", Auth: true, Idempotent: true, Body: api.ReceiptInput{}, Result: written[api.Receipt]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.IssueReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/receipts", ID: "listReceipts", Tag: "receipts", Summary: "Receipts held by an enterprise (default: the caller's) or issued by a warehouse", Auth: true, Params: params(holderParam, warehouseParam), Result: []api.Receipt{}},
			handle: s.listReceipts},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/receipts/:id", ID: "getReceipt", Tag: "receipts", Summary: "A receipt", Auth: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Result: api.Receipt{}},
			handle: idRead(s, receiptIDPattern, s.client.GetReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/receipts/:id/history", ID: "getReceiptHistory", Tag: "receipts", Summary: "Every change of a receipt, newest first, with transaction ids", Auth: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Result: []api.ReceiptChange{}},
			handle: idRead(s, receiptIDPattern, s.client.GetReceiptHistory)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/receipts/:id/verification", ID: "verifyReceipt", Tag: "receipts", Summary: "The bank's due-diligence view: receipt, history, current pledge, custody chain at the warehouse, certificates, recall status, on-ledger proof", Auth: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Result: receiptVerification{}},
			handle: s.receiptVerification},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/transfer", ID: "transferReceipt", Tag: "receipts", Summary: "Transfer an unpledged receipt (holder)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Body: transferRequest{}, Result: written[api.Receipt]{}},
			handle: s.receiptTransfer},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/split", ID: "splitReceipt", Tag: "receipts", Summary: "Split an unpledged receipt; quantities and valuations must add up exactly (holder)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Body: api.SplitInput{}, Result: written[[]api.Receipt]{}},
			handle: idWithObject(s, receiptIDPattern, s.client.SplitReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/redemption", ID: "requestRedemption", Tag: "receipts", Summary: "Request redemption (goods out); locks the receipt (holder)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Result: written[api.Receipt]{}},
			handle: idOnly(s, receiptIDPattern, s.client.RequestRedemption)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/redemption/withdraw", ID: "withdrawRedemption", Tag: "receipts", Summary: "Withdraw a redemption request (holder)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Result: written[api.Receipt]{}},
			handle: idOnly(s, receiptIDPattern, s.client.WithdrawRedemption)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/redemption/confirm", ID: "confirmRedemption", Tag: "receipts", Summary: "Confirm redemption: goods released (issuing warehouse)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Result: written[api.Receipt]{}},
			handle: idOnly(s, receiptIDPattern, s.client.ConfirmRedemption)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/cancel", ID: "cancelReceipt", Tag: "receipts", Summary: "Cancel an unpledged receipt (issuing warehouse)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Body: reasonRequest{}, Result: written[api.Receipt]{}},
			handle: idWithReason(s, receiptIDPattern, s.client.CancelReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/freeze", ID: "freezeReceipt", Tag: "receipts", Summary: "Freeze a receipt (regulator)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Body: reasonRequest{}, Result: written[api.Receipt]{}},
			handle: idWithReason(s, receiptIDPattern, s.client.FreezeReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/unfreeze", ID: "unfreezeReceipt", Tag: "receipts", Summary: "Unfreeze a receipt (regulator)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Body: reasonRequest{}, Result: written[api.Receipt]{}},
			handle: idWithReason(s, receiptIDPattern, s.client.UnfreezeReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/recall-clearance", ID: "clearRecalledReceipt", Tag: "receipts", Summary: "Clear the recalls that reach a receipt's goods (regulator not party to it)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Body: noteRequest{}, Result: written[api.Receipt]{}},
			handle: s.receiptRecallClearance},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receipts/:id/release", ID: "releasePledge", Tag: "receipts", Summary: "Release a pledge (the pledgee bank only)", Auth: true, Idempotent: true, Params: params(idParamOf("Receipt id", receiptIDPattern)), Result: written[api.Receipt]{}},
			handle: idOnly(s, receiptIDPattern, s.client.ReleasePledge)},

		// Financings and the encumbrance register.
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings", ID: "applyForFinancing", Tag: "financings", Summary: "Apply to a bank for financing against collateral the applicant holds (does not lock it)", Auth: true, Idempotent: true, Body: api.FinancingApplication{}, Result: written[api.Financing]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.ApplyForFinancing)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/financings", ID: "listFinancings", Tag: "financings", Summary: "Financings the caller is party to (as bank or applicant)", Auth: true, Result: []api.Financing{}},
			handle: plainRead(s, s.client.ListFinancings)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/financings/:id", ID: "getFinancing", Tag: "financings", Summary: "A financing with principal outstanding, interest accrued as of a date, payoff and postings (parties only)", Auth: true, Params: params(idParamOf("Financing id", financingIDPattern), asOfParam), Result: api.FinancingView{}},
			handle: s.getFinancing},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/approve", ID: "approveFinancing", Tag: "financings", Summary: "Approve with terms; pledges every collateral receipt in the same transaction (409 ALREADY_PLEDGED, 409 ALREADY_ENCUMBERED when the goods, invoice, declaration or shipment behind the collateral back another live financing, 422 LTV_EXCEEDED, 422 RISK_BLOCKED while a blocking risk flag stands on the collateral and is not overridden, 422 DECLARATION_NOT_RELEASED for an export no released customs declaration covers)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Body: api.FinancingTerms{}, Result: written[api.Financing]{}},
			handle: idWithObject(s, financingIDPattern, s.client.ApproveFinancing)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/reject", ID: "rejectFinancing", Tag: "financings", Summary: "Reject an application (bank)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Body: reasonRequest{}, Result: written[api.Financing]{}},
			handle: idWithReason(s, financingIDPattern, s.client.RejectFinancing)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/withdraw", ID: "withdrawFinancing", Tag: "financings", Summary: "Withdraw an application (applicant)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Result: written[api.Financing]{}},
			handle: idOnly(s, financingIDPattern, s.client.WithdrawFinancing)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/disburse", ID: "disburseFinancing", Tag: "financings", Summary: "Disburse the principal (bank)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Body: valueDateRequest{}, Result: written[api.Financing]{}},
			handle: idWithDate(s, financingIDPattern, s.client.DisburseFinancing, "valueDate")},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/repayments", ID: "recordRepayment", Tag: "financings", Summary: "Record a repayment: accrued interest first, then principal", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Body: repaymentRequest{}, Result: written[api.Financing]{}, Status: http.StatusCreated},
			handle: amountAndDate(s, financingIDPattern, s.client.RecordRepayment)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/close", ID: "closeFinancing", Tag: "financings", Summary: "Close a repaid financing; releases collateral in the same transaction (bank)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Result: written[api.Financing]{}},
			handle: idOnly(s, financingIDPattern, s.client.CloseFinancing)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/default", ID: "declareDefault", Tag: "financings", Summary: "Declare default after maturity; collateral passes to the bank (bank)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Result: written[api.Financing]{}},
			handle: idOnly(s, financingIDPattern, s.client.DeclareDefault)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/collateral", ID: "addCollateral", Tag: "financings", Summary: "The borrower pledges one more warehouse receipt to a receipt-pledge financing (e.g. to answer a margin call); 409 ALREADY_PLEDGED or ALREADY_ENCUMBERED if it backs another financing", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Body: addCollateralRequest{}, Result: written[api.Financing]{}},
			handle: s.addCollateral},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/private-terms", ID: "recordPrivateTerms", Tag: "financings", Summary: "Record or replace the bank's private term sheet (internal notes, its own haircuts, covenants): sent as Fabric transient data into the private data collection of the bank's and the applicant's organisations, its SHA-256 on the financing (the financing's bank only)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Body: api.PrivateTerms{}, Result: written[api.Financing]{}},
			handle: s.recordPrivateTerms},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/financings/:id/private-terms", ID: "getPrivateTerms", Tag: "financings", Summary: "The bank's private term sheet of a financing, from the caller's organisation's peer (the financing's bank and applicant only; anyone else 403 FORBIDDEN)", Auth: true, Params: params(idParamOf("Financing id", financingIDPattern)), Result: api.PrivateTerms{}},
			handle: idRead(s, financingIDPattern, s.client.GetPrivateTerms)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/financings/:id/private-terms/check", ID: "checkPrivateTerms", Tag: "financings", Summary: "Check a term sheet the caller was shown against the hash the ledger keeps of the recorded one: answers whether one is recorded and whether it matches, and reveals nothing else (any registered enterprise; writes nothing)", Auth: true, Idempotent: true, Params: params(idParamOf("Financing id", financingIDPattern)), Body: api.PrivateTerms{}, Result: api.PrivateTermsCheck{}},
			handle: s.checkPrivateTerms},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/lots/:gtin/:lot/encumbrances", ID: "getEncumbrances", Tag: "financings", Summary: "The encumbrance register's entry for a lot: each live financing its goods back and the quantity it holds (banks, insurers, warehouses, regulators)", Auth: true, Params: params(gtinParam, lotParam), Result: api.Encumbrance{}},
			handle: s.getEncumbrances},

		// Export credit insurance.
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/credit-limits", ID: "setCreditLimit", Tag: "insurance", Summary: "Set a buyer credit limit for an exporter on one overseas buyer (insurer)", Auth: true, Idempotent: true, Body: api.CreditLimitInput{}, Result: written[api.CreditLimitView]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.SetCreditLimit)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/credit-limits", ID: "listCreditLimits", Tag: "insurance", Summary: "Credit limits the caller set or holds", Auth: true, Result: []api.CreditLimitView{}},
			handle: plainRead(s, s.client.ListCreditLimits)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/credit-limits/:id", ID: "getCreditLimit", Tag: "insurance", Summary: "A buyer credit limit with its usage", Auth: true, Params: params(idParamOf("Buyer credit limit id", limitIDPattern)), Result: api.CreditLimitView{}},
			handle: idRead(s, limitIDPattern, s.client.GetCreditLimit)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/policies", ID: "issuePolicy", Tag: "insurance", Summary: "Issue an export credit insurance policy (insurer): coverage ratio, premium rate, term, waiting period", Auth: true, Idempotent: true, Body: api.PolicyInput{}, Result: written[api.Policy]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.IssuePolicy)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/policies", ID: "listPolicies", Tag: "insurance", Summary: "Policies the caller issued or holds", Auth: true, Result: []api.Policy{}},
			handle: plainRead(s, s.client.ListPolicies)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/policies/:id", ID: "getPolicy", Tag: "insurance", Summary: "A policy", Auth: true, Params: params(idParamOf("Policy id", policyIDPattern)), Result: api.Policy{}},
			handle: idRead(s, policyIDPattern, s.client.GetPolicy)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/policies/:id/shipments", ID: "declareShipment", Tag: "insurance", Summary: "Declare a shipment under the policy within the buyer's available limit (insured); premium computed", Auth: true, Idempotent: true, Params: params(idParamOf("Policy id", policyIDPattern)), Body: api.ShipmentInput{}, Result: written[api.ShipmentView]{}, Status: http.StatusCreated},
			handle: s.declareShipment},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/policies/:id/shipments", ID: "listShipments", Tag: "insurance", Summary: "Shipments declared under a policy", Auth: true, Params: params(idParamOf("Policy id", policyIDPattern)), Result: []api.ShipmentView{}},
			handle: idRead(s, policyIDPattern, s.client.ListShipments)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/policies/:id/assignments", ID: "requestAssignment", Tag: "insurance", Summary: "Ask the insurer to pay claims on a shipment of this policy to a bank (賠款轉讓)", Auth: true, Idempotent: true, Params: params(idParamOf("Policy id", policyIDPattern)), Body: assignmentRequest{}, Result: written[api.Assignment]{}, Status: http.StatusCreated},
			handle: s.requestAssignment},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/shipments/:id", ID: "getShipment", Tag: "insurance", Summary: "A declared shipment", Auth: true, Params: params(idParamOf("Shipment id", shipmentIDPattern)), Result: api.ShipmentView{}},
			handle: idRead(s, shipmentIDPattern, s.client.GetShipment)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/shipments/:id/payments", ID: "recordShipmentPayment", Tag: "insurance", Summary: "Record the buyer's payment; releases limit usage", Auth: true, Idempotent: true, Params: params(idParamOf("Shipment id", shipmentIDPattern)), Body: repaymentRequest{}, Result: written[api.ShipmentView]{}, Status: http.StatusCreated},
			handle: amountAndDate(s, shipmentIDPattern, s.client.RecordShipmentPayment)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/shipments/:id/default", ID: "reportBuyerDefault", Tag: "insurance", Summary: "Report the buyer's default; starts the waiting period", Auth: true, Idempotent: true, Params: params(idParamOf("Shipment id", shipmentIDPattern)), Result: written[api.ShipmentView]{}},
			handle: idOnly(s, shipmentIDPattern, s.client.ReportBuyerDefault)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/assignments", ID: "listAssignments", Tag: "insurance", Summary: "Assignments the caller is party to", Auth: true, Result: []api.Assignment{}},
			handle: plainRead(s, s.client.ListAssignments)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/assignments/:id", ID: "getAssignment", Tag: "insurance", Summary: "An assignment of claim proceeds", Auth: true, Params: params(idParamOf("Assignment id", assignmentIDPattern)), Result: api.Assignment{}},
			handle: idRead(s, assignmentIDPattern, s.client.GetAssignment)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/assignments/:id/accept", ID: "acceptAssignment", Tag: "insurance", Summary: "Accept an assignment (insurer)", Auth: true, Idempotent: true, Params: params(idParamOf("Assignment id", assignmentIDPattern)), Result: written[api.Assignment]{}},
			handle: idOnly(s, assignmentIDPattern, s.client.AcceptAssignment)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/assignments/:id/reject", ID: "rejectAssignment", Tag: "insurance", Summary: "Reject an assignment (insurer)", Auth: true, Idempotent: true, Params: params(idParamOf("Assignment id", assignmentIDPattern)), Body: reasonRequest{}, Result: written[api.Assignment]{}},
			handle: idWithReason(s, assignmentIDPattern, s.client.RejectAssignment)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/assignments/:id/release", ID: "releaseAssignment", Tag: "insurance", Summary: "Release an assignment (the assignee bank)", Auth: true, Idempotent: true, Params: params(idParamOf("Assignment id", assignmentIDPattern)), Result: written[api.Assignment]{}},
			handle: idOnly(s, assignmentIDPattern, s.client.ReleaseAssignment)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/claims", ID: "fileClaim", Tag: "insurance", Summary: "File a claim on a defaulted shipment after the waiting period (insured or assignee bank)", Auth: true, Idempotent: true, Body: claimRequest{}, Result: written[api.Claim]{}, Status: http.StatusCreated},
			handle: s.fileClaim},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/claims", ID: "listClaims", Tag: "insurance", Summary: "Claims the caller is party to", Auth: true, Result: []api.Claim{}},
			handle: plainRead(s, s.client.ListClaims)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/claims/:id", ID: "getClaim", Tag: "insurance", Summary: "A claim", Auth: true, Params: params(idParamOf("Claim id", claimIDPattern)), Result: api.Claim{}},
			handle: idRead(s, claimIDPattern, s.client.GetClaim)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/claims/:id/approve", ID: "approveClaim", Tag: "insurance", Summary: "Approve at min(loss x coverage ratio, available cover) (insurer)", Auth: true, Idempotent: true, Params: params(idParamOf("Claim id", claimIDPattern)), Body: noteRequest{}, BodyOptional: true, Result: written[api.Claim]{}},
			handle: s.approveClaim},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/claims/:id/reject", ID: "rejectClaim", Tag: "insurance", Summary: "Reject a claim (insurer)", Auth: true, Idempotent: true, Params: params(idParamOf("Claim id", claimIDPattern)), Body: reasonRequest{}, Result: written[api.Claim]{}},
			handle: idWithReason(s, claimIDPattern, s.client.RejectClaim)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/claims/:id/pay", ID: "payClaim", Tag: "insurance", Summary: "Pay the beneficiary; a bank that financed the shipment is repaid in the same transaction, surplus to the exporter (insurer)", Auth: true, Idempotent: true, Params: params(idParamOf("Claim id", claimIDPattern)), Body: paymentDateRequest{}, Result: written[api.Claim]{}},
			handle: idWithDate(s, claimIDPattern, s.client.PayClaim, "paymentDate")},

		// Receivables.
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receivables", ID: "createReceivable", Tag: "receivables", Summary: "Create a receivable from an invoice linked to a shipment (seller); an invoice exists once (409 DUPLICATE_INVOICE)", Auth: true, Idempotent: true, Body: api.ReceivableInput{}, Result: written[api.ReceivableView]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.CreateReceivable)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/receivables", ID: "listReceivables", Tag: "receivables", Summary: "Receivables the caller is party to", Auth: true, Result: []api.ReceivableView{}},
			handle: plainRead(s, s.client.ListReceivables)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/receivables/:id", ID: "getReceivable", Tag: "receivables", Summary: "A receivable", Auth: true, Params: params(idParamOf("Receivable id", receivableIDPattern)), Result: api.ReceivableView{}},
			handle: idRead(s, receivableIDPattern, s.client.GetReceivable)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receivables/:id/confirm", ID: "confirmReceivable", Tag: "receivables", Summary: "Confirm (buyer on the network)", Auth: true, Idempotent: true, Params: params(idParamOf("Receivable id", receivableIDPattern)), Result: written[api.ReceivableView]{}},
			handle: idOnly(s, receivableIDPattern, s.client.ConfirmReceivable)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receivables/:id/overdue", ID: "markReceivableOverdue", Tag: "receivables", Summary: "Mark overdue", Auth: true, Idempotent: true, Params: params(idParamOf("Receivable id", receivableIDPattern)), Result: written[api.ReceivableView]{}},
			handle: idOnly(s, receivableIDPattern, s.client.MarkReceivableOverdue)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receivables/:id/default", ID: "declareReceivableDefault", Tag: "receivables", Summary: "Declare the buyer's default", Auth: true, Idempotent: true, Params: params(idParamOf("Receivable id", receivableIDPattern)), Result: written[api.ReceivableView]{}},
			handle: idOnly(s, receivableIDPattern, s.client.DeclareReceivableDefault)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receivables/:id/reject", ID: "rejectReceivable", Tag: "receivables", Summary: "Reject (buyer)", Auth: true, Idempotent: true, Params: params(idParamOf("Receivable id", receivableIDPattern)), Body: reasonRequest{}, Result: written[api.ReceivableView]{}},
			handle: idWithReason(s, receivableIDPattern, s.client.RejectReceivable)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/receivables/:id/payments", ID: "recordReceivablePayment", Tag: "receivables", Summary: "Record a payment of the receivable", Auth: true, Idempotent: true, Params: params(idParamOf("Receivable id", receivableIDPattern)), Body: repaymentRequest{}, Result: written[api.ReceivableView]{}, Status: http.StatusCreated},
			handle: amountAndDate(s, receivableIDPattern, s.client.RecordReceivablePayment)},

		// Trade verification (三流合一): export declarations, foreign-exchange
		// receipts, and the four flows of a trade side by side.
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/declarations", ID: "recordDeclaration", Tag: "trade", Summary: "Record an export declaration: trade mode (9610, 9710, 9810, 0110), lines (HS code, goods, quantity and unit, value, lots), the invoices and insured shipments it covers (customs broker or customs; 409 ALREADY_EXISTS for a number recorded)", Auth: true, Idempotent: true, Body: api.DeclarationInput{}, Result: written[api.Declaration]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.RecordDeclaration)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/declarations/:number", ID: "getDeclaration", Tag: "trade", Summary: "An export declaration (its exporter and declarant, customs, banks, insurers, regulators)", Auth: true, Params: params(declarationNoParam), Result: api.Declaration{}},
			handle: s.getDeclaration},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/declarations/:number/release", ID: "releaseDeclaration", Tag: "trade", Summary: "Record customs' release (放行) on a date not after today (customs, or the declaring broker relaying it; 409 CONFLICT when already released)", Auth: true, Idempotent: true, Params: params(declarationNoParam), Body: api.DeclarationReleaseInput{}, Result: written[api.Declaration]{}},
			handle: s.releaseDeclaration},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/fx-receipts", ID: "recordFXReceipt", Tag: "trade", Summary: "Record a foreign-exchange receipt or refund for an exporter: payer and country, amount, value date, the bank's reference (once per bank), the invoices it settles in parts (the receiving bank)", Auth: true, Idempotent: true, Body: api.FXReceiptInput{}, Result: written[api.FXReceipt]{}, Status: http.StatusCreated},
			handle: passthrough(s, s.client.RecordFXReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/fx-receipts/:id", ID: "getFXReceipt", Tag: "trade", Summary: "A foreign-exchange receipt or refund (the receiving bank, the beneficiary, regulators)", Auth: true, Params: params(idParamOf("FX receipt id", fxReceiptIDPattern)), Result: api.FXReceipt{}},
			handle: idRead(s, fxReceiptIDPattern, s.client.GetFXReceipt)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/trades/:id", ID: "getTradeVerification", Tag: "trade", Summary: "The four flows of a receivable's or insured shipment's invoice side by side — goods shipped, declared and released, invoiced, money received — with the verdict (VERIFIED, PARTIAL, MISMATCH), its reasons and risk findings, as they stand (the seller, its insurer, banks, customs, regulators)", Auth: true, Params: params(tradePaperParam), Result: api.TradeVerification{}},
			handle: idRead(s, tradePaperPattern, s.client.GetTradeVerification)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/trades/:id/verify", ID: "verifyTrade", Tag: "trade", Summary: "Verify a trade: record the verdict and raise its findings as risk flags on the receivable and its insured shipment, where a BLOCKING one refuses financing until overridden", Auth: true, Idempotent: true, Params: params(tradePaperParam), Result: written[api.TradeVerification]{}},
			handle: idOnly(s, tradePaperPattern, s.client.VerifyTrade)},
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/trade-mismatches", ID: "listTradeMismatches", Tag: "trade", Summary: "Trades last verified as MISMATCH, with their reasons (regulators, customs)", Auth: true, Result: []api.TradeVerification{}},
			handle: plainRead(s, s.client.ListTradeMismatches)},

		// Risk flags.
		{Operation: apidoc.Operation{Method: http.MethodGet, Path: "/api/v1/risk-flags/:entity/:id", ID: "getRiskFlags", Tag: "risk", Summary: "Risk flags recorded for a receivable or shipment (bank, insurer, regulator)", Auth: true, Params: params(riskEntityParam, riskIDParam), Result: []api.RiskFlag{}},
			handle: riskRead(s, s.client.GetRiskFlags)},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/risk-flags/:entity/:id/assess", ID: "assessRisk", Tag: "risk", Summary: "Assess and record risk flags (no shipping events; invoice far from declared value; goods behind a pledged receipt and a financed receivable)", Auth: true, Idempotent: true, Params: params(riskEntityParam, riskIDParam), Result: written[[]api.RiskFlag]{}},
			handle: s.riskAssess},
		{Operation: apidoc.Operation{Method: http.MethodPost, Path: "/api/v1/risk-flags/:entity/:id/resolve", ID: "resolveRiskFlag", Tag: "risk", Summary: "Resolve a flag (regulator)", Auth: true, Idempotent: true, Params: params(riskEntityParam, riskIDParam), Body: resolveRequest{}, Result: written[api.RiskFlag]{}},
			handle: s.riskResolve},
	}
	// Lists, statistics and events from the read model (readmodel.go).
	return append(routes, s.readModelRoutes()...)
}

// Parameters, with the patterns the handlers check them against.
var (
	creditCodeParam = apidoc.Param{Name: "code", In: "path", Description: "Unified social credit code (GB 32100-2015)",
		Pattern: `^[0-9A-HJ-NPQRTUWXY]{18}$`, Example: "91441800QC00000011"}
	kindParam = apidoc.Param{Name: "kind", In: "path", Pattern: kindPattern.String(), Example: "warehouse",
		Description: "A kind of business (producer, processor, logistics, warehouse, exporter, customs_broker, customs, bank, insurer, inspector, regulator)"}
	proposalIDParam = apidoc.Param{Name: "id", In: "path", Pattern: proposalIDPattern.String(), Example: exampleTxID,
		Description: "The governance proposal's id (the transaction id that proposed it)"}
	orgParam         = apidoc.Param{Name: "org", In: "query", Description: "MSP ID, e.g. BankMSP", Pattern: mspPattern.String()}
	txIDParam        = apidoc.Param{Name: "txId", In: "path", Description: "Transaction id", Pattern: txIDPattern.String(), Example: exampleTxID}
	blockNumberParam = apidoc.Param{Name: "number", In: "path", Description: "Block number", Type: "integer", Example: "1"}
	gtinParam        = apidoc.Param{Name: "gtin", In: "path", Description: "GTIN-8/12/13/14 with a valid GS1 check digit",
		Pattern: `^([0-9]{8}|[0-9]{12,14})$`, Example: "06901234500028"}
	lotParam = apidoc.Param{Name: "lot", In: "path", Description: "Lot (AI 10), GS1 character set 82, percent-encoded",
		MaxLength: 20, Example: "BT-2026-06A"}
	serialParam = apidoc.Param{Name: "serial", In: "path", Description: "Serial (AI 21)", MaxLength: 20, Example: "TIN00001"}
	cursorParam = apidoc.Param{Name: "cursor", In: "query", Description: "nextCursor of the previous page; absent for the first page",
		Pattern: cursorPattern.String(), MaxLength: 200}
	limitParam     = apidoc.Param{Name: "limit", In: "query", Description: "Events per page", Type: "integer", Min: 1, Max: 200, Default: "50"}
	directionParam = apidoc.Param{Name: "direction", In: "query", Description: "up: the inputs; down: the outputs", Enum: []string{"up", "down"}, Default: "up"}
	depthParam     = apidoc.Param{Name: "depth", In: "query", Description: "How many levels to follow", Type: "integer", Min: 1, Max: 50, Default: "10"}
	eventIDParam   = apidoc.Param{Name: "id", In: "path", Description: "The 64-hex SHA-256 digest of the event (the part after ni:///sha-256;)",
		Pattern: hexIDPattern.String(), Example: exampleTxID}
	certificateIDParam = apidoc.Param{Name: "id", In: "path", Description: "Certificate id", Pattern: certIDPattern.String(), Example: "CERT-2026-001"}
	holderParam        = apidoc.Param{Name: "holder", In: "query", Description: "Credit code of the holder (default: the caller)", Pattern: creditCodeParam.Pattern}
	warehouseParam     = apidoc.Param{Name: "warehouse", In: "query", Description: "Credit code of the issuing warehouse", Pattern: creditCodeParam.Pattern}
	asOfParam          = apidoc.Param{Name: "asOf", In: "query", Description: "Accrue interest as of this date (default: today)", Type: "date"}
	declarationNoParam = apidoc.Param{Name: "number", In: "path", Description: "Customs declaration number (报关单号, 18 digits)",
		Pattern: declarationNoPattern.String(), Example: "516820261000000801"}
	tradePaperParam = apidoc.Param{Name: "id", In: "path", Description: "The receivable or insured shipment whose invoice is the trade",
		Pattern: tradePaperPattern.String(), Example: "RV-2026-0123456789ABCDEF"}
	riskEntityParam = apidoc.Param{Name: "entity", In: "path", Description: "What the flags are on", Enum: []string{"receivable", "shipment"}, Example: "receivable"}
	riskIDParam     = apidoc.Param{Name: "id", In: "path", Description: "Receivable or shipment id",
		Pattern: `^(RV|SH)-[0-9]{4}-[0-9A-F]{16}$`, Example: "RV-2026-0123456789ABCDEF"}
	digitalLinkParam = apidoc.Param{Name: "path", In: "path", Description: "{gtin}[/10/{lot}[/21/{serial}]] in GS1 order",
		Example: "06901234500028/10/BT-2026-06A/21/TIN00001"}
	langParam           = apidoc.Param{Name: "lang", In: "query", Description: "The page's language (default: from Accept-Language)", Enum: []string{"zh", "en"}}
	qrSizeParam         = apidoc.Param{Name: "size", In: "query", Description: "Image size in pixels", Type: "integer", Min: 64, Max: 1024, Default: "256"}
	linkTypeParam       = apidoc.Param{Name: "linkType", In: "query", Description: "A GS1 link type (gs1:pip, gs1:traceability, gs1:certificationInfo, gs1:recallStatus; the CURIE or its URI): a 307 to that link; all or linkset: the RFC 9264 linkset"}
	reportProducerParam = apidoc.Param{Name: "producer", In: "query", Description: "Credit code of the producer whose goods the reports are about (the regulator only)", Pattern: `^[0-9A-HJ-NPQRTUWXY]{18}$`}
	reportLimitParam    = apidoc.Param{Name: "limit", In: "query", Description: "Reports to return", Type: "integer", Min: 1, Max: 1000, Default: "100"}
)

// exampleTxID is a transaction id as the ledger shows them.
const exampleTxID = "3f1c0a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615e4d3"

// idParamOf is the {id} of records the chaincode numbers PREFIX-YYYY-16 hex.
func idParamOf(what string, p *regexp.Regexp) apidoc.Param {
	prefix := p.String()[1:3]
	if prefix[1] == '-' {
		prefix = prefix[:1]
	}
	return apidoc.Param{Name: "id", In: "path", Description: what, Pattern: p.String(), Example: prefix + "-2026-0123456789ABCDEF"}
}

func params(ps ...apidoc.Param) []apidoc.Param { return ps }

// health is the answer of /healthz and /readyz.
type health struct {
	Error  *Error `json:"error,omitempty"`
	Height uint64 `json:"height,omitempty"`
	Status string `json:"status"`
}

// valueDateRequest and paymentDateRequest are the one-date bodies
// idWithDate takes, as the documentation shows them.
type (
	valueDateRequest struct {
		ValueDate string `json:"valueDate"`
	}
	paymentDateRequest struct {
		PaymentDate string `json:"paymentDate"`
	}
)
