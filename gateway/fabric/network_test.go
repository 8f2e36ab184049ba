package fabric_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"log/slog"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	fgid "github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/qingchain/qingchain/chaincode/uscc"
	"github.com/qingchain/qingchain/gateway"
	qcclient "github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/fabric"
	"github.com/qingchain/qingchain/gateway/identity"
	"github.com/qingchain/qingchain/gateway/ledgertest"
	"github.com/qingchain/qingchain/gateway/wallet"
)

// The programs scripts/network.sh needs to bring a network up.
var fabricPrograms = []string{"peer", "orderer", "configtxgen", "cryptogen", "osnadmin"}

func missingFabricPrograms() []string {
	var missing []string
	for _, p := range fabricPrograms {
		if dir := os.Getenv("FABRIC_BIN"); dir != "" {
			if st, err := os.Stat(filepath.Join(dir, p)); err == nil && st.Mode()&0o111 != 0 {
				continue
			}
		}
		if _, err := exec.LookPath(p); err == nil {
			continue
		}
		missing = append(missing, p)
	}
	return missing
}

func repoRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// testNet is a Fabric network for this test run: brought up in a temporary
// directory by scripts/network.sh with the probe contract deployed as
// chaincode "probe" (and Qingchain's as "qingchain" later), or an existing
// one named by QC_FABRIC_NETWORK (a network.json, both chaincodes deployed;
// it is left running).
type testNet struct {
	*fabric.Network
	repo   string
	env    []string // QC_NETWORK_DIR, QC_PORT_OFFSET for network.sh
	wallet *wallet.Wallet
	// deployQingchain: the qingchain chaincode is yet to be deployed (by
	// the subtest that uses it, so that a chaincode that does not build
	// fails that subtest, not the conformance suite).
	deployQingchain bool
	// qingchainReady: chaincode qingchain is deployed (the gateway's
	// end-to-end flows need it).
	qingchainReady bool
	// ca: every identity comes from the organisations' Fabric CAs
	// (network.sh up --ca); new ones are enrolled there.
	ca bool
}

// fabricCAServer finds fabric-ca-server as network.sh up --ca does.
func fabricCAServer() string {
	if dir := os.Getenv("FABRIC_BIN"); dir != "" {
		if st, err := os.Stat(filepath.Join(dir, "fabric-ca-server")); err == nil && st.Mode()&0o111 != 0 {
			return filepath.Join(dir, "fabric-ca-server")
		}
	}
	p, _ := exec.LookPath("fabric-ca-server")
	return p
}

