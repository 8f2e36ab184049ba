// Package network gives Go programs the parts of the Fabric network's
// definition that the embedded ledger applies as well, so that both
// backends run a chaincode under the same endorsement policy and private
// data collections: endorsement-policy (what `scripts/network.sh deploy`
// passes as --signature-policy) and collections/<chaincode>.json (its
// --collections-config).
package network

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed endorsement-policy
var endorsementPolicy string

//go:embed collections/*.json
var collections embed.FS

// EndorsementPolicy is the chaincodes' endorsement policy in Fabric's
// signature policy syntax: the first line of endorsement-policy that is not
// a comment.
func EndorsementPolicy() string {
	for _, line := range strings.Split(endorsementPolicy, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			return line
		}
	}
	return ""
}

// Collections is the collection configuration of a chaincode (Fabric's
// JSON form), nil when the chaincode has none.
func Collections(chaincode string) ([]byte, error) {
	b, err := collections.ReadFile("collections/" + chaincode + ".json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("network: collections of %s: %w", chaincode, err)
	}
	return b, nil
}
