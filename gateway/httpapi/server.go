// Package httpapi is the gateway's HTTP surface, on Gin: API-key
// authentication against the wallet, input shape checks, one error table,
// idempotent POSTs, Prometheus metrics and structured logs, and the REST
// resources that call the chaincode through the Ledger seam. Business rules
// are the chaincode's; handlers only check shape, call and render.
package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/idempotency"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/qr"
	"github.com/qingchain/qingchain/gateway/scans"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// Config wires a Server.
type Config struct {
	Ledger      gateway.Ledger
	Wallet      *wallet.Wallet
	Idempotency *idempotency.Store
	Logger      *slog.Logger
	// PublicURL is the base URL shoppers reach (used in QR codes and links).
	PublicURL string
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// SubmitRetries is how many times an MVCC-conflicted transaction is
	// re-simulated and resubmitted before the client gets 409 (default 5).
	SubmitRetries int
	// LedgerTimeout bounds each ledger call (default 30 s).
	LedgerTimeout time.Duration
	// Resolver is the identity the public resolver reads the ledger as.
	Resolver *identity.Identity
	// Scans counts resolver scans of serialized items (optional).
	Scans *scans.Counter
	// ResolverCacheTTL is how long the public resolver reuses a ledger
	// answer (default 2 s; negative disables).
	ResolverCacheTTL time.Duration
	// ScanAlertThreshold is the scan count above which a code is flagged
	// as possibly copied (default 30: a pack is scanned a few times by its
	// buyer and family, not dozens).
	ScanAlertThreshold int
	// Failed authentications per client address (see authlimit.go):
	// AuthFailureBurst in a row (default 10), then one more per
	// AuthFailureInterval (default 6 s); AuthLimitAddresses bounds how
	// many addresses are remembered (default 65536). AuthLimitClock is the
	// limiter's clock (default time.Now).
	AuthFailureBurst    int
	AuthFailureInterval time.Duration
	AuthLimitAddresses  int
	AuthLimitClock      func() time.Time
	// TrustedProxies lists the proxies (addresses or CIDRs) whose
	// X-Forwarded-For / X-Real-IP name the client. Empty (the default):
	// no proxy is trusted and the client is the connection's peer.
	TrustedProxies []string
}

// Server is the gateway's HTTP handler.
type Server struct {
	cfg     Config
	ledger  gateway.Ledger
	wallet  *wallet.Wallet
	idem    *idempotency.Store
	log     *slog.Logger
	engine  *gin.Engine
	metrics *metrics
	proofs  proofCache
	names   sync.Map // credit code -> English name
	qrCache *qr.Cache
	traces  traceCache
	// authLimit rate-limits failed authentications per client address.
	authLimit *authLimiter
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
	if cfg.SubmitRetries <= 0 {
		cfg.SubmitRetries = 5
	}
	if cfg.ScanAlertThreshold <= 0 {
		cfg.ScanAlertThreshold = 30
	}
	if cfg.ResolverCacheTTL == 0 {
		cfg.ResolverCacheTTL = 2 * time.Second
	}
	if cfg.LedgerTimeout <= 0 {
		cfg.LedgerTimeout = 30 * time.Second
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, ledger: cfg.Ledger, wallet: cfg.Wallet, idem: cfg.Idempotency, log: cfg.Logger,
		proofs: proofCache{m: map[string]*TransactionProof{}}, qrCache: qr.NewCache(4096),
		traces: traceCache{ttl: cfg.ResolverCacheTTL, m: map[string]traceEntry{}}}
	s.metrics = newMetrics(cfg.Ledger)
	if cfg.AuthFailureBurst <= 0 {
		cfg.AuthFailureBurst = defaultAuthFailureBurst
	}
	if cfg.AuthFailureInterval <= 0 {
		cfg.AuthFailureInterval = defaultAuthFailureInterval
	}
	if cfg.AuthLimitAddresses <= 0 {
		cfg.AuthLimitAddresses = defaultAuthLimitAddresses
	}
	al, err := newAuthLimiter(cfg.AuthFailureBurst, cfg.AuthFailureInterval, cfg.AuthLimitAddresses, cfg.AuthLimitClock)
	if err != nil {
		return nil, err
	}
	s.authLimit = al
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
	e.NoRoute(func(c *gin.Context) { s.fail(c, newError("NOT_FOUND", "no such resource: "+c.Request.URL.Path)) })
	e.NoMethod(func(c *gin.Context) {
		s.fail(c, newError("METHOD_NOT_ALLOWED", c.Request.Method+" is not allowed on "+c.Request.URL.Path))
	})
	s.engine = e
	s.routes()
	return s, nil
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists the registered routes (for the OpenAPI conformance test).
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// Metrics is the Prometheus registry the server reports to.
func (s *Server) Metrics() *prometheus.Registry { return s.metrics.registry }

func (s *Server) routes() {
	e := s.engine
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())
	e.GET("/api/v1/openapi.json", s.openapi)

	v1 := e.Group("/api/v1", s.authenticate, s.idempotent)
	v1.GET("/me", s.me)
	v1.GET("/enterprises", s.listEnterprises)
	v1.POST("/enterprises", s.registerEnterprise)
	v1.GET("/enterprises/:code", s.getEnterprise)
	v1.POST("/enterprises/:code/members", s.bindMember)
	v1.POST("/enterprises/:code/members/unbind", s.unbindMember)
	v1.POST("/enterprises/:code/kinds", s.grantKind)
	v1.POST("/enterprises/:code/kinds/:kind/approve", s.approveKind)
	v1.POST("/enterprises/:code/kinds/:kind/revoke", s.revokeKind)
	v1.GET("/enterprises/:code/history", s.enterpriseHistory)
	v1.GET("/governance", s.getGovernance)
	v1.POST("/governance/proposals", s.proposeGovernance)
	v1.GET("/governance/proposals/:id", s.getGovernanceProposal)
	v1.POST("/governance/proposals/:id/approve", s.approveGovernance)
	v1.GET("/lots/:gtin/:lot/encumbrances", s.getEncumbrances)
	v1.POST("/financings/:id/collateral", s.addCollateral)
	v1.GET("/transactions/:txId", s.getTransaction)
	v1.GET("/blocks/:number", s.getBlock)
	for _, r := range extraRoutes {
		r(s, v1)
	}
}

