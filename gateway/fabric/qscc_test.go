package fabric

import (
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/devledger"
	"github.com/qingchain/qingchain/gateway/identity"
)

func TestBlockHeaderHash(t *testing.T) {
	// DER of SEQUENCE {INTEGER 1, OCTET STRING 01, OCTET STRING 02} is
	// 30 09 02 01 01 04 01 01 04 01 02; its SHA-256 worked out with sha256sum.
	h := &common.BlockHeader{Number: 1, PreviousHash: []byte{1}, DataHash: []byte{2}}
	if got, want := hex.EncodeToString(BlockHeaderHash(h)), "804c2190a91f1710b497b127b7fae05512c0eae684f2232a0fe98d6bbd566731"; got != want {
		t.Errorf("BlockHeaderHash = %s, want %s", got, want)
	}
	// The same as devledger's, for large numbers and empty hashes too.
	for _, n := range []uint64{0, 127, 128, 255, 256, 1 << 40, 1<<64 - 1} {
		for _, prev := range [][]byte{nil, make([]byte, 32)} {
			fh := BlockHeaderHash(&common.BlockHeader{Number: n, PreviousHash: prev, DataHash: []byte("data")})
			dh := devledger.BlockHeader{Number: n, PreviousHash: prev, DataHash: []byte("data")}.Hash()
			if string(fh) != string(dh) {
				t.Errorf("block %d: fabric hash %x, devledger hash %x", n, fh, dh)
			}
		}
	}
	if got, want := hex.EncodeToString(BlockDataHash(&common.BlockData{Data: [][]byte{[]byte("a"), []byte("b")}})), "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603"; got != want {
		t.Errorf("BlockDataHash = %s, want %s", got, want)
	}
}

func envelope(t *testing.T, txID string, ts time.Time, creator []byte) []byte {
	t.Helper()
	ch, _ := proto.Marshal(&common.ChannelHeader{Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: "qingchain", TxId: txID, Timestamp: timestamppb.New(ts)})
	sh, _ := proto.Marshal(&common.SignatureHeader{Creator: creator, Nonce: []byte("n")})
	payload, _ := proto.Marshal(&common.Payload{Header: &common.Header{ChannelHeader: ch, SignatureHeader: sh}, Data: []byte("tx")})
	env, _ := proto.Marshal(&common.Envelope{Payload: payload, Signature: []byte("sig")})
	return env
}

func TestTxInfoFromBlock(t *testing.T) {
	ca, _ := identity.NewCA("BankMSP")
	id, _ := ca.Issue("teller", identity.RoleClient, nil)
	ts := time.Date(2026, 5, 4, 3, 2, 1, 123456789, time.UTC)
	data := [][]byte{envelope(t, "aaa", ts.Add(-time.Second), id.Serialized()), envelope(t, "bbb", ts, id.Serialized())}
	md := make([][]byte, len(common.BlockMetadataIndex_name))
	md[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = []byte{byte(peer.TxValidationCode_VALID), byte(peer.TxValidationCode_MVCC_READ_CONFLICT)}
	b := &common.Block{
		Header:   &common.BlockHeader{Number: 7, PreviousHash: []byte("prev"), DataHash: BlockDataHash(&common.BlockData{Data: data})},
		Data:     &common.BlockData{Data: data},
		Metadata: &common.BlockMetadata{Metadata: md},
	}
	info, err := txInfo(b, "bbb")
	if err != nil {
		t.Fatal(err)
	}
	if info.BlockNumber != 7 || info.Code != gateway.MVCCReadConflict || !info.Timestamp.Equal(ts) || info.CreatorMSP != "BankMSP" || string(info.BlockHash) != string(BlockHeaderHash(b.Header)) {
		t.Errorf("txInfo = %+v", info)
	}
	if _, err := txInfo(b, "ccc"); err == nil {
		t.Error("txInfo found a transaction that is not in the block")
	}
	bi := blockInfo(b)
	if bi.Number != 7 || bi.TxCount != 2 || string(bi.PreviousHash) != "prev" || string(bi.Hash) != string(BlockHeaderHash(b.Header)) {
		t.Errorf("blockInfo = %+v", bi)
	}
}

func TestNotFound(t *testing.T) {
	for _, msg := range []string{
		"Failed to get block number 100000, error no such block number [100000] in index",
		"Failed to get block number 1000, error Entry not found in index",
		"Failed to get block for txID 00, error no such transaction ID [00] in index",
	} {
		if err := notFound(&gateway.ChaincodeError{Code: "CHAINCODE_ERROR", Message: msg}, "x"); !errors.Is(err, gateway.ErrNotFound) {
			t.Errorf("%q: %v is not ErrNotFound", msg, err)
		}
	}
	other := &gateway.ChaincodeError{Code: "CHAINCODE_ERROR", Message: "access denied for [GetBlockByNumber]"}
	if err := notFound(other, "x"); errors.Is(err, gateway.ErrNotFound) {
		t.Errorf("access denied became ErrNotFound")
	}
}
