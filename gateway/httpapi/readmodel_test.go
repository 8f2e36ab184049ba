package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/readmodel"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
)

// readModelEnv is the demo env served with a read model on SQLite, the
// projector running and caught up with the seeded ledger; webhooks may
// reach only public receivers, as by default.
func readModelEnv(t *testing.T) (*env, *ReadModel) {
	t.Helper()
	return readModelEnvWith(t, false)
}

// readModelEnvWith is readModelEnv with webhooks to private receivers
// allowed or not (--webhook-allow-private): a test's receivers listen on
// 127.0.0.1.
func readModelEnvWith(t *testing.T, allowPrivate bool) (*env, *ReadModel) {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(e.dir, "readmodel.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	reader, err := e.wallet.Identity("regulator")
	if err != nil {
		t.Fatal(err)
	}
	cc := client.New(e.ledger)
	p := &readmodel.Projector{Ledger: e.ledger, Store: store, Log: slog.New(slog.DiscardHandler),
		Source: &readmodel.LedgerSource{Client: cc, Reader: reader,
			Directory: (&readmodel.WalletDirectory{Client: cc, Wallet: e.wallet, Log: slog.New(slog.DiscardHandler)}).Lookup}}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	disp := &readmodel.Dispatcher{Store: store, Hooks: store, Projector: p, Log: slog.New(slog.DiscardHandler), ID: "test", AllowPrivate: allowPrivate,
		Backoff: func(int) time.Duration { return 20 * time.Millisecond }, Poll: 50 * time.Millisecond}
	go func() {
		defer func() { done <- struct{}{} }()
		p.Run(pctx)
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		disp.Run(pctx)
	}()
	rm := &ReadModel{Store: store, Projector: p, Hooks: store}
	srv, err := New(Config{Ledger: e.ledger, Wallet: e.wallet, Idempotency: e.idem, PublicURL: "https://trace.example", ReadModel: rm, AllowPrivateWebhooks: allowPrivate})
	if err != nil {
		t.Fatal(err)
	}
	e.http.Close()
	e.srv, e.http = srv, httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		e.stop()
		cancel()
		<-done
		<-done
		store.Close()
	})
	waitProjected(t, e, store)
	return e, rm
}

// waitProjected waits until the projection has applied the ledger's last
// block (the demo's last block carries an event).
func waitProjected(t *testing.T, e *env, s readmodel.Store) {
	t.Helper()
	h, err := e.ledger.Height(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cp, err := s.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cp.Seq > 0 && cp.Pos.Block+1 >= h {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("projection at block %d, ledger height %d", cp.Pos.Block, h)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// listAllHTTP pages through a list with limit rows a page.
func listAllHTTP(t *testing.T, e *env, user, path string, limit int) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for range 1000 {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		r := e.do(http.MethodGet, path+sep+"limit="+strconv.Itoa(limit)+cursor, user, nil)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor string           `json:"nextCursor"`
		}
		r.json(t, &page)
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		cursor = "&cursor=" + page.NextCursor
	}
	t.Fatal("no last page")
	return nil
}

func ids(items []map[string]any, field string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, fmt.Sprint(it[field]))
	}
	slices.Sort(out)
	return out
}

