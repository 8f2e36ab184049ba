package httpapi

import (
	"encoding/json"
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
	extraRoutes = append(extraRoutes, func(s *Server, api *gin.RouterGroup) {
		api.POST("/credit-limits", s.passthrough("insurance:SetCreditLimit"))
		api.GET("/credit-limits", s.plainRead("insurance:ListCreditLimits"))
		api.GET("/credit-limits/:id", s.idRead(limitIDPattern, "insurance:GetCreditLimit"))

		api.POST("/policies", s.passthrough("insurance:IssuePolicy"))
		api.GET("/policies", s.plainRead("insurance:ListPolicies"))
		api.GET("/policies/:id", s.idRead(policyIDPattern, "insurance:GetPolicy"))
		api.POST("/policies/:id/shipments", s.declareShipment)
		api.GET("/policies/:id/shipments", s.idRead(policyIDPattern, "insurance:ListShipments"))
		api.POST("/policies/:id/assignments", s.requestAssignment)

		api.GET("/shipments/:id", s.idRead(shipmentIDPattern, "insurance:GetShipment"))
		api.POST("/shipments/:id/payments", s.amountAndDate(shipmentIDPattern, "insurance:RecordShipmentPayment"))
		api.POST("/shipments/:id/default", s.idOnly(shipmentIDPattern, "insurance:ReportBuyerDefault"))

		api.GET("/assignments", s.plainRead("insurance:ListAssignments"))
		api.GET("/assignments/:id", s.idRead(assignmentIDPattern, "insurance:GetAssignment"))
		api.POST("/assignments/:id/accept", s.idOnly(assignmentIDPattern, "insurance:AcceptAssignment"))
		api.POST("/assignments/:id/reject", s.idWithReason(assignmentIDPattern, "insurance:RejectAssignment"))
		api.POST("/assignments/:id/release", s.idOnly(assignmentIDPattern, "insurance:ReleaseAssignment"))

		api.POST("/claims", s.fileClaim)
		api.GET("/claims", s.plainRead("insurance:ListClaims"))
		api.GET("/claims/:id", s.idRead(claimIDPattern, "insurance:GetClaim"))
		api.POST("/claims/:id/approve", s.approveClaim)
		api.POST("/claims/:id/reject", s.idWithReason(claimIDPattern, "insurance:RejectClaim"))
		api.POST("/claims/:id/pay", s.idWithDate(claimIDPattern, "insurance:PayClaim", "paymentDate"))

		api.POST("/receivables", s.passthrough("receivable:CreateReceivable"))
		api.GET("/receivables", s.plainRead("receivable:ListReceivables"))
		api.GET("/receivables/:id", s.idRead(receivableIDPattern, "receivable:GetReceivable"))
		api.POST("/receivables/:id/confirm", s.idOnly(receivableIDPattern, "receivable:ConfirmReceivable"))
		api.POST("/receivables/:id/reject", s.idWithReason(receivableIDPattern, "receivable:RejectReceivable"))
		api.POST("/receivables/:id/payments", s.amountAndDate(receivableIDPattern, "receivable:RecordReceivablePayment"))
		api.POST("/receivables/:id/overdue", s.idOnly(receivableIDPattern, "receivable:MarkReceivableOverdue"))
		api.POST("/receivables/:id/default", s.idOnly(receivableIDPattern, "receivable:DeclareReceivableDefault"))

		api.GET("/enterprises/:code/sanctions", s.codeRead("risk:ListSanctions"))
		api.POST("/enterprises/:code/sanctions", s.recordSanction)
		api.POST("/sanctions/:id/lift", s.idWithReason(sanctionIDPattern, "risk:LiftSanction"))

		api.GET("/risk-flags/:entity/:id", s.riskRead("risk:GetRiskFlags"))
		api.POST("/risk-flags/:entity/:id/assess", s.riskAssess)
		api.POST("/risk-flags/:entity/:id/resolve", s.riskResolve)
	})
}

func (s *Server) plainRead(fn string) gin.HandlerFunc {
	return func(c *gin.Context) { s.read(c, fn) }
}

func (s *Server) codeRead(fn string) gin.HandlerFunc {
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
	s.write(c, http.StatusCreated, "insurance:DeclareShipment", arg(obj))
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
	out, err := s.evaluate(c.Request.Context(), caller(c), "insurance:GetShipment", req.ShipmentID)
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
	s.write(c, http.StatusCreated, "insurance:RequestAssignment", req.ShipmentID, req.Bank)
}

func (s *Server) amountAndDate(p *regexp.Regexp, fn string) gin.HandlerFunc {
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
	s.write(c, http.StatusCreated, "insurance:FileClaim", shipment, arg(obj))
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
	s.write(c, http.StatusOK, "insurance:ApproveClaim", id, req.Note)
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
	s.write(c, http.StatusCreated, "risk:RecordSanction", code, arg(obj))
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

func (s *Server) riskRead(fn string) gin.HandlerFunc {
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
	s.write(c, http.StatusOK, "risk:AssessRisk", entity, id)
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
	s.write(c, http.StatusOK, "risk:ResolveRiskFlag", entity, id, req.Code, req.Note)
}
