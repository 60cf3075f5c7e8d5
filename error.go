// Package couponpop holds the domain of CouponPop: members, stores, coupon
// events and coupons, their validation rules and the error codes of the API.
// Storage lives in store/, HTTP in server/, geometry in geo/.
package couponpop

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
)

// Generic error codes. The API's own codes (EVENT_COUPON_SOLD_OUT, ...) are
// listed beside the nouns they belong to. server/ maps every code to an HTTP
// status in one table.
const (
	EINVALID      = "BAD_REQUEST"
	ENOTFOUND     = "NOT_FOUND"
	ECONFLICT     = "CONFLICT"
	EFORBIDDEN    = "ACCESS_DENIED"
	EUNAUTHORIZED = "AUTHENTICATION_REQUIRED"
	EINTERNAL     = "INTERNAL_SERVER_ERROR"
	EUNAVAILABLE  = "SERVICE_UNAVAILABLE"

	EOUTOFAREA = "OUT_OF_SERVICE_AREA"
)

// Error is an application error: a code from the API contract and a message
// a person can act on, in English. Korean, when set, is the same message in
// Korean (the API's default language); when empty the server shows the
// code's own Korean text.
type Error struct {
	Code    string
	Message string
	Korean  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for internal errors (their details stay in the logs).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorKorean returns the Korean message of the first *Error in err's
// chain, "" when it has none.
func ErrorKorean(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Korean
	}
	return ""
}

// Problems collects validation failures; Err joins them with "\n" as the API
// asks, under one code.
type Problems []Problem

// Problem is one validation failure, in English and, when known, Korean.
type Problem struct{ English, Korean string }

// Add records a failure when cond is true, in English only.
func (p *Problems) Add(cond bool, format string, args ...any) {
	if cond {
		*p = append(*p, Problem{English: fmt.Sprintf(format, args...)})
	}
}

// AddKo records a failure when cond is true, with its Korean text (v2's
// validation message where v2 had one).
func (p *Problems) AddKo(cond bool, korean, format string, args ...any) {
	if cond {
		*p = append(*p, Problem{English: fmt.Sprintf(format, args...), Korean: korean})
	}
}

// Err returns nil when there are no problems, else an EINVALID *Error. Its
// Korean message falls back to English for a problem without Korean text,
// and is empty when no problem has any.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	en, ko := make([]string, len(p)), make([]string, len(p))
	anyKorean := false
	for i, pr := range p {
		en[i], ko[i] = pr.English, cmp.Or(pr.Korean, pr.English)
		anyKorean = anyKorean || pr.Korean != ""
	}
	e := &Error{Code: EINVALID, Message: strings.Join(en, "\n")}
	if anyKorean {
		e.Korean = strings.Join(ko, "\n")
	}
	return e
}

// Errork returns an *Error with a Korean message beside the English one.
func Errork(code, korean, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Korean: korean}
}
