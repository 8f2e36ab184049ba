// Package httpapi is the gateway's HTTP surface, on Gin: API-key
// authentication against the wallet, input shape checks, one error table,
// idempotent POSTs, HTTP metrics and structured logs, and the REST
// resources that call the chaincode through the Ledger seam. Every route is
// listed in routes.go. Business rules are the chaincode's; handlers only
// check shape, call and render.
package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/authlimit"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/proof"
	"github.com/qingchain/qingchain/gateway/resolver"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// Config wires a Server.
type Config struct {
	// Ledger is what every call goes through; retrying MVCC conflicts and
	// measuring ledger calls are its wrappers' business (see cmd/).
	Ledger gateway.Ledger
	// Client is the typed client the handlers call the chaincode with
	// (default: one over Ledger). Tests give a strict one, over the same
	// ledger, so that every answer is checked against its API type.
	Client      *client.Client
	Wallet      *wallet.Wallet
	Idempotency IdempotencyStore
	Logger      *slog.Logger
	// Resolver serves the public Digital Link resolver, QR codes and the
	// shopper's page. Without one those routes answer that no public
	// resolver identity is configured.
	Resolver *resolver.Resolver
	// PublicURL is the base URL shoppers reach (the default resolver's QR
	// codes).
	PublicURL string
	// Metrics is the registry /metrics serves and the HTTP metrics go to
	// (default: a new one).
	Metrics *prometheus.Registry
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// LedgerTimeout bounds each ledger call (default 30 s).
	LedgerTimeout time.Duration
	// Failed authentications per client address (see authlimit.go):
	// AuthFailureBurst in a row (default 10), then one more per
	// AuthFailureInterval (default 6 s); AuthLimitAddresses bounds how
	// many addresses are remembered (default 65536). AuthLimitClock is the
	// limiter's clock (default time.Now).
	AuthFailureBurst    int
	AuthFailureInterval time.Duration
	AuthLimitAddresses  int
	AuthLimitClock      func() time.Time
	// AuthLimiter, when set, is the limiter used instead of one built from
	// the four fields above: the gateway shares one with the portal's
	// sign-in, so that an address's failures count wherever it tries.
	AuthLimiter *authlimit.Limiter
	// Apps are the server-rendered applications mounted beside the API
	// (the portals), each at the paths it names.
	Apps []App
	// TrustedProxies lists the proxies (addresses or CIDRs) whose
	// X-Forwarded-For / X-Real-IP name the client. Empty (the default):
	// no proxy is trusted and the client is the connection's peer.
	TrustedProxies []string
	// ReadModel serves lists, statistics and events (readmodel.go);
	// without one those routes answer READ_MODEL_UNAVAILABLE.
	ReadModel *ReadModel
	// AllowPrivateWebhooks lets webhooks be registered at private,
	// loopback and link-local addresses (off by default: a caller could
	// otherwise make the gateway POST into its own network; see
	// readmodel.CheckReceiverHost). The dispatcher's own switch
	// (readmodel.Dispatcher.AllowPrivate) governs delivery.
	AllowPrivateWebhooks bool
}

// Server is the gateway's HTTP handler.
type Server struct {
	cfg      Config
	ledger   gateway.Ledger
	client   *client.Client
	wallet   *wallet.Wallet
	idem     IdempotencyStore
	log      *slog.Logger
	engine   *gin.Engine
	metrics  *metrics
	proofs   *proof.Cache
	resolver *resolver.Resolver
	routes   []Route
	docs     apiDocs
	// authLimit rate-limits failed authentications per client address.
	authLimit *authlimit.Limiter
	// proxies are the trusted proxies, parsed (for reqinfo's Secure).
	proxies []netip.Prefix
}

