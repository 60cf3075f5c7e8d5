package couponpop

import "testing"

func TestValidPassword(t *testing.T) {
	for pw, want := range map[string]bool{
		"Passw0rd!": true, "a1@aaaaa": true, "abcdefg1!abcdef": true,
		"short1!": false, "abcdefg1!abcdefg": false, "password1": false, "Password!": false,
		"12345678!": false, "Passw0rd#": false, "비밀번호1234!": false,
	} {
		if got := ValidPassword(pw); got != want {
			t.Errorf("ValidPassword(%q) = %v, want %v", pw, got, want)
		}
	}
}
