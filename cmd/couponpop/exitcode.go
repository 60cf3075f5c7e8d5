package main

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/couponpop/couponpop/client"
)

// Exit codes of every couponpop command (README, "Exit codes").
const (
	exitOK          = 0 // done
	exitError       = 1 // anything not below
	exitUsage       = 2 // bad flags, arguments or input file
	exitAuth        = 3 // not logged in, or the login expired or was revoked
	exitNotFound    = 4 // no such store, campaign, coupon or route
	exitConflict    = 5 // refused by the campaign's state: sold out, paused, ended, already used…
	exitForbidden   = 6 // someone else's store or campaign
	exitUnavailable = 7 // the server cannot be reached or is unavailable
)

// usageError is a mistake in how a command was called.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// authError asks the user to log in (again).
type authError struct{ msg string }

func (e authError) Error() string { return e.msg }

// conflictCodes are the API's codes for a request the state refuses.
var conflictCodes = map[string]bool{
	"CONFLICT": true, "COUPON_ALREADY_ISSUED": true, "EVENT_COUPON_SOLD_OUT": true, "EVENT_NOT_ACTIVE": true,
	"EVENT_NOT_STARTED": true, "EVENT_ENDED": true, "COUPON_ALREADY_USED": true, "COUPON_NOT_AVAILABLE": true,
	"COUPON_EXPIRED": true, "EMAIL_DUPLICATED": true, "IDEMPOTENCY_KEY_REUSED": true,
}

// exitCode is the process exit code for err.
func exitCode(err error) int {
	var ue usageError
	var ae authError
	var ce *client.Error
	var ne net.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue) || isCobraUsage(err):
		return exitUsage
	case errors.As(err, &ae):
		return exitAuth
	case errors.As(err, &ce):
		switch {
		case ce.Status == 401:
			return exitAuth
		case ce.Status == 404 || strings.HasSuffix(ce.Code, "_NOT_FOUND"):
			return exitNotFound
		case ce.Status == 403:
			return exitForbidden
		case ce.Status == 409 || conflictCodes[ce.Code]:
			return exitConflict
		case ce.Status >= 500:
			return exitUnavailable
		}
	case errors.As(err, &ne):
		return exitUnavailable
	}
	return exitError
}

// isCobraUsage reports cobra's own argument errors.
func isCobraUsage(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown command") || strings.HasPrefix(s, "unknown flag") ||
		strings.HasPrefix(s, "unknown shorthand flag") || strings.HasPrefix(s, "accepts ") ||
		strings.HasPrefix(s, "requires at least") || strings.HasPrefix(s, "invalid argument") ||
		strings.Contains(s, "flag needs an argument") || strings.HasPrefix(s, "required flag")
}

// errorLine is err as the one line a user reads: an API error by what it
// means and its code, an expired login as advice, never a stack.
func errorLine(err error) string {
	var ce *client.Error
	var ne net.Error
	switch {
	case errors.As(err, &ce):
		msg := strings.ReplaceAll(strings.TrimSpace(ce.Message), "\n", "; ")
		switch {
		case ce.Code == "EXPIRED_TOKEN":
			return "your login has expired: run `couponpop login` again"
		case ce.Status == 401:
			return fmt.Sprintf("not logged in (%s): run `couponpop login`", ce.Code)
		case exitCode(err) == exitNotFound:
			return fmt.Sprintf("not found: %s (%s)", msg, ce.Code)
		case ce.Status == 403:
			return fmt.Sprintf("forbidden: %s (%s)", msg, ce.Code)
		default:
			return fmt.Sprintf("%s (%s)", msg, ce.Code)
		}
	case errors.As(err, &ne):
		return "cannot reach the server: " + err.Error()
	}
	return err.Error()
}
