package contracts

import (
	"fmt"

	"github.com/qingchain/qingchain/chaincode/api"
)

// errf builds a coded chaincode error: "CODE: message".
func errf(code api.Code, format string, args ...any) error {
	return fmt.Errorf("%s: %s", code, fmt.Sprintf(format, args...))
}
