package network_test

import (
	"slices"
	"testing"

	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/network"
)

// The definition files that network.sh deploy hands to Fabric are ones
// devledger accepts too.
func TestDefinitionFilesParse(t *testing.T) {
	if _, err := devledger.ParsePolicy(network.EndorsementPolicy()); err != nil {
		t.Errorf("endorsement-policy: %v", err)
	}
	tests := []struct {
		chaincode string
		want      []string // collection names
	}{
		{"probe", []string{"probe-ab"}},
		{"qingchain", []string{"terms-BankMSP-PlatformMSP", "terms-BankMSP-WarehouseMSP"}},
		{"no-such-chaincode", nil},
	}
	for _, tc := range tests {
		raw, err := network.Collections(tc.chaincode)
		if err != nil {
			t.Fatal(err)
		}
		if raw == nil {
			if tc.want != nil {
				t.Errorf("%s: no collections, want %v", tc.chaincode, tc.want)
			}
			continue
		}
		cs, err := devledger.ParseCollections(raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.chaincode, err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: collections %v, want %v", tc.chaincode, got, tc.want)
		}
	}
}
