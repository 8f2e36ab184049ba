package fabric_test

import (
	"slices"
	"testing"

	"github.com/qingchain/qingchain/gateway/fabric"
)

// testGatewayFabricCA: a new bank officer enrolled with BankMSP's Fabric CA
// by the operator tool (scripts/network.sh enroll, tools/fabca), bound to the
// bank through the API by the bank's admin, acts as a member of the bank
// (reads, and a bank's write: rejecting an application); revoked at the CA
// (scripts/network.sh revoke: the CRL goes into the channel's BankMSP), the
// gateway refuses it, while the bank's other members go on working.
func testGatewayFabricCA(t *testing.T, n *testNet, g *gatewayProc, z *zone) {
	if !n.ca {
		t.Skip("SKIP: the network was brought up with cryptogen (no fabric-ca-server in FABRIC_BIN or on PATH)")
	}
	name := "Officer" + z.run
	officer := fabric.WalletName("bank", name)
	id := n.enroll(t, "bank", name, nil)
	if id.MSPID != "BankMSP" {
		t.Fatalf("enrolled %s in %s, want BankMSP", name, id.MSPID)
	}
	g.addIdentity(t, officer, id)

	m := g.me(t, officer)
	if m.Enterprise != nil || m.MSPID != "BankMSP" {
		t.Fatalf("/me of the new officer = %+v, want BankMSP and no enterprise yet", m)
	}
	g.write(t, 201, "/api/v1/enterprises/"+z.bank+"/members", adminOf("bank"), obj{"id": m.ID, "label": name})
	m = g.me(t, officer)
	if m.Enterprise == nil || m.Enterprise.CreditCode != z.bank || !slices.Contains(m.Enterprise.Kinds, "bank") {
		t.Fatalf("/me after binding = %+v, want a member of bank %s", m, z.bank)
	}
	// A bank's write as the officer: an application to the bank, rejected.
	part := z.receiptParts[1]
	if part == "" {
		t.Fatal("no free receipt part: the bank flow did not get as far as the split")
	}
	app := resultID(t, g.write(t, 201, "/api/v1/financings", "platform-User1", obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": z.bank,
		"collateral": []string{part}, "requestedPrincipal": "1000.00", "currency": "CNY", "purpose": "Fabric CA officer " + z.run}))
	g.write(t, 200, "/api/v1/financings/"+app+"/reject", officer, obj{"reason": "rejected by an officer enrolled with Fabric CA"})

	n.script(t, "revoke", "bank", name)
	g.refuse(t, 401, "UNAUTHENTICATED", "GET", "/api/v1/me", officer, nil)
	app2 := resultID(t, g.write(t, 201, "/api/v1/financings", "platform-User1", obj{"type": "WAREHOUSE_RECEIPT_PLEDGE", "bank": z.bank,
		"collateral": []string{part}, "requestedPrincipal": "1000.00", "currency": "CNY", "purpose": "Fabric CA officer, after revocation " + z.run}))
	g.refuse(t, 401, "UNAUTHENTICATED", "POST", "/api/v1/financings/"+app2+"/reject", officer, obj{"reason": "a revoked officer"})
	// The bank's other members are unaffected.
	g.write(t, 200, "/api/v1/financings/"+app2+"/reject", "bank-User1", obj{"reason": "rejected by a current officer"})
}
