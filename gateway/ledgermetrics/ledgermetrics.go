// Package ledgermetrics is a gateway.Ledger that measures the calls it
// passes on, in Prometheus: submit latency by outcome, evaluate latency,
// conflict retries and the chain's height.
package ledgermetrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// Ledger measures the ledger it wraps.
type Ledger struct {
	gateway.Ledger
	submit   *prometheus.HistogramVec
	evaluate prometheus.Histogram
	retries  prometheus.Counter
}

// New wraps next and registers its metrics with reg.
func New(next gateway.Ledger, reg prometheus.Registerer) (*Ledger, error) {
	l := &Ledger{
		Ledger: next,
		submit: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "qingchain_ledger_submit_duration_seconds", Help: "Ledger submit latency (endorse, order, commit) by outcome.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"outcome"}),
		evaluate: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "qingchain_ledger_evaluate_duration_seconds", Help: "Ledger evaluate latency.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "qingchain_ledger_conflict_retries_total", Help: "Transactions resubmitted after an MVCC or phantom read conflict.",
		}),
	}
	height := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "qingchain_ledger_block_height", Help: "Number of blocks in the chain.",
	}, func() float64 {
		// A scrape must not hang on a ledger that does not answer.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		h, err := next.Height(ctx)
		if err != nil {
			return -1
		}
		return float64(h)
	})
	for _, c := range []prometheus.Collector{l.submit, l.evaluate, l.retries, height} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Submit measures one submission, labelled committed, conflict or error.
func (l *Ledger) Submit(ctx context.Context, id *identity.Identity, req gateway.Request) (*gateway.Commit, error) {
	start := time.Now()
	c, err := l.Ledger.Submit(ctx, id, req)
	outcome := "committed"
	switch {
	case err == nil:
	case gateway.IsConflict(err):
		outcome = "conflict"
	default:
		outcome = "error"
	}
	l.submit.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
	return c, err
}

// Evaluate measures one query.
func (l *Ledger) Evaluate(ctx context.Context, id *identity.Identity, req gateway.Request) ([]byte, error) {
	start := time.Now()
	out, err := l.Ledger.Evaluate(ctx, id, req)
	l.evaluate.Observe(time.Since(start).Seconds())
	return out, err
}

// CountRetry counts a resubmission after a conflict; it is the retrying
// wrapper's retry.Config.OnRetry.
func (l *Ledger) CountRetry() { l.retries.Inc() }
