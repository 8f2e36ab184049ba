package devledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// Transactions and blocks are stored as Fabric stores them, in binary
// protobuf: a block is a common.Block whose data entries are
// common.Envelopes of endorser transactions (Payload → Transaction →
// ChaincodeActionPayload → ProposalResponsePayload → ChaincodeAction →
// TxReadWriteSet), with one difference: the transaction action's header,
// which in Fabric repeats the payload's signature header (the creator's
// certificate, about 0.7 KB), is left empty and taken to be the payload's.
// Endorsers sign the ProposalResponsePayload bytes
// followed by their serialized identity, as Fabric's endorsers do; the
// creator signs the Payload bytes.

// metaValidationParameter is the metadata entry Fabric keeps a key-level
// endorsement policy in.
const metaValidationParameter = "VALIDATION_PARAMETER"

// Block metadata slots beyond Fabric's common.BlockMetadataIndex: devledger
// keeps the time the block was cut after COMMIT_HASH.
const (
	metaSlotTimestamp = int(common.BlockMetadataIndex_COMMIT_HASH) + 1
	metaSlots         = metaSlotTimestamp + 1
)

var marshalOpts = proto.MarshalOptions{Deterministic: true}

// chaincodeInput is the chaincode proposal payload as the transaction
// carries it: the invocation spec without the transient map.
func chaincodeInput(spec []byte) ([]byte, error) {
	return marshalOpts.Marshal(&peer.ChaincodeProposalPayload{Input: spec})
}

// proposalHash is Fabric's hash of a proposal for its response: SHA-256
// over the channel header, the signature header and the proposal payload
// without transient data.
func proposalHash(h *common.Header, input []byte) []byte {
	s := sha256.New()
	s.Write(h.ChannelHeader)
	s.Write(h.SignatureHeader)
	s.Write(input)
	return s.Sum(nil)
}

// responsePayload encodes what an endorser signs (followed by its
// identity): the proposal's hash and the chaincode action it produced.
func responsePayload(h *parsedHeader, input []byte, chaincode string, resp Response, rw *RWSet, ev *ChaincodeEvent) ([]byte, error) {
	results, err := encodeRWSet(chaincode, rw)
	if err != nil {
		return nil, err
	}
	act := &peer.ChaincodeAction{
		Results:     results,
		Response:    &peer.Response{Status: resp.Status, Message: resp.Message, Payload: resp.Payload},
		ChaincodeId: &peer.ChaincodeID{Name: chaincode},
	}
	if ev != nil {
		if act.Events, err = marshalOpts.Marshal(&peer.ChaincodeEvent{ChaincodeId: chaincode, TxId: h.txID, EventName: ev.Name, Payload: ev.Payload}); err != nil {
			return nil, err
		}
	}
	ext, err := marshalOpts.Marshal(act)
	if err != nil {
		return nil, err
	}
	return marshalOpts.Marshal(&peer.ProposalResponsePayload{ProposalHash: proposalHash(h.msg, input), Extension: ext})
}

// endorsedMessage is what an endorser signs.
func endorsedMessage(prp, endorser []byte) []byte {
	return append(append(make([]byte, 0, len(prp)+len(endorser)), prp...), endorser...)
}

// txPayload encodes the payload the creator signs.
func txPayload(h *parsedHeader, input, prp []byte, ends []Endorsement) ([]byte, error) {
	pe := make([]*peer.Endorsement, len(ends))
	for i, e := range ends {
		pe[i] = &peer.Endorsement{Endorser: e.Endorser, Signature: e.Signature}
	}
	ccap, err := marshalOpts.Marshal(&peer.ChaincodeActionPayload{
		ChaincodeProposalPayload: input,
		Action:                   &peer.ChaincodeEndorsedAction{ProposalResponsePayload: prp, Endorsements: pe},
	})
	if err != nil {
		return nil, err
	}
	// The action's header is the payload's signature header, not repeated.
	tx, err := marshalOpts.Marshal(&peer.Transaction{Actions: []*peer.TransactionAction{{Payload: ccap}}})
	if err != nil {
		return nil, err
	}
	return marshalOpts.Marshal(&common.Payload{Header: h.msg, Data: tx})
}

func marshalEnvelope(payload, sig []byte) ([]byte, error) {
	return marshalOpts.Marshal(&common.Envelope{Payload: payload, Signature: sig})
}

func unmarshalEnvelope(raw []byte) (*common.Envelope, error) {
	var env common.Envelope
	if err := proto.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	return &env, nil
}

// decodeTx decodes and checks the structure of a transaction's payload:
// one chaincode action, under the payload's signature header, whose
// response is for this very proposal (the proposal hash matches).
func decodeTx(raw []byte) (*TxPayload, *parsedHeader, error) {
	pl, h, err := decodeHeader(raw)
	if err != nil {
		return nil, nil, err
	}
	p, err := decodeBody(pl, h)
	return p, h, err
}

