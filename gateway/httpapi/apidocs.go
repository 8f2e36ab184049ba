package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/apidoc"
)

// Where the gateway serves its own description.
const (
	specPath = "/api/v1/openapi.json"
	docsPath = "/api/docs"
)

// apiDocs is the API's description as the gateway serves it: the OpenAPI
// document generated from the route table and the reference page
// rendered from it. Both are built once, when the server is, so a route
// the document cannot describe stops the gateway from starting rather
// than surprising a client.
type apiDocs struct {
	spec []byte
	page apidoc.Page
}

// apiInfo is what the document says about the API as a whole, and the
// tags in the order the reference page shows them.
func apiInfo() apidoc.Info {
	return apidoc.Info{
		Title:   "Qingchain gateway API",
		Version: "1.0.0",
		Description: "Supply-chain finance and traceability ledger of the Qingyuan cross-border e-commerce pilot zone.\n\n" +
			"Everything under `/api/v1` except this document needs `Authorization: Bearer <api key>`; each key acts as one Fabric identity. " +
			"Writes answer with the transaction id, the block number and what the chaincode recorded. POSTs honour an `Idempotency-Key` header. " +
			"Errors share one shape: `{\"error\": {\"code\", \"message\"}}`, the code stable, the HTTP status from the code.\n\n" +
			"The reference page is at `" + docsPath + "`; this document at `" + specPath + "`.",
		Auth: "API key from the wallet (qingchain-gateway keys add)",
		Tags: []apidoc.Tag{
			{Name: "registry", Description: "Enterprises, their member identities and kinds, sanctions, and the governance that grants kinds"},
			{Name: "trace", Description: "Products, lots, serialized items, EPCIS events, certificates, recalls and hand-overs"},
			{Name: "receipts", Description: "Warehouse receipts: issue, transfer, split, redeem, freeze, pledge release, due diligence"},
			{Name: "financings", Description: "Financings against receipts, receivables and insured shipments, and the encumbrance register"},
			{Name: "insurance", Description: "Export credit insurance: buyer credit limits, policies, shipments, assignments of proceeds, claims"},
			{Name: "receivables", Description: "Receivables from invoices linked to shipments"},
			{Name: "trade", Description: "Trade verification (三流合一): export declarations, foreign-exchange receipts, and the four flows of a trade side by side"},
			{Name: "risk", Description: "Risk flags on receivables and shipments"},
			{Name: "ledger", Description: "Where a transaction or block sits in the chain"},
			{Name: "readmodel", Description: "The zone's statistics and the stream of ledger events, from the read model (lists are under their resources' tags)"},
			{Name: "public", Description: "The shopper's side: GS1 Digital Link resolver and QR codes, no API key"},
			{Name: "operations", Description: "Health, readiness, metrics and this description"},
		},
	}
}

// buildDocs generates the document from routes, with the examples,
// required fields and particular error codes kept apart from the table
// (examples.go), and renders the page.
func buildDocs(routes []Route) (apiDocs, error) {
	examples, err := routeExamples()
	if err != nil {
		return apiDocs{}, err
	}
	required, failures := requiredFields(), operationErrors()
	ops := make([]apidoc.Operation, len(routes))
	ids := map[string]bool{}
	for i, r := range routes {
		op := r.Operation
		ids[op.ID] = true
		if ex, ok := examples[op.ID]; ok {
			op.Example = ex
		}
		if op.Required == nil {
			op.Required = required[op.ID]
		}
		if op.Errors == nil {
			op.Errors = failures[op.ID]
		}
		ops[i] = op
	}
	for id := range examples {
		if !ids[id] {
			return apiDocs{}, fmt.Errorf("httpapi: an example for %s, which is no route's operation", id)
		}
	}
	for id := range required {
		if !ids[id] {
			return apiDocs{}, fmt.Errorf("httpapi: required fields for %s, which is no route's operation", id)
		}
	}
	for id := range failures {
		if !ids[id] {
			return apiDocs{}, fmt.Errorf("httpapi: error codes for %s, which is no route's operation", id)
		}
	}
	codes := map[string]int{}
	for code, status := range ErrorStatuses() {
		codes[string(code)] = status
	}
	doc, err := apidoc.Build(apiInfo(), ops, codes)
	if err != nil {
		return apiDocs{}, err
	}
	spec, err := json.Marshal(doc)
	if err != nil {
		return apiDocs{}, fmt.Errorf("httpapi: encode the OpenAPI document: %w", err)
	}
	page, err := apidoc.Render(doc, specPath)
	if err != nil {
		return apiDocs{}, err
	}
	return apiDocs{spec: spec, page: page}, nil
}

// OpenAPI is the OpenAPI 3 document the gateway serves.
func (s *Server) OpenAPI() []byte { return s.docs.spec }

func (s *Server) serveSpec(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.docs.spec)
	return nil
}

// serveDocsPage serves the reference page under a policy that lets it
// load nothing at all: no script, no font, no image, no request that
// leaves the gateway.
func (s *Server) serveDocsPage(c *gin.Context) error {
	c.Header("Content-Security-Policy", s.docs.page.CSP)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "no-referrer")
	c.Data(http.StatusOK, "text/html; charset=utf-8", s.docs.page.HTML)
	return nil
}

// written is a write's answer as the document shows it: WriteResult with
// the chaincode's result typed.
type written[T any] struct {
	TxID        string `json:"txId"`
	BlockNumber uint64 `json:"blockNumber"`
	Result      T      `json:"result"`
}

// receiptVerification is ReceiptVerification as the document shows it:
// the chaincode's evaluation in its API type, and the proof the gateway
// adds.
type receiptVerification struct {
	api.ReceiptVerification
	Proof *TransactionProof `json:"proof,omitempty"`
}

// claimRequest is fileClaim's body: the shipment, which the handler takes
// out, and the claim itself.
type claimRequest struct {
	ShipmentID string `json:"shipmentId"`
	api.ClaimInput
}
