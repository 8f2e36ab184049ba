package fabric

import (
	"context"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"

	"github.com/qingchain/qingchain/gateway"
)

// qscc is Fabric's query system chaincode: blocks, transactions and chain
// information of a channel, readable by the channel's members.
const qscc = "qscc"

// queryQSCC evaluates a qscc function as the Reader, on the reader's own
// organisation's peer or, when that one is unreachable, on another.
func (l *Ledger) queryQSCC(ctx context.Context, fn string, args ...string) ([]byte, error) {
	if err := l.available(); err != nil {
		return nil, err
	}
	if l.cfg.Reader == nil {
		return nil, errors.New("fabric: no Reader identity configured for reading blocks and transactions")
	}
	var lastErr error
	for _, p := range l.readPeers() {
		gw, err := l.gatewayFor(l.cfg.Reader, p)
		if err != nil {
			return nil, err
		}
		prop, err := gw.GetNetwork(l.cfg.Channel).GetContract(qscc).NewProposal(fn, client.WithArguments(append([]string{l.cfg.Channel}, args...)...))
		if err != nil {
			return nil, fmt.Errorf("fabric: qscc proposal: %w", err)
		}
		cctx, cancel := context.WithTimeout(ctx, l.cfg.EvaluateTimeout)
		out, err := prop.EvaluateWithContext(cctx)
		cancel()
		if err == nil {
			return out, nil
		}
		lastErr = l.mapError(ctx, "qscc "+fn, p, "", err)
		if !errors.Is(lastErr, gateway.ErrUnavailable) || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// notFound turns qscc's "no such block / transaction" answers into
// gateway.ErrNotFound.
func notFound(err error, what string) error {
	var ce *gateway.ChaincodeError
	if errors.As(err, &ce) {
		m := strings.ToLower(ce.Message)
		if strings.Contains(m, "not found") || strings.Contains(m, "no such") {
			return fmt.Errorf("%s: %w (%s)", what, gateway.ErrNotFound, ce.Message)
		}
	}
	return err
}

// BlockBytes is block n as the peer stores it: a marshalled common.Block.
func (l *Ledger) BlockBytes(ctx context.Context, n uint64) ([]byte, error) {
	raw, err := l.queryQSCC(ctx, "GetBlockByNumber", strconv.FormatUint(n, 10))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("block %d", n))
	}
	return raw, nil
}

// Block describes block n, with its header hash computed as Fabric does.
func (l *Ledger) Block(ctx context.Context, n uint64) (*gateway.BlockInfo, error) {
	raw, err := l.BlockBytes(ctx, n)
	if err != nil {
		return nil, err
	}
	b := &common.Block{}
	if err := proto.Unmarshal(raw, b); err != nil {
		return nil, fmt.Errorf("fabric: block %d: %w", n, err)
	}
	if b.GetHeader().GetNumber() != n {
		return nil, fmt.Errorf("fabric: asked for block %d, the peer returned block %d", n, b.GetHeader().GetNumber())
	}
	return blockInfo(b), nil
}

func blockInfo(b *common.Block) *gateway.BlockInfo {
	h := b.GetHeader()
	return &gateway.BlockInfo{
		Number: h.GetNumber(), Hash: BlockHeaderHash(h), PreviousHash: h.GetPreviousHash(), DataHash: h.GetDataHash(),
		TxCount: len(b.GetData().GetData()),
	}
}

type asn1Header struct {
	Number       *big.Int
	PreviousHash []byte
	DataHash     []byte
}

// BlockHeaderHash is the hash by which the next block refers to this one:
// SHA-256 over the ASN.1 DER sequence (number, previous hash, data hash), as
// Fabric's protoutil.BlockHeaderHash computes it.
func BlockHeaderHash(h *common.BlockHeader) []byte {
	der, err := asn1.Marshal(asn1Header{Number: new(big.Int).SetUint64(h.GetNumber()), PreviousHash: h.GetPreviousHash(), DataHash: h.GetDataHash()})
	if err != nil {
		panic("fabric: ASN.1 encoding of a block header cannot fail: " + err.Error())
	}
	sum := sha256.Sum256(der)
	return sum[:]
}

// BlockDataHash is SHA-256 over the concatenated transaction envelopes, the
// DataHash a Fabric block header carries.
func BlockDataHash(d *common.BlockData) []byte {
	h := sha256.New()
	for _, e := range d.GetData() {
		h.Write(e)
	}
	return h.Sum(nil)
}

// Transaction locates a transaction (valid or not) by id: its block and
// block hash, its validation code, its timestamp and its creator's MSP.
func (l *Ledger) Transaction(ctx context.Context, txID string) (*gateway.TxInfo, error) {
	if txID == "" {
		return nil, fmt.Errorf("transaction with empty id: %w", gateway.ErrNotFound)
	}
	raw, err := l.queryQSCC(ctx, "GetBlockByTxID", txID)
	if err != nil {
		return nil, notFound(err, "transaction "+txID)
	}
	b := &common.Block{}
	if err := proto.Unmarshal(raw, b); err != nil {
		return nil, fmt.Errorf("fabric: block of transaction %s: %w", txID, err)
	}
	return txInfo(b, txID)
}

func txInfo(b *common.Block, txID string) (*gateway.TxInfo, error) {
	var filter []byte
	if md := b.GetMetadata().GetMetadata(); len(md) > int(common.BlockMetadataIndex_TRANSACTIONS_FILTER) {
		filter = md[common.BlockMetadataIndex_TRANSACTIONS_FILTER]
	}
	for i, raw := range b.GetData().GetData() {
		env := &common.Envelope{}
		if err := proto.Unmarshal(raw, env); err != nil {
			continue
		}
		payload := &common.Payload{}
		if err := proto.Unmarshal(env.GetPayload(), payload); err != nil {
			continue
		}
		ch := &common.ChannelHeader{}
		if err := proto.Unmarshal(payload.GetHeader().GetChannelHeader(), ch); err != nil || ch.GetTxId() != txID {
			continue
		}
		info := &gateway.TxInfo{TxID: txID, BlockNumber: b.GetHeader().GetNumber(), BlockHash: BlockHeaderHash(b.GetHeader())}
		if ts := ch.GetTimestamp(); ts != nil {
			info.Timestamp = ts.AsTime().UTC()
		}
		info.Code = gateway.InvalidOtherReason
		if i < len(filter) {
			info.Code = validationCode(peer.TxValidationCode(filter[i]))
		}
		sh := &common.SignatureHeader{}
		if err := proto.Unmarshal(payload.GetHeader().GetSignatureHeader(), sh); err == nil {
			si := &msp.SerializedIdentity{}
			if err := proto.Unmarshal(sh.GetCreator(), si); err == nil {
				info.CreatorMSP = si.GetMspid()
			}
		}
		return info, nil
	}
	return nil, fmt.Errorf("fabric: block %d does not hold transaction %s", b.GetHeader().GetNumber(), txID)
}

// Height is the number of blocks on the reader's peer.
func (l *Ledger) Height(ctx context.Context) (uint64, error) {
	raw, err := l.queryQSCC(ctx, "GetChainInfo")
	if err != nil {
		return 0, err
	}
	info := &common.BlockchainInfo{}
	if err := proto.Unmarshal(raw, info); err != nil {
		return 0, fmt.Errorf("fabric: chain info: %w", err)
	}
	return info.GetHeight(), nil
}