func TestReadModelLists(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	e, _ := readModelEnv(t)
	cc := client.New(e.ledger)
	ctx := context.Background()
	for _, user := range []string{"bank", "exporter", "insurer", "regulator"} {
		t.Run("financings as "+user, func(t *testing.T) {
			id, err := e.wallet.Identity(user)
			if err != nil {
				t.Fatal(err)
			}
			chain, err := cc.ListFinancings(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range chain {
				want = append(want, f.ID)
			}
			slices.Sort(want)
			got := ids(listAllHTTP(t, e, user, "/api/v1/lists/financings", 1), "id")
			if !slices.Equal(got, want) {
				t.Errorf("lists/financings: got %v, the chaincode lists %v", got, want)
			}
		})
	}
	t.Run("regulator sees every receivable", func(t *testing.T) {
		reg, _ := e.wallet.Identity("regulator")
		chain, err := cc.ListReceivables(ctx, reg)
		if err != nil {
			t.Fatal(err)
		}
		got := listAllHTTP(t, e, "regulator", "/api/v1/lists/receivables", 2)
		if len(got) == 0 || len(got) < len(chain) {
			t.Errorf("regulator: %d receivables from the read model, the chaincode lists %d", len(got), len(chain))
		}
	})
	t.Run("filters and order", func(t *testing.T) {
		all := listAllHTTP(t, e, "bank", "/api/v1/lists/enterprises?sort=id", 500)
		desc := listAllHTTP(t, e, "bank", "/api/v1/lists/enterprises?sort=id&order=desc", 3)
		if len(all) != len(desc) || len(all) < 5 {
			t.Fatalf("%d enterprises ascending, %d descending", len(all), len(desc))
		}
		for i := range all {
			if all[i]["creditCode"] != desc[len(desc)-1-i]["creditCode"] {
				t.Fatalf("descending order differs at %d", i)
			}
		}
		active := listAllHTTP(t, e, "bank", "/api/v1/lists/financings?status=ACTIVE", 50)
		for _, f := range active {
			if f["status"] != "ACTIVE" {
				t.Errorf("status=ACTIVE gave %v", f["status"])
			}
		}
		if n := len(listAllHTTP(t, e, "bank", "/api/v1/lists/financings?from=1999-01-01&to=1999-12-31", 50)); n != 0 {
			t.Errorf("financings of 1999: %d", n)
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		tests := []struct{ name, query string }{
			{"limit zero", "limit=0"},
			{"limit too large", "limit=501"},
			{"limit not a number", "limit=ten"},
			{"sort", "sort=amount"},
			{"order", "order=up"},
			{"party", "party=123"},
			{"product", "product=06901234500029"},
			{"from", "from=2026-13-01"},
			{"to", "to=yesterday"},
			{"status", "status=active%27%3B"},
			{"cursor characters", "cursor=a.b"},
			{"cursor not ours", "cursor=AAAA"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(http.MethodGet, "/api/v1/lists/financings?"+tc.query, "bank", nil)
				if got, want := r.status, http.StatusBadRequest; got != want || r.errorCode(t) != string(api.CodeInvalidArgument) {
					t.Errorf("?%s: %d %s, want %d INVALID_ARGUMENT", tc.query, got, r.body, want)
				}
			})
		}
		if r := e.do(http.MethodGet, "/api/v1/lists/financings", "", nil); r.status != http.StatusUnauthorized {
			t.Errorf("without a key: %d", r.status)
		}
	})
}

// TestStatistics recomputes financing and insurance figures from what the
// chaincode answers and compares them with /api/v1/stats.
func TestStatistics(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	e, _ := readModelEnv(t)
	cc := client.New(e.ledger)
	ctx := context.Background()
	bank, _ := e.wallet.Identity("bank")
	fins, err := cc.ListFinancings(ctx, bank)
	if err != nil {
		t.Fatal(err)
	}
	disbursed := map[string]decimal.Decimal{}
	for _, f := range fins {
		v, err := cc.GetFinancing(ctx, bank, f.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if v.DisbursementDate != "" && v.Terms != nil {
			disbursed[v.Currency] = disbursed[v.Currency].Add(decimal.RequireFromString(v.Terms.Principal))
		}
	}
	if len(disbursed) == 0 {
		t.Fatal("the demo disburses financings")
	}
	for _, user := range []string{"regulator", "bank"} {
		t.Run(user, func(t *testing.T) {
			r := e.do(http.MethodGet, "/api/v1/stats", user, nil)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var st Statistics
			r.json(t, &st)
			got := map[string]decimal.Decimal{}
			for _, row := range st.Financing.Disbursed {
				got[row.Currency] = got[row.Currency].Add(decimal.RequireFromString(row.Sum))
			}
			if fmt.Sprint(got) != fmt.Sprint(disbursed) {
				t.Errorf("disbursed: stats %v, ledger %v", got, disbursed)
			}
			if st.Through == 0 {
				t.Error("through: 0")
			}
		})
	}
	// The insurer is party to no financing: its figures are empty.
	r := e.do(http.MethodGet, "/api/v1/stats", "insurer", nil)
	var st Statistics
	r.json(t, &st)
	if len(st.Financing.Disbursed) != 0 {
		t.Errorf("the insurer sees financings disbursed: %v", st.Financing.Disbursed)
	}
	if len(st.Insurance.Premiums) == 0 {
		t.Error("the insurer sees no premiums of its own policies")
	}
}

// sseEvent is one event read off a stream.
type sseEvent struct {
	id   int64
	name string
	data readmodel.Event
}

// readSSE reads events off GET /api/v1/events until n are read or the
// stream goes quiet for quiet.
func readSSE(t *testing.T, e *env, user, lastID string, n int, quiet time.Duration) []sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.http.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+e.keys[user])
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	var out []sseEvent
	var cur sseEvent
	for len(out) < n {
		select {
		case line, ok := <-lines:
			if !ok {
				return out
			}
			switch {
			case strings.HasPrefix(line, "id: "):
				cur.id, _ = strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
			case strings.HasPrefix(line, "event: "):
				cur.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.data); err != nil {
					t.Fatal(err)
				}
			case line == "" && cur.id != 0:
				out = append(out, cur)
				cur = sseEvent{}
			}
		case <-time.After(quiet):
			return out
		}
	}
	return out
}

