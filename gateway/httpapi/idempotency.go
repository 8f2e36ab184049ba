package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/idempotency"
)

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
	if err := s.oncePerKey(c, key); err != nil {
		s.fail(c, err)
	}
}

// oncePerKey runs the rest of the chain at most once per key; an error is
// one that stopped it before the chain ran.
func (s *Server) oncePerKey(c *gin.Context, key string) error {
	if !idemKeyPattern.MatchString(key) {
		return invalidArgument("Idempotency-Key must be 1-255 visible ASCII characters")
	}
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	scope := idempotency.Scope(c.GetString(ctxKeyID), key)
	fp := idempotency.Fingerprint(c.Request.Method, c.Request.URL.Path, body)
	release, err := s.idem.Acquire(c.Request.Context(), scope)
	if err != nil {
		// The client went away while an earlier request with its key ran.
		return err
	}
	defer release()
	prev, err := s.idem.Get(scope, fp)
	if err != nil {
		return err
	}
	if prev != nil && prev.State == idempotency.Done {
		c.Header("Idempotent-Replayed", "true")
		c.Data(prev.Status, prev.ContentType, prev.Body)
		c.Abort()
		return nil
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
	return nil
}

const (
	// ctxWriteStatus is the success status of the write a request makes,
	// which a pending transaction's answer takes once it commits.
	ctxWriteStatus = "qc.writeStatus"

	jsonContentType = "application/json; charset=utf-8"

	// pendingWindowFactor times LedgerTimeout is how long a transaction
	// that was handed to ordering, and is still in no block, keeps its
	// Idempotency-Key: until then a retry answers COMMIT_PENDING; after it
	// the transaction is taken as lost and a retry submits afresh. Ten
	// times the default 30 s is five minutes, far longer than any
	// ordering service keeps a transaction before it is cut into a block
	// or dropped.
	pendingWindowFactor = 10
)

func (s *Server) pendingWindow() time.Duration { return pendingWindowFactor * s.cfg.LedgerTimeout }

// writeResult is the answer to a committed write.
func writeResult(commit *gateway.Commit) WriteResult {
	res := WriteResult{TxID: commit.TxID, BlockNumber: commit.BlockNumber}
	if len(commit.Payload) > 0 && json.Valid(commit.Payload) {
		res.Result = commit.Payload
	}
	return res
}

// settle answers a retry whose key holds a pending transaction, from the
// ledger: committed valid, the write's answer (its status, txId,
// blockNumber and the endorsed result); invalidated, that error, except an
// MVCC or phantom read conflict, which changed nothing and frees the key as
// a 409 CONFLICT does; in no block yet, COMMIT_PENDING again, until
// pendingWindow has passed since it was handed to ordering, after which the
// key is free. It reports whether it answered; false means the request
// runs afresh.
func (s *Server) settle(c *gin.Context, prev *idempotency.Response) bool {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.LedgerTimeout)
	defer cancel()
	info, err := s.ledger.Transaction(ctx, prev.TxID)
	switch {
	case err == nil && info.Code == gateway.Valid:
		status := prev.Status
		if status == 0 {
			status = http.StatusOK
		}
		c.Header("Idempotent-Replayed", "true")
		c.JSON(status, writeResult(&gateway.Commit{TxID: prev.TxID, BlockNumber: info.BlockNumber, Payload: prev.Result}))
	case err == nil:
		ce := &gateway.CommitError{TxID: prev.TxID, BlockNumber: info.BlockNumber, Code: info.Code}
		if ce.Conflict() {
			return false
		}
		c.Header("Idempotent-Replayed", "true")
		s.fail(c, ce)
	case errors.Is(err, gateway.ErrNotFound) && time.Since(prev.StoredAt) > s.pendingWindow():
		s.log.Warn("pending transaction never committed; its idempotency key is free again",
			"txId", prev.TxID, "since", prev.StoredAt, "requestId", c.GetString(ctxRequestID))
		return false
	default:
		// Not in a block yet, or the ledger cannot tell now.
		c.Header("Idempotent-Replayed", "true")
		s.fail(c, &gateway.PendingError{TxID: prev.TxID, Result: prev.Result, Err: err})
	}
	return true
}