const (
	ctxIdentity  = "qc.identity"
	ctxKeyID     = "qc.keyId"
	ctxRequestID = "qc.requestId"
	ctxBody      = "qc.body"
)

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Ledger == nil || cfg.Wallet == nil || cfg.Idempotency == nil {
		return nil, errors.New("httpapi: ledger, wallet and idempotency store are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.LedgerTimeout <= 0 {
		cfg.LedgerTimeout = 30 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = client.New(cfg.Ledger)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = prometheus.NewRegistry()
	}
	if cfg.Resolver == nil {
		cfg.Resolver = resolver.New(resolver.Config{Ledger: cfg.Ledger, PublicURL: cfg.PublicURL, Logger: cfg.Logger})
	}
	if cfg.AuthFailureBurst <= 0 {
		cfg.AuthFailureBurst = authlimit.DefaultBurst
	}
	if cfg.AuthFailureInterval <= 0 {
		cfg.AuthFailureInterval = authlimit.DefaultInterval
	}
	if cfg.AuthLimitAddresses <= 0 {
		cfg.AuthLimitAddresses = authlimit.DefaultAddresses
	}
	al := cfg.AuthLimiter
	if al == nil {
		var err error
		if al, err = authlimit.New(cfg.AuthFailureBurst, cfg.AuthFailureInterval, cfg.AuthLimitAddresses, cfg.AuthLimitClock); err != nil {
			return nil, err
		}
	}
	proxies, err := parsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, ledger: cfg.Ledger, client: cfg.Client, wallet: cfg.Wallet, idem: cfg.Idempotency, log: cfg.Logger,
		metrics: m, proofs: proof.NewCache(cfg.Ledger), resolver: cfg.Resolver, authLimit: al, proxies: proxies}
	e := gin.New()
	// Gin trusts every proxy's X-Forwarded-For unless told otherwise; the
	// client address is what failed authentications are counted against.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("httpapi: trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true
	// Lots and serials may contain '/' (GS1 character set 82): route on the
	// escaped path and unescape parameters afterwards.
	e.UseRawPath = true
	e.UnescapePathValues = true
	e.Use(s.requestID, s.recover, s.observe, s.limitBody)
	e.NoRoute(s.handle(func(c *gin.Context) error {
		return gateway.Errorf(api.CodeNotFound, "no such resource: %s", c.Request.URL.Path)
	}, nil))
	e.NoMethod(s.handle(func(c *gin.Context) error {
		return gateway.Errorf(gateway.CodeMethodNotAllowed, "%s is not allowed on %s", c.Request.Method, c.Request.URL.Path)
	}, nil))
	s.engine = e
	s.routes = s.table()
	if s.docs, err = buildDocs(s.routes); err != nil {
		return nil, err
	}
	s.mount()
	if err := s.mountApps(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists the routes the router holds (for the OpenAPI conformance
// test); Operations describes them.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// Metrics is the Prometheus registry the server reports to.
func (s *Server) Metrics() *prometheus.Registry { return s.cfg.Metrics }

// handler is an endpoint: it writes its answer, or returns the error to
// answer with, which handle renders through the one error table.
type handler func(c *gin.Context) error

// handle adapts h to Gin: an error is answered through page when the
// route has one (the shopper's HTML), else in the JSON error body.
func (s *Server) handle(h handler, page ErrorPage) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.failWith(c, err, page)
		}
	}
}

// invalidArgument is the refusal of a malformed parameter or field.
func invalidArgument(format string, args ...any) error {
	return gateway.Errorf(api.CodeInvalidArgument, format, args...)
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if !requestIDPattern.MatchString(id) {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.log.Error("panic serving request", "panic", fmt.Sprint(r), "path", c.Request.URL.Path, "requestId", c.GetString(ctxRequestID))
			s.fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(c.Request.Context(), level, "request",
		"requestId", c.GetString(ctxRequestID), "method", c.Request.Method, "route", route,
		"status", status, "durationMs", float64(elapsed.Microseconds())/1000, "keyId", c.GetString(ctxKeyID))
}

func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	}
	c.Next()
}

// authenticate lets a request with a good API key through, as the key's
// identity.
func (s *Server) authenticate(c *gin.Context) {
	if err := s.authenticated(c); err != nil {
		s.fail(c, err)
		return
	}
	c.Next()
}

