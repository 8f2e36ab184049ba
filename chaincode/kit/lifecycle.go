package kit

import (
	"slices"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Move is one status change an entity may make: from any of From to To.
type Move struct {
	Name string // the step, as transactions call it: "approve"
	From []string
	To   string
	// Refusal ends the message refusing the move (" and cannot be
	// closed", "; the holder has not asked to redeem it"); empty, it names
	// the one status the move starts from (", not APPLIED"), or nothing
	// when several are allowed.
	Refusal string
	// Terse refusals say only "<entity> <id> is <status>".
	Terse bool
}

// Lifecycle is the table of the status moves of one kind of entity. Every
// status change goes through one, so what may follow what is read in one
// place per entity rather than in each transaction's conditions.
type Lifecycle struct {
	Entity string // "financing", as refusals name it
	Moves  []Move
}

func (l Lifecycle) move(name string) (Move, bool) {
	i := slices.IndexFunc(l.Moves, func(m Move) bool { return m.Name == name })
	if i < 0 {
		return Move{}, false
	}
	return l.Moves[i], true
}

// Check refuses, with CONFLICT, the named move from status; id names the
// entity in the refusal: "financing F-… is ACTIVE, not APPLIED".
func (l Lifecycle) Check(name, id, status string) error {
	m, ok := l.move(name)
	if !ok {
		return Errf(api.CodeInternal, "%s has no move %q", l.Entity, name)
	}
	if slices.Contains(m.From, status) {
		return nil
	}
	msg := l.Entity + " " + id + " is " + status
	switch {
	case m.Terse:
	case m.Refusal != "":
		msg += m.Refusal
	case len(m.From) == 1:
		msg += ", not " + m.From[0]
	}
	return Errf(api.CodeConflict, "%s", msg)
}

// Apply checks the named move and sets *status to where it leads.
func (l Lifecycle) Apply(name, id string, status *string) error {
	if err := l.Check(name, id, *status); err != nil {
		return err
	}
	m, _ := l.move(name)
	*status = m.To
	return nil
}

// MoveTo sets *status to to when a move of the table leads there from it,
// for steps whose target the transaction decides (a met margin call goes
// back to the status before it). Anything else is an internal fault: the
// transaction's own checks should have refused it first.
func (l Lifecycle) MoveTo(id string, status *string, to string) error {
	if !slices.ContainsFunc(l.Moves, func(m Move) bool { return m.To == to && slices.Contains(m.From, *status) }) {
		return Errf(api.CodeInternal, "%s %s may not move from %s to %s", l.Entity, id, *status, to)
	}
	*status = to
	return nil
}
