package devledger

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Collection is one private data collection of the chaincode, as Fabric's
// collection configuration file (the --collections-config of `peer
// lifecycle chaincode approveformyorg`) declares it. Its members are the
// organisations its policy names: their peers keep the collection's values;
// every peer keeps the hashes.
type Collection struct {
	Name              string `json:"name"`
	Policy            string `json:"policy"`
	RequiredPeerCount int    `json:"requiredPeerCount"`
	MaxPeerCount      int    `json:"maxPeerCount"`
	BlockToLive       uint64 `json:"blockToLive"`
	MemberOnlyRead    bool   `json:"memberOnlyRead"`
	MemberOnlyWrite   bool   `json:"memberOnlyWrite"`
	// EndorsementPolicy, when set, replaces the chaincode's policy for
	// writes to this collection.
	EndorsementPolicy *struct {
		SignaturePolicy string `json:"signaturePolicy,omitempty"`
	} `json:"endorsementPolicy,omitempty"`
}

// ParseCollections reads a collection configuration in Fabric's JSON form.
func ParseCollections(raw []byte) ([]Collection, error) {
	var cs []Collection
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, fmt.Errorf("devledger: collection configuration: %w", err)
	}
	for _, c := range cs {
		if _, err := compileCollection(c); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// collection is a Collection compiled for simulation and validation.
type collection struct {
	Collection
	members []string
	ep      *compiledPolicy // nil: the chaincode's policy applies
}

func compileCollection(c Collection) (*collection, error) {
	if c.Name == "" {
		return nil, fmt.Errorf("devledger: a collection without a name")
	}
	if c.BlockToLive != 0 {
		return nil, fmt.Errorf("devledger: collection %s: blockToLive is not supported (use 0, keep forever)", c.Name)
	}
	env, err := ParsePolicy(c.Policy)
	if err != nil {
		return nil, fmt.Errorf("devledger: collection %s: %w", c.Name, err)
	}
	mp, err := compilePolicy(env)
	if err != nil {
		return nil, err
	}
	out := &collection{Collection: c, members: mp.orgs()}
	if c.EndorsementPolicy != nil && c.EndorsementPolicy.SignaturePolicy != "" {
		env, err := ParsePolicy(c.EndorsementPolicy.SignaturePolicy)
		if err != nil {
			return nil, fmt.Errorf("devledger: collection %s endorsement policy: %w", c.Name, err)
		}
		if out.ep, err = compilePolicy(env); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *collection) member(msp string) bool { return slices.Contains(c.members, msp) }
