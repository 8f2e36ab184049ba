// Package certs is the certificates on goods: inspection and GI
// certificates issued over recorded lots, read by id or by lot. It stands
// on trace's record of products and lots; its transactions are part of the
// trace contract.
package certs
