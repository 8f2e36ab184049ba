package contracttest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/qingchain/qingchain/chaincode/api"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/qingchain/qingchain/chaincode/contracts"
	"github.com/qingchain/qingchain/chaincode/gs1"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/identity"
)

// trHookChaincode is the real chaincode plus one test-only function,
// "testhook:Index", that puts or deletes a composite-key index entry. The
// trace tests use it to stand in for contracts that do not exist yet (the
// warehouse-receipt contract writes receipt~lot).
type trHookChaincode struct{ inner shim.Chaincode }

func (h trHookChaincode) Init(stub shim.ChaincodeStubInterface) *peer.Response {
	return h.inner.Init(stub)
}

func (h trHookChaincode) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	fn, args := stub.GetFunctionAndParameters()
	if fn != "testhook:Index" {
		return h.inner.Invoke(stub)
	}
	// args: "put"|"del", objectType, attributes...
	k, err := stub.CreateCompositeKey(args[1], args[2:])
	if err == nil {
		if args[0] == "put" {
			err = stub.PutState(k, []byte{0})
		} else {
			err = stub.DelState(k)
		}
	}
	if err != nil {
		return shim.Error(err.Error())
	}
	return shim.Success(nil)
}

// trNew is New with the test hook in front of the chaincode.
func trNew(t testing.TB) *Net {
	t.Helper()
	// Three days after the fixture's first event time (eventTime): events
	// are recorded within the capture tolerance of a week.
	clock := &Clock{now: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)}
	cc, err := contracts.New()
	if err != nil {
		t.Fatal(err)
	}
	l, err := devledger.Open(devledger.Config{Dir: t.TempDir(), Chaincode: trHookChaincode{cc}, Orgs: Orgs, BatchTimeout: time.Millisecond, BatchMaxTx: 500, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return On(t, l, clock)
}

// trKinds lists every enterprise kind.
var trKinds = []string{"producer", "processor", "logistics", "warehouse", "exporter", "bank", "insurer", "inspector", "regulator"}

var trOrgOfKind = map[string]string{
	"producer": PlatformMSP, "processor": PlatformMSP, "logistics": PlatformMSP, "exporter": PlatformMSP,
	"inspector": RegulatorMSP, "warehouse": WarehouseMSP, "bank": BankMSP, "insurer": InsurerMSP, "regulator": RegulatorMSP,
}

// trWorld is a ledger with one single-kind enterprise per kind and an
// identity bound to no enterprise.
type trWorld struct {
	*Net
	t       testing.TB
	by      map[string]*Member
	unbound *identity.Identity
	gtinSeq int
	timeSeq int
}

func trSetup(t testing.TB) *trWorld {
	t.Helper()
	n := trNew(t)
	w := &trWorld{Net: n, t: t, by: map[string]*Member{}}
	for _, k := range trKinds {
		w.by[k] = n.Enterprise(trOrgOfKind[k], "企业 "+k, k)
	}
	ca, _ := n.Ledger.CA(PlatformMSP)
	var err error
	if w.unbound, err = ca.Issue("stranger", identity.RoleClient, nil); err != nil {
		t.Fatal(err)
	}
	return w
}

// trGTIN13 makes a valid EAN-13 from a sequence number.
func trGTIN13(t testing.TB, seq int) string {
	t.Helper()
	body := fmt.Sprintf("69%010d", seq)
	c, err := gs1.GTINCheckDigit(body)
	if err != nil {
		t.Fatal(err)
	}
	return body + string(c)
}

// newGTIN returns a fresh GTIN in its 14-digit form.
func (w *trWorld) newGTIN() string {
	w.gtinSeq++
	return "0" + trGTIN13(w.t, w.gtinSeq)
}

// eventTime returns a distinct event time in China time, before the
// ledger's clock.
func (w *trWorld) eventTime() string {
	w.timeSeq++
	return time.Date(2026, 3, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600)).Add(time.Duration(w.timeSeq) * time.Minute).Format(time.RFC3339)
}

func trJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type trObj = map[string]any

func (w *trWorld) submit(id *identity.Identity, fn api.Tx, args ...string) ([]byte, error) {
	c, err := w.Submit(id, fn, args...)
	if err != nil {
		return nil, err
	}
	return c.Payload, nil
}

func (w *trWorld) must(v any, id *identity.Identity, fn api.Tx, args ...string) {
	w.t.Helper()
	out, err := w.submit(id, fn, args...)
	if err != nil {
		w.t.Fatalf("%s: %v", fn, err)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			w.t.Fatalf("%s: decode %s: %v", fn, out, err)
		}
	}
}

