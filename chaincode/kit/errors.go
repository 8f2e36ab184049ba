package kit

import (
	"fmt"

	"github.com/qingchain/qingchain/chaincode/api"
)

// Errf builds a coded chaincode error: "CODE: message".
func Errf(code api.Code, format string, args ...any) error {
	return fmt.Errorf("%s: %s", code, fmt.Sprintf(format, args...))
}
