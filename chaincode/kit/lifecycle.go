package kit

import (
	"strings"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Move is one status change an entity may make: from any of From to To.
type Move struct {
	From []string
	To   string
	// Refusal ends the message refusing the move ("; the holder has not
	// asked to redeem it"); empty, it names the one status the move starts
	// from (", not applied"), or nothing when several are allowed.
	Refusal string
}

// Lifecycle is the table of status moves of one kind of entity, by the
// name of the move. Every status change goes through one, so what may
// follow what is read in one place per entity.
type Lifecycle struct {
	Entity string // "financing", as refusals name it
	Moves  map[string]Move
}

// Check refuses, with CONFLICT, a move the table does not allow from
// status; id names the entity in the refusal.
func (l Lifecycle) Check(move, id, status string) error {
	m, ok := l.Moves[move]
	if !ok {
		return Errf(api.CodeInternal, "%s has no move %q", l.Entity, move)
	}
	for _, from := range m.From {
		if status == from {
			return nil
		}
	}
	var b strings.Builder
	b.WriteString(l.Entity + " " + id + " is " + status)
	switch {
	case m.Refusal != "":
		b.WriteString(m.Refusal)
	case len(m.From) == 1:
		b.WriteString(", not " + m.From[0])
	}
	return Errf(api.CodeConflict, "%s", b.String())
}

// Apply checks the move and sets *status to where it leads.
func (l Lifecycle) Apply(move, id string, status *string) error {
	if err := l.Check(move, id, *status); err != nil {
		return err
	}
	*status = l.Moves[move].To
	return nil
}
