package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/epcis"
)

func init() {
	extraRoutes = append(extraRoutes, func(s *Server, api *gin.RouterGroup) {
		api.POST("/products", s.passthrough("trace:CreateProduct"))
		api.GET("/products/:gtin", s.getProduct)
		api.POST("/lots", s.passthrough("trace:CommissionLot"))
		api.GET("/lots/:gtin/:lot", s.lotRead("trace:GetLot"))
		api.GET("/lots/:gtin/:lot/trace", s.getLotTrace)
		api.GET("/lots/:gtin/:lot/events", s.getLotEvents)
		api.GET("/lots/:gtin/:lot/lineage", s.getLineage)
		api.GET("/lots/:gtin/:lot/certificates", s.lotRead("trace:ListLotCertificates"))
		api.GET("/lots/:gtin/:lot/epcis", s.getLotEPCIS)
		api.POST("/lots/:gtin/:lot/items", s.commissionItems)
		api.POST("/lots/:gtin/:lot/handovers", s.handOver)
		api.GET("/lots/:gtin/:lot/items/:serial", s.getItem)
		api.POST("/events", s.passthrough("trace:RecordEvent"))
		api.GET("/events/:id", s.getEvent)
		api.POST("/certificates", s.passthrough("trace:IssueCertificate"))
		api.GET("/certificates/:id", s.getCertificate)
		api.POST("/recalls", s.recall)
	})
}

// passthrough checks that the body is one JSON object and hands it to a
// chaincode function that decodes it strictly (unknown fields refused).
func (s *Server) passthrough(fn string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var obj map[string]json.RawMessage
		if err := s.decodeJSON(c, &obj); err != nil {
			s.fail(c, err)
			return
		}
		if obj == nil {
			s.fail(c, newError("INVALID_ARGUMENT", "request body must be a JSON object"))
			return
		}
		s.write(c, http.StatusCreated, fn, arg(obj))
	}
}

// lotParams reads and checks {gtin} and {lot}.
func (s *Server) lotParams(c *gin.Context) (string, string, bool) {
	gtin, err := gs1.NormalizeGTIN(c.Param("gtin"))
	if err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return "", "", false
	}
	lot := c.Param("lot")
	if err := gs1.ValidateLot(lot); err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return "", "", false
	}
	return gtin, lot, true
}

func (s *Server) lotRead(fn string) gin.HandlerFunc {
	return func(c *gin.Context) {
		gtin, lot, ok := s.lotParams(c)
		if !ok {
			return
		}
		s.read(c, fn, gtin, lot)
	}
}

func (s *Server) getProduct(c *gin.Context) {
	gtin, err := gs1.NormalizeGTIN(c.Param("gtin"))
	if err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return
	}
	s.read(c, "trace:GetProduct", gtin)
}

func (s *Server) getLotTrace(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	s.read(c, "trace:GetTrace", gtin, lot, "")
}

// cursorPattern is what a page cursor may look like (the chaincode checks
// it fully).
var cursorPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// getLotEvents pages through every event of a lot: ?cursor= (the previous
// page's nextCursor) and ?limit= (1 to 200, default 50).
func (s *Server) getLotEvents(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	cursor, limit := c.Query("cursor"), c.Query("limit")
	if cursor != "" && !cursorPattern.MatchString(cursor) {
		s.fail(c, newError("INVALID_ARGUMENT", "cursor is the nextCursor of a previous page"))
		return
	}
	if limit != "" {
		if n, err := strconv.Atoi(limit); err != nil || n < 1 || n > 200 || strings.TrimLeft(limit, "0123456789") != "" {
			s.fail(c, newError("INVALID_ARGUMENT", "limit must be an integer from 1 to 200"))
			return
		}
	}
	s.read(c, "trace:ListLotEvents", gtin, lot, cursor, limit)
}

// getLotEPCIS exports a lot's events and its inputs' as an EPCIS 2.0
// JSON-LD document.
func (s *Server) getLotEPCIS(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	out, err := s.evaluate(c.Request.Context(), caller(c), "trace:GetTrace", gtin, lot, "")
	if err != nil {
		s.fail(c, err)
		return
	}
	tr, err := epcis.DecodeTrace(out)
	if err != nil {
		s.fail(c, err)
		return
	}
	doc, err := epcis.FromTrace(tr, time.Now().UTC())
	if err != nil {
		s.fail(c, err)
		return
	}
	// The export holds the trace's listed events; say how many it does not
	// and where all of them are.
	if tr.Omitted.Events > 0 {
		c.Header("Qingchain-Omitted-Events", strconv.Itoa(tr.Omitted.Events))
		c.Header("Link", `</api/v1/lots/`+url.PathEscape(gtin)+`/`+url.PathEscape(lot)+`/events>; rel="related"`)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/ld+json; charset=utf-8", body)
}

func (s *Server) getLineage(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	dir := c.DefaultQuery("direction", "up")
	if dir != "up" && dir != "down" {
		s.fail(c, newError("INVALID_ARGUMENT", "direction must be up or down"))
		return
	}
	depth := c.DefaultQuery("depth", "10")
	if n, err := strconv.Atoi(depth); err != nil || n < 1 || n > 50 {
		s.fail(c, newError("INVALID_ARGUMENT", "depth must be an integer from 1 to 50"))
		return
	}
	s.read(c, "trace:Lineage", gtin, lot, dir, depth)
}

type itemsRequest struct {
	Serials []string `json:"serials"`
}

func (s *Server) commissionItems(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	var req itemsRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if len(req.Serials) == 0 || len(req.Serials) > 500 {
		s.fail(c, newError("INVALID_ARGUMENT", "serials: 1 to 500 per request"))
		return
	}
	for _, sn := range req.Serials {
		if err := gs1.ValidateSerial(sn); err != nil {
			s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
			return
		}
	}
	s.write(c, http.StatusCreated, "trace:CommissionItems", gtin, lot, arg(req.Serials))
}

func (s *Server) getItem(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	serial := c.Param("serial")
	if err := gs1.ValidateSerial(serial); err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return
	}
	s.read(c, "trace:GetItem", gtin, lot, serial)
}

var hexIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Server) getEvent(c *gin.Context) {
	id := c.Param("id")
	if !hexIDPattern.MatchString(id) {
		s.fail(c, newError("INVALID_ARGUMENT", "event id is the 64-hex SHA-256 digest of the event (the part after ni:///sha-256;)"))
		return
	}
	s.read(c, "trace:GetEvent", id)
}

var certIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)

func (s *Server) getCertificate(c *gin.Context) {
	id := c.Param("id")
	if !certIDPattern.MatchString(id) {
		s.fail(c, newError("INVALID_ARGUMENT", "malformed certificate id"))
		return
	}
	s.read(c, "trace:GetCertificate", id)
}

type recallRequest struct {
	GTIN   string `json:"gtin"`
	Lot    string `json:"lot"`
	Reason string `json:"reason"`
}

func (s *Server) recall(c *gin.Context) {
	var req recallRequest
	if err := s.decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	gtin, err := gs1.NormalizeGTIN(req.GTIN)
	if err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return
	}
	if err := gs1.ValidateLot(req.Lot); err != nil {
		s.fail(c, newError("INVALID_ARGUMENT", err.Error()))
		return
	}
	s.write(c, http.StatusCreated, "trace:RecallLot", gtin, req.Lot, req.Reason)
}
