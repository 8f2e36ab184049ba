// Package insurance is export credit insurance: buyer credit limits,
// policies, shipment declarations and payments, buyer defaults, the
// assignment of claim proceeds to a bank and claims. It asks the lender of
// a financing only through the Lender interface New takes.
package insurance
