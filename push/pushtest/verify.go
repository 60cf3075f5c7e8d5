package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxJWTLifetime is RFC 8292 §2's limit on exp.
const maxJWTLifetime = 24 * time.Hour

// verifyVAPID checks an "Authorization: vapid t=JWT, k=KEY" header: the JWT
// is ES256-signed by KEY, its aud is the push service's origin, its exp is in
// the future but at most 24 h away, and its sub is one mailto: or https: URI.
func verifyVAPID(header, audience string, now time.Time) (*jwt.RegisteredClaims, string, error) {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return nil, "", fmt.Errorf("Authorization %q is not vapid", header)
	}
	var token, key string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			token = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			key = v
		}
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(key, "="))
	if err != nil {
		return nil, "", fmt.Errorf("vapid k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return nil, "", fmt.Errorf("vapid k: %w", err)
	}
	claims := &jwt.RegisteredClaims{}
	_, err = jwt.ParseWithClaims(token, claims,
		func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return nil, "", fmt.Errorf("vapid JWT: %w", err)
	}
	if claims.ExpiresAt.Sub(now) > maxJWTLifetime {
		return nil, "", fmt.Errorf("vapid JWT: exp %s is more than 24 h away", claims.ExpiresAt.Time)
	}
	sub := claims.Subject
	switch {
	case strings.HasPrefix(sub, "mailto:mailto:"):
		return nil, "", fmt.Errorf("vapid JWT: sub %q has mailto: twice", sub)
	case strings.HasPrefix(sub, "mailto:") && strings.Contains(sub, "@"), strings.HasPrefix(sub, "https://"):
	default:
		return nil, "", fmt.Errorf("vapid JWT: sub %q is not a mailto: or https: URI", sub)
	}
	return claims, base64.RawURLEncoding.EncodeToString(raw), nil
}

// decrypt opens an RFC 8188 aes128gcm body with the keys of RFC 8291: the
// user agent's key and auth secret, and the sender's one-time public key
// from the header. Web Push uses a single record.
func decrypt(body io.Reader, ua *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, 1<<16))
	if err != nil {
		return nil, err
	}
	if len(b) < 21 {
		return nil, errors.New("aes128gcm: short header")
	}
	salt, rs, idLen := b[:16], binary.BigEndian.Uint32(b[16:20]), int(b[20])
	if len(b) < 21+idLen {
		return nil, errors.New("aes128gcm: short key id")
	}
	asPublic, ciphertext := b[21:21+idLen], b[21+idLen:]
	if uint32(len(ciphertext)) > rs || rs < 18 {
		return nil, fmt.Errorf("aes128gcm: %d bytes of ciphertext in records of %d: want one record", len(ciphertext), rs)
	}
	as, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, fmt.Errorf("aes128gcm: sender key: %w", err)
	}
	shared, err := ua.ECDH(as)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(ua.PublicKey().Bytes()) + string(asPublic)
	ikm, err := hkdf.Key(sha256.New, shared, auth, info, 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("aes128gcm: %w", err)
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 0x02 {
		return nil, errors.New("aes128gcm: last record lacks the 0x02 delimiter")
	}
	return plain[:len(plain)-1], nil
}
