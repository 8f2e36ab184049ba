package insurer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qingchain/qingchain/apps/insurer"
	"github.com/qingchain/qingchain/apps/pagekit"
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/client"
	"github.com/qingchain/qingchain/gateway/demo"
	"github.com/qingchain/qingchain/gateway/readmodel/readmodeltest"
	"github.com/qingchain/qingchain/gateway/readmodel/sqlite"
)

func code(err error) api.Code { return pagekit.CodeOf(err) }

// TestPayClaimRepaysTheLoan: the exporter finances the assigned shipment
// against its policy, the buyer defaults, the claim is filed; the
// underwriter approves and pays it from the portal and the bank's loan
// is repaid from the indemnity.
func TestPayClaimRepaysTheLoan(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	z := readmodeltest.Seed(t)
	ctx := context.Background()
	store, err := sqlite.OpenDir(ctx, t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cc := client.New(z.Ledger, client.Strict())
	svc := &insurer.Service{Deps: pagekit.Deps{Client: cc, Store: store, Log: slog.New(slog.DiscardHandler)}}
	raw, err := os.ReadFile(filepath.Join(z.Dir, demo.EntitiesFile))
	if err != nil {
		t.Fatal(err)
	}
	var ents struct {
		Insurance struct {
			AssignedShipment    string `json:"assignedShipment"`
			ReceivableFinancing string `json:"receivableFinancing"`
		} `json:"insurance"`
	}
	if err := json.Unmarshal(raw, &ents); err != nil {
		t.Fatal(err)
	}
	ship := ents.Insurance.AssignedShipment
	id := z.Identities
	bank := z.Users["bank"].Enterprise
	today := time.Now().In(time.FixedZone("CST", 8*3600))
	// The shipment's lot backs the demo's receivable financing: the
	// cooperative pays it off, which frees the goods.
	rv, err := cc.GetFinancing(ctx, id["bank"], ents.Insurance.ReceivableFinancing, today.Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.RecordRepayment(ctx, id["bank"], rv.ID, rv.AsOf.Payoff, today.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	f, err := cc.ApplyForFinancing(ctx, id["exporter"], api.FinancingApplication{Type: "POLICY", Bank: bank, Collateral: []string{ship}, RequestedPrincipal: "12000.00", Currency: "USD", Purpose: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.ApproveFinancing(ctx, id["bank"], f.Result.ID, api.FinancingTerms{Principal: "12000.00", AnnualRate: "0.05", TermDays: 120, MaxLTV: "0.80"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.DisburseFinancing(ctx, id["bank"], f.Result.ID, today.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	// The shipment is due in 60 days; the waiting period is 10.
	z.Clock.At(today.AddDate(0, 0, 62))
	if _, err := cc.ReportBuyerDefault(ctx, id["exporter"], ship); err != nil {
		t.Fatal(err)
	}
	z.Clock.At(today.AddDate(0, 0, 75))
	t.Cleanup(func() { z.Clock.At(time.Time{}) })
	filed, err := cc.FileClaim(ctx, id["exporter"], ship, api.ClaimInput{Note: "buyer insolvent"})
	if err != nil {
		t.Fatal(err)
	}
	z.Project(t, store) // after the writes above, so the queue has the claim
	readmodeltest.WaitTx(t, store, filed.Commit.TxID)

	ins, err := svc.Resolve(ctx, id["insurer"])
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.Overview(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	var queued *insurer.ClaimLine
	for i, c := range o.Claims[api.ClaimFiled] {
		if c.ID == filed.Result.ID {
			queued = &o.Claims[api.ClaimFiled][i]
		}
	}
	if queued == nil || !queued.Preview || queued.Indemnity == "" {
		t.Fatalf("the filed claim is not in the queue with a previewed indemnity: %+v", o.Claims)
	}
	pages, err := insurer.ParsePages()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := insurer.Render(pages, &b, insurer.View{Base: "/insurer", O: o, Texts: insurer.Translator("en"), CSRF: `<input type="hidden" name="csrf" value="tok">`}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `data-claim="`+filed.Result.ID+`"`) || b.Len() > 150<<10 {
		t.Errorf("overview (%d bytes) lacks the claim", b.Len())
	}

	for _, tc := range []struct{ name, id, date string }{
		{"bad id", "CM-2026-xyz", "2026-12-01"},
		{"bad date", filed.Result.ID, "2026-13-01"},
	} {
		if _, err := svc.PayClaim(ctx, ins, tc.id, tc.date); code(err) != api.CodeInvalidArgument {
			t.Errorf("%s: %v, want INVALID_ARGUMENT", tc.name, err)
		}
	}
	approved, err := svc.ApproveClaim(ctx, ins, filed.Result.ID, "insolvency confirmed")
	if err != nil {
		t.Fatal(err)
	}
	if approved.Indemnity != queued.Indemnity {
		t.Errorf("approved at %s, previewed %s", approved.Indemnity, queued.Indemnity)
	}
	paid, err := svc.PayClaim(ctx, ins, filed.Result.ID, today.AddDate(0, 0, 75).Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	if paid.Status != api.ClaimPaid || paid.Payment == nil || paid.Payment.FinancingID != f.Result.ID {
		t.Fatalf("paid claim = %+v", paid)
	}
	fv, err := cc.GetFinancing(ctx, id["bank"], f.Result.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if fv.PrincipalOutstanding != "0" && fv.PrincipalOutstanding != "0.00" {
		t.Errorf("after the claim: financing %s outstanding %s (status %s), want repaid", fv.ID, fv.PrincipalOutstanding, fv.Status)
	}
}

// TestInsurerSeesOnlyItsOwn: a bank is not an insurer, and an insurer
// cannot read a claim it is not party to by its id.
func TestInsurerOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the demo")
	}
	z := readmodeltest.Seed(t)
	ctx := context.Background()
	svc := &insurer.Service{Deps: pagekit.Deps{Client: client.New(z.Ledger), Log: slog.New(slog.DiscardHandler)}}
	se, err := svc.Resolve(ctx, z.Identities["bank"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Overview(ctx, se); code(err) != api.CodeForbidden {
		t.Errorf("bank: overview: %v, want FORBIDDEN", err)
	}
	if _, err := svc.PayClaim(ctx, se, "CM-2026-0123456789ABCDEF", "2026-12-01"); code(err) != api.CodeForbidden {
		t.Errorf("bank: pay: %v, want FORBIDDEN", err)
	}
}
