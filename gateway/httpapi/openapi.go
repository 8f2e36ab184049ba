package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openapiDoc is the hand-written OpenAPI 3 description of the whole API. A
// test compares it with the registered routes in both directions.
//
//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapiDoc)
}