// decodeHeader decodes a payload and checks its header: what the creator's
// signature is checked with, before the rest is looked at.
func decodeHeader(raw []byte) (*common.Payload, *parsedHeader, error) {
	var pl common.Payload
	if err := proto.Unmarshal(raw, &pl); err != nil {
		return nil, nil, fmt.Errorf("payload: %w", err)
	}
	if pl.Header == nil {
		return nil, nil, errors.New("payload has no header")
	}
	h, err := parseHeader(pl.Header)
	if err != nil {
		return nil, nil, err
	}
	return &pl, h, nil
}

// decodeBody decodes the transaction in a payload whose header is h.
func decodeBody(pl *common.Payload, h *parsedHeader) (*TxPayload, error) {
	var tx peer.Transaction
	if err := proto.Unmarshal(pl.Data, &tx); err != nil {
		return nil, fmt.Errorf("transaction: %w", err)
	}
	if len(tx.Actions) != 1 || len(tx.Actions[0].Header) != 0 {
		return nil, errors.New("transaction must hold one action, under the payload's signature header")
	}
	var ccap peer.ChaincodeActionPayload
	if err := proto.Unmarshal(tx.Actions[0].Payload, &ccap); err != nil {
		return nil, fmt.Errorf("chaincode action payload: %w", err)
	}
	if ccap.Action == nil {
		return nil, errors.New("chaincode action payload has no endorsed action")
	}
	var cpp peer.ChaincodeProposalPayload
	if err := proto.Unmarshal(ccap.ChaincodeProposalPayload, &cpp); err != nil {
		return nil, fmt.Errorf("chaincode proposal payload: %w", err)
	}
	if len(cpp.TransientMap) > 0 {
		return nil, errors.New("transaction carries transient data")
	}
	args, err := invocationArgs(cpp.Input, h.chaincode)
	if err != nil {
		return nil, err
	}
	var prp peer.ProposalResponsePayload
	if err := proto.Unmarshal(ccap.Action.ProposalResponsePayload, &prp); err != nil {
		return nil, fmt.Errorf("proposal response payload: %w", err)
	}
	if !bytes.Equal(prp.ProposalHash, proposalHash(pl.Header, ccap.ChaincodeProposalPayload)) {
		return nil, errors.New("proposal response is not for this proposal")
	}
	var act peer.ChaincodeAction
	if err := proto.Unmarshal(prp.Extension, &act); err != nil {
		return nil, fmt.Errorf("chaincode action: %w", err)
	}
	if act.ChaincodeId == nil || act.ChaincodeId.Name != h.chaincode || act.Response == nil {
		return nil, errors.New("chaincode action lacks its chaincode or response")
	}
	p := &TxPayload{
		Header: pl.Header, Chaincode: h.chaincode, Args: args,
		Response:        Response{Status: act.Response.Status, Message: act.Response.Message, Payload: act.Response.Payload},
		ResponsePayload: ccap.Action.ProposalResponsePayload,
	}
	if p.RWSet, err = decodeRWSet(act.Results, h.chaincode); err != nil {
		return nil, err
	}
	if len(act.Events) > 0 {
		var ev peer.ChaincodeEvent
		if err := proto.Unmarshal(act.Events, &ev); err != nil {
			return nil, fmt.Errorf("chaincode event: %w", err)
		}
		if ev.TxId != h.txID || ev.ChaincodeId != h.chaincode {
			return nil, errors.New("chaincode event is not this transaction's")
		}
		p.Event = &ChaincodeEvent{Name: ev.EventName, Payload: ev.Payload}
	}
	for _, e := range ccap.Action.Endorsements {
		p.Endorsements = append(p.Endorsements, Endorsement{Endorser: e.Endorser, Signature: e.Signature})
	}
	return p, nil
}

func invocationArgs(spec []byte, chaincode string) ([][]byte, error) {
	var s peer.ChaincodeInvocationSpec
	if err := proto.Unmarshal(spec, &s); err != nil {
		return nil, fmt.Errorf("invocation spec: %w", err)
	}
	if s.ChaincodeSpec == nil || s.ChaincodeSpec.Input == nil || s.ChaincodeSpec.ChaincodeId == nil || s.ChaincodeSpec.ChaincodeId.Name != chaincode {
		return nil, errors.New("invocation spec lacks its chaincode or input")
	}
	return s.ChaincodeSpec.Input.Args, nil
}

func protoVersion(v *Version) *kvrwset.Version {
	if v == nil {
		return nil
	}
	return &kvrwset.Version{BlockNum: v.Block, TxNum: v.Tx}
}

