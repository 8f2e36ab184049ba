package readmodel

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Webhook is a receiver an enterprise registered: every event its view
// shows (the events /api/v1/events would stream to it) is POSTed there,
// signed with Secret.
type Webhook struct {
	ID        string `json:"id"`
	Owner     string `json:"owner"`
	URL       string `json:"url"`
	Secret    string `json:"-"`
	CreatedAt string `json:"createdAt"`
	// After is the last event delivered (the events before registration
	// count as delivered: a webhook starts with what comes next).
	After int64 `json:"after"`
}

// Delivery is one attempt to deliver one event.
type Delivery struct {
	WebhookID string `json:"webhookId"`
	Seq       int64  `json:"eventId"`
	Attempt   int    `json:"attempt"`
	At        string `json:"at"`
	Status    int    `json:"status,omitempty"`
	Error     string `json:"error,omitempty"`
	Delivered bool   `json:"delivered"`
}

// WebhookStore keeps webhooks and their delivery log.
type WebhookStore interface {
	AddWebhook(ctx context.Context, w Webhook) error
	// Webhooks lists an owner's webhooks (every one for owner "").
	Webhooks(ctx context.Context, owner string) ([]Webhook, error)
	Webhook(ctx context.Context, id string) (Webhook, bool, error)
	DeleteWebhook(ctx context.Context, id string) error
	// LeaseWebhook takes the webhook for dispatcher by until untilMs
	// (unix milliseconds) unless another holds it at nowMs.
	LeaseWebhook(ctx context.Context, id, by string, nowMs, untilMs int64) (bool, error)
	// RecordDelivery logs an attempt; a delivered one moves the webhook on.
	RecordDelivery(ctx context.Context, d Delivery) error
	// Deliveries is the log, newest first.
	Deliveries(ctx context.Context, webhookID string, limit int) ([]Delivery, error)
}

// Headers of a webhook request.
const (
	HeaderSignature = "Qingchain-Signature"
	HeaderEventID   = "Qingchain-Event-Id"
	HeaderWebhookID = "Qingchain-Webhook-Id"
	HeaderAttempt   = "Qingchain-Delivery-Attempt"
)

// Sign is the Qingchain-Signature header of body sent at ts:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by secret>".
func Sign(secret string, ts time.Time, body []byte) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac(secret, t, body))
}

func mac(secret, t string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verification failures.
var (
	ErrBadSignature = errors.New("readmodel: webhook signature does not match")
	ErrStale        = errors.New("readmodel: webhook timestamp outside the tolerance")
)

// Verify checks a Qingchain-Signature header against body, as a receiver
// does: the MAC (compared in constant time) and that its timestamp is
// within tolerance of now, so a captured request cannot be replayed later.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var t, v1 string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			v1 = v
		}
	}
	sec, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	got, err := hex.DecodeString(v1)
	if err != nil || !hmac.Equal(got, mac(secret, t, body)) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

// Dispatcher delivers events to webhooks: at least once, in event order
// per webhook, each attempt logged, failures retried with exponential
// backoff and jitter. Several gateways may run one on the same store; a
// lease lets one of them deliver to a webhook at a time.
type Dispatcher struct {
	Store     Store
	Hooks     WebhookStore
	Projector *Projector // new events wake it (optional: it polls anyway)
	// Client sends the requests (default ReceiverClient(AllowPrivate),
	// which refuses private addresses; one given here is used as it is).
	Client *http.Client
	// AllowPrivate lets the default client deliver to private, loopback
	// and link-local addresses (an operator's choice: receivers on the
	// gateway's own network, or tests' local receivers).
	AllowPrivate bool
	Log          *slog.Logger
	// ID names this dispatcher in leases (unique per process).
	ID string
	// Backoff is the wait after failed attempt n (1, 2, ...); default
	// 1 s · 2^(n-1), at most 5 min, with ±20 % jitter.
	Backoff func(attempt int) time.Duration
	// Poll is how often webhooks are looked at without news (default 2 s).
	Poll time.Duration
	// Lease is how long a webhook is held (default 1 min, renewed per attempt).
	Lease time.Duration

	mu   sync.Mutex
	busy map[string]bool
}

// DefaultBackoff is the default Backoff.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 9)
	d = min(d, 5*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.Client == nil {
		d.Client = ReceiverClient(d.AllowPrivate)
	}
	poll := d.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		var updates <-chan struct{}
		if d.Projector != nil {
			updates = d.Projector.Updates()
		}
		hooks, err := d.Hooks.Webhooks(ctx, "")
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("webhooks: list", "err", err)
		}
		for _, w := range hooks {
			if !d.claim(w.ID) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer d.release(w.ID)
				if err := d.deliver(ctx, w.ID); err != nil && ctx.Err() == nil {
					d.Log.Warn("webhooks: deliver", "webhook", w.ID, "err", err)
				}
			}()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-updates:
		case <-time.After(poll):
		}
	}
}

func (d *Dispatcher) claim(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.busy == nil {
		d.busy = map[string]bool{}
	}
	if d.busy[id] {
		return false
	}
	d.busy[id] = true
	return true
}

func (d *Dispatcher) release(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.busy, id)
}

func (d *Dispatcher) lease(ctx context.Context, id string) (bool, error) {
	l := d.Lease
	if l <= 0 {
		l = time.Minute
	}
	now := time.Now()
	return d.Hooks.LeaseWebhook(ctx, id, d.ID, now.UnixMilli(), now.Add(l).UnixMilli())
}

// deliver sends a webhook's pending events, one after another, each
// until it is delivered.
func (d *Dispatcher) deliver(ctx context.Context, id string) error {
	for {
		if ok, err := d.lease(ctx, id); err != nil || !ok {
			return err // another gateway delivers to it
		}
		w, ok, err := d.Hooks.Webhook(ctx, id)
		if err != nil || !ok {
			return err // deleted meanwhile
		}
		v, err := ViewerOf(ctx, d.Store, w.Owner)
		if err != nil {
			return err
		}
		events, err := d.Store.Events(ctx, v, w.After, 50)
		if err != nil || len(events) == 0 {
			return err
		}
		for _, e := range events {
			if err := d.deliverOne(ctx, w, e); err != nil {
				return err
			}
		}
	}
}

// deliverOne retries one event until the receiver takes it.
func (d *Dispatcher) deliverOne(ctx context.Context, w Webhook, e Event) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	backoff := d.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if ok, err := d.lease(ctx, w.ID); err != nil || !ok {
				return err
			}
		}
		status, sendErr := d.send(ctx, w, e.Seq, attempt, body)
		rec := Delivery{WebhookID: w.ID, Seq: e.Seq, Attempt: attempt, At: time.Now().UTC().Format(time.RFC3339Nano), Status: status,
			Delivered: sendErr == nil}
		if sendErr != nil {
			rec.Error = sendErr.Error()
			if len(rec.Error) > 500 {
				rec.Error = rec.Error[:500]
			}
		}
		if err := d.Hooks.RecordDelivery(ctx, rec); err != nil {
			return err
		}
		if sendErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff(attempt)):
		}
	}
}

// send POSTs one attempt; a 2xx answer delivers it.
func (d *Dispatcher) send(ctx context.Context, w Webhook, seq int64, attempt int, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Qingchain-Webhook/1")
	req.Header.Set(HeaderSignature, Sign(w.Secret, time.Now(), body))
	req.Header.Set(HeaderEventID, strconv.FormatInt(seq, 10))
	req.Header.Set(HeaderWebhookID, w.ID)
	req.Header.Set(HeaderAttempt, strconv.Itoa(attempt))
	res, err := d.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}
