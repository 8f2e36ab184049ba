package contracts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/qingchain/qingchain/chaincode/money"
)

// finZone is the business time zone: value dates and "today" are dates in
// Asia/Shanghai.
var finZone = time.FixedZone("CST", 8*3600)

// finToday is the transaction time and its date in Asia/Shanghai.
func finToday(ctx contractapi.TransactionContextInterface) (time.Time, money.Date, error) {
	now, err := txTime(ctx)
	if err != nil {
		return now, money.Date{}, err
	}
	return now, money.DateOf(now.In(finZone)), nil
}

func finDeriveID(prefix, txID string, now time.Time, n int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d", prefix, txID, n)))
	return fmt.Sprintf("%s-%04d-%s", prefix, now.In(finZone).Year(), strings.ToUpper(hex.EncodeToString(sum[:8])))
}

func finWellFormedID(id, prefix string) bool {
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
