package fabric_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/client"
)

// testPrivateTerms: the bank of the bank flow's financing records its
// private term sheet through the adapter (transient data, collection
// terms-BankMSP-PlatformMSP of network/collections/qingchain.json); the
// borrower reads it from its own organisation's peer, the warehouse and the
// inspector (RegulatorMSP) are refused, the inspector checks a shown sheet against the hash,
// and the sheet is in no block.
func testPrivateTerms(t *testing.T, n *testNet, z *zone) {
	if z.financing == "" {
		t.Skip("the bank flow made no financing")
	}
	ctx := context.Background()
	bank, coop := n.id(t, "bank-User1"), n.id(t, "platform-User1")
	l := n.open(t, "qingchain", bank)
	c := client.New(l, client.Strict())
	sheet := api.PrivateTerms{InternalNotes: "Fabric e2e credit memo " + z.run, Haircuts: map[string]string{"recall": "0.55"}}
	w, err := c.RecordPrivateTerms(ctx, bank, z.financing, sheet)
	if err != nil {
		t.Fatalf("RecordPrivateTerms: %v", err)
	}
	if w.Result.PrivateTermsHash == "" {
		t.Errorf("no privateTermsHash on the financing: %+v", w.Result)
	}
	if raw, err := l.BlockBytes(ctx, w.Commit.BlockNumber); err != nil {
		t.Errorf("block %d: %v", w.Commit.BlockNumber, err)
	} else if strings.Contains(string(raw), sheet.InternalNotes) {
		t.Errorf("the private term sheet is in block %d", w.Commit.BlockNumber)
	}
	got, err := c.GetPrivateTerms(ctx, coop, z.financing)
	if err != nil || got.InternalNotes != sheet.InternalNotes {
		t.Errorf("GetPrivateTerms as the borrower = %+v, %v", got, err)
	}
	for _, who := range []string{"warehouse-User1", "regulator-User1"} {
		var ce *gateway.ChaincodeError
		if _, err := c.GetPrivateTerms(ctx, n.id(t, who), z.financing); !errors.As(err, &ce) || ce.Code != string(api.CodeForbidden) {
			t.Errorf("GetPrivateTerms as %s: %v, want FORBIDDEN", who, err)
		}
	}
	forged := sheet
	forged.Haircuts = map[string]string{"recall": "0.05"}
	for _, tc := range []struct {
		shown api.PrivateTerms
		want  bool
	}{{sheet, true}, {forged, false}} {
		chk, err := c.CheckPrivateTerms(ctx, n.id(t, "regulator-User1"), z.financing, tc.shown)
		if err != nil || !chk.Recorded || chk.Matches != tc.want {
			t.Errorf("CheckPrivateTerms as the inspector (RegulatorMSP) = %+v, %v; want matches=%v", chk, err, tc.want)
		}
	}
}
