package fabric_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"image"
	_ "image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/fabric"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// gatewayProc is the real qingchain-gateway binary, built from this tree and
// started with --ledger fabric against the test network, driven over HTTP.
type gatewayProc struct {
	bin     string // the built binary
	dataDir string
	url     string // http://127.0.0.1:<port>
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
	client  *http.Client
	wallet  *wallet.Wallet // the gateway's wallet directory, opened here too

	// One ledger per organisation, reading that organisation's peer: see
	// settle.
	orgPeers  []*fabric.Ledger
	settleMax time.Duration

	mu   sync.Mutex
	keys map[string]string // wallet identity -> API key
}

// settle waits until every organisation's peer has committed block (at
// most 10 s). A write's answer means that the caller's own organisation's
// peer committed it: that is where Fabric reports commit status. Other
// peers commit the same block moments later, and until they do, a call by
// another organisation's member (or an endorsement on another peer) may
// not see the write yet. The flows act as a different organisation at
// almost every step, right after the previous one: the adapter's commit
// fence makes them see each write (write does not settle, so the flows test
// the fence); the races settle before they compare peers directly.
func (g *gatewayProc) settle(t testing.TB, block uint64) {
	t.Helper()
	start := time.Now()
	for _, l := range g.orgPeers {
		for {
			h, err := l.Height(context.Background())
			if err == nil && h > block {
				break
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("a peer has not committed block %d within 10 s (height %d, %v)", block, h, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	g.mu.Lock()
	g.settleMax = max(g.settleMax, time.Since(start))
	g.mu.Unlock()
}

// startGateway builds cmd/qingchain-gateway and runs it as an operator
// would: --ledger fabric --fabric-network <network.json>, on a free local
// port, with its own data directory. The process is stopped when owner (t
// or a test enclosing it) ends.
func startGateway(t, owner *testing.T, n *testNet) *gatewayProc {
	t.Helper()
	dir := owner.TempDir()
	g := &gatewayProc{bin: filepath.Join(dir, "qingchain-gateway"), dataDir: filepath.Join(dir, "data"), logPath: filepath.Join(dir, "gateway.log"),
		keys: map[string]string{}, done: make(chan struct{})}
	start := time.Now()
	build := exec.Command("go", "build", "-o", g.bin, "./gateway/cmd/qingchain-gateway")
	build.Dir = n.repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./gateway/cmd/qingchain-gateway: %v\n%s", err, out)
	}
	t.Logf("built qingchain-gateway in %.1f s", time.Since(start).Seconds())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	g.url = "http://" + addr
	netJSON := filepath.Join(n.NetworkDir, "network.json")
	logf, err := os.Create(g.logPath)
	if err != nil {
		t.Fatal(err)
	}
	g.cmd = exec.Command(g.bin, "serve", "--ledger", "fabric", "--fabric-network", netJSON,
		"--data-dir", g.dataDir, "--listen", addr, "--public-url", g.url, "--log-level", "info")
	g.cmd.Stdout, g.cmd.Stderr = logf, logf
	// The gateway dies with this test process, whatever kills it.
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := g.cmd.Start(); err != nil {
		logf.Close()
		t.Fatal(err)
	}
	go func() { g.cmd.Wait(); logf.Close(); close(g.done) }()
	owner.Cleanup(func() { g.stop(owner) })
	g.client = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}

	deadline := time.Now().Add(time.Minute)
	for {
		select {
		case <-g.done:
			t.Fatalf("qingchain-gateway exited at start: %s\n%s", g.cmd.ProcessState, g.logTail(20))
		default:
		}
		if r, err := g.client.Get(g.url + "/readyz"); err == nil {
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				t.Logf("qingchain-gateway pid %d ready on %s in %.1f s: %s", g.cmd.Process.Pid, g.url, time.Since(start).Seconds(), bytes.TrimSpace(b))
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("qingchain-gateway not ready within a minute\n%s", g.logTail(20))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if g.wallet, err = wallet.Open(filepath.Join(g.dataDir, "wallet")); err != nil {
		t.Fatal(err)
	}
	for _, o := range n.Orgs {
		g.orgPeers = append(g.orgPeers, n.open(owner, "qingchain", n.id(t, fabric.WalletName(o.Name, "User1"))))
	}
	return g
}

// stop sends SIGTERM (the gateway drains and exits) and waits; SIGKILL
// after 20 s.
func (g *gatewayProc) stop(t testing.TB) {
	select {
	case <-g.done:
		return
	default:
	}
	g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
		t.Logf("qingchain-gateway stopped: %s", g.cmd.ProcessState)
	case <-time.After(20 * time.Second):
		g.cmd.Process.Kill()
		<-g.done
		t.Errorf("qingchain-gateway did not stop within 20 s of SIGTERM; killed")
	}
}

func (g *gatewayProc) logTail(n int) string {
	b, _ := os.ReadFile(g.logPath)
	return tail(string(b), n)
}

// cli runs an operator command of the gateway binary on its data directory.
func (g *gatewayProc) cli(t testing.TB, args ...string) string {
	t.Helper()
	// Flags go before the positional argument (flag parsing stops there).
	full := append([]string{args[0], args[1], "--data-dir", g.dataDir}, args[2:]...)
	out, err := exec.Command(g.bin, full...).CombinedOutput()
	if err != nil {
		t.Fatalf("qingchain-gateway %s: %v\n%s", strings.Join(full, " "), err, out)
	}
	return string(out)
}

var apiKeyLine = regexp.MustCompile(`api key \(shown once\): (\S+)`)

// key returns an API key of a wallet identity, creating it with the
// operator command `qingchain-gateway keys add` the first time.
func (g *gatewayProc) key(t testing.TB, name string) string {
	t.Helper()
	g.mu.Lock()
	k, ok := g.keys[name]
	g.mu.Unlock()
	if ok {
		return k
	}
	m := apiKeyLine.FindStringSubmatch(g.cli(t, "keys", "add", name))
	if m == nil {
		t.Fatalf("keys add %s printed no key", name)
	}
	g.mu.Lock()
	g.keys[name] = m[1]
	g.mu.Unlock()
	return m[1]
}

// addIdentity puts an identity the test made into the gateway's wallet
// (the wallet is a directory; the running gateway reads a new identity on
// first use) and gives it an API key.
func (g *gatewayProc) addIdentity(t testing.TB, name string, id *identity.Identity) string {
	t.Helper()
	if err := g.wallet.PutIdentity(name, id); err != nil {
		t.Fatal(err)
	}
	k, _, err := g.wallet.AddKey(name)
	if err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	g.keys[name] = k
	g.mu.Unlock()
	return k
}

type httpResult struct {
	status int
	header http.Header
	body   []byte
}

func (r httpResult) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %.300s: %v", r.body, err)
	}
}

func (r httpResult) code() string {
	var eb struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	json.Unmarshal(r.body, &eb)
	return eb.Error.Code
}

// writeResult is the gateway's answer to every write.
type writeResult struct {
	TxID        string          `json:"txId"`
	BlockNumber uint64          `json:"blockNumber"`
	Result      json.RawMessage `json:"result"`
}

// do sends a request as a wallet identity ("" for none); headers are name,
// value pairs. It fails the test only when the request cannot be made.
func (g *gatewayProc) do(t testing.TB, method, path, user string, body any, headers ...string) httpResult {
	t.Helper()
	r, err := g.request(method, path, user, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (g *gatewayProc) request(method, path, user string, body any, headers ...string) (httpResult, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return httpResult{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, g.url+path, rd)
	if err != nil {
		return httpResult{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		g.mu.Lock()
		k, ok := g.keys[user]
		g.mu.Unlock()
		if !ok {
			return httpResult{}, fmt.Errorf("no API key for %s", user)
		}
		req.Header.Set("Authorization", "Bearer "+k)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := g.client.Do(req)
	if err != nil {
		return httpResult{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return httpResult{status: res.StatusCode, header: res.Header, body: b}, err
}

// must sends a request and fails the test unless the status is want; it
// returns the write result of a write (or the raw answer in Result).
func (g *gatewayProc) must(t testing.TB, want int, method, path, user string, body any, headers ...string) httpResult {
	t.Helper()
	r := g.do(t, method, path, user, body, headers...)
	if r.status != want {
		t.Fatalf("%s %s as %s: status %d, want %d: %.600s", method, path, user, r.status, want, r.body)
	}
	return r
}

// refuse sends a request that must fail with status and error code.
func (g *gatewayProc) refuse(t testing.TB, status int, code, method, path, user string, body any) {
	t.Helper()
	r := g.do(t, method, path, user, body)
	if r.status != status || r.code() != code {
		t.Errorf("%s %s as %s: %d %s, want %d %s: %.300s", method, path, user, r.status, r.code(), status, code, r.body)
	}
}

// write POSTs and decodes the write result, checking txId and blockNumber.
func (g *gatewayProc) write(t testing.TB, want int, path, user string, body any, headers ...string) writeResult {
	t.Helper()
	r := g.must(t, want, "POST", path, user, body, headers...)
	var w writeResult
	r.decode(t, &w)
	if len(w.TxID) != 64 || w.BlockNumber == 0 {
		t.Fatalf("POST %s: write result without txId/blockNumber: %.300s", path, r.body)
	}
	// No settle here: the next step acts as another organisation at once,
	// and the adapter's commit fence must make it see this write.
	return w
}

// resultID is the "id" of a write's result.
func resultID(t testing.TB, w writeResult) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(w.Result, &v); err != nil || v.ID == "" {
		t.Fatalf("no id in result %.300s", w.Result)
	}
	return v.ID
}

// zone is the fictional pilot zone the end-to-end flows build on Fabric:
// enterprises registered and members bound over HTTP by the organisations'
// cryptogen admins, with cryptogen users as members.
type zone struct {
	run                              string // distinguishes this run's identifiers
	coop, warehouse, bank, inspector string // credit codes
	gtinLeaf, gtinTea                string
	lotLeaf, lotExport, lotBonded    string
	itemTxID                         string
	receiptParts                     [2]string // after the split: [pledged in the bank flow, free]
	financing                        string    // the bank flow's financing
	loadUsers                        []string  // wallet identities bound to load enterprises
	loadSteps                        []string  // the business step each load user records
	loadCodes                        []string  // load enterprises the leaf lot is handed over to
	loadLocation                     *api.Location
	seq                              int
	seqMu                            sync.Mutex
}

func (z *zone) creditCode(t testing.TB) string {
	t.Helper()
	z.seqMu.Lock()
	z.seq++
	seq := z.seq
	z.seqMu.Unlock()
	first17 := fmt.Sprintf("91441800QF%s%04d", z.run, seq)
	c, err := uscc.CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func gtin(t testing.TB, body12 string) string {
	t.Helper()
	d, err := gs1.GTINCheckDigit(body12)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gs1.NormalizeGTIN(body12 + string(d))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func newZone(t testing.TB) *zone {
	now := time.Now().UnixNano()
	run := fmt.Sprintf("%03d", now/1000%1000)
	return &zone{run: run,
		gtinLeaf: gtin(t, fmt.Sprintf("69098%04d%03d", now/1000%10000, 1)), gtinTea: gtin(t, fmt.Sprintf("69098%04d%03d", now/1000%10000, 2)),
		lotLeaf: "LEAF-E2E-" + run, lotExport: "BT-E2E-A" + run, lotBonded: "BT-E2E-B" + run}
}

type obj = map[string]any

// adminOf is the wallet name of an organisation's cryptogen admin.
func adminOf(org string) string { return fabric.WalletName(org, "Admin") }

// me reads GET /api/v1/me as a wallet identity.
type meView struct {
	MSPID      string `json:"mspId"`
	ID         string `json:"id"`
	Admin      bool   `json:"admin"`
	Enterprise *struct {
		CreditCode string   `json:"creditCode"`
		Kinds      []string `json:"kinds"`
	} `json:"enterprise"`
}

func (g *gatewayProc) me(t testing.TB, user string) meView {
	t.Helper()
	var m meView
	g.must(t, 200, "GET", "/api/v1/me", user, nil).decode(t, &m)
	return m
}

// register registers an enterprise as its organisation's admin.
func (g *gatewayProc) register(t testing.TB, org, code, name string, kinds ...string) {
	t.Helper()
	w := g.write(t, 201, "/api/v1/enterprises", adminOf(org), obj{"creditCode": code, "name": name, "kinds": kinds})
	var e struct {
		CreditCode string `json:"creditCode"`
		MSPID      string `json:"mspId"`
	}
	json.Unmarshal(w.Result, &e)
	if e.CreditCode != code || !strings.EqualFold(e.MSPID, org+"MSP") {
		t.Errorf("registered %s: result %.300s", code, w.Result)
	}
	// Kinds that carry public trust take effect once the zone regulator
	// approves them.
	for _, k := range kinds {
		if slices.Contains([]string{"bank", "customs_broker", "inspector", "insurer", "regulator", "warehouse"}, k) {
			g.must(t, 200, "POST", "/api/v1/enterprises/"+code+"/kinds/"+k+"/approve", adminOf("regulator"), nil)
		}
	}
}

// bind binds a member identity to an enterprise as the organisation's
// admin. An identity left bound by an earlier run on the same network is
// unbound from its old enterprise first (an identity acts for one).
func (g *gatewayProc) bind(t testing.TB, org, code, member string) {
	t.Helper()
	m := g.me(t, member)
	if m.Enterprise != nil {
		if m.Enterprise.CreditCode == code {
			return
		}
		g.must(t, 200, "POST", "/api/v1/enterprises/"+m.Enterprise.CreditCode+"/members/unbind", adminOf(org), obj{"id": m.ID})
	}
	g.write(t, 201, "/api/v1/enterprises/"+code+"/members", adminOf(org), obj{"id": m.ID, "label": member})
	if got := g.me(t, member); got.Enterprise == nil || got.Enterprise.CreditCode != code {
		t.Fatalf("%s after binding to %s: %+v", member, code, got)
	}
}

// goT is a testing.TB for goroutines other than the test's own: Fatal
// records the failure and ends only the calling goroutine.
type goT struct{ testing.TB }

func (g goT) FailNow() { g.TB.Fail(); runtime.Goexit() }
func (g goT) Fatal(args ...any) {
	g.TB.Helper()
	g.TB.Error(args...)
	runtime.Goexit()
}
func (g goT) Fatalf(format string, args ...any) {
	g.TB.Helper()
	g.TB.Errorf(format, args...)
	runtime.Goexit()
}

// parallel runs f(i) for i in [0,n) with at most width at a time.
func parallel(n, width int, f func(i int)) {
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// testGatewayZone registers the zone's enterprises and binds their members
// over HTTP. Organisation admins are the cryptogen Admin@ identities
// (<org>-Admin in the wallet); members are cryptogen users: User1 of each
// organisation acts for the zone's enterprise of that organisation, User2
// and User3 of every organisation for a load-test processor (so that the
// load run's HTTP clients reach all five peers).
func testGatewayZone(t *testing.T, n *testNet, g *gatewayProc, z *zone) {
	out := g.cli(t, "identities", "list")
	for _, o := range n.Orgs {
		for _, u := range []string{"Admin", "User1", "User2", "User3"} {
			name := fabric.WalletName(o.Name, u)
			if !strings.Contains(out, name+" ") {
				t.Errorf("identities list lacks %s:\n%s", name, out)
			}
			g.key(t, name)
		}
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if f := strings.Fields(line); len(f) >= 2 {
			names = append(names, f[0]+" ("+f[1]+")")
		}
	}
	t.Logf("gateway wallet after start (qingchain-gateway identities list): %s", strings.Join(names, ", "))

	if m := g.me(t, "platform-Admin"); !m.Admin || m.MSPID != "PlatformMSP" {
		t.Errorf("GET /api/v1/me as platform-Admin: %+v", m)
	}
	z.coop, z.warehouse, z.bank, z.inspector = z.creditCode(t), z.creditCode(t), z.creditCode(t), z.creditCode(t)
	// Refusals the chaincode decides, mapped by the gateway.
	g.refuse(t, 403, "FORBIDDEN", "POST", "/api/v1/enterprises", "platform-User2", obj{"creditCode": z.coop, "name": "x", "kinds": []string{"producer"}})

	type reg struct {
		org, code, name string
		kinds           []string
		member          string
	}
	regs := []reg{
		{"platform", z.coop, "英德红云茶叶专业合作社 (Fabric e2e)", []string{"producer", "processor", "exporter"}, "platform-User1"},
		{"warehouse", z.warehouse, "清远综保区保税仓储 (Fabric e2e)", []string{"warehouse"}, "warehouse-User1"},
		{"bank", z.bank, "清远北江农商银行 (Fabric e2e)", []string{"bank"}, "bank-User1"},
		{"regulator", z.inspector, "清远农产品质量检测中心 (Fabric e2e)", []string{"inspector"}, "regulator-User1"},
	}
	// Load-test enterprises in the organisations whose members record
	// trace events, each with a kind its organisation grants and the step
	// that kind records (banks and insurers record none).
	loadKinds := map[string][2]string{"platform": {"processor", "processing"}, "warehouse": {"logistics", "arriving"}, "regulator": {"inspector", "inspecting"}}
	for _, o := range n.Orgs {
		lk, ok := loadKinds[o.Name]
		if !ok {
			continue
		}
		code := z.creditCode(t)
		if lk[0] != "inspector" {
			z.loadCodes = append(z.loadCodes, code)
		}
		for _, u := range []string{"User2", "User3"} {
			regs = append(regs, reg{o.Name, code, "load-test " + lk[0] + " of " + o.Name, []string{lk[0]}, fabric.WalletName(o.Name, u)})
			z.loadUsers = append(z.loadUsers, fabric.WalletName(o.Name, u))
			z.loadSteps = append(z.loadSteps, lk[1])
		}
	}
	start := time.Now()
	done := map[string]bool{}
	for _, r := range regs {
		if !done[r.code] {
			g.register(t, r.org, r.code, r.name, r.kinds...)
			done[r.code] = true
		}
	}
	g.refuse(t, 409, "ALREADY_EXISTS", "POST", "/api/v1/enterprises", "platform-Admin", obj{"creditCode": z.coop, "name": "again", "kinds": []string{"producer"}})
	// A bank admin cannot bind anyone to a platform enterprise.
	g.refuse(t, 403, "FORBIDDEN", "POST", "/api/v1/enterprises/"+z.coop+"/members", "bank-Admin", obj{"id": g.me(t, "bank-User3").ID})
	for _, r := range regs {
		g.bind(t, r.org, r.code, r.member)
	}
	t.Logf("RESULT registered %d enterprises and bound %d members over HTTP in %.1f s", len(done), len(regs), time.Since(start).Seconds())

	var list []struct {
		CreditCode string `json:"creditCode"`
	}
	g.must(t, 200, "GET", "/api/v1/enterprises?org=WarehouseMSP", "bank-User1", nil).decode(t, &list)
	found := false
	for _, e := range list {
		found = found || e.CreditCode == z.warehouse
	}
	if !found {
		t.Errorf("GET /api/v1/enterprises?org=WarehouseMSP does not list %s", z.warehouse)
	}
}

func docHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// testGatewayTrace is the traceability flow over HTTP: products, lots,
// events (harvest, a transformation, an inspection, a receiving at the
// warehouse enterprise), serialized items, a certificate, then what the
// shopper sees: the Digital Link resolver's JSON and page and the QR code.
func testGatewayTrace(t *testing.T, g *gatewayProc, z *zone) {
	const coop, wh, insp = "platform-User1", "warehouse-User1", "regulator-User1"
	cst := time.FixedZone("CST", 8*3600)
	base := time.Now().In(cst).Add(-72 * time.Hour).Truncate(time.Hour)
	at := func(h int) string { return base.Add(time.Duration(h) * time.Hour).Format(time.RFC3339) }
	lot := func(gtin, lot, qty, unit string) obj {
		r := obj{"gtin": gtin, "lot": lot}
		if qty != "" {
			r["quantity"], r["unit"] = qty, unit
		}
		return r
	}
	garden := obj{"id": "geo:24.1810,113.4020", "name": "英德市横石塘镇红云茶园", "nameEn": "Hongyun Tea Garden, Yingde"}
	factory := obj{"id": "geo:24.1900,113.4100", "name": "红云合作社制茶车间", "nameEn": "Hongyun tea workshop"}
	lab := obj{"id": "geo:23.6820,113.0560", "name": "清远农产品质量检测中心", "nameEn": "Qingyuan Agri-Food Testing Centre"}
	bonded := obj{"id": "geo:23.6700,113.0100", "name": "清远综保区保税仓 3 号库", "nameEn": "Qingyuan Bonded Zone warehouse 3"}
	z.loadLocation = &api.Location{ID: "geo:24.1900,113.4100", Name: "红云合作社制茶车间", NameEn: "Hongyun tea workshop"} // the factory
	origin := obj{"place": "英德市横石塘镇红云茶园", "placeEn": "Hongyun Tea Garden, Yingde", "latitude": "24.1810", "longitude": "113.4020", "country": "CN"}

	start := time.Now()
	g.write(t, 201, "/api/v1/products", coop, obj{"gtin": z.gtinLeaf, "nameZh": "英德茶青 (e2e)", "nameEn": "Fresh tea leaf (e2e)", "category": "tea-leaf", "giStatus": "NONE"})
	g.write(t, 201, "/api/v1/products", coop, obj{"gtin": z.gtinTea, "nameZh": "英德红茶 250克罐装 (e2e)", "nameEn": "Yingde Black Tea 250 g tin (e2e)", "category": "black-tea", "giStatus": "GI_REGISTERED", "giName": "英德红茶 Yingde Black Tea"})
	// Only producers and processors create products.
	g.refuse(t, 403, "FORBIDDEN", "POST", "/api/v1/products", "bank-User1", obj{"gtin": gtin(t, "690980000999"), "nameZh": "x", "nameEn": "x", "category": "tea-leaf", "giStatus": "NONE"})
	day := base.Format("2006-01-02")
	g.write(t, 201, "/api/v1/lots", coop, obj{"gtin": z.gtinLeaf, "lot": z.lotLeaf, "origin": origin, "date": day, "quantity": "1200", "unit": "kg"})
	for _, l := range []struct{ lot, qty string }{{z.lotExport, "800"}, {z.lotBonded, "400"}} {
		g.write(t, 201, "/api/v1/lots", coop, obj{"gtin": z.gtinTea, "lot": l.lot, "origin": origin, "date": day, "quantity": l.qty, "unit": "tin"})
	}
	harvest := obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "harvesting", "eventTime": at(7), "bizLocation": garden, "lots": []obj{lot(z.gtinLeaf, z.lotLeaf, "1200", "kg")}}
	h1 := g.write(t, 201, "/api/v1/events", coop, harvest, "Idempotency-Key", "harvest-"+z.run)
	// The same request again with its Idempotency-Key: the first answer.
	r := g.must(t, 201, "POST", "/api/v1/events", coop, harvest, "Idempotency-Key", "harvest-"+z.run)
	var h2 writeResult
	r.decode(t, &h2)
	if r.header.Get("Idempotent-Replayed") != "true" || h2.TxID != h1.TxID {
		t.Errorf("idempotent replay: header %q, txId %s (first %s)", r.header.Get("Idempotent-Replayed"), h2.TxID, h1.TxID)
	}
	// The same event without the key: the event's id is its content, so
	// it is the event already stored.
	h3 := g.write(t, 201, "/api/v1/events", coop, harvest)
	if resultID(t, h3) != resultID(t, h1) {
		t.Errorf("the same event recorded twice has two ids: %s, %s", resultID(t, h1), resultID(t, h3))
	}
	g.write(t, 201, "/api/v1/events", coop, obj{"type": "TransformationEvent", "bizStep": "drying", "eventTime": at(30), "bizLocation": factory,
		"inputs": []obj{lot(z.gtinLeaf, z.lotLeaf, "1200", "kg")}, "outputs": []obj{lot(z.gtinTea, z.lotExport, "800", "tin"), lot(z.gtinTea, z.lotBonded, "400", "tin")}})
	// The load test's enterprises record on the leaf lot: it is handed over
	// to them.
	for _, code := range z.loadCodes {
		g.write(t, 201, "/api/v1/lots/"+z.gtinLeaf+"/"+z.lotLeaf+"/handovers", coop, obj{"to": code})
	}
	cert := g.write(t, 201, "/api/v1/certificates", insp, obj{"type": "PESTICIDE_RESIDUE", "number": "QYJC-E2E-" + z.run,
		"subjects":       []obj{{"gtin": z.gtinTea, "lot": z.lotExport}, {"gtin": z.gtinTea, "lot": z.lotBonded}},
		"documentSha256": docHash("pesticide residue report e2e " + z.run), "validFrom": base.Format("2006-01-02"), "validUntil": base.AddDate(1, 0, 0).Format("2006-01-02"), "result": "PASS"})
	g.write(t, 201, "/api/v1/events", insp, obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "disposition": "conformant", "eventTime": at(40), "bizLocation": lab, "lots": []obj{lot(z.gtinTea, z.lotExport, "", "")}})
	// A producer is not an inspector.
	g.refuse(t, 403, "FORBIDDEN", "POST", "/api/v1/events", coop, obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "eventTime": at(41), "bizLocation": lab, "lots": []obj{lot(z.gtinTea, z.lotExport, "", "")}})
	serials := make([]string, 12)
	for i := range serials {
		serials[i] = fmt.Sprintf("TIN%05d", i+1)
	}
	items := g.write(t, 201, "/api/v1/lots/"+z.gtinTea+"/"+z.lotExport+"/items", coop, obj{"serials": serials})
	z.itemTxID = items.TxID
	// The cooperative hands the bonded lot over to the warehouse, which
	// receives it into its custody; a stranger cannot record on it.
	g.refuse(t, 403, "NOT_CUSTODIAN", "POST", "/api/v1/events", wh, obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "eventTime": at(47), "bizLocation": bonded, "lots": []obj{lot(z.gtinTea, z.lotBonded, "400", "tin")}})
	g.write(t, 201, "/api/v1/lots/"+z.gtinTea+"/"+z.lotBonded+"/handovers", coop, obj{"to": z.warehouse})
	g.write(t, 201, "/api/v1/events", wh, obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "eventTime": at(48), "bizLocation": bonded, "lots": []obj{lot(z.gtinTea, z.lotBonded, "400", "tin")}})
	g.write(t, 201, "/api/v1/events", wh, obj{"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "storing", "eventTime": at(49), "bizLocation": bonded, "lots": []obj{lot(z.gtinTea, z.lotBonded, "400", "tin")}})
	t.Logf("RESULT traceability writes over HTTP in %.1f s", time.Since(start).Seconds())

	// Reads as other organisations' members.
	var ev struct {
		BizStep string `json:"bizStep"`
	}
	g.must(t, 200, "GET", "/api/v1/events/"+strings.TrimPrefix(strings.SplitN(resultID(t, h1), "?", 2)[0], "ni:///sha-256;"), "bank-User1", nil).decode(t, &ev)
	if ev.BizStep != "harvesting" {
		t.Errorf("GET event: bizStep %q", ev.BizStep)
	}
	certID := resultID(t, cert)
	g.must(t, 200, "GET", "/api/v1/certificates/"+certID, "warehouse-User1", nil)
	var lineage json.RawMessage
	g.must(t, 200, "GET", "/api/v1/lots/"+z.gtinTea+"/"+z.lotExport+"/lineage?direction=up", "bank-User1", nil).decode(t, &lineage)
	if !strings.Contains(string(lineage), z.lotLeaf) {
		t.Errorf("upstream lineage of %s lacks %s: %.300s", z.lotExport, z.lotLeaf, lineage)
	}
	ep := g.must(t, 200, "GET", "/api/v1/lots/"+z.gtinTea+"/"+z.lotExport+"/epcis", "bank-User1", nil)
	if !strings.HasPrefix(ep.header.Get("Content-Type"), "application/ld+json") || !bytes.Contains(ep.body, []byte("EPCISDocument")) {
		t.Errorf("EPCIS export: %s %.200s", ep.header.Get("Content-Type"), ep.body)
	}

	// The shopper: the Digital Link of a tin, as JSON, as a page, as a QR.
	item := gs1.Key{GTIN: z.gtinTea, Lot: z.lotExport, Serial: "TIN00001"}
	var res struct {
		DigitalLink string `json:"digitalLink"`
		Trace       *struct {
			Item *struct {
				Serial string `json:"serial"`
				TxID   string `json:"txId"`
			} `json:"item"`
			Lineage []struct {
				Lot string `json:"lot"`
			} `json:"lineage"`
			Events       []json.RawMessage `json:"events"`
			Certificates []json.RawMessage `json:"certificates"`
			Recalled     bool              `json:"recalled"`
		} `json:"trace"`
		Proof *struct {
			TxID        string `json:"txId"`
			Validation  string `json:"validation"`
			BlockNumber uint64 `json:"blockNumber"`
			BlockHash   string `json:"blockHash"`
			CreatorMSP  string `json:"creatorMsp"`
		} `json:"proof"`
		Scans *struct {
			Count int64 `json:"count"`
		} `json:"scans"`
	}
	g.must(t, 200, "GET", item.Path(), "", nil, "Accept", "application/json").decode(t, &res)
	switch {
	case res.DigitalLink != g.url+item.Path():
		t.Errorf("digitalLink %s, want %s", res.DigitalLink, g.url+item.Path())
	case res.Trace == nil || res.Trace.Item == nil || res.Trace.Item.Serial != "TIN00001":
		t.Errorf("resolver JSON lacks the item: %+v", res.Trace)
	case len(res.Trace.Events) < 3 || len(res.Trace.Certificates) != 1 || res.Trace.Recalled:
		t.Errorf("resolver JSON: %d events, %d certificates, recalled %v", len(res.Trace.Events), len(res.Trace.Certificates), res.Trace.Recalled)
	case res.Proof == nil || res.Proof.TxID != z.itemTxID || res.Proof.Validation != "VALID" || res.Proof.BlockNumber == 0 || len(res.Proof.BlockHash) != 64 || res.Proof.CreatorMSP != "PlatformMSP":
		t.Errorf("resolver proof %+v, want the items' transaction %s", res.Proof, z.itemTxID)
	case res.Scans == nil || res.Scans.Count != 0:
		t.Errorf("scans %+v, want the item's record, not counted (the JSON form is no person looking)", res.Scans)
	}
	if res.Trace != nil {
		lots := map[string]bool{}
		for _, l := range res.Trace.Lineage {
			lots[l.Lot] = true
		}
		if !lots[z.lotLeaf] {
			t.Errorf("the tin's lineage lacks the leaf lot %s", z.lotLeaf)
		}
	}
	page := g.must(t, 200, "GET", item.Path(), "", nil, "Accept", "text/html", "Accept-Language", "en")
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !bytes.Contains(page.body, []byte("Yingde Black Tea 250 g tin (e2e)")) || !bytes.Contains(page.body, []byte(z.lotExport)) {
		t.Errorf("resolver page: %s, %d bytes; product name or lot missing", page.header.Get("Content-Type"), len(page.body))
	}
	if len(page.body) > 100<<10 {
		t.Errorf("resolver page is %d bytes (budget 100 KB)", len(page.body))
	}
	if r := g.do(t, "GET", "/01/"+z.gtinTea+"/10/"+z.lotExport+"/21/NOPE", "", nil, "Accept", "application/json"); r.status != 404 || r.code() != "NOT_FOUND" {
		t.Errorf("resolver, unknown serial: %d %.200s", r.status, r.body)
	}
	// A shopper's page walks an unknown serial up to its lot, with a
	// warning that the code is not on the ledger.
	if r := g.do(t, "GET", "/01/"+z.gtinTea+"/10/"+z.lotExport+"/21/NOPE", "", nil, "Accept", "text/html"); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(r.body, []byte("NOPE")) || !bytes.Contains(r.body, []byte(z.lotExport)) {
		t.Errorf("resolver page, unknown serial: %d %s, want the lot's page naming NOPE", r.status, r.header.Get("Content-Type"))
	}
	png := g.must(t, 200, "GET", "/qr"+item.Path()+".png", "", nil)
	if ct := png.header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("QR content type %s", ct)
	}
	img, _, err := image.Decode(bytes.NewReader(png.body))
	if err != nil {
		t.Fatalf("QR PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("QR does not decode: %v", err)
	}
	if decoded.GetText() != g.url+item.Path() {
		t.Errorf("QR encodes %q, want %q", decoded.GetText(), g.url+item.Path())
	}
	if svg := g.must(t, 200, "GET", "/qr"+item.Path()+".svg", "", nil); !bytes.Contains(svg.body, []byte("<svg")) {
		t.Error("QR SVG is not SVG")
	}
	var proof struct {
		Validation string `json:"validation"`
		CreatorMSP string `json:"creatorMsp"`
	}
	g.must(t, 200, "GET", "/api/v1/transactions/"+cert.TxID, "bank-User1", nil).decode(t, &proof)
	if proof.Validation != "VALID" || proof.CreatorMSP != "RegulatorMSP" {
		t.Errorf("certificate transaction: %+v", proof)
	}
}

// testGatewayBank is the bank's flow over HTTP: the warehouse issues a
// receipt for the goods it received, the holder splits it, applies for
// financing against one part; the bank checks the receipt (due-diligence
// view), approves (the pledge), disburses; the holder repays in part, then
// in full, and the bank closes (the pledge is released).
func testGatewayBank(t *testing.T, g *gatewayProc, z *zone) {
	const coop, wh, bank = "platform-User1", "warehouse-User1", "bank-User1"
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	issue := obj{"gtin": z.gtinTea, "lot": z.lotBonded, "quantity": "400", "unit": "tin", "grade": "特级 Premium",
		"valuation": obj{"amount": "480000.00", "currency": "CNY"}, "holder": z.coop}
	g.refuse(t, 403, "FORBIDDEN", "POST", "/api/v1/receipts", coop, issue)
	// Goods never received into the warehouse cannot be receipted.
	g.refuse(t, 422, "RULE_VIOLATION", "POST", "/api/v1/receipts", wh, obj{"gtin": z.gtinTea, "lot": z.lotExport, "quantity": "10", "unit": "tin",
		"valuation": obj{"amount": "1000.00", "currency": "CNY"}, "holder": z.coop})
	receipt := resultID(t, g.write(t, 201, "/api/v1/receipts", wh, issue))
	var parts []struct {
		ID string `json:"id"`
	}
	split := g.write(t, 200, "/api/v1/receipts/"+receipt+"/split", coop, obj{"parts": []obj{{"quantity": "250", "valuation": "300000.00"}, {"quantity": "150", "valuation": "180000.00"}}})
	if err := json.Unmarshal(split.Result, &parts); err != nil || len(parts) != 2 {
		t.Fatalf("split answered %.300s", split.Result)
	}
	z.receiptParts = [2]string{parts[0].ID, parts[1].ID}
	p1 := parts[0].ID

	type verification struct {
		Receipt json.RawMessage   `json:"receipt"`
		Pledge  json.RawMessage   `json:"pledge"`
		Custody []json.RawMessage `json:"custody"`
		Certs   []json.RawMessage `json:"certificates"`
		Proof   *struct {
			Validation string `json:"validation"`
		} `json:"proof"`
		Recalled bool `json:"recalled"`
	}
	var v verification
	g.must(t, 200, "GET", "/api/v1/receipts/"+p1+"/verification", bank, nil).decode(t, &v)
	if string(v.Pledge) != "null" || len(v.Custody) < 1 || len(v.Certs) != 1 || v.Recalled || v.Proof == nil || v.Proof.Validation != "VALID" {
		t.Errorf("due diligence before lending: pledge %s, %d custody events, %d certificates, recalled %v, proof %+v", v.Pledge, len(v.Custody), len(v.Certs), v.Recalled, v.Proof)
	}
	if len(v.Custody) > 0 && !bytes.Contains(v.Custody[0], []byte(z.warehouse)) {
		t.Errorf("custody event not recorded by the warehouse %s: %.300s", z.warehouse, v.Custody[0])
	}

	apply := obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": z.bank, "collateral": []string{p1}, "requestedPrincipal": "120000.00", "currency": "CNY", "purpose": "收购秋茶鲜叶 (e2e)"}
	fw := g.write(t, 201, "/api/v1/financings", coop, apply, "Idempotency-Key", "apply-"+z.run)
	fin := resultID(t, fw)
	z.financing = fin
	if r := g.must(t, 201, "POST", "/api/v1/financings", coop, apply, "Idempotency-Key", "apply-"+z.run); !bytes.Contains(r.body, []byte(fin)) || r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replayed application: %.300s", r.body)
	}
	// Only the bank asked approves; too high a loan-to-value is refused.
	g.refuse(t, 403, "FORBIDDEN", "POST", "/api/v1/financings/"+fin+"/approve", "regulator-User1", obj{"principal": "120000.00", "annualRate": "0.0435", "termDays": 180, "maxLtv": "0.70"})
	g.refuse(t, 422, "LTV_EXCEEDED", "POST", "/api/v1/financings/"+fin+"/approve", bank, obj{"principal": "120000.00", "annualRate": "0.0435", "termDays": 180, "maxLtv": "0.30"})
	g.write(t, 200, "/api/v1/financings/"+fin+"/approve", bank, obj{"principal": "120000.00", "annualRate": "0.0435", "termDays": 180, "maxLtv": "0.70"})
	// The pledged receipt can back nothing else, and cannot be transferred.
	g.refuse(t, 409, "ALREADY_PLEDGED", "POST", "/api/v1/financings", coop, obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": z.bank, "collateral": []string{p1}, "requestedPrincipal": "1000.00", "currency": "CNY", "purpose": "again"})
	if r := g.do(t, "POST", "/api/v1/receipts/"+p1+"/transfer", coop, obj{"to": z.warehouse}); r.status != 409 {
		t.Errorf("transferring a pledged receipt: %d %.300s", r.status, r.body)
	}
	g.write(t, 200, "/api/v1/financings/"+fin+"/disburse", bank, obj{"valueDate": today})
	g.write(t, 201, "/api/v1/financings/"+fin+"/repayments", coop, obj{"amount": "20000.00", "valueDate": today})

	var f struct {
		Status               string `json:"status"`
		PrincipalOutstanding string `json:"principalOutstanding"`
		Postings             []json.RawMessage
		AsOf                 struct {
			Date            string `json:"date"`
			InterestAccrued string `json:"interestAccrued"`
			Payoff          string `json:"payoff"`
		} `json:"asOf"`
	}
	later := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 30).Format("2006-01-02")
	g.must(t, 200, "GET", "/api/v1/financings/"+fin+"?asOf="+later, bank, nil).decode(t, &f)
	// 100000.00 × 0.0435 / 360 × 30 days = 362.50
	if f.Status != "ACTIVE" || f.PrincipalOutstanding != "100000.00" || f.AsOf.InterestAccrued != "362.50" || f.AsOf.Payoff != "100362.50" {
		t.Errorf("financing after a partial repayment: status %s, outstanding %s, as of %s interest %s payoff %s", f.Status, f.PrincipalOutstanding, f.AsOf.Date, f.AsOf.InterestAccrued, f.AsOf.Payoff)
	}
	g.refuse(t, 403, "FORBIDDEN", "GET", "/api/v1/financings/"+fin, "warehouse-User1", nil)
	v = verification{}
	g.must(t, 200, "GET", "/api/v1/receipts/"+p1+"/verification", bank, nil).decode(t, &v)
	if !bytes.Contains(v.Pledge, []byte(fin)) {
		t.Errorf("due diligence after approval: pledge %s does not name %s", v.Pledge, fin)
	}
	// Repaid in full the same day (no interest has accrued): the payoff
	// closes the financing and releases the receipt in that transaction.
	g.write(t, 201, "/api/v1/financings/"+fin+"/repayments", coop, obj{"amount": "100000.00", "valueDate": today})
	g.must(t, 200, "GET", "/api/v1/financings/"+fin, bank, nil).decode(t, &f)
	if f.Status != "CLOSED" {
		t.Errorf("financing after the payoff: %s", f.Status)
	}
	g.refuse(t, 409, "CONFLICT", "POST", "/api/v1/financings/"+fin+"/close", bank, nil)
	var rc struct {
		Status string          `json:"status"`
		Pledge json.RawMessage `json:"pledge"`
	}
	g.must(t, 200, "GET", "/api/v1/receipts/"+p1, coop, nil).decode(t, &rc)
	if len(rc.Pledge) != 0 && string(rc.Pledge) != "null" {
		t.Errorf("receipt after the financing closed: status %s, pledge %s", rc.Status, rc.Pledge)
	}
	var credit json.RawMessage
	g.must(t, 200, "GET", "/api/v1/enterprises/"+z.coop+"/credit", bank, nil).decode(t, &credit)
	t.Logf("RESULT bank flow: receipt %s split into %s and %s; financing %s approved, disbursed, repaid, closed; credit record %.200s", receipt, p1, parts[1].ID, fin, credit)
}

// logLines returns the gateway log's request lines with status >= 500.
func (g *gatewayProc) serverErrors() []string {
	f, err := os.Open(g.logPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			Msg    string `json:"msg"`
			Status int    `json:"status"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "request" && l.Status >= 500 {
			out = append(out, sc.Text())
		}
	}
	return out
}

// gatewayLoadRows are the gateway's rows of the load run: the same small
// write of Qingchain's chaincode (an observation event on a lot, distinct
// content each time) through the adapter directly and over HTTP through the
// running qingchain-gateway process (POST /api/v1/events), by the members
// of the load-test processors of all five organisations. Comparing the two
// rows gives the cost of the HTTP layer; comparing them with the probe rows,
// the cost of the chaincode's own checks.
func gatewayLoadRows(t *testing.T, n *testNet, g *gatewayProc, z *zone) []loadRow {
	if g == nil || z == nil || len(z.loadUsers) == 0 || z.loadLocation == nil {
		t.Log("LOAD the gateway's end-to-end setup did not complete: no gateway rows")
		return nil
	}
	event := func(key, step string) api.EventInput {
		return api.EventInput{Type: api.ObjectEvent, Action: "OBSERVE", BizStep: step, EventTime: time.Now().Add(-time.Minute).Format(time.RFC3339Nano),
			ReadPoint: &api.Location{ID: "urn:qingchain:load:" + key}, BizLocation: z.loadLocation, Lots: []api.LotRef{{GTIN: z.gtinLeaf, Lot: z.lotLeaf}}}
	}
	l := n.open(t, "qingchain", n.id(t, "regulator-User1"))
	cl := client.New(l)
	ids := make([]*identity.Identity, len(z.loadUsers))
	for i, u := range z.loadUsers {
		ids[i] = n.id(t, u)
	}
	return []loadRow{
		{name: "adapter event", what: "gateway/fabric's Ledger, trace:RecordEvent of a fresh observation (qingchain chaincode)",
			newClient: func(c int) submitFunc {
				id, step := ids[c%len(ids)], z.loadSteps[c%len(ids)]
				return func(key string) (uint64, error) {
					w, err := cl.RecordEvent(context.Background(), id, event(key, step))
					if err != nil {
						return 0, err
					}
					return w.Commit.BlockNumber, nil
				}
			}},
		{name: "http gateway", what: "POST /api/v1/events to the qingchain-gateway process (--ledger fabric), the same observation",
			newClient: func(c int) submitFunc {
				user, step := z.loadUsers[c%len(z.loadUsers)], z.loadSteps[c%len(z.loadUsers)]
				return func(key string) (uint64, error) {
					r, err := g.request("POST", "/api/v1/events", user, event(key, step))
					if err != nil {
						return 0, err
					}
					if r.status != http.StatusCreated {
						return 0, fmt.Errorf("status %d: %.300s", r.status, r.body)
					}
					var w writeResult
					if err := json.Unmarshal(r.body, &w); err != nil {
						return 0, err
					}
					return w.BlockNumber, nil
				}
			}},
	}
}