func fromProtoVersion(v *kvrwset.Version) *Version {
	if v == nil {
		return nil
	}
	return &Version{Block: v.BlockNum, Tx: v.TxNum}
}

func protoReads(rs []KVRead) []*kvrwset.KVRead {
	if len(rs) == 0 {
		return nil
	}
	out := make([]*kvrwset.KVRead, len(rs))
	for i, r := range rs {
		out[i] = &kvrwset.KVRead{Key: r.Key, Version: protoVersion(r.Version)}
	}
	return out
}

func fromProtoReads(rs []*kvrwset.KVRead) []KVRead {
	if len(rs) == 0 {
		return nil
	}
	out := make([]KVRead, len(rs))
	for i, r := range rs {
		out[i] = KVRead{Key: r.Key, Version: fromProtoVersion(r.Version)}
	}
	return out
}

// encodeRWSet encodes a read-write set as Fabric's TxReadWriteSet with the
// chaincode's one namespace.
func encodeRWSet(chaincode string, rw *RWSet) ([]byte, error) {
	kv := &kvrwset.KVRWSet{Reads: protoReads(rw.Reads)}
	for _, q := range rw.RangeQueries {
		kv.RangeQueriesInfo = append(kv.RangeQueriesInfo, &kvrwset.RangeQueryInfo{
			StartKey: q.Start, EndKey: q.End, ItrExhausted: q.Exhausted,
			ReadsInfo: &kvrwset.RangeQueryInfo_RawReads{RawReads: &kvrwset.QueryReads{KvReads: protoReads(q.Reads)}},
		})
	}
	for _, w := range rw.Writes {
		kv.Writes = append(kv.Writes, &kvrwset.KVWrite{Key: w.Key, IsDelete: w.IsDelete, Value: w.Value})
	}
	for _, m := range rw.MetaWrites {
		mw := &kvrwset.KVMetadataWrite{Key: m.Key}
		if len(m.ValidationParameter) > 0 {
			mw.Entries = []*kvrwset.KVMetadataEntry{{Name: metaValidationParameter, Value: m.ValidationParameter}}
		}
		kv.MetadataWrites = append(kv.MetadataWrites, mw)
	}
	kvb, err := marshalOpts.Marshal(kv)
	if err != nil {
		return nil, err
	}
	ns := &rwset.NsReadWriteSet{Namespace: chaincode, Rwset: kvb}
	for _, c := range rw.Collections {
		hs := &kvrwset.HashedRWSet{}
		for _, r := range c.Reads {
			hs.HashedReads = append(hs.HashedReads, &kvrwset.KVReadHash{KeyHash: r.KeyHash, Version: protoVersion(r.Version)})
		}
		for _, w := range c.Writes {
			hs.HashedWrites = append(hs.HashedWrites, &kvrwset.KVWriteHash{KeyHash: w.KeyHash, IsDelete: w.IsDelete, ValueHash: w.ValueHash})
		}
		hb, err := marshalOpts.Marshal(hs)
		if err != nil {
			return nil, err
		}
		ns.CollectionHashedRwset = append(ns.CollectionHashedRwset, &rwset.CollectionHashedReadWriteSet{CollectionName: c.Collection, HashedRwset: hb})
	}
	return marshalOpts.Marshal(&rwset.TxReadWriteSet{DataModel: rwset.TxReadWriteSet_KV, NsRwset: []*rwset.NsReadWriteSet{ns}})
}

