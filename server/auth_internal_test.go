package server

import (
	"testing"
	"time"

	"github.com/couponpop/couponpop"
)

// BenchmarkVerify measures checking one access token: every request pays it.
func BenchmarkVerify(b *testing.B) {
	tok := newTokens([]byte("bench-secret-bench-secret-bench-secret!"), time.Hour, time.Hour, time.Now)
	token, _, err := tok.NewAccessToken(&couponpop.Member{ID: 42, Username: "bench", MemberType: couponpop.MemberCustomer}, "session")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tok.Verify(token); err != nil {
			b.Fatal(err)
		}
	}
}
