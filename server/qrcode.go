package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
)

// qrCodeTTL is how long a shown QR code stays valid.
const qrCodeTTL = 10 * time.Minute

// qrCodes signs and checks the short-lived, single-use codes a customer
// shows at the counter. Showing one writes nothing: the code carries the
// coupon, its expiry and a nonce, signed with HMAC-SHA256; spending it
// records the nonce.
type qrCodes struct{ key []byte }

func newQRCodes(secret []byte) *qrCodes {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("couponpop qr code v1"))
	return &qrCodes{key: mac.Sum(nil)}
}

// issue returns a fresh code for a coupon and when it expires.
func (q *qrCodes) issue(couponID int64, now time.Time) (string, time.Time) {
	exp := now.Add(qrCodeTTL).Truncate(time.Second)
	body := make([]byte, 8+8+8)
	binary.BigEndian.PutUint64(body, uint64(couponID))
	binary.BigEndian.PutUint64(body[8:], uint64(exp.Unix()))
	_, _ = rand.Read(body[16:])
	enc := base64.RawURLEncoding
	return enc.EncodeToString(body) + "." + enc.EncodeToString(q.sign(body)), exp
}

// verify checks a code's signature and expiry and returns its coupon and
// nonce.
func (q *qrCodes) verify(code string, now time.Time) (couponID int64, nonce string, err error) {
	invalid := couponpop.Errorf(couponpop.ECouponInvalidTempCode, "the code is invalid or expired; show a fresh one")
	bodyPart, sigPart, ok := strings.Cut(scannedCode(code), ".")
	if !ok {
		return 0, "", invalid
	}
	enc := base64.RawURLEncoding
	body, err1 := enc.DecodeString(bodyPart)
	sig, err2 := enc.DecodeString(sigPart)
	if err1 != nil || err2 != nil || len(body) != 24 || !hmac.Equal(sig, q.sign(body)) {
		return 0, "", invalid
	}
	if exp := time.Unix(int64(binary.BigEndian.Uint64(body[8:])), 0); !now.Before(exp) {
		return 0, "", invalid
	}
	return int64(binary.BigEndian.Uint64(body)), enc.EncodeToString(body[16:]), nil
}

// qrURLPrefix is what the QR image encodes before the code, as v2 did.
const qrURLPrefix = "https://couponpop.com/q/"

// scannedCode takes what a scanner read, the QR url
// (https://couponpop.com/q/{code}, any host or scheme) or the bare code,
// and returns the code.
func scannedCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "/q/"); i >= 0 && strings.Contains(s[:i], "://") {
		s = s[i+len("/q/"):]
		if j := strings.IndexAny(s, "?#/"); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

func (q *qrCodes) sign(body []byte) []byte {
	mac := hmac.New(sha256.New, q.key)
	mac.Write(body)
	return mac.Sum(nil)[:16]
}
