// Package credit keeps each enterprise's credit record (financings repaid
// and defaulted, claims, sanctions) and the grade computed from it, which
// financing and insurance read.
package credit
