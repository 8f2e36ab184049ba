package risk

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// sanctionLife: a sanction is in force until another regulator lifts it.
func sanctionLife() kit.Lifecycle {
	return kit.Lifecycle{Entity: "sanction", Moves: []kit.Move{
		{Name: "lift", From: []string{api.SanctionActive}, To: api.SanctionLifted, Terse: true},
	}}
}
