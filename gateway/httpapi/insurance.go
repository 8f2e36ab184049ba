package httpapi

import (
	"encoding/json"
	"github.com/qingchain/qingchain/chaincode/api"
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/money"
)

// Ids the insurance and receivable contracts assign: PREFIX-YYYY-16 hex.
func idPattern(prefix string) *regexp.Regexp {
	return regexp.MustCompile(`^` + prefix + `-[0-9]{4}-[0-9A-F]{16}$`)
}

var (
	limitIDPattern      = idPattern("BL")
	policyIDPattern     = idPattern("PO")
	shipmentIDPattern   = idPattern("SH")
	assignmentIDPattern = idPattern("AS")
	claimIDPattern      = idPattern("CM")
	receivableIDPattern = idPattern("RV")
	sanctionIDPattern   = idPattern("SN")
	riskEntityPattern   = regexp.MustCompile(`^(receivable|shipment)$`)
)

func init() {
	extraRoutes = append(extraRoutes, func(s *Server, v1 *gin.RouterGroup) {
		v1.POST("/credit-limits", s.passthrough(api.TxSetCreditLimit))
		v1.GET("/credit-limits", s.plainRead(api.TxListCreditLimits))
		v1.GET("/credit-limits/:id", s.idRead(limitIDPattern, api.TxGetCreditLimit))

		v1.POST("/policies", s.passthrough(api.TxIssuePolicy))
		v1.GET("/policies", s.plainRead(api.TxListPolicies))
		v1.GET("/policies/:id", s.idRead(policyIDPattern, api.TxGetPolicy))
		v1.POST("/policies/:id/shipments", s.declareShipment)
		v1.GET("/policies/:id/shipments", s.idRead(policyIDPattern, api.TxListShipments))
		v1.POST("/policies/:id/assignments", s.requestAssignment)

		v1.GET("/shipments/:id", s.idRead(shipmentIDPattern, api.TxGetShipment))
		v1.POST("/shipments/:id/payments", s.amountAndDate(shipmentIDPattern, api.TxRecordShipmentPayment))
		v1.POST("/shipments/:id/default", s.idOnly(shipmentIDPattern, api.TxReportBuyerDefault))

		v1.GET("/assignments", s.plainRead(api.TxListAssignments))
		v1.GET("/assignments/:id", s.idRead(assignmentIDPattern, api.TxGetAssignment))
		v1.POST("/assignments/:id/accept", s.idOnly(assignmentIDPattern, api.TxAcceptAssignment))
		v1.POST("/assignments/:id/reject", s.idWithReason(assignmentIDPattern, api.TxRejectAssignment))
		v1.POST("/assignments/:id/release", s.idOnly(assignmentIDPattern, api.TxReleaseAssignment))

		v1.POST("/claims", s.fileClaim)
		v1.GET("/claims", s.plainRead(api.TxListClaims))
		v1.GET("/claims/:id", s.idRead(claimIDPattern, api.TxGetClaim))
		v1.POST("/claims/:id/approve", s.approveClaim)
		v1.POST("/claims/:id/reject", s.idWithReason(claimIDPattern, api.TxRejectClaim))
		v1.POST("/claims/:id/pay", s.idWithDate(claimIDPattern, api.TxPayClaim, "paymentDate"))

		v1.POST("/receivables", s.passthrough(api.TxCreateReceivable))
		v1.GET("/receivables", s.plainRead(api.TxListReceivables))
		v1.GET("/receivables/:id", s.idRead(receivableIDPattern, api.TxGetReceivable))
		v1.POST("/receivables/:id/confirm", s.idOnly(receivableIDPattern, api.TxConfirmReceivable))
		v1.POST("/receivables/:id/reject", s.idWithReason(receivableIDPattern, api.TxRejectReceivable))
		v1.POST("/receivables/:id/payments", s.amountAndDate(receivableIDPattern, api.TxRecordReceivablePayment))
		v1.POST("/receivables/:id/overdue", s.idOnly(receivableIDPattern, api.TxMarkReceivableOverdue))
		v1.POST("/receivables/:id/default", s.idOnly(receivableIDPattern, api.TxDeclareReceivableDefault))

		v1.GET("/enterprises/:code/sanctions", s.codeRead(api.TxListSanctions))
		v1.POST("/enterprises/:code/sanctions", s.recordSanction)
		v1.POST("/sanctions/:id/lift", s.idWithReason(sanctionIDPattern, api.TxLiftSanction))

		v1.GET("/risk-flags/:entity/:id", s.riskRead(api.TxGetRiskFlags))
		v1.POST("/risk-flags/:entity/:id/assess", s.riskAssess)
		v1.POST("/risk-flags/:entity/:id/resolve", s.riskResolve)
	})
}

func (s *Server) plainRead(fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) { s.read(c, fn) }
}

func (s *Server) codeRead(fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) {
		if code, ok := s.creditCodeParam(c); ok {
			s.read(c, fn, code)
		}
	}
}

// objectBody decodes a JSON object body.
func (s *Server) objectBody(c *gin.Context) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if err := s.decodeJSON(c, &obj); err != nil {
		s.fail(c, err)
		return nil, false
	}
	if obj == nil {
		s.fail(c, newError("INVALID_ARGUMENT", "request body must be a JSON object"))
		return nil, false
	}
	return obj, true
}

