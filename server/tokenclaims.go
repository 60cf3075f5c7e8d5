package server

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// accessClaims are the claims Verify reads from an access token's payload.
type accessClaims struct {
	Subject    string   `json:"sub"`
	Username   string   `json:"username"`
	MemberType string   `json:"memberType"`
	ID         string   `json:"jti"`
	SessionID  string   `json:"sid"`
	ExpiresAt  *float64 `json:"exp"`
	NotBefore  *float64 `json:"nbf"`
}

// accessClaimKeys are the JSON keys of accessClaims.
var accessClaimKeys = []string{"sub", "username", "memberType", "jti", "sid", "exp", "nbf"}

// parseAccessClaims decodes a token's payload exactly as encoding/json
// would into accessClaims. The flat objects tokens carry (string and number
// values, no escapes) are scanned directly, about ten times faster;
// anything else goes to encoding/json. Every request with a token pays this.
func parseAccessClaims(data []byte) (accessClaims, error) {
	if c, ok := scanAccessClaims(data); ok {
		return c, nil
	}
	var c accessClaims
	err := json.Unmarshal(data, &c)
	return c, err
}

// scanAccessClaims reads a flat JSON object of strings and numbers. It
// gives up (ok false) on anything it would not read as encoding/json does:
// escapes, other value kinds, a key that matches a claim only when case is
// folded, a value of the wrong kind, malformed input.
func scanAccessClaims(data []byte) (c accessClaims, ok bool) {
	s := jsonScan{data: data}
	if !s.next('{') {
		return c, false
	}
	if s.next('}') {
		return c, s.end()
	}
	for {
		key, ok := s.string()
		if !ok || !s.next(':') {
			return c, false
		}
		switch key {
		case "sub", "username", "memberType", "jti", "sid":
			v, ok := s.string()
			if !ok {
				return c, false
			}
			switch key {
			case "sub":
				c.Subject = v
			case "username":
				c.Username = v
			case "memberType":
				c.MemberType = v
			case "sid":
				c.SessionID = v
			default:
				c.ID = v
			}
		case "exp", "nbf":
			f, ok := s.number()
			if !ok {
				return c, false
			}
			if key == "exp" {
				c.ExpiresAt = &f
			} else {
				c.NotBefore = &f
			}
		default:
			for _, claim := range accessClaimKeys {
				if strings.EqualFold(key, claim) {
					return c, false
				}
			}
			if _, ok := s.string(); !ok {
				if _, ok := s.number(); !ok {
					return c, false
				}
			}
		}
		if s.next(',') {
			continue
		}
		if s.next('}') {
			return c, s.end()
		}
		return c, false
	}
}

// jsonScan reads JSON tokens from data, skipping whitespace before each.
type jsonScan struct {
	data []byte
	i    int
}

func (s *jsonScan) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next consumes b if it comes next.
func (s *jsonScan) next(b byte) bool {
	s.space()
	if s.i < len(s.data) && s.data[s.i] == b {
		s.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *jsonScan) end() bool {
	s.space()
	return s.i == len(s.data)
}

// string reads a string without escapes, control characters or invalid
// UTF-8; it consumes nothing when it fails.
func (s *jsonScan) string() (string, bool) {
	start := s.i
	if !s.next('"') {
		s.i = start
		return "", false
	}
	from := s.i
	for ; s.i < len(s.data); s.i++ {
		switch b := s.data[s.i]; {
		case b == '"':
			v := s.data[from:s.i]
			if !utf8.Valid(v) {
				s.i = start
				return "", false
			}
			s.i++
			return string(v), true
		case b == '\\' || b < 0x20:
			s.i = start
			return "", false
		}
	}
	s.i = start
	return "", false
}

// number reads a JSON number that fits a float64; it consumes nothing when
// it fails.
func (s *jsonScan) number() (float64, bool) {
	start := s.i
	s.space()
	from := s.i
	digits := func() bool {
		n := s.i
		for s.i < len(s.data) && s.data[s.i] >= '0' && s.data[s.i] <= '9' {
			s.i++
		}
		return s.i > n
	}
	s.next('-')
	switch {
	case s.i < len(s.data) && s.data[s.i] == '0':
		s.i++
	case !digits():
		s.i = start
		return 0, false
	}
	if s.i < len(s.data) && s.data[s.i] == '.' {
		s.i++
		if !digits() {
			s.i = start
			return 0, false
		}
	}
	if s.i < len(s.data) && (s.data[s.i] == 'e' || s.data[s.i] == 'E') {
		s.i++
		if s.i < len(s.data) && (s.data[s.i] == '+' || s.data[s.i] == '-') {
			s.i++
		}
		if !digits() {
			s.i = start
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(s.data[from:s.i]), 64)
	if err != nil {
		s.i = start
		return 0, false
	}
	return f, true
}