func (n *testNet) script(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(n.repo, "scripts", "network.sh"), args...)
	cmd.Env = n.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("scripts/network.sh %s (%.1f s)\n%s", strings.Join(args, " "), time.Since(start).Seconds(), tail(out.String(), 6))
	if err != nil {
		t.Fatalf("scripts/network.sh %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func startNetwork(t *testing.T) *testNet {
	t.Helper()
	repo := repoRoot(t)
	n := &testNet{repo: repo}
	if path := os.Getenv("QC_FABRIC_NETWORK"); path != "" {
		net, err := fabric.LoadNetwork(path)
		if err != nil {
			t.Fatal(err)
		}
		n.Network = net
		n.qingchainReady = true
		n.env = append(os.Environ(), "QC_NETWORK_DIR="+net.NetworkDir)
		if off := os.Getenv("QC_PORT_OFFSET"); off != "" {
			n.env = append(n.env, "QC_PORT_OFFSET="+off)
		}
		t.Logf("using the running network described by %s", path)
	} else {
		if missing := missingFabricPrograms(); len(missing) > 0 {
			t.Skipf("SKIP: Fabric binaries not found (set FABRIC_BIN) — missing %s; the ledger conformance suite ran on devledger only. "+
				"Install Fabric v3.1 binaries as network/README.md says, then run make test-fabric.", strings.Join(missing, ", "))
		}
		if testing.Short() {
			t.Skip("SKIP: the Fabric network test brings a network up; not in -short mode")
		}
		offset := 20000
		if v := os.Getenv("QC_TEST_PORT_OFFSET"); v != "" {
			var err error
			if offset, err = strconv.Atoi(v); err != nil {
				t.Fatalf("QC_TEST_PORT_OFFSET: %v", err)
			}
		}
		dir := filepath.Join(t.TempDir(), "net")
		n.env = append(os.Environ(), "QC_NETWORK_DIR="+dir, "QC_PORT_OFFSET="+strconv.Itoa(offset))
		stopWatchdog := startWatchdog(t, n, dir)
		t.Cleanup(func() {
			stopWatchdog()
			n.script(t, "down")
			if left := networkProcesses(dir); len(left) > 0 {
				t.Errorf("processes of the test network still running after down: %v", left)
			}
		})
		if fabricCAServer() != "" {
			n.ca = true
			n.script(t, "up", "--ca")
		} else {
			t.Log("no fabric-ca-server (FABRIC_BIN, PATH): identities from cryptogen, and the Fabric CA flow is skipped")
			n.script(t, "up")
		}
		n.env = append(n.env, "QC_CHAINCODE_DIR="+filepath.Join(repo, "chaincode", "cmd", "probe-cc"))
		n.script(t, "deploy", "--name", "probe", "--port", strconv.Itoa(7998+offset))
		n.env = n.env[:len(n.env)-1]
		n.deployQingchain = true
		net, err := fabric.LoadNetwork(filepath.Join(dir, "network.json"))
		if err != nil {
			t.Fatal(err)
		}
		n.Network = net
	}
	w, err := wallet.Open(filepath.Join(t.TempDir(), "wallet"))
	if err != nil {
		t.Fatal(err)
	}
	names, err := fabric.ImportIdentities(n.Network, w)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wallet: %d identities from the network's MSP folders (%s ...)", len(names), strings.Join(names[:min(4, len(names))], ", "))
	n.wallet = w
	return n
}

// startWatchdog starts a detached shell that takes the network down if this
// test process dies without running its cleanups (a panic, the -timeout
// alarm, SIGKILL). The returned function stops it.
func startWatchdog(t *testing.T, n *testNet, dir string) func() {
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 1; done; exec %q down`, os.Getpid(), filepath.Join(n.repo, "scripts", "network.sh"))
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = n.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("watchdog: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	return func() {
		cmd.Process.Kill()
		<-done
	}
}

// networkProcesses lists processes carrying the network's mark.
func networkProcesses(dir string) []string {
	mark := []byte("QC_NETWORK_MARK=" + dir + "\x00")
	paths, _ := filepath.Glob("/proc/[0-9]*/environ")
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, mark) {
			out = append(out, filepath.Base(filepath.Dir(p)))
		}
	}
	return out
}

func (n *testNet) id(t testing.TB, name string) *identity.Identity {
	t.Helper()
	id, err := n.wallet.Identity(name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// issueWithAttr enrols a new client of an organisation carrying attribute
// role=buyer in Fabric CA's attribute extension (see issueClient).
func (n *testNet) issueWithAttr(t testing.TB, org string) *identity.Identity {
	t.Helper()
	return n.issueClient(t, org, "buyer-"+strconv.FormatInt(time.Now().UnixNano(), 36), map[string]string{"role": "buyer"})
}

// issueClient enrols a new client (OU client) of an organisation with the
// org's cryptogen CA key, as the organisation's Fabric CA would, with
// optional attributes in Fabric CA's attribute extension. (identity.CA.Issue
// backdates a certificate by an hour, and Fabric's MSP checks a certificate
// chain at the member certificate's NotBefore plus one second, when a CA
// made minutes ago by cryptogen was not valid yet; so the certificate is
// made here, valid from the CA's NotBefore.)
func (n *testNet) issueClient(t testing.TB, org, commonName string, attrs map[string]string) *identity.Identity {
	t.Helper()
	if n.ca {
		return n.enroll(t, org, commonName, attrs)
	}
	o, err := n.Org(org)
	if err != nil {
		t.Fatal(err)
	}
	orgDir := filepath.Dir(filepath.Dir(filepath.Dir(o.Users["User1"].MSPDir)))
	certs, _ := filepath.Glob(filepath.Join(orgDir, "ca", "*-cert.pem"))
	if len(certs) != 1 {
		t.Fatalf("CA certificate of %s not found in %s", org, orgDir)
	}
	caPEM, err := os.ReadFile(certs[0])
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := identity.ParseCertPEM(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	caKeyPEM, err := os.ReadFile(filepath.Join(orgDir, "ca", "priv_sk"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caKeyPEM)
	if block == nil {
		t.Fatal("CA key is not PEM")
	}
	caKey, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: commonName, OrganizationalUnit: []string{identity.RoleClient}},
		NotBefore:    caCert.NotBefore,
		NotAfter:     caCert.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if len(attrs) > 0 {
		raw, _ := json.Marshal(map[string]map[string]string{"attrs": attrs})
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}, Value: raw}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	id, err := identity.Load(o.MSPID, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// enroll registers and enrols a new client of an organisation with its
// Fabric CA (scripts/network.sh enroll, which runs tools/fabca) and imports
// it from the MSP folder the tool wrote.
func (n *testNet) enroll(t testing.TB, org, name string, attrs map[string]string) *identity.Identity {
	t.Helper()
	args := []string{"enroll", org, name}
	if len(attrs) > 0 {
		var kv []string
		for k, v := range attrs {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		args = append(args, "--attrs", strings.Join(kv, ","))
	}
	n.script(t, args...)
	net, err := fabric.LoadNetwork(filepath.Join(n.NetworkDir, "network.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fabric.ImportIdentities(net, n.wallet); err != nil {
		t.Fatal(err)
	}
	return n.id(t, fabric.WalletName(org, name))
}

func (n *testNet) open(t testing.TB, chaincode string, reader *identity.Identity) *fabric.Ledger {
	t.Helper()
	cfg, err := n.Config(chaincode, reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	l, err := fabric.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestFabric runs the ledger conformance suite, a smoke test of Qingchain's
// own chaincode, the gateway's end-to-end flows over HTTP (the real
// qingchain-gateway process with --ledger fabric) with the approval and
// invoice races, the load measurement (when QC_FABRIC_LOAD is set) and a
// peer restart under load on a real Fabric network.
func TestFabric(t *testing.T) {
	n := startNetwork(t)
	a, b := n.id(t, "platform-User1"), n.id(t, "bank-User1")
	// The reader is a bank client, so that events and qscc reads go to the
	// bank's peer: the peer the restart check kills.
	probeLedger := n.open(t, "probe", b)

	t.Run("Conformance", func(t *testing.T) {
		ledgertest.Run(t, ledgertest.Harness{
			Ledger: probeLedger, A: a, B: b, C: n.id(t, "insurer-User1"), WithAttr: n.issueWithAttr(t, "platform"),
			Prepare: func(ctx context.Context, id *identity.Identity, req gateway.Request) (ledgertest.Pending, error) {
				return probeLedger.Prepare(ctx, id, req)
			},
			BlockBytes: probeLedger.BlockBytes,
			Wait:       30 * time.Second, Quiet: time.Second,
		})
	})
	t.Run("QingchainChaincode", func(t *testing.T) { testQingchain(t, n) })
	var g *gatewayProc
	var z *zone
	if n.qingchainReady {
		t.Run("Gateway", func(st *testing.T) {
			// The gateway process lives until TestFabric ends: the load run
			// drives it too.
			g = startGateway(st, t, n)
			z = newZone(st)
			if !st.Run("Zone", func(t *testing.T) { testGatewayZone(t, n, g, z) }) {
				return
			}
			st.Run("Traceability", func(t *testing.T) { testGatewayTrace(t, g, z) })
			st.Run("Bank", func(t *testing.T) { testGatewayBank(t, g, z) })
			st.Run("FabricCA", func(t *testing.T) { testGatewayFabricCA(t, n, g, z) })
			st.Run("PrivateTerms", func(t *testing.T) { testPrivateTerms(t, n, z) })
			st.Run("ApprovalRace", func(t *testing.T) { testApprovalRace(t, n, g, z) })
			st.Run("InvoiceRace", func(t *testing.T) { testInvoiceRace(t, n, g, z) })
			st.Run("InstrumentRace", func(t *testing.T) { testInstrumentRace(t, g, z) })
			st.Logf("RESULT waiting for every peer to commit a write took at most %.0f ms", g.settleMax.Seconds()*1000)
			if bad := g.serverErrors(); len(bad) > 0 {
				st.Errorf("the gateway answered %d requests with a 5xx:\n%s", len(bad), strings.Join(bad[:min(5, len(bad))], "\n"))
			}
		})
	} else {
		t.Log("the qingchain chaincode is not deployed: no gateway end-to-end flows")
	}
	if spec := os.Getenv("QC_FABRIC_LOAD"); spec != "" {
		t.Run("Load", func(t *testing.T) { testLoad(t, n, probeLedger, spec, gatewayLoadRows(t, n, g, z)) })
	}
	t.Run("PeerRestart", func(t *testing.T) { testPeerRestart(t, n, probeLedger) })
}

// Qingchain's chaincode through the adapter, as the wallet's network
// identities: an organisation admin registers an enterprise, a client may
// not, and refusals carry the chaincode's codes.
func testQingchain(t *testing.T, n *testNet) {
	ctx := context.Background()
	if n.deployQingchain {
		n.script(t, "deploy", "--name", "qingchain")
	}
	n.qingchainReady = true
	l := n.open(t, "qingchain", n.id(t, "regulator-User1"))
	admin, clerk, banker := n.id(t, "platform-Admin"), n.id(t, "platform-User2"), n.id(t, "bank-User2")

	md, err := l.Evaluate(ctx, banker, gateway.Request{Function: "org.hyperledger.fabric:GetMetadata"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{`"registry"`, `"receipt"`, `"finance"`} {
		if !strings.Contains(string(md), c) {
			t.Errorf("metadata does not list contract %s", c)
		}
	}

	first17 := fmt.Sprintf("91441800MA5%06d", time.Now().UnixNano()%1000000)
	check, err := uscc.CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	code := first17 + string(check)
	cl := qcclient.New(l, qcclient.Strict())
	in := api.EnterpriseInput{CreditCode: code, Name: "英德红茶合作社 (Fabric test)", Kinds: []string{"producer"}}

	_, err = cl.RegisterEnterprise(ctx, clerk, in)
	var ce *gateway.ChaincodeError
	if !errors.As(err, &ce) || ce.Code != "FORBIDDEN" {
		t.Errorf("a client registering an enterprise: err = %v, want FORBIDDEN", err)
	}
	w, err := cl.RegisterEnterprise(ctx, admin, in)
	if err != nil {
		t.Fatalf("admin registers %s: %v", code, err)
	}
	c := w.Commit
	if _, err := cl.RegisterEnterprise(ctx, admin, in); !errors.As(err, &ce) || ce.Code != "ALREADY_EXISTS" {
		t.Errorf("registering twice: err = %v, want ALREADY_EXISTS", err)
	}
	out, err := cl.GetEnterprise(ctx, banker, code)
	if err != nil || !strings.Contains(out.Name, "英德红茶合作社") {
		t.Errorf("GetEnterprise as a bank client = %+v, %v", out, err)
	}
	info, err := l.Transaction(ctx, c.TxID)
	if err != nil || info.Code != gateway.Valid || info.CreatorMSP != "PlatformMSP" {
		t.Errorf("Transaction(%s) = %+v, %v", c.TxID, info, err)
	}
}

type result struct {
	org     string
	txID    string
	err     error
	at      time.Time
	latency time.Duration
}

// A peer killed (SIGKILL) in the middle of a stream of submissions and
// restarted: while it is down its organisation's clients get
// gateway.ErrUnavailable and nothing else, the other organisations keep
// writing, and once it is back the same Ledger (no restart, no reconnect by
// hand) serves its clients again; the event stream, which was reading from
// that very peer, loses and duplicates nothing.
func testPeerRestart(t *testing.T, n *testNet, l *fabric.Ledger) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, err := l.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := l.Events(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	var evMu sync.Mutex
	var events []gateway.Event
	go func() {
		for ev := range stream {
			evMu.Lock()
			events = append(events, ev)
			evMu.Unlock()
		}
	}()

	workers := []struct{ org, user string }{{"platform", "User1"}, {"platform", "User2"}, {"bank", "User1"}, {"bank", "User2"}}
	var resMu sync.Mutex
	var results []result
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w, spec := range workers {
		id := n.id(t, fabric.WalletName(spec.org, spec.user))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("restart-%d-%d-%d", h, w, i)
				start := time.Now()
				sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
				c, err := l.Submit(sctx, id, gateway.Request{Function: "Emit", Args: []string{key, `["restart"]`}})
				scancel()
				r := result{org: spec.org, err: err, at: time.Now(), latency: time.Since(start)}
				if c != nil {
					r.txID = c.TxID
				}
				resMu.Lock()
				results = append(results, r)
				resMu.Unlock()
				if err != nil {
					time.Sleep(200 * time.Millisecond)
				}
			}
		}()
	}
	snapshot := func() []result {
		resMu.Lock()
		defer resMu.Unlock()
		return append([]result(nil), results...)
	}
	okSince := func(org string, since time.Time) int {
		k := 0
		for _, r := range snapshot() {
			if r.org == org && r.err == nil && r.at.After(since) {
				k++
			}
		}
		return k
	}

	time.Sleep(3 * time.Second)
	killedAt := time.Now()
	n.script(t, "stop-node", "bank", "--kill")
	time.Sleep(6 * time.Second)
	restartAt := time.Now()
	n.script(t, "start-node", "bank")
	startedAt := time.Now()
	deadline := time.Now().Add(2 * time.Minute)
	for okSince("bank", startedAt) < 5 || okSince("platform", startedAt) < 5 {
		if time.Now().After(deadline) {
			close(stop)
			wg.Wait()
			t.Fatalf("no recovery within 2 minutes of the restart: %d bank and %d platform submissions succeeded since", okSince("bank", startedAt), okSince("platform", startedAt))
		}
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	all := snapshot()
	acked := map[string]bool{}
	var firstBankOK time.Time
	counts := map[string][2]int{}
	platformDuringOutage := 0
	for _, r := range all {
		c := counts[r.org]
		if r.err == nil {
			c[0]++
			acked[r.txID] = true
			if r.org == "bank" && r.at.After(restartAt) && (firstBankOK.IsZero() || r.at.Before(firstBankOK)) {
				firstBankOK = r.at
			}
			if r.org == "platform" && r.at.After(killedAt.Add(time.Second)) && r.at.Before(restartAt) {
				platformDuringOutage++
			}
		} else {
			c[1]++
			if !errors.Is(r.err, gateway.ErrUnavailable) {
				t.Errorf("%s submission failed with something other than ErrUnavailable: %v", r.org, r.err)
			}
		}
		counts[r.org] = c
	}
	t.Logf("RESULT peer restart: submissions: platform %d ok / %d failed, bank %d ok / %d failed; peer down %.1f s; bank clients served again %.1f s after start-node returned",
		counts["platform"][0], counts["platform"][1], counts["bank"][0], counts["bank"][1], restartAt.Sub(killedAt).Seconds(), firstBankOK.Sub(startedAt).Seconds())
	if counts["bank"][1] == 0 {
		t.Error("no bank submission failed while its peer was down: was it killed?")
	}
	if platformDuringOutage == 0 {
		t.Error("the platform's clients wrote nothing while the bank's peer was down (two other peers can endorse)")
	}

	// Every acknowledged transaction's event arrives exactly once, in order.
	deadline = time.Now().Add(time.Minute)
	for {
		evMu.Lock()
		got := map[string]int{}
		var last uint64
		ordered := true
		for _, ev := range events {
			got[ev.TxID]++
			if ev.BlockNumber < last {
				ordered = false
			}
			last = ev.BlockNumber
		}
		nEvents := len(events)
		evMu.Unlock()
		missing := 0
		for tx := range acked {
			if got[tx] == 0 {
				missing++
			}
		}
		if missing == 0 {
			for tx, k := range got {
				if k > 1 {
					t.Errorf("event of %s delivered %d times", tx, k)
				}
			}
			if !ordered {
				t.Error("events out of block order")
			}
			t.Logf("%d events for %d acknowledged submissions (the rest: submissions whose outcome was unknown when the peer died)", nEvents, len(acked))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d acknowledged transactions have no event after a minute", missing)
		}
		time.Sleep(250 * time.Millisecond)
	}
	for tx := range acked {
		info, err := l.Transaction(ctx, tx)
		if err != nil || info.Code != gateway.Valid {
			t.Errorf("acknowledged %s: %+v, %v", tx, info, err)
		}
	}
}

// submitFunc writes key once and reports the block it was committed in.
type submitFunc func(key string) (uint64, error)

// testLoad measures submits per second and latency percentiles of a small
// write (probe Put of a fresh key) at each concurrency of spec (e.g.
// "1,16,64"), each client a goroutine with its own identity, spread over
// every organisation: through the adapter, and (unless QC_FABRIC_LOAD_RAW=0)
// through a plain fabric-gateway client (SubmitAsync + commit status) with
// its own connections, as the baseline; then each extra row (the gateway's:
// see gatewayLoadRows) at the same concurrency. It reports; it does not
// assert.
func testLoad(t *testing.T, n *testNet, l *fabric.Ledger, spec string, extra []loadRow) {
	seconds := 20
	if v := os.Getenv("QC_FABRIC_LOAD_SECONDS"); v != "" {
		seconds, _ = strconv.Atoi(v)
	}
	var ids []*identity.Identity
	for _, o := range n.Orgs {
		for _, u := range []string{"User1", "User2", "User3"} {
			ids = append(ids, n.id(t, fabric.WalletName(o.Name, u)))
		}
	}
	adapter := func(c int) submitFunc {
		id := ids[c%len(ids)]
		return func(key string) (uint64, error) {
			cm, err := l.Submit(context.Background(), id, gateway.Request{Function: "Put", Args: []string{key, "v"}})
			if err != nil {
				return 0, err
			}
			return cm.BlockNumber, nil
		}
	}
	var raw func(c int) submitFunc
	if os.Getenv("QC_FABRIC_LOAD_RAW") != "0" {
		raw = rawClients(t, n, ids)
	}
	t.Logf("LOAD batch: %s (the network's configtx.yaml); %d s per run", batchSettings(n), seconds)
	t.Logf("LOAD rows: %-15s a plain fabric-gateway client, probe Put of a fresh key", "fabric-gateway")
	t.Logf("LOAD rows: %-15s gateway/fabric's Ledger, probe Put of a fresh key", "fabric adapter")
	for _, r := range extra {
		t.Logf("LOAD rows: %-15s %s", r.name, r.what)
	}
	t.Logf("LOAD %-15s %7s %8s %8s %8s %8s %6s %6s", "client", "clients", "submits", "per_s", "p50_ms", "p99_ms", "errors", "blocks")
	for _, f := range strings.Split(spec, ",") {
		clients, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || clients < 1 {
			t.Fatalf("QC_FABRIC_LOAD: bad concurrency %q", f)
		}
		loadRun(t, "fabric adapter", clients, seconds, adapter)
		if raw != nil {
			loadRun(t, "fabric-gateway", clients, seconds, raw)
		}
		for _, r := range extra {
			loadRun(t, r.name, clients, seconds, r.newClient)
		}
	}
}

// batchSettings reads the block-cutting settings from the configtx.yaml
// the network was made from (network/configtx.yaml as rendered by up).
func batchSettings(n *testNet) string {
	raw, err := os.ReadFile(filepath.Join(n.NetworkDir, "configtx.yaml"))
	if err != nil {
		if raw, err = os.ReadFile(filepath.Join(n.repo, "network", "configtx.yaml")); err != nil {
			return "unknown"
		}
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		l := strings.TrimSpace(line)
		for _, k := range []string{"BatchTimeout:", "MaxMessageCount:", "PreferredMaxBytes:"} {
			if strings.HasPrefix(l, k) && len(out) < 3 {
				out = append(out, strings.Replace(l, ":", "", 1))
			}
		}
	}
	return strings.Join(out, ", ")
}

// loadRow is one more kind of client in the load run.
type loadRow struct {
	name, what string
	newClient  func(c int) submitFunc
}

func loadRun(t *testing.T, name string, clients, seconds int, newClient func(c int) submitFunc) {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	blocks := map[uint64]bool{}
	var firstErr error
	start := time.Now()
	end := start.Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for c := range clients {
		submit := newClient(c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(end); i++ {
				t0 := time.Now()
				block, err := submit(fmt.Sprintf("load-%d-%d-%d", start.UnixNano(), c, i))
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					errs++
					if firstErr == nil {
						firstErr = err
					}
				} else {
					lat = append(lat, d)
					blocks[block] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	t.Logf("LOAD %-15s %7d %8d %8.1f %8.0f %8.0f %6d %6d", name, clients, len(lat), float64(len(lat))/elapsed.Seconds(), pct(0.50), pct(0.99), errs, len(blocks))
	if firstErr != nil {
		t.Logf("LOAD first error (%s, %d clients): %v", name, clients, firstErr)
	}
}

// rawClients makes plain fabric-gateway clients, as an application would
// write one without Qingchain's adapter: one TLS connection per peer, each
// identity on its own organisation's peer, signing with its private key,
// SubmitAsync and then the commit status.
func rawClients(t *testing.T, n *testNet, ids []*identity.Identity) func(c int) submitFunc {
	conns := map[string]*grpc.ClientConn{}
	for _, o := range n.Orgs {
		ca, err := os.ReadFile(o.PeerTLSCACert)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca)
		conn, err := grpc.NewClient(o.PeerEndpoint, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "")))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		conns[o.MSPID] = conn
	}
	contracts := make([]*client.Contract, len(ids))
	for i, id := range ids {
		xid, err := fgid.NewX509Identity(id.MSPID, id.Cert)
		if err != nil {
			t.Fatal(err)
		}
		keyPEM, _ := id.KeyPEM()
		key, err := fgid.PrivateKeyFromPEM(keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		sign, err := fgid.NewPrivateKeySign(key)
		if err != nil {
			t.Fatal(err)
		}
		gw, err := client.Connect(xid, client.WithSign(sign), client.WithHash(hash.SHA256), client.WithClientConnection(conns[id.MSPID]),
			client.WithEndorseTimeout(15*time.Second), client.WithSubmitTimeout(10*time.Second), client.WithCommitStatusTimeout(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { gw.Close() })
		contracts[i] = gw.GetNetwork(n.Channel).GetContract("probe")
	}
	return func(c int) submitFunc {
		contract := contracts[c%len(contracts)]
		return func(key string) (uint64, error) {
			_, commit, err := contract.SubmitAsync("Put", client.WithArguments(key, "v"))
			if err != nil {
				return 0, err
			}
			st, err := commit.Status()
			if err != nil {
				return 0, err
			}
			if !st.Successful {
				return st.BlockNumber, fmt.Errorf("transaction %s: %s", st.TransactionID, st.Code)
			}
			return st.BlockNumber, nil
		}
	}
}