// declareShipment puts the policy of the path into the declaration.
func (s *Server) declareShipment(c *gin.Context) {
	id, ok := s.idParam(c, policyIDPattern)
	if !ok {
		return
	}
	obj, ok := s.objectBody(c)
	if !ok {
		return
	}
	if raw, given := obj["policyId"]; given && string(raw) != `"`+id+`"` {
		s.fail(c, newError("INVALID_ARGUMENT", "policyId in the body differs from the path"))
		return
	}
	obj["policyId"], _ = json.Marshal(id)
	s.write(c, http.StatusCreated, api.TxDeclareShipment, arg(obj))
}

type assignmentRequest struct {
	ShipmentID string `json:"shipmentId"`
	Bank       string `json:"bank"`
}

// requestAssignment asks the insurer to pay claims on a shipment of this
// policy to a bank; the shipment must belong to the policy of the path.
func (s *Server) requestAssignment(c *gin.Context) {
	id, ok := s.idParam(c, policyIDPattern)
	if !ok {
		return
	}
	var req assignmentRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !shipmentIDPattern.MatchString(req.ShipmentID) {
		s.fail(c, newError("INVALID_ARGUMENT", "shipmentId is required (SH-YYYY-...)"))
		return
	}
	out, err := s.evaluate(c.Request.Context(), caller(c), api.TxGetShipment, req.ShipmentID)
	if err != nil {
		s.fail(c, err)
		return
	}
	var sh struct {
		PolicyID string `json:"policyId"`
	}
	if json.Unmarshal(out, &sh) != nil || sh.PolicyID != id {
		s.fail(c, newError("NOT_FOUND", "shipment "+req.ShipmentID+" is not declared under policy "+id))
		return
	}
	s.write(c, http.StatusCreated, api.TxRequestAssignment, req.ShipmentID, req.Bank)
}

func (s *Server) amountAndDate(p *regexp.Regexp, fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := s.idParam(c, p)
		if !ok {
			return
		}
		var req repaymentRequest
		if err := s.decodeJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
		if _, err := money.ParseDate(req.ValueDate); err != nil {
			s.fail(c, newError("INVALID_ARGUMENT", "valueDate: "+err.Error()))
			return
		}
		if req.Amount == "" {
			s.fail(c, newError("INVALID_ARGUMENT", "amount is required"))
			return
		}
		s.write(c, http.StatusCreated, fn, id, req.Amount, req.ValueDate)
	}
}

// fileClaim files a claim on the shipment named in the body.
func (s *Server) fileClaim(c *gin.Context) {
	obj, ok := s.objectBody(c)
	if !ok {
		return
	}
	var shipment string
	if err := json.Unmarshal(obj["shipmentId"], &shipment); err != nil || !shipmentIDPattern.MatchString(shipment) {
		s.fail(c, newError("INVALID_ARGUMENT", "shipmentId is required (SH-YYYY-...)"))
		return
	}
	delete(obj, "shipmentId")
	s.write(c, http.StatusCreated, api.TxFileClaim, shipment, arg(obj))
}

type noteRequest struct {
	Note string `json:"note"`
}

func (s *Server) approveClaim(c *gin.Context) {
	id, ok := s.idParam(c, claimIDPattern)
	if !ok {
		return
	}
	var req noteRequest
	if body, _ := s.readBody(c); len(body) > 0 {
		if err := s.decodeJSON(c, &req); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.write(c, http.StatusOK, api.TxApproveClaim, id, req.Note)
}

func (s *Server) recordSanction(c *gin.Context) {
	code, ok := s.creditCodeParam(c)
	if !ok {
		return
	}
	obj, ok := s.objectBody(c)
	if !ok {
		return
	}
	s.write(c, http.StatusCreated, api.TxRecordSanction, code, arg(obj))
}

func (s *Server) riskParams(c *gin.Context) (string, string, bool) {
	entity, id := c.Param("entity"), c.Param("id")
	if !riskEntityPattern.MatchString(entity) {
		s.fail(c, newError("INVALID_ARGUMENT", "entity is receivable or shipment"))
		return "", "", false
	}
	p := receivableIDPattern
	if entity == "shipment" {
		p = shipmentIDPattern
	}
	if !p.MatchString(id) {
		s.fail(c, newError("INVALID_ARGUMENT", "malformed id "+id))
		return "", "", false
	}
	return entity, id, true
}

func (s *Server) riskRead(fn api.Tx) gin.HandlerFunc {
	return func(c *gin.Context) {
		if entity, id, ok := s.riskParams(c); ok {
			s.read(c, fn, entity, id)
		}
	}
}

func (s *Server) riskAssess(c *gin.Context) {
	entity, id, ok := s.riskParams(c)
	if !ok || !s.emptyBody(c) {
		return
	}
	s.write(c, http.StatusOK, api.TxAssessRisk, entity, id)
}

type resolveRequest struct {
	Code string `json:"code"`
	Note string `json:"note"`
}

func (s *Server) riskResolve(c *gin.Context) {
	entity, id, ok := s.riskParams(c)
	if !ok {
		return
	}
	var req resolveRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	s.write(c, http.StatusOK, api.TxResolveRiskFlag, entity, id, req.Code, req.Note)
}