func (s *Server) authenticated(c *gin.Context) error {
	// An address out of failures is refused before its key is looked up,
	// a good key included, until the limiter lets it try again.
	ip := c.ClientIP()
	if wait, refused := s.authLimit.Refused(ip); refused {
		after := authlimit.RetryAfter(wait)
		c.Header("Retry-After", after)
		return gateway.Errorf(gateway.CodeTooManyFailedAuthentications, "too many failed authentications from this address; retry after %s s", after)
	}
	header := strings.TrimSpace(c.GetHeader("Authorization"))
	// The scheme name is case-insensitive (RFC 9110 §11.1).
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		if header != "" {
			s.authLimit.Failed(ip)
		}
		return gateway.Errorf(gateway.CodeUnauthenticated, "an API key is required: Authorization: Bearer <key>")
	}
	id, k, err := s.wallet.Authenticate(strings.TrimSpace(token))
	if errors.Is(err, wallet.ErrUnknownKey) {
		s.authLimit.Failed(ip)
		return gateway.Errorf(gateway.CodeUnauthenticated, "unknown or revoked API key")
	}
	if err != nil {
		return err
	}
	c.Set(ctxIdentity, id)
	c.Set(ctxKeyID, k.ID)
	return nil
}

func caller(c *gin.Context) *identity.Identity {
	id, _ := c.Get(ctxIdentity)
	return id.(*identity.Identity)
}

// readBody reads (once) and keeps the request body.
func (s *Server) readBody(c *gin.Context) ([]byte, error) {
	if b, ok := c.Get(ctxBody); ok {
		return b.([]byte), nil
	}
	if c.Request.Body == nil {
		c.Set(ctxBody, []byte{})
		return nil, nil
	}
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, gateway.Errorf(gateway.CodeBodyTooLarge, "request body is larger than %d bytes", mbe.Limit)
		}
		return nil, gateway.Errorf(gateway.CodeMalformedJSON, "could not read request body")
	}
	c.Set(ctxBody, b)
	return b, nil
}

// decodeJSON strictly decodes the request body into v.
func (s *Server) decodeJSON(c *gin.Context, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return gateway.Errorf(gateway.CodeUnsupportedMediaType, "request body must be application/json")
		}
	}
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return gateway.Errorf(gateway.CodeMalformedJSON, "request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
			return gateway.Errorf(gateway.CodeMalformedJSON, "request body is not valid JSON")
		case errors.As(err, &te) && te.Field == "":
			return invalidArgument("request body must be a JSON object")
		case errors.As(err, &te):
			return invalidArgument("field %q must be %s", te.Field, te.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return invalidArgument("%s", strings.TrimPrefix(err.Error(), "json: "))
		default:
			return gateway.Errorf(gateway.CodeMalformedJSON, "request body is not a valid JSON document for this call")
		}
	}
	if dec.More() {
		return gateway.Errorf(gateway.CodeMalformedJSON, "request body has data after the JSON document")
	}
	return nil
}

// WriteResult is the answer to every write: the chaincode's result and
// where the transaction was committed.
type WriteResult struct {
	TxID        string          `json:"txId"`
	BlockNumber uint64          `json:"blockNumber"`
	Result      json.RawMessage `json:"result,omitempty"`
}

// jsonObject is a request body the chaincode decodes strictly itself: the
// gateway only checks that it is one JSON object.
type jsonObject map[string]json.RawMessage

func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, health{Status: "ok"})
	return nil
}

func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	h, err := s.ledger.Height(ctx)
	if err != nil {
		c.JSON(http.StatusServiceUnavailable, health{Status: "unavailable", Error: &Error{Code: gateway.CodeLedgerUnavailable, Message: "the ledger is not reachable"}})
		return nil
	}
	if e := s.readModelBehind(ctx); e != nil {
		c.JSON(http.StatusServiceUnavailable, health{Status: "read model behind", Error: e, Height: h})
		return nil
	}
	c.JSON(http.StatusOK, health{Status: "ready", Height: h})
	return nil
}