// outcome decides what an Idempotency-Key keeps after a request: the
// answer (final), the transaction left pending, or nothing (free: a retry
// runs afresh). claim is the key's pending record, if any.
func (s *Server) outcome(c *gin.Context, rec *recorder, fp string, claim *idempotency.Response) (keep *idempotency.Response, free bool) {
	failure, _ := c.Get(ctxFailure)
	err, _ := failure.(error)
	var pe *gateway.PendingError
	var ce *gateway.CommitError
	switch {
	case errors.As(err, &pe):
		r := &idempotency.Response{Fingerprint: fp, State: idempotency.Pending, Status: c.GetInt(ctxWriteStatus),
			ContentType: jsonContentType, TxID: pe.TxID, Result: pe.Result, StoredAt: time.Now().UTC()}
		if claim != nil && claim.TxID == pe.TxID {
			// The window runs from the hand-over to ordering.
			r.StoredAt = claim.StoredAt
			if r.Status == 0 {
				r.Status = claim.Status
			}
			if r.Result == nil {
				r.Result = claim.Result
			}
		}
		return r, false
	case errors.As(err, &ce) && ce.Conflict():
		return nil, true
	case errors.As(err, &ce):
		// Committed, invalid: that is the outcome.
	case rec.status >= 500:
		// Nothing was left in ordering (a transaction that may still
		// commit is a PendingError): a retry may succeed.
		return nil, true
	}
	return &idempotency.Response{Fingerprint: fp, Status: rec.status, ContentType: rec.Header().Get("Content-Type"),
		Body: bytes.Clone(rec.buf.Bytes()), StoredAt: time.Now().UTC()}, false
}

// pendingClaim is the key's pending record, written by the ordering hook
// on whichever goroutine submits.
type pendingClaim struct {
	mu sync.Mutex
	r  *idempotency.Response
}

func (p *pendingClaim) Store(r *idempotency.Response) {
	p.mu.Lock()
	p.r = r
	p.mu.Unlock()
}

func (p *pendingClaim) Load() *idempotency.Response {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.r
}

// recorder holds a response back until the idempotency middleware has
// stored it: headers go to the real writer's header map, status and body
// stay here until flush.
type recorder struct {
	gin.ResponseWriter
	status int
	size   int // -1 until the handler writes
	buf    bytes.Buffer
}

func newRecorder(w gin.ResponseWriter) *recorder {
	return &recorder{ResponseWriter: w, status: w.Status(), size: -1}
}

func (r *recorder) WriteHeader(code int) {
	if code > 0 && r.size < 0 {
		r.status = code
	}
}

func (r *recorder) WriteHeaderNow() {
	if r.size < 0 {
		r.size = 0
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeaderNow()
	n, _ := r.buf.Write(b)
	r.size += n
	return n, nil
}

func (r *recorder) WriteString(s string) (int, error) {
	r.WriteHeaderNow()
	n, _ := r.buf.WriteString(s)
	r.size += n
	return n, nil
}

func (r *recorder) Status() int   { return r.status }
func (r *recorder) Size() int     { return r.size }
func (r *recorder) Written() bool { return r.size >= 0 }

// Flush does nothing: the answer is sent once it is stored.
func (r *recorder) Flush() {}

// Hijack is refused: the answer must pass through the recorder.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, http.ErrNotSupported
}

func (r *recorder) Pusher() http.Pusher { return nil }

// flush sends the held response to the client.
func (r *recorder) flush() {
	w := r.ResponseWriter
	w.WriteHeader(r.status)
	w.WriteHeaderNow()
	if r.buf.Len() > 0 {
		w.Write(r.buf.Bytes())
	}
}
