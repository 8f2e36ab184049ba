package fabric

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gwproto "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/qingchain/qingchain/gateway"
)

// Error is a failure reported by Fabric or by gRPC that is not a chaincode
// refusal: the peer could not be reached, a step timed out, the request was
// refused before the chaincode ran (access denied, unknown chaincode), or the
// ordering service did not take the transaction. It wraps
// gateway.ErrUnavailable when retrying later may succeed.
type Error struct {
	Op   string // evaluate, endorse, submit, commit status, events, qscc ...
	Peer string // endpoint of the peer that was called
	TxID string
	// Code and Message are the gRPC status; Details are the per-node
	// messages the peer's Gateway attached ("<mspid> <address>: <message>").
	Code        codes.Code
	Message     string
	Details     []string
	Unavailable bool
	err         error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fabric %s via %s", e.Op, e.Peer)
	if e.TxID != "" {
		fmt.Fprintf(&b, " (tx %s)", e.TxID)
	}
	fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	for _, d := range e.Details {
		b.WriteString("; ")
		b.WriteString(d)
	}
	if e.Unavailable {
		return gateway.ErrUnavailable.Error() + ": " + b.String()
	}
	return b.String()
}

// Unwrap gives gateway.ErrUnavailable (when it applies) and the original
// fabric-gateway error, so errors.As reaches *client.EndorseError and the
// like, and errors.Is reaches context errors.
func (e *Error) Unwrap() []error {
	if e.Unavailable {
		return []error{gateway.ErrUnavailable, e.err}
	}
	return []error{e.err}
}

// chaincodeMarker precedes a chaincode's own error message wherever a peer's
// Gateway reports one: "chaincode response 500, CODE: message", in the
// per-peer error details of an endorsement and in the status message of an
// evaluation ("evaluate call to endorser returned error: chaincode response
// 500, ...").
const chaincodeMarker = "chaincode response "

// chaincodeMessage finds the chaincode's message in a gRPC error: first in
// the per-peer details, then in the status message.
func chaincodeMessage(st *status.Status) (string, bool) {
	for _, d := range st.Details() {
		if ed, ok := d.(*gwproto.ErrorDetail); ok {
			if m, ok := afterMarker(ed.GetMessage()); ok {
				return m, true
			}
		}
	}
	return afterMarker(st.Message())
}

// afterMarker returns what follows "chaincode response <status>, ".
func afterMarker(s string) (string, bool) {
	i := strings.Index(s, chaincodeMarker)
	if i < 0 {
		return "", false
	}
	rest := s[i+len(chaincodeMarker):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	if j == 0 || !strings.HasPrefix(rest[j:], ", ") {
		return "", false
	}
	return rest[j+2:], true
}

// availabilityHints are the words of the Gateway's FailedPrecondition
// messages that mean "not enough peers are up right now" (for example just
// after a peer restarted, before gossip has found the others again).
var availabilityHints = []string{
	"unavailability of peers",
	"no peers available",
	"failed to find any endorsing peers",
	"no endorsers found",
	"no combination of peers",
	"cannot satisfy",
}

// mapError turns a fabric-gateway error into the seam's error types.
func (l *Ledger) mapError(ctx context.Context, op string, p *peerConn, txID string, err error) error {
	st := status.Convert(err)
	if msg, ok := chaincodeMessage(st); ok {
		ce := gateway.ParseChaincodeMessage(msg)
		ce.TxID = txID
		return ce
	}
	e := &Error{Op: op, Peer: p.endpoint, TxID: txID, Code: st.Code(), Message: st.Message(), err: err}
	for _, d := range st.Details() {
		if ed, ok := d.(*gwproto.ErrorDetail); ok {
			e.Details = append(e.Details, fmt.Sprintf("%s %s: %s", ed.GetMspId(), ed.GetAddress(), ed.GetMessage()))
		}
	}
	if refusedCreator(st.Message(), e.Details) {
		// The peers' MSP refuses the caller's certificate: revoked (the
		// organisation's CRL in the channel configuration lists it) or not
		// issued by the organisation's CA.
		return fmt.Errorf("%w: %w", &gateway.Error{Code: gateway.CodeUnauthenticated,
			Message: "the ledger's peers refuse this identity: its certificate is revoked or not valid for its organisation"}, e)
	}
	if cerr := ctx.Err(); cerr != nil {
		e.err = errors.Join(err, cerr)
		if errors.Is(cerr, context.Canceled) {
			// The caller gave up; that is not the ledger's fault.
			return e
		}
		e.Unavailable = true
		return e
	}
	switch st.Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted, codes.ResourceExhausted, codes.Canceled:
		e.Unavailable = true
	case codes.FailedPrecondition:
		text := strings.ToLower(st.Message() + " " + strings.Join(e.Details, " "))
		for _, h := range availabilityHints {
			if strings.Contains(text, h) {
				e.Unavailable = true
				break
			}
		}
	}
	if l.closed.Load() {
		e.Unavailable = true
	}
	return e
}

// refusedCreator tells whether a peer refused the proposal's creator: its
// endorser answers "access denied: channel [...] creator org [...]" when the
// creator's certificate does not validate against the channel's MSP.
func refusedCreator(msg string, details []string) bool {
	for _, m := range append([]string{msg}, details...) {
		if strings.Contains(m, "access denied") && strings.Contains(m, "creator org") {
			return true
		}
	}
	return false
}

// validationCode names a peer.TxValidationCode as the seam does.
func validationCode(c peer.TxValidationCode) gateway.ValidationCode {
	if name, ok := peer.TxValidationCode_name[int32(c)]; ok {
		return gateway.ValidationCode(name)
	}
	return gateway.ValidationCode(fmt.Sprintf("TX_VALIDATION_CODE_%d", int32(c)))
}
