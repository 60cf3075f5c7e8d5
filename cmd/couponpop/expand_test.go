package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"APP": "couponpop-s1", "SHARD": "3", "_X1": "x", "EMPTY": ""}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct{ name, in, want string }{
		{"braced name", "http://${APP}.internal", "http://couponpop-s1.internal"},
		{"two names", "${APP}/${SHARD}", "couponpop-s1/3"},
		{"underscore and digits", "${_X1}", "x"},
		{"unset name is empty", "a${NOPE}b", "ab"},
		{"set but empty", "a${EMPTY}b", "ab"},
		{"bare $x untouched", "pa$APP$word", "pa$APP$word"},
		{"dollar in a secret", "s3cr$t-$$-$", "s3cr$t-$$-$"},
		{"$${ is a literal ${", "$${APP}", "${APP}"},
		{"$${ inside text", "a$${b", "a${b"},
		{"unclosed ${ untouched", "a${APP", "a${APP"},
		{"not a name untouched", "${1X} ${A-B} ${}", "${1X} ${A-B} ${}"},
		{"no dollars", "plain", "plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := expandEnv(tc.in, getenv); got != tc.want {
				t.Errorf("expandEnv(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestLoadFile_SecretWithDollar: a jwt-secret holding '$' reaches the
// config as written, while ${NAME} still expands.
func TestLoadFile_SecretWithDollar(t *testing.T) {
	t.Setenv("COUPONPOP_TEST_DATA", "/from/env")
	const secret = "a$b$$c$${d}-0123456789abcdef0123456789"
	file := filepath.Join(t.TempDir(), "node.yml")
	yml := "data: ${COUPONPOP_TEST_DATA}\njwt-secret: 'a$b$$c$$${d}-0123456789abcdef0123456789'\n"
	if err := os.WriteFile(file, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig()
	if err := cfg.loadFile(file); err != nil {
		t.Fatal(err)
	}
	if cfg.Data != "/from/env" || cfg.JWTSecret != secret {
		t.Fatalf("data %q, jwt-secret %q; want /from/env and %q", cfg.Data, cfg.JWTSecret, secret)
	}
}