func TestEventStream(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	e, rm := readModelEnv(t)
	all := readSSE(t, e, "bank", "", 1<<20, 500*time.Millisecond)
	if len(all) < 20 {
		t.Fatalf("the bank sees %d events of the demo", len(all))
	}
	// Disconnect after k, reconnect with the last id seen: nothing missed,
	// nothing twice.
	for _, k := range []int{1, len(all) / 2, len(all) - 1} {
		first := readSSE(t, e, "bank", "", k, 5*time.Second)
		rest := readSSE(t, e, "bank", strconv.FormatInt(first[len(first)-1].id, 10), 1<<20, 500*time.Millisecond)
		joined := append(first, rest...)
		if len(joined) != len(all) {
			t.Fatalf("reconnecting after %d: %d events, want %d", k, len(joined), len(all))
		}
		for i := range joined {
			if joined[i].id != all[i].id || joined[i].data.TxID != all[i].data.TxID {
				t.Fatalf("reconnecting after %d: event %d is %d, want %d", k, i, joined[i].id, all[i].id)
			}
		}
	}
	// Ids increase; the bank sees no financing it is not party to, and the
	// insurer (party to none) no financing at all.
	for i := 1; i < len(all); i++ {
		if all[i].id <= all[i-1].id {
			t.Fatalf("ids not increasing: %d after %d", all[i].id, all[i-1].id)
		}
	}
	alerted := 0
	for _, ev := range readSSE(t, e, "insurer", "", 1<<20, 500*time.Millisecond) {
		if ev.data.Entity == readmodel.KindFinancing {
			t.Errorf("the insurer sees financing event %d (%s)", ev.id, ev.name)
		}
		if strings.Contains(string(ev.data.Data), "collateralAlerts") {
			t.Errorf("the insurer sees the financings event %d alerted: %s", ev.id, ev.data.Data)
		}
	}
	for _, ev := range all {
		if strings.Contains(string(ev.data.Data), "collateralAlerts") {
			alerted++
		}
	}
	if alerted == 0 {
		t.Error("the bank is not shown the alerts on its financings")
	}
	// A live event: registered after the stream caught up, it arrives.
	cp, err := rm.Store.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []sseEvent)
	go func() { got <- readSSE(t, e, "platform-admin", strconv.FormatInt(cp.Seq, 10), 1, 20*time.Second) }()
	time.Sleep(200 * time.Millisecond)
	admin, _ := e.wallet.Identity("platform-admin")
	w, err := client.New(e.ledger).RegisterEnterprise(context.Background(), admin, api.EnterpriseInput{CreditCode: "91441800QC00000125", Name: "清远北江报关有限公司", Kinds: []string{"logistics"}})
	if err != nil {
		t.Fatal(err)
	}
	live := <-got
	if len(live) != 1 || live[0].data.TxID != w.Commit.TxID || live[0].id != cp.Seq+1 {
		t.Fatalf("live: %+v, want the registration %s as event %d", live, w.Commit.TxID, cp.Seq+1)
	}
	if r := e.do(http.MethodGet, "/api/v1/events?after=-1", "bank", nil); r.status != http.StatusBadRequest {
		t.Errorf("after=-1: %d", r.status)
	}
}