// extraRoutes lets domain files register their resources.
var extraRoutes []func(*Server, *gin.RouterGroup)

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

func (s *Server) authenticate(c *gin.Context) {
	// An address out of failures is refused before its key is looked up,
	// a good key included, until the limiter lets it try again.
	ip := c.ClientIP()
	if wait, refused := s.authLimit.refused(ip); refused {
		after := retryAfter(wait)
		c.Header("Retry-After", after)
		s.fail(c, newError("TOO_MANY_FAILED_AUTHENTICATIONS", "too many failed authentications from this address; retry after "+after+" s"))
		return
	}
	header := strings.TrimSpace(c.GetHeader("Authorization"))
	// The scheme name is case-insensitive (RFC 9110 §11.1).
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		if header != "" {
			s.authLimit.failed(ip)
		}
		s.fail(c, newError("UNAUTHENTICATED", "an API key is required: Authorization: Bearer <key>"))
		return
	}
	id, k, err := s.wallet.Authenticate(strings.TrimSpace(token))
	if err != nil {
		if errors.Is(err, wallet.ErrUnknownKey) {
			s.authLimit.failed(ip)
			s.fail(c, newError("UNAUTHENTICATED", "unknown or revoked API key"))
			return
		}
		s.fail(c, err)
		return
	}
	c.Set(ctxIdentity, id)
	c.Set(ctxKeyID, k.ID)
	c.Next()
}

func caller(c *gin.Context) *identity.Identity {
	id, _ := c.Get(ctxIdentity)
	return id.(*identity.Identity)
}

var idemKeyPattern = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// idempotent makes a POST that carries an Idempotency-Key take effect at
// most once per key (keys are scoped to the API key) and answers every
// retry with the first request's outcome:
//
//   - requests with the same key run one at a time, so a retry waits for
//     the request before it;
//   - just before a transaction is handed to ordering, the key's record is
//     written durably as pending with the transaction's id (the ordering
//     hook), so that neither a client's retry nor a restart after a crash
//     submits it again blindly;
//   - the answer is buffered, the key's record written, and only then the
//     answer sent, so a client that went away finds it on retry;
//   - a transaction whose commit was not confirmed in time stays pending
//     under the key, with its txId; a retry settles it from the ledger
//     (see settle);
//   - 409 CONFLICT and 5xx answers that left nothing in ordering free the
//     key: a retry runs afresh. Every other answer is final.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if c.Request.Method != http.MethodPost || key == "" {
		c.Next()
		return
	}
	if !idemKeyPattern.MatchString(key) {
		s.fail(c, newError("INVALID_ARGUMENT", "Idempotency-Key must be 1-255 visible ASCII characters"))
		return
	}
	body, err := s.readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	scope := idempotency.Scope(c.GetString(ctxKeyID), key)
	fp := idempotency.Fingerprint(c.Request.Method, c.Request.URL.Path, body)
	release, err := s.idem.Acquire(c.Request.Context(), scope)
	if err != nil {
		// The client went away while an earlier request with its key ran.
		s.fail(c, err)
		return
	}
	defer release()
	prev, err := s.idem.Get(scope, fp)
	if err != nil {
		s.fail(c, err)
		return
	}
	if prev != nil && prev.State == idempotency.Done {
		c.Header("Idempotent-Replayed", "true")
		c.Data(prev.Status, prev.ContentType, prev.Body)
		c.Abort()
		return
	}
	orig := c.Writer
	rec := newRecorder(orig)
	c.Writer = rec
	defer func() { c.Writer = orig }()

	// claim is the key's pending record: the one found (prev) or the one
	// the ordering hook writes.
	var claim pendingClaim
	claim.Store(prev)
	if prev != nil && s.settle(c, prev) {
		c.Abort()
	} else {
		hook := func(txID string, result []byte) error {
			r := &idempotency.Response{Fingerprint: fp, State: idempotency.Pending, Status: c.GetInt(ctxWriteStatus),
				ContentType: jsonContentType, TxID: txID, Result: result, StoredAt: time.Now().UTC()}
			if err := s.idem.Put(scope, r); err != nil {
				return fmt.Errorf("idempotency: recording transaction %s before ordering: %w", txID, err)
			}
			claim.Store(r)
			return nil
		}
		c.Request = c.Request.WithContext(gateway.WithOrderingHook(c.Request.Context(), hook))
		c.Next()
	}
	keep, free := s.outcome(c, rec, fp, claim.Load())
	switch {
	case keep != nil:
		if err := s.idem.Put(scope, keep); err != nil {
			s.log.Error("idempotency store failed", "err", err, "requestId", c.GetString(ctxRequestID))
		}
	case free && claim.Load() != nil:
		if err := s.idem.Delete(scope); err != nil {
			s.log.Error("idempotency store failed", "err", err, "requestId", c.GetString(ctxRequestID))
		}
	}
	release()
	c.Writer = orig
	rec.flush()
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
			return nil, newError("BODY_TOO_LARGE", fmt.Sprintf("request body is larger than %d bytes", mbe.Limit))
		}
		return nil, newError("MALFORMED_JSON", "could not read request body")
	}
	c.Set(ctxBody, b)
	return b, nil
}

