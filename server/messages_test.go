package server

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/couponpop/couponpop"
)

// TestV2Messages holds every code v2 had, and we use, to v2's Korean text
// and HTTP status.
func TestV2Messages(t *testing.T) {
	data, err := os.ReadFile("testdata/v2_messages.json")
	if err != nil {
		t.Fatal(err)
	}
	var v2 struct {
		ErrorCodes []struct {
			Code, Message, Service string
			Status                 int
		}
	}
	if err := json.Unmarshal(data, &v2); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, c := range v2.ErrorCodes {
		ours, used := koreanByCode[c.Code]
		if !used || c.Service == "security" {
			continue // a code we never raise, or the security module's variant text
		}
		checked++
		if ours != c.Message {
			t.Errorf("%s: Korean %q, v2 said %q", c.Code, ours, c.Message)
		}
		if got := httpStatus(c.Code); got != c.Status {
			t.Errorf("%s: status %d, v2 said %d", c.Code, got, c.Status)
		}
	}
	if checked < 30 {
		t.Errorf("only %d v2 codes checked", checked)
	}
}

// TestKoreanMessages_EveryCode: every code the API can answer has its
// Korean text, so a new code cannot show English to a Korean app.
func TestKoreanMessages_EveryCode(t *testing.T) {
	for code := range statusOf {
		if koreanByCode[code] == "" {
			t.Errorf("code %s has no Korean message in koreanByCode", code)
		}
	}
}

func TestErrorMessage_Language(t *testing.T) {
	notFound := couponpop.Errorf(couponpop.EStoreNotFound, "store 7 not found")
	var p couponpop.Problems
	p.AddKo(true, "동은 필수입니다", "dong is required")
	p.Add(true, "radius must be at most 20 km")
	valid := p.Err()
	var q couponpop.Problems
	q.Add(true, "size must be an integer from 1 to 100")
	for _, tc := range []struct {
		header string
		err    error
		want   string
	}{
		{"", notFound, "매장을 찾을 수 없습니다."},
		{"ko-KR,ko;q=0.9,en;q=0.8", notFound, "매장을 찾을 수 없습니다."},
		{"fr", notFound, "매장을 찾을 수 없습니다."},
		{"en", notFound, "store 7 not found"},
		{"en-US,en;q=0.9", notFound, "store 7 not found"},
		{"ko;q=0.5, en", notFound, "store 7 not found"},
		{"", valid, "동은 필수입니다\nradius must be at most 20 km"},
		{"en", valid, "dong is required\nradius must be at most 20 km"},
		{"", q.Err(), "잘못된 요청입니다.\nsize must be an integer from 1 to 100"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.header != "" {
			r.Header.Set("Accept-Language", tc.header)
		}
		if got := errorMessage(r, tc.err); got != tc.want {
			t.Errorf("Accept-Language %q, %v: got %q, want %q", tc.header, tc.err, got, tc.want)
		}
	}
}
