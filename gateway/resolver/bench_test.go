package resolver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkShopperPage renders the tea tin's page through the real router
// (no network), the unit of work a shopper's scan costs the gateway.
func BenchmarkShopperPage(b *testing.B) {
	e := &env{t: b, dir: b.TempDir(), cacheTTL: 2 * time.Second}
	e.start()
	defer e.stop()
	h := e.srv.Handler()
	path := teaItem.Path()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Accept", "text/html")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
}
