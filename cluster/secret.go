package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SecretFile is the file in a cluster directory holding the JWT secret that
// every node of the cluster signs and checks access tokens with, so a token
// from one node works on all. Up writes it into every nodeN.yml as
// jwt-secret. `couponpop bench claims --data D` reads it from there too.
const SecretFile = "jwt-secret"

// AdminTokenFile is the file in a cluster directory holding the admin
// token of every node: nodes send it to each other (/internal/position,
// forwarded requests), and `couponpop bench --data D` reads it to scrape
// /metrics. Up writes it into every nodeN.yml as admin-token.
const AdminTokenFile = "admin-token"

// minSecretLen is the shortest secret `couponpop serve` accepts.
const minSecretLen = 32

// clusterSecret returns the JWT secret kept in dir, generating it on the
// first Up in dir; a later Up reuses it, so tokens survive a down/up.
func clusterSecret(dir string) (string, error) { return keptSecret(dir, SecretFile) }

// keptSecret returns the secret kept in dir/file, generating it first.
func keptSecret(dir, file string) (string, error) {
	path := filepath.Join(dir, file)
	data, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(data))
		if len(s) < minSecretLen {
			return "", fmt.Errorf("cluster: %s holds fewer than %d characters; delete it to generate a new secret", path, minSecretLen)
		}
		return s, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cluster: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cluster: %s: %w", file, err)
	}
	s := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("cluster: keep %s: %w", file, err)
	}
	return s, nil
}

// JWTSecret returns the secret every node of c signs access tokens with
// (dir/jwt-secret).
func (c *Cluster) JWTSecret() (string, error) {
	data, err := os.ReadFile(filepath.Join(c.Dir, SecretFile))
	if err != nil {
		return "", fmt.Errorf("cluster: %w", err)
	}
	return strings.TrimSpace(string(data)), nil
}

// AdminToken returns every node's admin token (dir/admin-token).
func (c *Cluster) AdminToken() (string, error) {
	data, err := os.ReadFile(filepath.Join(c.Dir, AdminTokenFile))
	if err != nil {
		return "", fmt.Errorf("cluster: %w", err)
	}
	return strings.TrimSpace(string(data)), nil
}
