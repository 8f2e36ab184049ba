// Package kit is what every Qingchain contract stands on: state access
// (composite keys, JSON entries, indexes, the one event), the transaction's
// clock and derived ids, checked arguments and identifiers, coded errors
// ("CODE: message" with an api.Code), the caller checks that need no
// registry read, and Lifecycle, the table of status moves each entity
// makes. It knows no domain: domain packages import it, never the reverse.
package kit
