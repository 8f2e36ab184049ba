package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/qingchain/qingchain/gateway/readmodel"
)

// sseKeepAlive is how often an idle stream sends a comment line, so that
// proxies keep it open and a dead client is noticed.
const sseKeepAlive = 15 * time.Second

// ssePage is how many events one store read brings.
const ssePage = 200

// followEvents streams the events the caller may see as Server-Sent
// Events: from after Last-Event-ID (or ?after), the backlog first, then
// each new one as the projection applies it. The id of each event is its
// sequence number, so a client that reconnects with the last id it saw
// misses nothing and sees nothing twice.
func (s *Server) followEvents(c *gin.Context) error {
	rm, err := s.readModel()
	if err != nil {
		return err
	}
	after, err := lastEventID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	vctx, cancel := context.WithTimeout(ctx, s.cfg.LedgerTimeout)
	v, err := s.viewer(vctx, c)
	cancel()
	if err != nil {
		return err
	}
	// Check the store answers before the stream's headers go out, so a
	// failure is still an error body.
	first, err := rm.Store.Events(ctx, v, after, ssePage)
	if err != nil {
		return storeError(err)
	}
	// The server's write timeout would cut a long stream.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	fmt.Fprint(c.Writer, "retry: 2000\n\n")
	if err := rc.Flush(); err != nil {
		return nil // the client went away
	}
	batch := first
	for {
		for _, e := range batch {
			if err := writeEvent(c.Writer, e); err != nil {
				return nil
			}
			after = e.Seq
		}
		if len(batch) > 0 {
			if rc.Flush() != nil {
				return nil
			}
		}
		if len(batch) < ssePage {
			// Caught up: wait for the projection to move, or keep alive.
			var updates <-chan struct{}
			if rm.Projector != nil {
				updates = rm.Projector.Updates()
			}
			// Read once more: an event applied before Updates was taken
			// must not wait for the next one.
			if batch, err = rm.Store.Events(ctx, v, after, ssePage); err != nil {
				s.log.Warn("events: read model", "err", err.Error())
				return nil
			}
			if len(batch) > 0 {
				continue
			}
			select {
			case <-ctx.Done():
				return nil
			case <-updates:
			case <-time.After(sseKeepAlive):
				if _, err := fmt.Fprint(c.Writer, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
					return nil
				}
			}
		}
		if batch, err = rm.Store.Events(ctx, v, after, ssePage); err != nil {
			if ctx.Err() == nil {
				s.log.Warn("events: read model", "err", err.Error())
			}
			return nil
		}
	}
}

// lastEventID reads where the stream starts: the Last-Event-ID header a
// reconnecting EventSource sends, else ?after, else the beginning.
func lastEventID(c *gin.Context) (int64, error) {
	raw, from := c.GetHeader("Last-Event-ID"), "Last-Event-ID"
	if raw == "" {
		raw, from = c.Query("after"), "after"
	}
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, invalidArgument("%s must be an event id (a non-negative integer)", from)
	}
	return n, nil
}

// writeEvent writes one event in the text/event-stream format: its id,
// its chaincode event name, and the event as one line of JSON.
func writeEvent(w gin.ResponseWriter, e readmodel.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, sseField(e.Name), b)
	return err
}

// sseField keeps a value on one line of the stream.
func sseField(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return "message"
		}
	}
	if s == "" {
		return "message"
	}
	return s
}
