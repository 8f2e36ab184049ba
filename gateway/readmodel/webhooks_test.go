package readmodel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway/idempotency"
	"github.com/qingchain/qingchain/gateway/readmodel"
)

func TestSignVerify(t *testing.T) {
	body := []byte(`{"seq":7,"name":"FinancingApproved"}`)
	now := time.Unix(1_790_000_000, 0)
	good := readmodel.Sign("s3cret", now, body)
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"genuine", "s3cret", good, body, now, nil},
		{"genuine, 4 min later", "s3cret", good, body, now.Add(4 * time.Minute), nil},
		{"another secret", "other", good, body, now, readmodel.ErrBadSignature},
		{"changed body", "s3cret", good, []byte(`{"seq":8,"name":"FinancingApproved"}`), now, readmodel.ErrBadSignature},
		{"replayed 6 min later", "s3cret", good, body, now.Add(6 * time.Minute), readmodel.ErrStale},
		{"from the future", "s3cret", good, body, now.Add(-6 * time.Minute), readmodel.ErrStale},
		{"changed timestamp", "s3cret", "t=1790000001" + good[len("t=1790000000"):], body, now, readmodel.ErrBadSignature},
		{"no v1", "s3cret", "t=1790000000", body, now, readmodel.ErrBadSignature},
		{"not hex", "s3cret", "t=1790000000,v1=zz", body, now, readmodel.ErrBadSignature},
		{"empty", "s3cret", "", body, now, readmodel.ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := readmodel.Verify(tc.secret, tc.header, tc.body, tc.at, 5*time.Minute); !errors.Is(got, tc.want) {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 20; n++ {
		d := readmodel.DefaultBackoff(n)
		if d <= 0 || d > 6*time.Minute {
			t.Fatalf("attempt %d: backoff %v", n, d)
		}
		if n <= 8 && d < prev/2 {
			t.Errorf("attempt %d: backoff %v fell from %v", n, d, prev)
		}
		prev = d
	}
}

// TestWebhookStore runs the webhook store's contract on both stores.
func TestWebhookStore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t, "hooks")
			ctx := context.Background()
			w := readmodel.Webhook{ID: "WH-0000000000000001", Owner: "91441800QC0000007K", URL: "https://bank.example/h", Secret: "x", CreatedAt: "2026-12-02T09:00:00Z", After: 5}
			if err := s.AddWebhook(ctx, w); err != nil {
				t.Fatal(err)
			}
			if err := s.AddWebhook(ctx, w); err == nil {
				t.Error("the same id twice")
			}
			if got, err := s.Webhooks(ctx, "91441800QC0000008N"); err != nil || len(got) != 0 {
				t.Errorf("another owner's: %v %v", got, err)
			}
			got, ok, err := s.Webhook(ctx, w.ID)
			if err != nil || !ok || got != w {
				t.Fatalf("Webhook = %+v %v %v, want %+v", got, ok, err, w)
			}
			// One dispatcher at a time holds it until the lease ends.
			for _, tc := range []struct {
				by       string
				now, til int64
				want     bool
			}{{"a", 1000, 2000, true}, {"b", 1500, 2500, false}, {"a", 1600, 2600, true}, {"b", 2700, 3700, true}, {"a", 2800, 3800, false}} {
				if got, err := s.LeaseWebhook(ctx, w.ID, tc.by, tc.now, tc.til); err != nil || got != tc.want {
					t.Errorf("lease by %s at %d = %v %v, want %v", tc.by, tc.now, got, err, tc.want)
				}
			}
			for _, d := range []readmodel.Delivery{
				{WebhookID: w.ID, Seq: 6, Attempt: 1, At: "t1", Status: 503, Error: "receiver answered 503"},
				{WebhookID: w.ID, Seq: 6, Attempt: 2, At: "t2", Status: 200, Delivered: true},
				{WebhookID: w.ID, Seq: 6, Attempt: 2, At: "t2", Status: 200, Delivered: true}, // recorded twice: once
			} {
				if err := s.RecordDelivery(ctx, d); err != nil {
					t.Fatal(err)
				}
			}
			if got, _, _ := s.Webhook(ctx, w.ID); got.After != 6 {
				t.Errorf("after delivery: at %d, want 6", got.After)
			}
			log, err := s.Deliveries(ctx, w.ID, 10)
			if err != nil || len(log) != 2 || !log[0].Delivered || log[0].Attempt != 2 || log[1].Error == "" {
				t.Errorf("log: %+v %v", log, err)
			}
			if err := s.DeleteWebhook(ctx, w.ID); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.Webhook(ctx, w.ID); ok {
				t.Error("deleted, still there")
			}
			if log, _ := s.Deliveries(ctx, w.ID, 10); len(log) != 0 {
				t.Errorf("deleted, its log remains: %v", log)
			}
		})
	}
}

// TestIdempotencyStore runs the Idempotency-Key records' contract on both
// stores.
func TestIdempotencyStore(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t, "idem").Idempotency(time.Hour)
			ctx := context.Background()
			if r, err := s.Get("scope-1", "fp"); r != nil || err != nil {
				t.Fatalf("empty store: %v %v", r, err)
			}
			want := &idempotency.Response{Fingerprint: "fp", State: idempotency.Pending, Status: 201, ContentType: "application/json",
				Body: []byte(`{"ok":true}`), TxID: "tx1", Result: []byte(`{"r":1}`), StoredAt: time.Now().UTC().Truncate(time.Millisecond)}
			if err := s.Put("scope-1", want); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get("scope-1", "fp")
			if err != nil || got == nil || string(got.Body) != string(want.Body) || string(got.Result) != string(want.Result) || got.TxID != "tx1" ||
				got.State != idempotency.Pending || got.Status != 201 || !got.StoredAt.Equal(want.StoredAt) {
				t.Fatalf("Get = %+v %v, want %+v", got, err, want)
			}
			if _, err := s.Get("scope-1", "other"); !errors.Is(err, idempotency.ErrKeyReused) {
				t.Errorf("another fingerprint: %v", err)
			}
			old := *want
			old.StoredAt = time.Now().Add(-2 * time.Hour)
			if err := s.Put("scope-2", &old); err != nil {
				t.Fatal(err)
			}
			if r, _ := s.Get("scope-2", "fp"); r != nil {
				t.Error("a record older than the ttl is still answered")
			}
			if n, err := s.Prune(ctx, time.Now()); err != nil || n != 1 {
				t.Errorf("Prune = %d %v, want 1", n, err)
			}
			if err := s.Delete("scope-1"); err != nil {
				t.Fatal(err)
			}
			if r, _ := s.Get("scope-1", "fp"); r != nil {
				t.Error("deleted, still there")
			}
			// One holder at a time; a waiter gives up when its context ends.
			release, err := s.Acquire(ctx, "scope-3")
			if err != nil {
				t.Fatal(err)
			}
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			if _, err := s.Acquire(short, "scope-3"); err == nil {
				t.Error("a second holder while the first holds it")
			}
			release()
			release() // twice: once
			again, err := s.Acquire(ctx, "scope-3")
			if err != nil {
				t.Fatal(err)
			}
			again()
		})
	}
}
