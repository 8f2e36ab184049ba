package api

// Event is the payload of the single chaincode event each writing
// transaction sets: which entity, what happened to it.
type Event struct {
	Entity string `json:"entity"`
	ID     string `json:"id"`
	Action string `json:"action"`
	By     string `json:"by,omitempty"`
	Data   any    `json:"data,omitempty"`
}
