package devledger

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/qingchain/qingchain/gateway"
	"github.com/qingchain/qingchain/gateway/identity"
)

// newSignedProposal builds a proposal the way a Fabric client does.
// The transaction id is hex(SHA-256(nonce ‖ creator)), as Fabric requires.
func newSignedProposal(id *identity.Identity, channel, chaincode string, req gateway.Request, now time.Time) (*peer.SignedProposal, string, error) {
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	creator := id.Serialized()
	txID := computeTxID(nonce, creator)
	ext, err := proto.Marshal(&peer.ChaincodeHeaderExtension{ChaincodeId: &peer.ChaincodeID{Name: chaincode}})
	if err != nil {
		return nil, "", err
	}
	chb, err := proto.Marshal(&common.ChannelHeader{
		Type:      int32(common.HeaderType_ENDORSER_TRANSACTION),
		ChannelId: channel,
		TxId:      txID,
		Timestamp: timestamppb.New(now),
		Extension: ext,
	})
	if err != nil {
		return nil, "", err
	}
	shb, err := proto.Marshal(&common.SignatureHeader{Creator: creator, Nonce: nonce})
	if err != nil {
		return nil, "", err
	}
	hb, err := proto.Marshal(&common.Header{ChannelHeader: chb, SignatureHeader: shb})
	if err != nil {
		return nil, "", err
	}
	args := make([][]byte, 0, 1+len(req.Args))
	args = append(args, []byte(req.Function))
	for _, a := range req.Args {
		args = append(args, []byte(a))
	}
	spec, err := proto.Marshal(&peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
		Type:        peer.ChaincodeSpec_GOLANG,
		ChaincodeId: &peer.ChaincodeID{Name: chaincode},
		Input:       &peer.ChaincodeInput{Args: args},
	}})
	if err != nil {
		return nil, "", err
	}
	pb, err := proto.Marshal(&peer.ChaincodeProposalPayload{Input: spec, TransientMap: req.Transient})
	if err != nil {
		return nil, "", err
	}
	propBytes, err := proto.Marshal(&peer.Proposal{Header: hb, Payload: pb})
	if err != nil {
		return nil, "", err
	}
	// The proposal is handed to the endorser in-process by the holder of the
	// key, so a signature over it would prove nothing; the transaction
	// envelope, which is kept in the block, is signed and verified.
	return &peer.SignedProposal{ProposalBytes: propBytes}, txID, nil
}

func computeTxID(nonce, creator []byte) string {
	h := sha256.New()
	h.Write(nonce)
	h.Write(creator)
	return hex.EncodeToString(h.Sum(nil))
}

// parsedHeader is what the peer extracts from a proposal or transaction header.
type parsedHeader struct {
	msg       *common.Header
	channel   string
	chaincode string
	txID      string
	timestamp *timestamppb.Timestamp
	creator   []byte
	nonce     []byte
	epoch     uint64
}

func parseHeader(h *common.Header) (*parsedHeader, error) {
	var ch common.ChannelHeader
	if err := proto.Unmarshal(h.ChannelHeader, &ch); err != nil {
		return nil, fmt.Errorf("channel header: %w", err)
	}
	var sh common.SignatureHeader
	if err := proto.Unmarshal(h.SignatureHeader, &sh); err != nil {
		return nil, fmt.Errorf("signature header: %w", err)
	}
	var ext peer.ChaincodeHeaderExtension
	if err := proto.Unmarshal(ch.Extension, &ext); err != nil {
		return nil, fmt.Errorf("chaincode header extension: %w", err)
	}
	if ch.Type != int32(common.HeaderType_ENDORSER_TRANSACTION) {
		return nil, fmt.Errorf("header type %d is not an endorser transaction", ch.Type)
	}
	if ch.Timestamp == nil || ext.ChaincodeId == nil {
		return nil, errors.New("header lacks timestamp or chaincode id")
	}
	if len(sh.Nonce) == 0 || len(sh.Creator) == 0 {
		return nil, errors.New("header lacks nonce or creator")
	}
	if computeTxID(sh.Nonce, sh.Creator) != ch.TxId {
		return nil, errors.New("transaction id does not match nonce and creator")
	}
	return &parsedHeader{msg: h, channel: ch.ChannelId, chaincode: ext.ChaincodeId.Name, txID: ch.TxId,
		timestamp: ch.Timestamp, creator: sh.Creator, nonce: sh.Nonce, epoch: ch.Epoch}, nil
}

// binding is Fabric's proposal binding: SHA-256(nonce ‖ creator ‖ epoch LE).
func (h *parsedHeader) binding() []byte {
	s := sha256.New()
	s.Write(h.nonce)
	s.Write(h.creator)
	var e [8]byte
	binary.LittleEndian.PutUint64(e[:], h.epoch)
	s.Write(e[:])
	return s.Sum(nil)
}

type parsedProposal struct {
	header *parsedHeader
	// input is the chaincode proposal payload without transient data, as
	// the transaction carries it.
	input     []byte
	args      [][]byte
	transient map[string][]byte
}

func parseProposal(sp *peer.SignedProposal) (*parsedProposal, error) {
	var p peer.Proposal
	if err := proto.Unmarshal(sp.ProposalBytes, &p); err != nil {
		return nil, fmt.Errorf("proposal: %w", err)
	}
	var hm common.Header
	if err := proto.Unmarshal(p.Header, &hm); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	h, err := parseHeader(&hm)
	if err != nil {
		return nil, err
	}
	var pp peer.ChaincodeProposalPayload
	if err := proto.Unmarshal(p.Payload, &pp); err != nil {
		return nil, fmt.Errorf("proposal payload: %w", err)
	}
	args, err := invocationArgs(pp.Input, h.chaincode)
	if err != nil {
		return nil, err
	}
	input, err := chaincodeInput(pp.Input)
	if err != nil {
		return nil, err
	}
	return &parsedProposal{header: h, input: input, args: args, transient: pp.TransientMap}, nil
}
