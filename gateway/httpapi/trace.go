package httpapi

import (
	"encoding/json"
	"github.com/qingchain/qingchain/chaincode/api"
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
	extraRoutes = append(extraRoutes, func(s *Server, v1 *gin.RouterGroup) {
		v1.POST("/products", s.passthrough(api.TxCreateProduct))
		v1.GET("/products/:gtin", s.getProduct)
		v1.POST("/lots", s.passthrough(api.TxCommissionLot))
		v1.GET("/lots/:gtin/:lot", s.lotRead(api.TxGetLot))
		v1.GET("/lots/:gtin/:lot/trace", s.getLotTrace)
		v1.GET("/lots/:gtin/:lot/events", s.getLotEvents)
		v1.GET("/lots/:gtin/:lot/lineage", s.getLineage)
		v1.GET("/lots/:gtin/:lot/certificates", s.lotRead(api.TxListLotCertificates))
		v1.GET("/lots/:gtin/:lot/epcis", s.getLotEPCIS)
		v1.POST("/lots/:gtin/:lot/items", s.commissionItems)
		v1.POST("/lots/:gtin/:lot/handovers", s.handOver)
		v1.GET("/lots/:gtin/:lot/items/:serial", s.getItem)
		v1.POST("/events", s.passthrough(api.TxRecordEvent))
		v1.GET("/events/:id", s.getEvent)
		v1.POST("/certificates", s.passthrough(api.TxIssueCertificate))
		v1.GET("/certificates/:id", s.getCertificate)
		v1.POST("/recalls", s.recall)
	})
}

// passthrough checks that the body is one JSON object and hands it to a
// chaincode function that decodes it strictly (unknown fields refused).
func (s *Server) passthrough(fn api.Tx) gin.HandlerFunc {
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

func (s *Server) lotRead(fn api.Tx) gin.HandlerFunc {
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
	s.read(c, api.TxGetProduct, gtin)
}

func (s *Server) getLotTrace(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	s.read(c, api.TxGetTrace, gtin, lot, "")
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
	s.read(c, api.TxListLotEvents, gtin, lot, cursor, limit)
}

// getLotEPCIS exports a lot's events and its inputs' as an EPCIS 2.0
// JSON-LD document.
func (s *Server) getLotEPCIS(c *gin.Context) {
	gtin, lot, ok := s.lotParams(c)
	if !ok {
		return
	}
	out, err := s.evaluate(c.Request.Context(), caller(c), api.TxGetTrace, gtin, lot, "")
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
	s.read(c, api.TxLineage, gtin, lot, dir, depth)
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
	s.write(c, http.StatusCreated, api.TxCommissionItems, gtin, lot, arg(req.Serials))
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
	s.read(c, api.TxGetItem, gtin, lot, serial)
}

var hexIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Server) getEvent(c *gin.Context) {
	id := c.Param("id")
	if !hexIDPattern.MatchString(id) {
		s.fail(c, newError("INVALID_ARGUMENT", "event id is the 64-hex SHA-256 digest of the event (the part after ni:///sha-256;)"))
		return
	}
	s.read(c, api.TxGetEvent, id)
}

var certIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)

func (s *Server) getCertificate(c *gin.Context) {
	id := c.Param("id")
	if !certIDPattern.MatchString(id) {
		s.fail(c, newError("INVALID_ARGUMENT", "malformed certificate id"))
		return
	}
	s.read(c, api.TxGetCertificate, id)
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
	s.write(c, http.StatusCreated, api.TxRecallLot, gtin, req.Lot, req.Reason)
}
