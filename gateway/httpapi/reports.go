package httpapi

import (
	"bytes"
	"io"

	"github.com/gin-gonic/gin"
)

// Shoppers' reports: filed on the resolver's page (no API key), read by
// producers and the regulator (API key). The resolver keeps and judges
// them; these adapt it to the route table.

func (s *Server) shopperReport(c *gin.Context) error {
	// The Idempotency-Key handling may have read the body already.
	b, err := s.readBody(c)
	if err != nil {
		return err
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(b))
	return s.resolver.Report(c)
}

func (s *Server) listReports(c *gin.Context) error {
	return s.resolver.ListReports(c, caller(c))
}
