package portal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// A session token is 32 random bytes, sent to the browser base64url
// (unpadded, 43 characters) in the session cookie. The store keeps only
// its SHA-256, so a copy of the database opens no session.
const tokenBytes = 32

var errBadToken = errors.New("portal: not a session token")

// newToken makes a session (or sign-in form) token.
func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// parseToken checks that a cookie's value is a token this portal could
// have made, and returns its bytes.
func parseToken(s string) ([]byte, error) {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return nil, errBadToken
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tokenBytes {
		return nil, errBadToken
	}
	return b, nil
}

// tokenHash is what the store keys a session by.
func tokenHash(token []byte) string {
	h := sha256.Sum256(token)
	return hex.EncodeToString(h[:])
}

// csrfToken is the session's synchroniser token: an HMAC of a fixed label
// under the session token. It is bound to the session (another session's
// token differs), needs no storage, and cannot be computed from what the
// store keeps (the token's hash) or from the page (the token is in an
// HttpOnly cookie).
func csrfToken(token []byte) string {
	m := hmac.New(sha256.New, token)
	m.Write([]byte("qingchain portal csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid compares a posted token with the session's in constant time.
func csrfValid(token []byte, posted string) bool {
	return hmac.Equal([]byte(csrfToken(token)), []byte(posted))
}
