package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/qingchain/qingchain/gateway/readmodel"
)

const webhookCols = "id, owner, url, secret, created_at, after_seq"

func scanWebhook(sc interface{ Scan(...any) error }) (readmodel.Webhook, error) {
	var w readmodel.Webhook
	err := sc.Scan(&w.ID, &w.Owner, &w.URL, &w.Secret, &w.CreatedAt, &w.After)
	return w, err
}

// AddWebhook implements readmodel.WebhookStore.
func (s *Store) AddWebhook(ctx context.Context, w readmodel.Webhook) error {
	_, err := s.db.ExecContext(ctx, s.Rebind("INSERT INTO rm_webhooks ("+webhookCols+", lease_until, lease_by) VALUES (?, ?, ?, ?, ?, ?, 0, '')"),
		w.ID, w.Owner, w.URL, w.Secret, w.CreatedAt, w.After)
	if err != nil {
		return fmt.Errorf("sqlstore: add webhook: %w", err)
	}
	return nil
}

// Webhooks implements readmodel.WebhookStore: an owner's, or every one
// (owner "").
func (s *Store) Webhooks(ctx context.Context, owner string) ([]readmodel.Webhook, error) {
	q, args := "SELECT "+webhookCols+" FROM rm_webhooks ORDER BY id", []any{}
	if owner != "" {
		q, args = "SELECT "+webhookCols+" FROM rm_webhooks WHERE owner = ? ORDER BY id", []any{owner}
	}
	rows, err := s.db.QueryContext(ctx, s.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: webhooks: %w", err)
	}
	defer rows.Close()
	out := []readmodel.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Webhook implements readmodel.WebhookStore.
func (s *Store) Webhook(ctx context.Context, id string) (readmodel.Webhook, bool, error) {
	w, err := scanWebhook(s.db.QueryRowContext(ctx, s.Rebind("SELECT "+webhookCols+" FROM rm_webhooks WHERE id = ?"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, fmt.Errorf("sqlstore: webhook: %w", err)
	}
	return w, true, nil
}

// DeleteWebhook implements readmodel.WebhookStore.
func (s *Store) DeleteWebhook(ctx context.Context, id string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{"DELETE FROM rm_webhook_deliveries WHERE webhook_id = ?", "DELETE FROM rm_webhooks WHERE id = ?"} {
		if _, err := tx.ExecContext(ctx, s.Rebind(q), id); err != nil {
			return fmt.Errorf("sqlstore: delete webhook: %w", err)
		}
	}
	return tx.Commit()
}

// LeaseWebhook implements readmodel.WebhookStore: it takes the webhook
// for by until untilMs when no other dispatcher holds it at nowMs.
func (s *Store) LeaseWebhook(ctx context.Context, id, by string, nowMs, untilMs int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.Rebind("UPDATE rm_webhooks SET lease_until = ?, lease_by = ? WHERE id = ? AND (lease_until < ? OR lease_by = ?)"),
		untilMs, by, id, nowMs, by)
	if err != nil {
		return false, fmt.Errorf("sqlstore: lease webhook: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecordDelivery implements readmodel.WebhookStore: the attempt, and when
// delivered the webhook's position, in one transaction.
func (s *Store) RecordDelivery(ctx context.Context, d readmodel.Delivery) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	delivered := 0
	if d.Delivered {
		delivered = 1
	}
	if _, err := tx.ExecContext(ctx, s.Rebind("INSERT INTO rm_webhook_deliveries (webhook_id, seq, attempt, at, status, error, delivered) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
		d.WebhookID, d.Seq, d.Attempt, d.At, d.Status, d.Error, delivered); err != nil {
		return fmt.Errorf("sqlstore: record delivery: %w", err)
	}
	if d.Delivered {
		if _, err := tx.ExecContext(ctx, s.Rebind("UPDATE rm_webhooks SET after_seq = ? WHERE id = ? AND after_seq < ?"), d.Seq, d.WebhookID, d.Seq); err != nil {
			return fmt.Errorf("sqlstore: advance webhook: %w", err)
		}
	}
	return tx.Commit()
}

// Deliveries implements readmodel.WebhookStore: newest first, before
// (seq, attempt) when given.
func (s *Store) Deliveries(ctx context.Context, webhookID string, limit int) ([]readmodel.Delivery, error) {
	rows, err := s.db.QueryContext(ctx, s.Rebind("SELECT webhook_id, seq, attempt, at, status, error, delivered FROM rm_webhook_deliveries WHERE webhook_id = ? ORDER BY seq DESC, attempt DESC LIMIT ?"), webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: deliveries: %w", err)
	}
	defer rows.Close()
	out := []readmodel.Delivery{}
	for rows.Next() {
		var d readmodel.Delivery
		var delivered int
		if err := rows.Scan(&d.WebhookID, &d.Seq, &d.Attempt, &d.At, &d.Status, &d.Error, &delivered); err != nil {
			return nil, err
		}
		d.Delivered = delivered == 1
		out = append(out, d)
	}
	return out, rows.Err()
}

var _ readmodel.WebhookStore = (*Store)(nil)