// TestWebhooks: a receiver that fails twice, then takes the event, gets
// it three times with one event id and a signature its secret verifies
// (and another secret does not); the log shows each attempt.
func TestWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	e, _ := readModelEnvWith(t, true) // the receiver is local
	type attempt struct {
		eventID, attempt, signature string
		body                        []byte
	}
	got := make(chan attempt, 10)
	var calls atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- attempt{r.Header.Get(readmodel.HeaderEventID), r.Header.Get(readmodel.HeaderAttempt), r.Header.Get(readmodel.HeaderSignature), body}
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	for _, bad := range []string{`{"url":"ftp://x.example/"}`, `{"url":"https://u:p@x.example/"}`, `{"url":"/relative"}`, `{"url":""}`, `{"url":"https://x.example/","extra":1}`} {
		if r := e.do(http.MethodPost, "/api/v1/webhooks", "bank", bad); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	r := e.do(http.MethodPost, "/api/v1/webhooks", "bank", map[string]string{"url": receiver.URL + "/hook"})
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var hook WebhookCreated
	r.json(t, &hook)
	if hook.Secret == "" || !webhookIDPattern.MatchString(hook.ID) {
		t.Fatalf("register: %s", r.body)
	}
	// An event the bank may see: a registration (enterprises are public).
	admin, _ := e.wallet.Identity("platform-admin")
	w, err := client.New(e.ledger).RegisterEnterprise(context.Background(), admin, api.EnterpriseInput{CreditCode: "91441800QC00000125", Name: "清远北江报关有限公司", Kinds: []string{"logistics"}})
	if err != nil {
		t.Fatal(err)
	}
	var attempts []attempt
	for len(attempts) < 3 {
		select {
		case a := <-got:
			attempts = append(attempts, a)
		case <-time.After(20 * time.Second):
			t.Fatalf("%d attempts arrived, want 3", len(attempts))
		}
	}
	for i, a := range attempts {
		var ev readmodel.Event
		if err := json.Unmarshal(a.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.TxID != w.Commit.TxID || a.eventID != strconv.FormatInt(ev.Seq, 10) || a.eventID != attempts[0].eventID || a.attempt != strconv.Itoa(i+1) {
			t.Errorf("attempt %d: event %s (tx %s), attempt header %s; want the registration's event each time", i+1, a.eventID, ev.TxID, a.attempt)
		}
		if err := readmodel.Verify(hook.Secret, a.signature, a.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("attempt %d: the signature does not verify: %v", i+1, err)
		}
		if err := readmodel.Verify(strings.Repeat("0", 64), a.signature, a.body, time.Now(), 5*time.Minute); err == nil {
			t.Errorf("attempt %d: another secret verifies the signature", i+1)
		}
		tampered := append([]byte(nil), a.body...)
		tampered[len(tampered)-2] ^= 1
		if err := readmodel.Verify(hook.Secret, a.signature, tampered, time.Now(), 5*time.Minute); err == nil {
			t.Errorf("attempt %d: a changed body verifies", i+1)
		}
	}
	select {
	case a := <-got:
		t.Errorf("a fourth attempt after delivery: %+v", a)
	case <-time.After(300 * time.Millisecond):
	}
	var log []readmodel.Delivery
	deadline := time.Now().Add(5 * time.Second)
	for len(log) < 3 && time.Now().Before(deadline) {
		e.do(http.MethodGet, "/api/v1/webhooks/"+hook.ID+"/deliveries", "bank", nil).json(t, &log)
		time.Sleep(20 * time.Millisecond)
	}
	if len(log) != 3 || !log[0].Delivered || log[1].Delivered || log[2].Delivered || log[1].Status != http.StatusServiceUnavailable {
		t.Errorf("delivery log: %+v", log)
	}
	// Another enterprise neither sees nor deletes it.
	if r := e.do(http.MethodGet, "/api/v1/webhooks/"+hook.ID+"/deliveries", "insurer", nil); r.status != http.StatusNotFound {
		t.Errorf("the insurer reads the bank's log: %d", r.status)
	}
	if r := e.do(http.MethodDelete, "/api/v1/webhooks/"+hook.ID, "insurer", nil); r.status != http.StatusNotFound {
		t.Errorf("the insurer deletes the bank's webhook: %d", r.status)
	}
	if r := e.do(http.MethodGet, "/api/v1/webhooks/WH-bad/deliveries", "bank", nil); r.status != http.StatusBadRequest {
		t.Errorf("a malformed id: %d", r.status)
	}
	var list []readmodel.Webhook
	e.do(http.MethodGet, "/api/v1/webhooks", "bank", nil).json(t, &list)
	if len(list) != 1 || list[0].ID != hook.ID || strings.Contains(fmt.Sprint(list), hook.Secret) {
		t.Errorf("list: %+v", list)
	}
	if r := e.do(http.MethodDelete, "/api/v1/webhooks/"+hook.ID, "bank", nil); r.status != http.StatusOK {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
}

// TestWebhookPrivateReceivers: without --webhook-allow-private a webhook
// at a private, loopback or link-local address is refused when it is
// registered (400 INVALID_ARGUMENT) and, should its name resolve to one
// later, when it is delivered: the attempt is logged as refused and the
// receiver never reached. Public-looking receivers are registered.
func TestWebhookPrivateReceivers(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	e, rm := readModelEnv(t)
	for _, u := range []string{
		"http://127.0.0.1/hook", "https://127.0.0.1:8443/hook", "http://127.8.9.10/",
		"http://10.0.0.5/hook", "http://172.16.4.4/", "http://172.31.0.1/", "http://192.168.0.1/",
		"http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/",
		"http://0.0.0.0:8080/", "http://0.0.0.1/",
		"http://[::1]:8080/", "http://[::]/", "http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/",
		"http://[::ffff:127.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
		"http://localhost:8080/hook", "http://LOCALHOST./", "http://gateway.localhost/",
		"http://2130706433/", "http://0x7f000001/", "http://127.1/",
	} {
		r := e.do(http.MethodPost, "/api/v1/webhooks", "bank", map[string]string{"url": u})
		if r.status != http.StatusBadRequest || r.errorCode(t) != string(api.CodeInvalidArgument) || !strings.Contains(string(r.body), "public addresses only") {
			t.Errorf("register %s: %d %s, want 400 INVALID_ARGUMENT refusing a private receiver", u, r.status, r.body)
		}
	}
	var owner string
	for _, u := range []string{"https://bank.example/qingchain/events", "https://93.184.216.34/hook", "http://[2001:db8::10]:8080/hook", "https://hooks.10.bank.example/"} {
		r := e.do(http.MethodPost, "/api/v1/webhooks", "bank", map[string]string{"url": u})
		if r.status != http.StatusCreated {
			t.Errorf("register %s: %d %s", u, r.status, r.body)
			continue
		}
		var hook WebhookCreated
		r.json(t, &hook)
		owner = hook.Owner
		// Deleted at once: nothing is to be delivered to names that do
		// not exist.
		if r := e.do(http.MethodDelete, "/api/v1/webhooks/"+hook.ID, "bank", nil); r.status != http.StatusOK {
			t.Errorf("delete %s: %d %s", u, r.status, r.body)
		}
	}
	if owner == "" {
		t.Fatal("no public webhook registered")
	}

	// A webhook whose receiver is private by delivery time (a rebound
	// name, or a webhook kept from before this check): put in the store
	// as registration would have, past the check.
	var hits atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	ctx := context.Background()
	cp, err := rm.Store.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hook := readmodel.Webhook{ID: "WH-00000000000005F1", Owner: owner, URL: receiver.URL + "/hook", Secret: strings.Repeat("5", 64),
		CreatedAt: time.Now().UTC().Format(time.RFC3339), After: cp.Seq}
	if err := rm.Hooks.AddWebhook(ctx, hook); err != nil {
		t.Fatal(err)
	}
	admin, _ := e.wallet.Identity("platform-admin")
	if _, err := client.New(e.ledger).RegisterEnterprise(ctx, admin, api.EnterpriseInput{CreditCode: "91441800QC00000125", Name: "清远北江报关有限公司", Kinds: []string{"logistics"}}); err != nil {
		t.Fatal(err)
	}
	var log []readmodel.Delivery
	for deadline := time.Now().Add(20 * time.Second); len(log) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		e.do(http.MethodGet, "/api/v1/webhooks/"+hook.ID+"/deliveries", "bank", nil).json(t, &log)
	}
	if len(log) == 0 {
		t.Fatal("no delivery attempt logged")
	}
	if d := log[len(log)-1]; d.Delivered || !strings.Contains(d.Error, "127.0.0.1 is a loopback address: refused") {
		t.Errorf("the first attempt: %+v, want refused as loopback", d)
	}
	if r := e.do(http.MethodDelete, "/api/v1/webhooks/"+hook.ID, "bank", nil); r.status != http.StatusOK {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the private receiver was reached %d times", n)
	}
}
