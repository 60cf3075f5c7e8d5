package push

import (
	"bytes"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// VAPIDKeys is a deployment's application-server key pair (RFC 8292): a P-256
// key, both halves in unpadded URL-safe base64 as browsers expect them. The
// public key is the 65-byte uncompressed point that clients pass as
// applicationServerKey; the private key is the 32-byte scalar.
//
// Generate it once per deployment and keep it (in shard 0 or a secret): a new
// key invalidates every subscription.
type VAPIDKeys struct {
	Public  string
	Private string
}

// GenerateVAPIDKeys returns a fresh key pair.
func GenerateVAPIDKeys() (VAPIDKeys, error) {
	private, public, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: generate VAPID keys: %w", err)
	}
	return ParseVAPIDKeys(public, private)
}

// ParseVAPIDKeys checks a stored key pair: both halves decode (padded or
// unpadded, URL-safe or standard base64), the private key is a valid P-256
// scalar and the public key is its point. It returns the pair normalised to
// unpadded URL-safe base64.
func ParseVAPIDKeys(public, private string) (VAPIDKeys, error) {
	pub, err := decodeKey(public)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: VAPID public key: %w", err)
	}
	priv, err := decodeKey(private)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: VAPID private key: %w", err)
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("push: VAPID private key: %w", err)
	}
	if !bytes.Equal(key.PublicKey().Bytes(), pub) {
		return VAPIDKeys{}, errors.New("push: VAPID public key does not match the private key")
	}
	return VAPIDKeys{
		Public:  base64.RawURLEncoding.EncodeToString(pub),
		Private: base64.RawURLEncoding.EncodeToString(priv),
	}, nil
}

// decodeKey decodes base64 in any of the four common spellings.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	if strings.ContainsAny(s, "+/") {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}
