package main

import "strings"

// expandEnv replaces each ${NAME} in s with getenv(NAME), NAME being
// letters, digits and underscores, not starting with a digit. Nothing else
// is touched, so a secret may hold a '$': a bare $x stays as it is, and
// $${ is a literal ${ (write $${NAME} for the text ${NAME}). A ${ that does
// not open a well-formed name is left as written.
func expandEnv(s string, getenv func(string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1]) // $${: drop one '$', keep "${"
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 || !envName(s[i+2:i+2+end]) {
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(getenv(s[i+2 : i+2+end]))
		s = s[i+2+end+1:]
	}
}

// envName reports whether s is a shell-style variable name.
func envName(s string) bool {
	if s == "" || ('0' <= s[0] && s[0] <= '9') {
		return false
	}
	for _, c := range []byte(s) {
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
