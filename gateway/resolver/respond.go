package resolver

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// How long answers may be reused. The page is stored but revalidated on
// every load (its ETag makes that a 304): it must show a recall at once,
// and it carries the device's own scan verdict, so it is private. The
// trace as JSON and the linkset are the same for everyone and may be
// reused for a minute.
const (
	cachePage   = "private, no-cache"
	cachePublic = "public, max-age=60, must-revalidate"
	cacheError  = "public, max-age=60"
)

// minGzip is the size below which compressing costs more than it saves.
const minGzip = 1024

// send answers body with a weak ETag over its content, 304 when the
// client already has it, gzip when the client takes it, and no body for
// HEAD.
func send(c *gin.Context, status int, contentType, cacheControl string, body []byte) {
	h := c.Writer.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", cacheControl)
	addVary(h, "Accept", "Accept-Language", "Accept-Encoding")
	sum := sha256.Sum256(body)
	etag := `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	h.Set("ETag", etag)
	if status == http.StatusOK && etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	if len(body) >= minGzip && compressible(contentType) && acceptsGzip(c.GetHeader("Accept-Encoding")) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(body)
		zw.Close()
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(status)
	if c.Request.Method == http.MethodHead {
		c.Writer.WriteHeaderNow()
		return
	}
	c.Writer.Write(body)
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, "application/json") || strings.HasPrefix(contentType, epcisType) ||
		strings.HasPrefix(contentType, LinksetType) || strings.HasPrefix(contentType, "image/svg+xml")
}

func addVary(h http.Header, names ...string) {
	var all []string
	have := map[string]bool{}
	for _, v := range append(h.Values("Vary"), names...) {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" && !have[strings.ToLower(p)] {
				have[strings.ToLower(p)] = true
				all = append(all, p)
			}
		}
	}
	h.Set("Vary", strings.Join(all, ", "))
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	if strings.TrimSpace(header) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for p := range strings.SplitSeq(header, ",") {
		if strings.TrimPrefix(strings.TrimSpace(p), "W/") == want {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip (or x-gzip) with a q-value
// above zero.
func acceptsGzip(header string) bool {
	for p := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(p), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" {
			continue
		}
		for q := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(q), "=")
			if ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err != nil || f <= 0 {
					return false
				}
			}
		}
		return true
	}
	return false
}
