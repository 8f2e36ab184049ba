// Package contracts assembles Qingchain's chaincode from the domain
// packages: each of the nine contracts is made of the transaction sets of
// its domain, wired to the domains below it through the small interfaces
// they declare. It holds no business rule; the domains do (DESIGN.md §4).
//
// Transaction functions take and return strings (JSON documents where
// structured) so that input is decoded and checked by the domains, with
// stable error codes, rather than by the contract API's schema layer.
package contracts
