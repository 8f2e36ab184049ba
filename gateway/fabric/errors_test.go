package fabric

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	gwproto "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/qingchain/qingchain/gateway"
)

// statusErr builds an error as a peer's Gateway service returns it: a gRPC
// status with one ErrorDetail per node that failed.
func statusErr(t *testing.T, code codes.Code, msg string, details ...string) error {
	t.Helper()
	st := status.New(code, msg)
	var ds []protoadapt.MessageV1
	for i, d := range details {
		ds = append(ds, protoadapt.MessageV1Of(&gwproto.ErrorDetail{Address: fmt.Sprintf("peer%d:7051", i), MspId: "BankMSP", Message: d}))
	}
	if len(ds) > 0 {
		var err error
		if st, err = st.WithDetails(ds...); err != nil {
			t.Fatal(err)
		}
	}
	// fabric-gateway wraps the status error; status.Convert must see through.
	return fmt.Errorf("wrapped: %w", st.Err())
}

func TestMapErrorChaincodeRefusals(t *testing.T) {
	l := &Ledger{}
	p := &peerConn{endpoint: "127.0.0.1:7051"}
	ctx := context.Background()
	cases := []struct {
		name        string
		err         error
		code, msg   string
		description string
	}{
		{"endorse: message only in the details",
			statusErr(t, codes.Aborted, "failed to endorse transaction, see attached details for more info", "chaincode response 500, ALREADY_PLEDGED: receipt WR-1 is pledged"),
			"ALREADY_PLEDGED", "receipt WR-1 is pledged", ""},
		{"evaluate: message in the status and the details",
			statusErr(t, codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, NOT_FOUND: key k does not exist", "chaincode response 500, NOT_FOUND: key k does not exist"),
			"NOT_FOUND", "key k does not exist", ""},
		{"evaluate: message in the status only",
			statusErr(t, codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, FORBIDDEN: only a bank approves"),
			"FORBIDDEN", "only a bank approves", ""},
		{"commas and colons in the message survive",
			statusErr(t, codes.Aborted, "failed to collect enough transaction endorsements, see attached details for more info", "chaincode response 500, LIMIT_EXCEEDED: amount 1,000.00 CNY: above the limit, see P-1"),
			"LIMIT_EXCEEDED", "amount 1,000.00 CNY: above the limit, see P-1", ""},
		{"the chaincode's detail after another peer's failure",
			statusErr(t, codes.Aborted, "failed to collect enough transaction endorsements, see attached details for more info",
				"rpc error: code = Unavailable desc = connection refused", "chaincode response 500, ALREADY_EXISTS: invoice INV-1 exists"),
			"ALREADY_EXISTS", "invoice INV-1 exists", ""},
		{"a message without a code",
			statusErr(t, codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, Function Nope not found in contract probe"),
			"CHAINCODE_ERROR", "Function Nope not found in contract probe", ""},
		{"a multi-line message",
			statusErr(t, codes.Aborted, "failed to endorse transaction", "chaincode response 500, INVALID_ARGUMENT: lot: bad\nsecond line"),
			"INVALID_ARGUMENT", "lot: bad\nsecond line", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := l.mapError(ctx, "endorse", p, "tx1", c.err)
			var ce *gateway.ChaincodeError
			if !errors.As(err, &ce) || ce.Code != c.code || ce.Message != c.msg || ce.TxID != "tx1" {
				t.Fatalf("mapError = %#v, want ChaincodeError %s %q tx1", err, c.code, c.msg)
			}
			if errors.Is(err, gateway.ErrUnavailable) {
				t.Error("a chaincode refusal wraps ErrUnavailable")
			}
		})
	}
}

func TestMapErrorUnavailableAndOthers(t *testing.T) {
	l := &Ledger{}
	p := &peerConn{endpoint: "127.0.0.1:7051"}
	bg := context.Background()
	canceled, cancel := context.WithCancel(bg)
	cancel()
	expired, cancel2 := context.WithTimeout(bg, 0)
	defer cancel2()
	cases := []struct {
		name        string
		ctx         context.Context
		err         error
		unavailable bool
		is          error
	}{
		{"peer down", bg, statusErr(t, codes.Unavailable, `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:7051: connect: connection refused"`), true, nil},
		{"gateway timeout", bg, statusErr(t, codes.DeadlineExceeded, "endorsement timeout expired while collecting endorsements"), true, nil},
		{"endorsers failed, not in the chaincode", bg, statusErr(t, codes.Aborted, "failed to endorse transaction, see attached details for more info", "chaincode stream terminated"), true, nil},
		{"orderers down", bg, statusErr(t, codes.Unavailable, "no orderers could successfully process transaction"), true, nil},
		{"discovery found too few peers", bg, statusErr(t, codes.FailedPrecondition, "failed to select a set of endorsers that satisfy the endorsement policy due to unavailability of peers: [peer0]"), true, nil},
		{"no peer for the chaincode", bg, statusErr(t, codes.FailedPrecondition, "no peers available to evaluate chaincode probe in channel qingchain"), true, nil},
		{"access denied", bg, statusErr(t, codes.FailedPrecondition, "evaluate call to endorser returned error: error validating proposal: access denied: channel [qingchain] creator org unknown, creator is malformed"), false, nil},
		{"the caller's deadline", expired, statusErr(t, codes.DeadlineExceeded, "context deadline exceeded"), true, context.DeadlineExceeded},
		{"the caller gave up", canceled, statusErr(t, codes.Canceled, "context canceled"), false, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := l.mapError(c.ctx, "endorse", p, "tx2", c.err)
			var ce *gateway.ChaincodeError
			if errors.As(err, &ce) {
				t.Fatalf("mapError = ChaincodeError %v", ce)
			}
			if got := errors.Is(err, gateway.ErrUnavailable); got != c.unavailable {
				t.Errorf("errors.Is(ErrUnavailable) = %v, want %v: %v", got, c.unavailable, err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error does not wrap %v: %v", c.is, err)
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.TxID != "tx2" || fe.Peer != p.endpoint || !strings.Contains(err.Error(), "127.0.0.1:7051") {
				t.Errorf("error %q lacks the peer or tx id", err)
			}
		})
	}
	// The per-peer details are part of the message.
	err := l.mapError(bg, "endorse", p, "tx3", statusErr(t, codes.Aborted, "failed to endorse", "chaincode stream terminated"))
	if !strings.Contains(err.Error(), "BankMSP peer0:7051: chaincode stream terminated") {
		t.Errorf("details missing from %q", err)
	}
}

func TestAfterMarker(t *testing.T) {
	for in, want := range map[string]string{
		"chaincode response 500, X: y":              "X: y",
		"prefix: chaincode response 404, NOT_FOUND": "NOT_FOUND",
		"chaincode response 500,X":                  "",
		"chaincode response , X":                    "",
		"no marker":                                 "",
	} {
		got, ok := afterMarker(in)
		if got != want || ok != (want != "") {
			t.Errorf("afterMarker(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestValidationCodeNames(t *testing.T) {
	for code, want := range map[peer.TxValidationCode]gateway.ValidationCode{
		peer.TxValidationCode_VALID:                      gateway.Valid,
		peer.TxValidationCode_MVCC_READ_CONFLICT:         gateway.MVCCReadConflict,
		peer.TxValidationCode_PHANTOM_READ_CONFLICT:      gateway.PhantomReadConflict,
		peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE: gateway.EndorsementPolicyFailure,
		peer.TxValidationCode_DUPLICATE_TXID:             gateway.DuplicateTxID,
		peer.TxValidationCode_BAD_CREATOR_SIGNATURE:      gateway.BadCreatorSignature,
		peer.TxValidationCode_INVALID_OTHER_REASON:       gateway.InvalidOtherReason,
		peer.TxValidationCode(200):                       "TX_VALIDATION_CODE_200",
	} {
		if got := validationCode(code); got != want {
			t.Errorf("validationCode(%d) = %s, want %s", code, got, want)
		}
	}
}

// A peer that refuses the creator (a revoked certificate) is the gateway's
// UNAUTHENTICATED, whatever the operation.
func TestMapErrorRefusedCreator(t *testing.T) {
	l := &Ledger{}
	p := &peerConn{endpoint: "127.0.0.1:9051"}
	tests := []struct {
		name string
		err  error
	}{
		{"evaluate", statusErr(t, codes.Unknown, "evaluate call to endorser returned error: access denied: channel [qingchain] creator org [BankMSP]")},
		{"endorse", statusErr(t, codes.Aborted, "failed to endorse transaction, see attached details for more info", "access denied: channel [qingchain] creator org [BankMSP]")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.mapError(context.Background(), tc.name, p, "tx1", tc.err)
			var ge *gateway.Error
			if !errors.As(err, &ge) || ge.Code != gateway.CodeUnauthenticated {
				t.Fatalf("mapError = %v, want a gateway.Error UNAUTHENTICATED", err)
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Peer != p.endpoint {
				t.Errorf("mapError = %v: the peer's error is not kept", err)
			}
		})
	}
}
