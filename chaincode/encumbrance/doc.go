// Package encumbrance is the register of what live financings' collateral
// rests on (a lot's goods, an invoice, a customs declaration, an insured
// shipment), kept below trace so that transformations can refuse to consume
// encumbered goods and every instrument's approval meets the others here.
package encumbrance