// product creates a product owned by m; extra fields override defaults.
func (w *trWorld) product(m *Member, extra trObj) string {
	w.t.Helper()
	g := w.newGTIN()
	in := trObj{"gtin": g, "nameZh": "英德红茶", "nameEn": "Yingde black tea", "category": "tea", "giStatus": "NONE"}
	for k, v := range extra {
		in[k] = v
	}
	w.must(nil, m.Identity, api.TxCreateProduct, trJSON(in))
	return g
}

func trLotInput(gtin, lot, qty, unit string) api.LotInput {
	return api.LotInput{GTIN: gtin, Lot: lot, Date: "2026-03-01", Quantity: qty, Unit: unit,
		Origin: api.Origin{Place: "广东省英德市横石塘镇", PlaceEn: "Hengshitang, Yingde", Latitude: "24.1861", Longitude: "113.4012", Country: "CN"}}
}

func (w *trWorld) lot(m *Member, gtin, lot, qty, unit string) {
	w.t.Helper()
	w.OK(w.C.CommissionLot(w.Ctx, m.Identity, trLotInput(gtin, lot, qty, unit)))
}

// handOver has from hand a lot's goods over to to, which becomes their
// custodian.
func (w *trWorld) handOver(from *Member, gtin, lot string, to *Member) {
	w.t.Helper()
	w.OK(w.C.HandOver(w.Ctx, from.Identity, gtin, lot, to.CreditCode))
}

func (w *trWorld) items(m *Member, gtin, lot string, serials ...string) {
	w.t.Helper()
	w.OK(w.C.CommissionItems(w.Ctx, m.Identity, gtin, lot, serials))
}

func (w *trWorld) event(m *Member, ev trObj) (api.TraceEvent, error) {
	var out api.TraceEvent
	b, err := w.submit(m.Identity, api.TxRecordEvent, trJSON(ev))
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(b, &out); err != nil {
		w.t.Fatalf("decode event %s: %v", b, err)
	}
	return out, nil
}

func (w *trWorld) mustEvent(m *Member, ev trObj) api.TraceEvent {
	w.t.Helper()
	out, err := w.event(m, ev)
	if err != nil {
		w.t.Fatalf("RecordEvent %s: %v", trJSON(ev), err)
	}
	return out
}

func (w *trWorld) index(op, objectType string, attrs ...string) {
	w.t.Helper()
	w.must(nil, w.Admins[PlatformMSP], "testhook:Index", append([]string{op, objectType}, attrs...)...)
}

func (w *trWorld) trace(gtin, lot, serial string) api.TraceDocument {
	w.t.Helper()
	var doc api.TraceDocument
	Into(w.T, &doc)(w.C.GetTrace(w.Ctx, w.unbound, gtin, lot, serial))
	return doc
}

func (w *trWorld) lotView(gtin, lot string) api.LotView {
	w.t.Helper()
	var v api.LotView
	Into(w.T, &v)(w.C.GetLot(w.Ctx, w.unbound, gtin, lot))
	return v
}

func (w *trWorld) itemView(gtin, lot, serial string) api.ItemView {
	w.t.Helper()
	var v api.ItemView
	Into(w.T, &v)(w.C.GetItem(w.Ctx, w.unbound, gtin, lot, serial))
	return v
}

// chaincodeEvents collects the chaincode events committed from block
// `from` on, until none arrives for a moment.
func (w *trWorld) chaincodeEvents(from uint64) []string {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ch, err := w.Ledger.Events(ctx, from)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, e.Name+" "+string(e.Payload))
		case <-time.After(300 * time.Millisecond):
			return out
		}
	}
}

func (w *trWorld) height() uint64 {
	w.t.Helper()
	h, err := w.Ledger.Height(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}

// checkNothingWritten insists that a refused transaction (want != "")
// added no block: it was never ordered, so it wrote nothing.
func (w *trWorld) checkNothingWritten(t *testing.T, want string, before uint64) {
	t.Helper()
	if want == "" {
		return
	}
	if after := w.height(); after != before {
		t.Errorf("refused transaction changed the height from %d to %d", before, after)
	}
}

func trCheckCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := Code(err); got != want {
		t.Errorf("code = %q, want %q (%v)", got, want, err)
	}
}

func trLotRef(gtin, lot string) trObj { return trObj{"gtin": gtin, "lot": lot} }

func trLotQty(gtin, lot, qty, unit string) trObj {
	return trObj{"gtin": gtin, "lot": lot, "quantity": qty, "unit": unit}
}

func trItem(gtin, serial string) trObj { return trObj{"gtin": gtin, "serial": serial} }
