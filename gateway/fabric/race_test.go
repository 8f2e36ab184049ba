package fabric_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/qingchain/qingchain/chaincode/api"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/fabric"
)

// raceWidth is how many applications against one receipt are approved at
// once in the approval race (QC_FABRIC_RACE, default 20).
func raceWidth(t testing.TB) int {
	n := 20
	if v := os.Getenv("QC_FABRIC_RACE"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 2 {
			t.Fatalf("QC_FABRIC_RACE: want an integer of at least 2, got %q", v)
		}
	}
	return n
}

// testApprovalRace: N banks, each a bank enterprise of BankMSP with its own
// member identity (issued by BankMSP's CA, as a bank would enrol a loan
// officer), are each asked for financing against the same free receipt; all
// N approve at the same moment through the gateway. Exactly one approval
// commits; every other gets 409 ALREADY_PLEDGED (an approval endorsed
// before the winner committed loses the MVCC check at commit; the gateway
// re-simulates it, and then the chaincode refuses it); the receipt's history
// shows one pledge, to the winner.
func testApprovalRace(t *testing.T, n *testNet, g *gatewayProc, z *zone) {
	receipt := z.receiptParts[1]
	if receipt == "" {
		t.Skip("no free receipt: the bank flow did not get as far as the split")
	}
	width := raceWidth(t)
	const coop = "platform-User1"
	banks := make([]string, width) // wallet names of the approving officers
	codes := make([]string, width) // their banks' credit codes
	apps := make([]string, width)  // the applications
	start := time.Now()
	for i := range width {
		banks[i] = fmt.Sprintf("race-bank-%s-%02d", z.run, i)
		codes[i] = z.creditCode(t)
		g.addIdentity(t, banks[i], n.issueClient(t, "bank", banks[i], nil))
	}
	parallel(width, 8, func(i int) {
		t := goT{t}
		g.register(t, "bank", codes[i], fmt.Sprintf("竞速测试银行 %d (Fabric e2e)", i), "bank")
		g.bind(t, "bank", codes[i], banks[i])
		w := g.write(t, 201, "/api/v1/financings", coop, obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": codes[i], "collateral": []string{receipt},
			"requestedPrincipal": "50000.00", "currency": "CNY", "purpose": fmt.Sprintf("race application %d", i)})
		apps[i] = resultID(t, w)
	})
	if t.Failed() {
		return
	}
	t.Logf("%d banks registered, officers bound and applications made in %.1f s", width, time.Since(start).Seconds())

	type outcome struct {
		status  int
		code    string
		txID    string
		block   uint64
		latency time.Duration
	}
	out := make([]outcome, width)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			t0 := time.Now()
			r, err := g.request("POST", "/api/v1/financings/"+apps[i]+"/approve", banks[i], obj{"principal": "50000.00", "annualRate": "0.04", "termDays": 60, "maxLtv": "0.70"})
			if err != nil {
				out[i] = outcome{code: err.Error()}
				return
			}
			o := outcome{status: r.status, code: r.code(), latency: time.Since(t0)}
			if r.status == 200 {
				var w writeResult
				json.Unmarshal(r.body, &w)
				o.txID, o.block = w.TxID, w.BlockNumber
			}
			out[i] = o
		}()
	}
	retriesBefore := g.metric(t, "qingchain_ledger_conflict_retries_total")
	close(ready)
	wg.Wait()
	retries := g.metric(t, "qingchain_ledger_conflict_retries_total") - retriesBefore
	winners := []int{}
	tally := map[string]int{}
	var slowest time.Duration
	for i, o := range out {
		slowest = max(slowest, o.latency)
		switch {
		case o.status == 200:
			winners = append(winners, i)
			tally["200 approved"]++
		default:
			tally[fmt.Sprintf("%d %s", o.status, o.code)]++
		}
	}
	t.Logf("RESULT approval race, %d concurrent approvals of one receipt: %v; the gateway retried %.0f MVCC conflicts; slowest answer %.2f s", width, tally, retries, slowest.Seconds())
	if len(winners) != 1 || tally["409 ALREADY_PLEDGED"] != width-1 {
		t.Fatalf("want exactly one approval and %d × 409 ALREADY_PLEDGED; got %v", width-1, tally)
	}
	win := winners[0]
	g.settle(t, out[win].block)

	// The receipt: pledged once, to the winner, in the winner's transaction.
	var hist []json.RawMessage
	g.must(t, 200, "GET", "/api/v1/receipts/"+receipt+"/history", coop, nil).decode(t, &hist)
	pledges := 0
	for _, h := range hist {
		if bytes.Contains(h, []byte(`"status":"PLEDGED"`)) {
			pledges++
			if !bytes.Contains(h, []byte(apps[win])) || !bytes.Contains(h, []byte(out[win].txID)) {
				t.Errorf("the pledged state does not name the winning financing %s and its transaction %s: %.400s", apps[win], out[win].txID, h)
			}
		}
	}
	if pledges != 1 {
		t.Errorf("receipt history shows %d pledged states, want 1 (%d entries)", pledges, len(hist))
	}
	var fin struct {
		Status string `json:"status"`
	}
	for i := range width {
		fin.Status = ""
		g.must(t, 200, "GET", "/api/v1/financings/"+apps[i], banks[i], nil).decode(t, &fin)
		want := "APPLIED"
		if i == win {
			want = "APPROVED"
		}
		if fin.Status != want {
			t.Errorf("financing %s of bank %d: %s, want %s", apps[i], i, fin.Status, want)
		}
	}
}

