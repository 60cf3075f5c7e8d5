package push

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestVAPIDKeys_RoundTrip(t *testing.T) {
	k, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	if pub, _ := base64.RawURLEncoding.DecodeString(k.Public); len(pub) != 65 || pub[0] != 4 {
		t.Fatalf("public key is not a 65-byte uncompressed point: %q", k.Public)
	}
	// Padded, standard-alphabet spellings parse to the same pair.
	pub, _ := base64.RawURLEncoding.DecodeString(k.Public)
	priv, _ := base64.RawURLEncoding.DecodeString(k.Private)
	got, err := ParseVAPIDKeys(base64.StdEncoding.EncodeToString(pub), base64.URLEncoding.EncodeToString(priv))
	if err != nil || got != k {
		t.Fatalf("ParseVAPIDKeys = %+v, %v; want %+v", got, err, k)
	}
}

func TestParseVAPIDKeys_Mismatch(t *testing.T) {
	a, _ := GenerateVAPIDKeys()
	b, _ := GenerateVAPIDKeys()
	for _, tc := range []struct{ name, pub, priv, want string }{
		{"pair mismatch", a.Public, b.Private, "does not match"},
		{"empty", "", a.Private, "public key"},
		{"garbage", a.Public, "!!!", "private key"},
	} {
		if _, err := ParseVAPIDKeys(tc.pub, tc.priv); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
