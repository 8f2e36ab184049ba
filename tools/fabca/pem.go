package main

import "encoding/pem"

// cutPEM returns the first PEM certificate of b, re-encoded, and the rest.
func cutPEM(b []byte) ([]byte, []byte) {
	blk, rest := pem.Decode(b)
	if blk == nil {
		return nil, nil
	}
	if blk.Type != "CERTIFICATE" {
		return nil, rest
	}
	return pem.EncodeToMemory(blk), rest
}
