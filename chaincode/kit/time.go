package kit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/money"
)

// zone is the business time zone: value dates and "today" are dates in
// Asia/Shanghai. A function, not a variable, so no package state exists.
func zone() *time.Location { return time.FixedZone("CST", 8*3600) }

// DateOf is the business date (Asia/Shanghai) of an instant.
func DateOf(t time.Time) money.Date { return money.DateOf(t.In(zone())) }

// Today is the transaction time and its date in Asia/Shanghai.
func Today(ctx contractapi.TransactionContextInterface) (time.Time, money.Date, error) {
	now, err := TxTime(ctx)
	if err != nil {
		return now, money.Date{}, err
	}
	return now, DateOf(now), nil
}

// DeriveID derives an entity id (PREFIX-YYYY-16 hex) from the transaction,
// so every endorser derives the same one.
func DeriveID(prefix, txID string, now time.Time, n int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d", prefix, txID, n)))
	return fmt.Sprintf("%s-%04d-%s", prefix, now.In(zone()).Year(), strings.ToUpper(hex.EncodeToString(sum[:8])))
}

// WellFormedID reports whether id is of DeriveID's form for prefix.
func WellFormedID(id, prefix string) bool {
	if len(id) != len(prefix)+1+4+1+16 || !strings.HasPrefix(id, prefix+"-") {
		return false
	}
	rest := id[len(prefix)+1:]
	if rest[4] != '-' {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if i == 4 {
			continue
		}
		if !('0' <= c && c <= '9') && !(i > 4 && 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
