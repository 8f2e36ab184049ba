// Package reqinfo carries what the gateway's HTTP layer has established
// about a request to the applications it mounts (the portals): the client's
// address as the trusted-proxy rules decide it, and whether the browser
// reached the gateway over TLS. Only the gateway sets it.
package reqinfo

import "context"

// Info is what the gateway knows of a request beyond the request itself.
type Info struct {
	// ClientIP is the client's address: the connection's peer, or what a
	// trusted proxy says it forwarded for.
	ClientIP string
	// Secure: the request came over TLS, or a trusted proxy says its
	// client used https.
	Secure bool
}

type key struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the info ctx carries (ok false when the gateway set none).
func From(ctx context.Context) (Info, bool) {
	info, ok := ctx.Value(key{}).(Info)
	return info, ok
}