// decodeJSON strictly decodes the request body into v.
func (s *Server) decodeJSON(c *gin.Context, v any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return newError("UNSUPPORTED_MEDIA_TYPE", "request body must be application/json")
		}
	}
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return newError("MALFORMED_JSON", "request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
			return newError("MALFORMED_JSON", "request body is not valid JSON")
		case errors.As(err, &te):
			return newError("INVALID_ARGUMENT", fmt.Sprintf("field %q must be %s", te.Field, te.Type))
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return newError("INVALID_ARGUMENT", strings.TrimPrefix(err.Error(), "json: "))
		default:
			return newError("MALFORMED_JSON", "request body is not a valid JSON document for this call")
		}
	}
	if dec.More() {
		return newError("MALFORMED_JSON", "request body has data after the JSON document")
	}
	return nil
}

// submit sends a transaction, re-simulating and resubmitting it with
// jittered backoff when it loses an MVCC race.
//
// A write is not abandoned when the client goes away: the ledger would go
// on committing it, and its outcome must reach the idempotency record. Only
// LedgerTimeout bounds it; a transaction that was handed to ordering and is
// not confirmed by then is a *gateway.PendingError with its txId.
func (s *Server) submit(ctx context.Context, id *identity.Identity, fn api.Tx, args ...string) (*gateway.Commit, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.LedgerTimeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		start := time.Now()
		c, err := s.ledger.Submit(ctx, id, gateway.Request{Function: string(fn), Args: args})
		s.metrics.observeSubmit(start, err)
		if err == nil || !gateway.IsConflict(err) || attempt >= s.cfg.SubmitRetries {
			return c, err
		}
		s.metrics.retries.Inc()
		backoff := time.Duration(float64(5*time.Millisecond<<attempt) * (0.5 + mrand.Float64()))
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			// Out of time between attempts: the last one conflicted and
			// changed nothing, which is the answer.
			return nil, err
		}
	}
}

// evaluate runs a chaincode query.
func (s *Server) evaluate(ctx context.Context, id *identity.Identity, fn api.Tx, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.LedgerTimeout)
	defer cancel()
	start := time.Now()
	out, err := s.ledger.Evaluate(ctx, id, gateway.Request{Function: string(fn), Args: args})
	s.metrics.evaluate.Observe(time.Since(start).Seconds())
	return out, err
}

// WriteResult is the answer to every write: the chaincode's result and
// where the transaction was committed.
type WriteResult struct {
	TxID        string          `json:"txId"`
	BlockNumber uint64          `json:"blockNumber"`
	Result      json.RawMessage `json:"result,omitempty"`
}

// write submits and answers with status and the write result.
func (s *Server) write(c *gin.Context, status int, fn api.Tx, args ...string) {
	// The status a pending transaction's answer will have once it commits.
	c.Set(ctxWriteStatus, status)
	commit, err := s.submit(c.Request.Context(), caller(c), fn, args...)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, writeResult(commit))
}

// read evaluates and relays the chaincode's JSON answer.
func (s *Server) read(c *gin.Context, fn api.Tx, args ...string) {
	out, err := s.evaluate(c.Request.Context(), caller(c), fn, args...)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", out)
}

// arg encodes a validated input document for the chaincode.
func arg(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("httpapi: input documents are plain structs: " + err.Error())
	}
	return string(b)
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	h, err := s.ledger.Height(ctx)
	if err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": Error{Code: "LEDGER_UNAVAILABLE", Message: "the ledger is not reachable"}})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "height": h})
}