func decodeRWSet(raw []byte, chaincode string) (RWSet, error) {
	var out RWSet
	var txrw rwset.TxReadWriteSet
	if err := proto.Unmarshal(raw, &txrw); err != nil {
		return out, fmt.Errorf("read-write set: %w", err)
	}
	if txrw.DataModel != rwset.TxReadWriteSet_KV || len(txrw.NsRwset) != 1 || txrw.NsRwset[0].Namespace != chaincode {
		return out, errors.New("read-write set must hold the chaincode's one key-value namespace")
	}
	ns := txrw.NsRwset[0]
	var kv kvrwset.KVRWSet
	if err := proto.Unmarshal(ns.Rwset, &kv); err != nil {
		return out, fmt.Errorf("key-value read-write set: %w", err)
	}
	out.Reads = fromProtoReads(kv.Reads)
	for _, q := range kv.RangeQueriesInfo {
		raw, ok := q.ReadsInfo.(*kvrwset.RangeQueryInfo_RawReads)
		if q.ReadsInfo != nil && !ok {
			return out, errors.New("range query with Merkle-summarised reads: devledger records raw reads")
		}
		rq := RangeQuery{Start: q.StartKey, End: q.EndKey, Exhausted: q.ItrExhausted}
		if ok && raw.RawReads != nil {
			rq.Reads = fromProtoReads(raw.RawReads.KvReads)
		}
		out.RangeQueries = append(out.RangeQueries, rq)
	}
	for _, w := range kv.Writes {
		out.Writes = append(out.Writes, KVWrite{Key: w.Key, IsDelete: w.IsDelete, Value: w.Value})
	}
	for _, m := range kv.MetadataWrites {
		mw := KVMetaWrite{Key: m.Key}
		for _, e := range m.Entries {
			if e.Name != metaValidationParameter {
				return out, fmt.Errorf("metadata entry %q: devledger keeps only %s", e.Name, metaValidationParameter)
			}
			mw.ValidationParameter = e.Value
		}
		out.MetaWrites = append(out.MetaWrites, mw)
	}
	for _, c := range ns.CollectionHashedRwset {
		var hs kvrwset.HashedRWSet
		if err := proto.Unmarshal(c.HashedRwset, &hs); err != nil {
			return out, fmt.Errorf("hashed read-write set of %s: %w", c.CollectionName, err)
		}
		cs := CollHashedRWSet{Collection: c.CollectionName}
		for _, r := range hs.HashedReads {
			cs.Reads = append(cs.Reads, HashedRead{KeyHash: r.KeyHash, Version: fromProtoVersion(r.Version)})
		}
		for _, w := range hs.HashedWrites {
			cs.Writes = append(cs.Writes, HashedWrite{KeyHash: w.KeyHash, IsDelete: w.IsDelete, ValueHash: w.ValueHash})
		}
		out.Collections = append(out.Collections, cs)
	}
	return out, nil
}

// encodeBlock stores a block as a common.Block: validation codes in the
// TRANSACTIONS_FILTER slot (one peer.TxValidationCode byte per
// transaction), the commit hash in COMMIT_HASH as common.Metadata, the cut
// time in the slot after it.
func encodeBlock(b *Block) ([]byte, error) {
	filter := make([]byte, len(b.Metadata.Codes))
	for i, c := range b.Metadata.Codes {
		v, ok := peer.TxValidationCode_value[c]
		if !ok || v > 255 {
			return nil, fmt.Errorf("devledger: validation code %q has no Fabric value", c)
		}
		filter[i] = byte(v)
	}
	ch, err := marshalOpts.Marshal(&common.Metadata{Value: b.Metadata.CommitHash})
	if err != nil {
		return nil, err
	}
	md := make([][]byte, metaSlots)
	md[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = filter
	md[common.BlockMetadataIndex_COMMIT_HASH] = ch
	md[metaSlotTimestamp] = binary.BigEndian.AppendUint64(nil, uint64(b.Metadata.Timestamp))
	return marshalOpts.Marshal(&common.Block{
		Header:   &common.BlockHeader{Number: b.Header.Number, PreviousHash: b.Header.PreviousHash, DataHash: b.Header.DataHash},
		Data:     &common.BlockData{Data: b.Data},
		Metadata: &common.BlockMetadata{Metadata: md},
	})
}

func decodeBlock(raw []byte) (*Block, error) {
	var pb common.Block
	if err := proto.Unmarshal(raw, &pb); err != nil {
		return nil, fmt.Errorf("devledger: block: %w", err)
	}
	if pb.Header == nil || pb.Metadata == nil || len(pb.Metadata.Metadata) != metaSlots || len(pb.Metadata.Metadata[metaSlotTimestamp]) != 8 {
		return nil, errors.New("devledger: block lacks its header or metadata")
	}
	b := &Block{Header: BlockHeader{Number: pb.Header.Number, PreviousHash: pb.Header.PreviousHash, DataHash: pb.Header.DataHash}}
	if pb.Data != nil {
		b.Data = pb.Data.Data
	}
	md := pb.Metadata.Metadata
	filter := md[common.BlockMetadataIndex_TRANSACTIONS_FILTER]
	b.Metadata.Codes = make([]string, len(filter))
	for i, c := range filter {
		name, ok := peer.TxValidationCode_name[int32(c)]
		if !ok {
			return nil, fmt.Errorf("devledger: block %d: unknown validation code %d", b.Header.Number, c)
		}
		b.Metadata.Codes[i] = name
	}
	var ch common.Metadata
	if err := proto.Unmarshal(md[common.BlockMetadataIndex_COMMIT_HASH], &ch); err != nil {
		return nil, fmt.Errorf("devledger: block %d: commit hash: %w", b.Header.Number, err)
	}
	b.Metadata.CommitHash = ch.Value
	b.Metadata.Timestamp = int64(binary.BigEndian.Uint64(md[metaSlotTimestamp]))
	return b, nil
}
