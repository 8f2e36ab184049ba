package chanconfig_test

import (
	"errors"
	"testing"

	//lint:ignore SA1019 fabric-protos-go (what fabric-sdk-go and fabric-config are built on) generates APIv1 messages, which only this package marshals
	"github.com/golang/protobuf/proto"
	cb "github.com/hyperledger/fabric-protos-go/common"
	mb "github.com/hyperledger/fabric-protos-go/msp"

	"github.com/qingchain/qingchain/tools/fabca/internal/chanconfig"
	"github.com/qingchain/qingchain/tools/fabca/internal/testpki"
)

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// configBlock is a channel "ch" with two application organisations.
func configBlock(t *testing.T, bank, other *testpki.CA, crls ...[]byte) []byte {
	t.Helper()
	org := func(mspID string, ca *testpki.CA, crls [][]byte) *cb.ConfigGroup {
		fc := &mb.FabricMSPConfig{Name: mspID, RootCerts: [][]byte{ca.CertPEM}, RevocationList: crls}
		return &cb.ConfigGroup{
			Version:   1,
			ModPolicy: "Admins",
			Values: map[string]*cb.ConfigValue{"MSP": {
				Version: 0, ModPolicy: "Admins",
				Value: marshal(t, &mb.MSPConfig{Type: 0, Config: marshal(t, fc)}),
			}},
		}
	}
	cfg := &cb.Config{Sequence: 3, ChannelGroup: &cb.ConfigGroup{
		Version: 0, ModPolicy: "Admins",
		Groups: map[string]*cb.ConfigGroup{"Application": {
			Version: 1, ModPolicy: "Admins",
			Groups: map[string]*cb.ConfigGroup{"BankMSP": org("BankMSP", bank, crls), "PlatformMSP": org("PlatformMSP", other, nil)},
		}},
	}}
	ch := marshal(t, &cb.ChannelHeader{Type: int32(cb.HeaderType_CONFIG), ChannelId: "ch"})
	payload := marshal(t, &cb.Payload{Header: &cb.Header{ChannelHeader: ch}, Data: marshal(t, &cb.ConfigEnvelope{Config: cfg})})
	return marshal(t, &cb.Block{Data: &cb.BlockData{Data: [][]byte{marshal(t, &cb.Envelope{Payload: payload})}}})
}

func TestCRLUpdateChangesOnlyTheOrganisationsMSP(t *testing.T) {
	bank, platform := testpki.NewCA(t, "ca.bank"), testpki.NewCA(t, "ca.platform")
	older := bank.CRL(t, 1, 5)
	newer := bank.CRL(t, 2, 5, 6)
	envBytes, channel, err := chanconfig.CRLUpdate(configBlock(t, bank, platform, older), "BankMSP", newer)
	if err != nil {
		t.Fatal(err)
	}
	if channel != "ch" {
		t.Errorf("channel %q", channel)
	}
	var env cb.Envelope
	var payload cb.Payload
	var cue cb.ConfigUpdateEnvelope
	var cu cb.ConfigUpdate
	if err := proto.Unmarshal(envBytes, &env); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(env.Payload, &payload); err != nil {
		t.Fatal(err)
	}
	var ch cb.ChannelHeader
	if err := proto.Unmarshal(payload.Header.ChannelHeader, &ch); err != nil || ch.Type != int32(cb.HeaderType_CONFIG_UPDATE) || ch.ChannelId != "ch" {
		t.Fatalf("header %v %v", &ch, err)
	}
	if err := proto.Unmarshal(payload.Data, &cue); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(cue.ConfigUpdate, &cu); err != nil {
		t.Fatal(err)
	}
	app := cu.WriteSet.Groups["Application"]
	if _, ok := app.Groups["PlatformMSP"]; ok {
		t.Error("the update touches PlatformMSP")
	}
	v := app.Groups["BankMSP"].Values["MSP"]
	if v == nil || v.Version != 1 {
		t.Fatalf("BankMSP's MSP value in the write set: %v", v)
	}
	var mc mb.MSPConfig
	var fc mb.FabricMSPConfig
	if err := proto.Unmarshal(v.Value, &mc); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(mc.Config, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.RevocationList) != 1 || string(fc.RevocationList[0]) != string(newer) {
		t.Errorf("revocation list: %d CRLs, want the newer one alone", len(fc.RevocationList))
	}
}

func TestCRLUpdateRefusals(t *testing.T) {
	bank, platform := testpki.NewCA(t, "ca.bank"), testpki.NewCA(t, "ca.platform")
	crl := bank.CRL(t, 1, 5)
	if _, _, err := chanconfig.CRLUpdate(configBlock(t, bank, platform, crl), "BankMSP", crl); !errors.Is(err, chanconfig.ErrUnchanged) {
		t.Errorf("same CRL again: %v, want ErrUnchanged", err)
	}
	if _, _, err := chanconfig.CRLUpdate(configBlock(t, bank, platform), "BankMSP", platform.CRL(t, 1, 5)); err == nil {
		t.Error("a CRL of another organisation's CA was accepted")
	}
	if _, _, err := chanconfig.CRLUpdate(configBlock(t, bank, platform), "InsurerMSP", crl); err == nil {
		t.Error("an organisation not on the channel was accepted")
	}
}