// metric reads one counter or gauge (summed over its label sets) from the
// gateway's /metrics.
func (g *gatewayProc) metric(t testing.TB, name string) float64 {
	t.Helper()
	r := g.must(t, 200, "GET", "/metrics", "", nil)
	sum := 0.0
	for _, line := range strings.Split(string(r.body), "\n") {
		if !strings.HasPrefix(line, name) || (len(line) > len(name) && line[len(name)] != ' ' && line[len(name)] != '{') {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}

// receivableFunctions reports whether the deployed chaincode has the
// receivable contract (its metadata lists "receivable").
func receivableFunctions(t testing.TB, l *fabric.Ledger, id string, n *testNet) bool {
	md, err := l.Evaluate(context.Background(), n.id(t, id), gateway.Request{Function: "org.hyperledger.fabric:GetMetadata"})
	if err != nil {
		t.Fatalf("GetMetadata: %v", err)
	}
	return bytes.Contains(md, []byte(`"name":"CreateReceivable"`))
}

// testInvoiceRace: N creations of the same receivable (one seller, one
// buyer, one invoice number) submitted at once on Fabric, first through the
// adapter, then (another invoice) over HTTP through the gateway. Through
// the adapter exactly one commits and each other one is refused by the
// chaincode (DUPLICATE_INVOICE, when simulated after the winner committed)
// or invalidated at commit (MVCC_READ_CONFLICT on the invoice key, when
// simulated before). Through the gateway, which re-simulates MVCC losers,
// exactly one is 201 and every other one 409 DUPLICATE_INVOICE.
func testInvoiceRace(t *testing.T, n *testNet, g *gatewayProc, z *zone) {
	l := n.open(t, "qingchain", n.id(t, "regulator-User1"))
	if !receivableFunctions(t, l, "platform-User1", n) {
		t.Skip("the deployed chaincode has no receivable contract yet")
	}
	width := raceWidth(t)
	seller := n.id(t, "platform-User1") // member of the cooperative (exporter)
	cst := time.FixedZone("CST", 8*3600)
	issue := time.Now().In(cst).Format("2006-01-02")
	due := time.Now().In(cst).AddDate(0, 0, 90).Format("2006-01-02")
	// Each race its own amount: the same buyer, amount and lots under a
	// second invoice number would be a likely duplicate of the first race's.
	invoice := func(number, amount string) api.ReceivableInput {
		return api.ReceivableInput{Buyer: api.ReceivableBuyerInput{Name: "Rotterdam Tea Importers B.V.", Country: "NL", RegistrationID: "KVK-" + z.run + "-77"},
			InvoiceNumber: number, Amount: amount, Currency: "USD", IssueDate: issue, DueDate: due,
			Lots: []api.LotRef{{GTIN: z.gtinTea, Lot: z.lotExport}}}
	}
	in := invoice("INV-E2E-"+z.run, "86000.00")
	c := client.New(l, client.Strict())

	type outcome struct {
		id   string
		code string
	}
	out := make([]outcome, width)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	for i := range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			w, err := c.CreateReceivable(context.Background(), seller, in)
			var ce *gateway.ChaincodeError
			var me *gateway.CommitError
			switch {
			case err == nil:
				out[i] = outcome{id: w.Result.ID, code: "VALID"}
			case errors.As(err, &ce):
				out[i] = outcome{code: ce.Code}
			case errors.As(err, &me):
				out[i] = outcome{code: string(me.Code)}
			default:
				out[i] = outcome{code: err.Error()}
			}
		}()
	}
	close(ready)
	wg.Wait()
	tally := map[string]int{}
	var winner string
	for _, o := range out {
		tally[o.code]++
		if o.code == "VALID" {
			winner = o.id
		}
	}
	t.Logf("RESULT invoice race through the adapter, %d concurrent creations of one invoice: %v", width, tally)
	if tally["VALID"] != 1 || tally["DUPLICATE_INVOICE"]+tally[string(gateway.MVCCReadConflict)] != width-1 {
		t.Fatalf("want exactly one receivable and %d refused (DUPLICATE_INVOICE or MVCC_READ_CONFLICT); got %v", width-1, tally)
	}
	// A creation after the race is refused by the chaincode itself.
	if _, err := c.CreateReceivable(context.Background(), seller, in); err == nil || !strings.Contains(err.Error(), "DUPLICATE_INVOICE") {
		t.Errorf("creating the invoice again: %v, want DUPLICATE_INVOICE", err)
	}
	lst, err := c.ListReceivables(context.Background(), seller)
	if err != nil {
		t.Fatal(err)
	}
	k, listed := 0, false
	for _, rv := range lst {
		if rv.InvoiceNumber == "INV-E2E-"+z.run {
			k++
		}
		listed = listed || rv.ID == winner
	}
	if k != 1 || !listed {
		t.Errorf("the seller's receivables list invoice INV-E2E-%s %d times (want once, as %s)", z.run, k, winner)
	}

	// The same race over HTTP through the gateway.
	number := "INV-E2E-H" + z.run
	type httpOutcome struct {
		status int
		code   string
		id     string
		block  uint64
	}
	hout := make([]httpOutcome, width)
	ready = make(chan struct{})
	for i := range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-ready
			r, err := g.request("POST", "/api/v1/receivables", "platform-User1", invoice(number, "86500.00"))
			if err != nil {
				hout[i] = httpOutcome{code: err.Error()}
				return
			}
			o := httpOutcome{status: r.status, code: r.code()}
			if r.status == 201 {
				var w writeResult
				json.Unmarshal(r.body, &w)
				var v struct {
					ID string `json:"id"`
				}
				json.Unmarshal(w.Result, &v)
				o.id, o.block = v.ID, w.BlockNumber
			}
			hout[i] = o
		}()
	}
	close(ready)
	wg.Wait()
	htally := map[string]int{}
	var hwin httpOutcome
	for _, o := range hout {
		if o.status == 201 {
			hwin = o
			o.code = "created"
		}
		htally[fmt.Sprintf("%d %s", o.status, o.code)]++
	}
	t.Logf("RESULT invoice race through the HTTP gateway, %d concurrent POST /api/v1/receivables of one invoice: %v", width, htally)
	if htally["201 created"] != 1 || htally["409 DUPLICATE_INVOICE"] != width-1 {
		t.Fatalf("want one 201 and %d × 409 DUPLICATE_INVOICE; got %v", width-1, htally)
	}
	g.settle(t, hwin.block)
	body := g.must(t, 200, "GET", "/api/v1/receivables", "platform-User1", nil).body
	if k := bytes.Count(body, []byte(`"invoiceNumber":"`+number+`"`)); k != 1 || !bytes.Contains(body, []byte(hwin.id)) {
		t.Errorf("GET /api/v1/receivables lists invoice %s %d times (want once, as %s)", number, k, hwin.id)
	}
}
