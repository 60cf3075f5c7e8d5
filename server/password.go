package server

import (
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// passwordHasher hashes and checks member passwords with bcrypt at one cost.
type passwordHasher struct {
	cost int // 0 means bcrypt's default
	// dummy is a hash to check a password against when there is no member:
	// a login for an unknown email then costs as much as a real one. It is
	// made on the first such login, not when the program starts.
	dummy func() []byte
}

func newPasswordHasher(cost int) *passwordHasher {
	return &passwordHasher{cost: cost, dummy: sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("not-a-password-1!"), cost)
		return h
	})}
}

// hash returns the bcrypt hash of password.
func (p *passwordHasher) hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), p.cost)
	return string(h), err
}

// matches reports whether password is the one hash was made from.
func (p *passwordHasher) matches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// spend takes as long as matches does, for a login with no member to check.
func (p *passwordHasher) spend(password string) {
	_ = bcrypt.CompareHashAndPassword(p.dummy(), []byte(password))
}
