package server

import (
	"encoding/json"
	"reflect"
	"testing"
)

var claimsSeeds = []string{
	`{"username":"bench","memberType":"CUSTOMER","tokenType":"USER","sub":"42","exp":1764550000,"iat":1764546400,"jti":"abc","sid":"fam"}`,
	`{"sub":"1099511627777","exp":1.7645e9,"nbf":-0.5}`,
	` { "sub" : "7" , "exp" : 0 } `,
	`{"sub":"7","sub":"8","exp":1}`, // duplicate keys: the last wins
	`{}`,
	`{"username":"한글 이름","exp":2}`,
	`{"SUB":"7","exp":1}`,             // case folding: encoding/json matches it
	`{"ſub":"7","exp":1}`,             // so does Unicode folding
	`{"sub":"7\u0041","exp":1}`,       // escapes
	`{"sub":7,"exp":1}`,               // wrong kind
	`{"sub":"7","exp":"1"}`,           // wrong kind
	`{"sub":"7","exp":null}`,          // null
	`{"sub":"7","exp":1e999}`,         // out of range
	`{"sub":"7","exp":01}`,            // not a JSON number
	`{"sub":"7","aud":["a"],"exp":1}`, // other value kinds
	`{"sub":"7","exp":1}x`,            // trailing data
	`{"sub":"7","exp":1,}`,            // trailing comma
	"{\"sub\":\"\xff\",\"exp\":1}",    // invalid UTF-8
}

// FuzzAccessClaims checks the direct scan against encoding/json: whatever
// it accepts, it must read exactly as encoding/json does.
func FuzzAccessClaims(f *testing.F) {
	for _, s := range claimsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := scanAccessClaims(data)
		var want accessClaims
		err := json.Unmarshal(data, &want)
		if ok && (err != nil || !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q: scanned %+v, encoding/json %+v (%v)", data, got, want, err)
		}
		parsed, perr := parseAccessClaims(data)
		if (perr == nil) != (err == nil) || (err == nil && !reflect.DeepEqual(parsed, want)) {
			t.Fatalf("%q: parsed %+v (%v), encoding/json %+v (%v)", data, parsed, perr, want, err)
		}
	})
}

// TestScanAccessClaims_TakesTheCommonShape checks the fast path is the one
// real tokens take, so the speed-up is not silently lost.
func TestScanAccessClaims_TakesTheCommonShape(t *testing.T) {
	for _, s := range claimsSeeds[:6] {
		if _, ok := scanAccessClaims([]byte(s)); !ok {
			t.Errorf("%s: not scanned directly", s)
		}
	}
	for _, s := range claimsSeeds[6:] {
		if _, ok := scanAccessClaims([]byte(s)); ok {
			t.Errorf("%s: scanned directly, want encoding/json", s)
		}
	}
}
