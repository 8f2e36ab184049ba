// Package chanconfig makes the channel configuration update that gives an
// organisation's channel MSP a new certificate revocation list.
//
// A revocation at a Fabric CA changes nothing on the channel by itself: the
// peers and orderers validate every creator, endorser and client against
// the MSP definitions in the channel configuration, and only the
// revocation_list there makes them refuse a revoked certificate. The update
// made here replaces the organisation's CRL from the same issuer (a Fabric
// CA's CRL lists every unexpired certificate it has revoked) and is signed
// by the organisation's admin, which its MSP value's mod_policy (Admins)
// asks for.
package chanconfig

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sort"

	//lint:ignore SA1019 fabric-protos-go (what fabric-sdk-go and fabric-config are built on) generates APIv1 messages, which only this package marshals
	"github.com/golang/protobuf/proto"
	"github.com/hyperledger/fabric-config/configtx"
	cb "github.com/hyperledger/fabric-protos-go/common"
	mb "github.com/hyperledger/fabric-protos-go/msp"
)

// ErrUnchanged means the channel's MSP already holds that CRL.
var ErrUnchanged = errors.New("chanconfig: the channel configuration already holds this CRL")

// ConfigFromBlock reads the configuration and the channel ID from a config
// block (what `peer channel fetch config` writes).
func ConfigFromBlock(raw []byte) (*cb.Config, string, error) {
	var block cb.Block
	if err := proto.Unmarshal(raw, &block); err != nil {
		return nil, "", fmt.Errorf("chanconfig: block: %w", err)
	}
	if block.Data == nil || len(block.Data.Data) != 1 {
		return nil, "", errors.New("chanconfig: not a config block (it must hold exactly one transaction)")
	}
	var env cb.Envelope
	if err := proto.Unmarshal(block.Data.Data[0], &env); err != nil {
		return nil, "", fmt.Errorf("chanconfig: envelope: %w", err)
	}
	var payload cb.Payload
	if err := proto.Unmarshal(env.Payload, &payload); err != nil {
		return nil, "", fmt.Errorf("chanconfig: payload: %w", err)
	}
	if payload.Header == nil {
		return nil, "", errors.New("chanconfig: payload without a header")
	}
	var ch cb.ChannelHeader
	if err := proto.Unmarshal(payload.Header.ChannelHeader, &ch); err != nil {
		return nil, "", fmt.Errorf("chanconfig: channel header: %w", err)
	}
	if ch.Type != int32(cb.HeaderType_CONFIG) {
		return nil, "", fmt.Errorf("chanconfig: not a config block (transaction type %d)", ch.Type)
	}
	var ce cb.ConfigEnvelope
	if err := proto.Unmarshal(payload.Data, &ce); err != nil {
		return nil, "", fmt.Errorf("chanconfig: config envelope: %w", err)
	}
	if ce.Config == nil || ce.Config.ChannelGroup == nil {
		return nil, "", errors.New("chanconfig: config envelope without a configuration")
	}
	return ce.Config, ch.ChannelId, nil
}

// mspValue finds the MSP value of the organisation whose MSP ID is mspID,
// among the application and the orderer organisations.
func mspValue(cfg *cb.Config, mspID string) (*cb.ConfigValue, *mb.FabricMSPConfig, error) {
	for _, section := range []string{"Application", "Orderer"} {
		g, ok := cfg.ChannelGroup.Groups[section]
		if !ok {
			continue
		}
		names := make([]string, 0, len(g.Groups))
		for n := range g.Groups {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			v, ok := g.Groups[n].Values["MSP"]
			if !ok {
				continue
			}
			var mc mb.MSPConfig
			if err := proto.Unmarshal(v.Value, &mc); err != nil {
				return nil, nil, fmt.Errorf("chanconfig: MSP of %s: %w", n, err)
			}
			if mc.Type != 0 { // only FABRIC MSPs (not idemix) carry X.509 CRLs
				continue
			}
			var fc mb.FabricMSPConfig
			if err := proto.Unmarshal(mc.Config, &fc); err != nil {
				return nil, nil, fmt.Errorf("chanconfig: MSP of %s: %w", n, err)
			}
			if fc.Name == mspID {
				return v, &fc, nil
			}
		}
	}
	return nil, nil, fmt.Errorf("chanconfig: no organisation with MSP ID %s in the channel configuration", mspID)
}

func parseCRL(p []byte) (*x509.RevocationList, error) {
	b, _ := pem.Decode(p)
	if b == nil || b.Type != "X509 CRL" {
		return nil, errors.New("chanconfig: not a PEM X509 CRL")
	}
	crl, err := x509.ParseRevocationList(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("chanconfig: CRL: %w", err)
	}
	return crl, nil
}

// SetCRL puts crlPEM into the MSP of mspID in cfg (in place), replacing
// CRLs of the same issuer. The CRL must be signed by one of the MSP's root
// or intermediate CAs: Fabric's MSP would reject the configuration
// otherwise.
func SetCRL(cfg *cb.Config, mspID string, crlPEM []byte) error {
	crl, err := parseCRL(crlPEM)
	if err != nil {
		return err
	}
	v, fc, err := mspValue(cfg, mspID)
	if err != nil {
		return err
	}
	signed := false
	for _, c := range append(append([][]byte{}, fc.RootCerts...), fc.IntermediateCerts...) {
		b, _ := pem.Decode(c)
		if b == nil {
			continue
		}
		ca, err := x509.ParseCertificate(b.Bytes)
		if err == nil && crl.CheckSignatureFrom(ca) == nil {
			signed = true
			break
		}
	}
	if !signed {
		return fmt.Errorf("chanconfig: the CRL is not signed by a CA of %s", mspID)
	}
	kept := [][]byte{}
	for _, old := range fc.RevocationList {
		if bytes.Equal(bytes.TrimSpace(old), bytes.TrimSpace(crlPEM)) {
			return ErrUnchanged
		}
		if oc, err := parseCRL(old); err == nil && bytes.Equal(oc.RawIssuer, crl.RawIssuer) {
			continue // superseded: a Fabric CA's CRL lists every revocation so far
		}
		kept = append(kept, old)
	}
	fc.RevocationList = append(kept, crlPEM)
	mc, err := proto.Marshal(fc)
	if err != nil {
		return err
	}
	raw, err := proto.Marshal(&mb.MSPConfig{Type: 0, Config: mc})
	if err != nil {
		return err
	}
	v.Value = raw
	return nil
}

// CRLUpdate returns a CONFIG_UPDATE envelope, unsigned (`peer channel
// update` signs it as the CLI's identity), that gives mspID's channel MSP
// the CRL crlPEM. configBlock is the channel's current config block.
func CRLUpdate(configBlock []byte, mspID string, crlPEM []byte) ([]byte, string, error) {
	cfg, channel, err := ConfigFromBlock(configBlock)
	if err != nil {
		return nil, "", err
	}
	c := configtx.New(cfg)
	if err := SetCRL(c.UpdatedConfig(), mspID, crlPEM); err != nil {
		return nil, "", err
	}
	update, err := c.ComputeMarshaledUpdate(channel)
	if err != nil {
		return nil, "", fmt.Errorf("chanconfig: %w", err)
	}
	env, err := configtx.NewEnvelope(update)
	if err != nil {
		return nil, "", fmt.Errorf("chanconfig: %w", err)
	}
	out, err := proto.Marshal(env)
	if err != nil {
		return nil, "", err
	}
	return out, channel, nil
}
