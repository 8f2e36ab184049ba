package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/epcis"
	"github.com/qingchain/qingchain/gateway/identity"
)

// readLot reads and checks {gtin} and {lot}.
func readLot(c *gin.Context) (gtin, lot string, err error) {
	if gtin, err = gs1.NormalizeGTIN(c.Param("gtin")); err != nil {
		return "", "", invalidArgument("%v", err)
	}
	lot = c.Param("lot")
	if err := gs1.ValidateLot(lot); err != nil {
		return "", "", invalidArgument("%v", err)
	}
	return gtin, lot, nil
}

func (s *Server) getProduct(c *gin.Context) error {
	gtin, err := gs1.NormalizeGTIN(c.Param("gtin"))
	if err != nil {
		return invalidArgument("%v", err)
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.Product, error) {
		return s.client.GetProduct(ctx, as, gtin)
	})
}

func (s *Server) getLotTrace(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.TraceDocument, error) {
		return s.client.GetTrace(ctx, as, gtin, lot, "")
	})
}

// cursorPattern is what a page cursor may look like (the chaincode checks
// it fully).
var cursorPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// getLotEvents pages through every event of a lot: ?cursor= (the previous
// page's nextCursor) and ?limit= (1 to 200, default 50).
func (s *Server) getLotEvents(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	cursor, limit := c.Query("cursor"), c.Query("limit")
	if cursor != "" && !cursorPattern.MatchString(cursor) {
		return invalidArgument("cursor is the nextCursor of a previous page")
	}
	if limit != "" {
		if n, err := strconv.Atoi(limit); err != nil || n < 1 || n > 200 || strings.TrimLeft(limit, "0123456789") != "" {
			return invalidArgument("limit must be an integer from 1 to 200")
		}
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.LotEventsPage, error) {
		return s.client.ListLotEvents(ctx, as, gtin, lot, cursor, limit)
	})
}

// getLotEPCIS exports a lot's events and its inputs' as an EPCIS 2.0
// JSON-LD document.
func (s *Server) getLotEPCIS(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.LedgerTimeout)
	defer cancel()
	tr, err := s.client.GetTrace(ctx, caller(c), gtin, lot, "")
	if err != nil {
		return err
	}
	doc, err := epcis.FromTrace(&tr, time.Now().UTC(), s.resolver.Vocab())
	if err != nil {
		return err
	}
	// The export holds the trace's listed events; say how many it does not
	// and where all of them are.
	if tr.Omitted.Events > 0 {
		c.Header("Qingchain-Omitted-Events", strconv.Itoa(tr.Omitted.Events))
		c.Header("Link", `</api/v1/lots/`+url.PathEscape(gtin)+`/`+url.PathEscape(lot)+`/events>; rel="related"`)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "application/ld+json; charset=utf-8", body)
	return nil
}

func (s *Server) getLineage(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	dir := c.DefaultQuery("direction", "up")
	if dir != "up" && dir != "down" {
		return invalidArgument("direction must be up or down")
	}
	depth := c.DefaultQuery("depth", "10")
	if n, err := strconv.Atoi(depth); err != nil || n < 1 || n > 50 {
		return invalidArgument("depth must be an integer from 1 to 50")
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.LineageResult, error) {
		return s.client.Lineage(ctx, as, gtin, lot, dir, depth)
	})
}

type itemsRequest struct {
	Serials []string `json:"serials"`
}

func (s *Server) commissionItems(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	var req itemsRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Serials) == 0 || len(req.Serials) > 500 {
		return invalidArgument("serials: 1 to 500 per request")
	}
	for _, sn := range req.Serials {
		if err := gs1.ValidateSerial(sn); err != nil {
			return invalidArgument("%v", err)
		}
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[[]api.Item], error) {
		return s.client.CommissionItems(ctx, as, gtin, lot, req.Serials)
	})
}

func (s *Server) getItem(c *gin.Context) error {
	gtin, lot, err := readLot(c)
	if err != nil {
		return err
	}
	serial := c.Param("serial")
	if err := gs1.ValidateSerial(serial); err != nil {
		return invalidArgument("%v", err)
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.ItemView, error) {
		return s.client.GetItem(ctx, as, gtin, lot, serial)
	})
}

var hexIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Server) getEvent(c *gin.Context) error {
	id := c.Param("id")
	if !hexIDPattern.MatchString(id) {
		return invalidArgument("event id is the 64-hex SHA-256 digest of the event (the part after ni:///sha-256;)")
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.TraceEvent, error) {
		return s.client.GetEvent(ctx, as, id)
	})
}

var certIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)

func (s *Server) getCertificate(c *gin.Context) error {
	id := c.Param("id")
	if !certIDPattern.MatchString(id) {
		return invalidArgument("malformed certificate id")
	}
	return answer(s, c, func(ctx context.Context, as *identity.Identity) (api.Certificate, error) {
		return s.client.GetCertificate(ctx, as, id)
	})
}

type recallRequest struct {
	GTIN   string `json:"gtin"`
	Lot    string `json:"lot"`
	Reason string `json:"reason"`
}

func (s *Server) recall(c *gin.Context) error {
	var req recallRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	gtin, err := gs1.NormalizeGTIN(req.GTIN)
	if err != nil {
		return invalidArgument("%v", err)
	}
	if err := gs1.ValidateLot(req.Lot); err != nil {
		return invalidArgument("%v", err)
	}
	return submitted(s, c, http.StatusCreated, func(ctx context.Context, as *identity.Identity) (client.Written[api.Recall], error) {
		return s.client.RecallLot(ctx, as, gtin, req.Lot, req.Reason)
	})
}
