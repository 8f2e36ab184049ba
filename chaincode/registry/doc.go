// Package registry is the enterprise registry and its governance: which
// organisation may grant which kind of business, enterprises and the
// identities bound to them, grants, approvals and revocations. Every other
// contract identifies its caller here (RequireEnterprise, RequireKind).
package registry
