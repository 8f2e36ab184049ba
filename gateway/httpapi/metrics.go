package httpapi

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qingchain/qingchain/gateway"
)

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	submit   *prometheus.HistogramVec
	evaluate prometheus.Histogram
	retries  prometheus.Counter
}

func newMetrics(l gateway.Ledger) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "qingchain_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "qingchain_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
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
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		h, err := l.Height(ctx)
		if err != nil {
			return -1
		}
		return float64(h)
	})
	reg.MustRegister(m.requests, m.latency, m.submit, m.evaluate, m.retries, height,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observeSubmit(start time.Time, err error) {
	outcome := "committed"
	switch {
	case err == nil:
	case gateway.IsConflict(err):
		outcome = "conflict"
	default:
		outcome = "error"
	}
	m.submit.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}
