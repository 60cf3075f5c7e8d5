package couponpop

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Member types.
const (
	MemberAdmin    = "ADMIN"
	MemberOwner    = "OWNER"
	MemberCustomer = "CUSTOMER"
)

// Member error codes.
const (
	EPasswordsNotMatch       = "PASSWORDS_NOT_MATCH"
	EEmailDuplicated         = "EMAIL_DUPLICATED"
	EInvalidCredentials      = "INVALID_CREDENTIALS"
	EPasswordInputIncomplete = "PASSWORD_INPUT_INCOMPLETE"
	EMemberNotFound          = "MEMBER_NOT_FOUND"
	EInvalidToken            = "INVALID_TOKEN"
	EExpiredToken            = "EXPIRED_TOKEN"
)

// Member is an account: a store owner, a customer or an admin.
type Member struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Username     string    `json:"username"`
	PhoneNumber  string    `json:"phoneNumber"`
	MemberType   string    `json:"memberType"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"-"`
}

// Signup is a request to create a member.
type Signup struct {
	Email           string `json:"email"`
	Username        string `json:"username"`
	Password        string `json:"password"`
	ConfirmPassword string `json:"confirmPassword"`
	PhoneNumber     string `json:"phoneNumber"`
	MemberType      string `json:"memberType"`
}

// Validate checks a signup; an ADMIN signup is forbidden, a password
// mismatch has its own code.
func (s *Signup) Validate() error {
	s.Email = NormalEmail(s.Email)
	s.Username = strings.TrimSpace(s.Username)
	if s.MemberType == MemberAdmin {
		return Errorf(EFORBIDDEN, "ADMIN accounts cannot sign up")
	}
	var p Problems
	p.Add(!validEmail(s.Email), "email must be a valid address")
	p.Add(!validUsername(s.Username), "username must be 2 to 50 characters")
	p.Add(!ValidPassword(s.Password), "password must be 8 to 15 characters with a letter, a digit and one of @$!%%*?&")
	p.Add(!validPhone(s.PhoneNumber), "phoneNumber must be 10 or 11 digits")
	p.Add(s.MemberType != MemberOwner && s.MemberType != MemberCustomer, "memberType must be OWNER or CUSTOMER")
	if err := p.Err(); err != nil {
		return err
	}
	if s.Password != s.ConfirmPassword {
		return Errorf(EPasswordsNotMatch, "password and confirmPassword differ")
	}
	return nil
}

// MemberUpdate is a partial update of the caller's profile. A password
// change needs the confirmation (v2's passwordConfirm; confirmPassword,
// this API's older name, is accepted too) and the current password.
type MemberUpdate struct {
	Username        *string `json:"username"`
	PhoneNumber     *string `json:"phoneNumber"`
	Password        *string `json:"password"`
	PasswordConfirm *string `json:"passwordConfirm"`
	ConfirmPassword *string `json:"confirmPassword"`
	CurrentPassword *string `json:"currentPassword"`
}

// Validate checks the fields present; a password needs its confirmation
// and the current password (PASSWORD_INPUT_INCOMPLETE without them).
// Whether the current password is right is the caller's check.
func (u *MemberUpdate) Validate() error {
	confirms := make([]string, 0, 2)
	for _, c := range []*string{u.PasswordConfirm, u.ConfirmPassword} {
		if c != nil {
			confirms = append(confirms, *c)
		}
	}
	if (u.Password == nil) != (len(confirms) == 0) {
		return Errorf(EPasswordInputIncomplete, "password and passwordConfirm must be sent together")
	}
	if u.Password != nil && (u.CurrentPassword == nil || *u.CurrentPassword == "") {
		return Errorf(EPasswordInputIncomplete, "a password change needs currentPassword")
	}
	var p Problems
	if u.Username != nil {
		*u.Username = strings.TrimSpace(*u.Username)
		p.Add(!validUsername(*u.Username), "username must be 2 to 50 characters")
	}
	if u.PhoneNumber != nil {
		p.Add(!validPhone(*u.PhoneNumber), "phoneNumber must be 10 or 11 digits")
	}
	if u.Password != nil {
		p.Add(!ValidPassword(*u.Password), "password must be 8 to 15 characters with a letter, a digit and one of @$!%%*?&")
	}
	if err := p.Err(); err != nil {
		return err
	}
	for _, c := range confirms {
		if c != *u.Password {
			return Errorf(EPasswordsNotMatch, "password and passwordConfirm differ")
		}
	}
	return nil
}

// validUsername follows v2's rule ^[a-zA-Z가-힣0-9]{2,50}$: 2 to 50 ASCII
// letters, digits or Hangul syllables.
func validUsername(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r >= '가' && r <= '힣':
			n++
		default:
			return false
		}
	}
	return between(n, 2, 50)
}

// ValidPassword reports whether pw follows the v2 rule: 8–15 characters
// from letters, digits and @$!%*?&, with at least one of each kind.
func ValidPassword(pw string) bool {
	n := utf8.RuneCountInString(pw)
	if n < 8 || n > 15 {
		return false
	}
	var letter, digit, special bool
	for _, r := range pw {
		switch {
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			letter = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune("@$!%*?&", r):
			special = true
		default:
			return false
		}
	}
	return letter && digit && special
}

// NormalEmail is the form emails are stored and compared in.
func NormalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254 && strings.Contains(s[strings.LastIndex(s, "@"):], ".")
}

func validPhone(s string) bool {
	s = strings.ReplaceAll(s, "-", "")
	return (len(s) == 10 || len(s) == 11) && allDigits(s)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func between(n, lo, hi int) bool { return n >= lo && n <= hi }
