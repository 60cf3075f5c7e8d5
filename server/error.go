package server

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/couponpop/couponpop"
)

// HTTP-only error codes.
const (
	eMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	ePayloadTooLarge      = "PAYLOAD_TOO_LARGE"
	eUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	eRateLimited          = "RATE_LIMITED"
	eRequestTimeout       = "REQUEST_TIMEOUT"
	eHeaderTooLarge       = "REQUEST_HEADER_FIELDS_TOO_LARGE"
	eVersionNotSupported  = "HTTP_VERSION_NOT_SUPPORTED"
	eNotImplemented       = "NOT_IMPLEMENTED"
)

// statusOf maps every error code to its HTTP status: the one place that
// does. Codes not listed are 400s, as most of the API's business codes are.
var statusOf = map[string]int{
	couponpop.EUNAUTHORIZED:                http.StatusUnauthorized,
	couponpop.EInvalidToken:                http.StatusUnauthorized,
	couponpop.EExpiredToken:                http.StatusUnauthorized,
	couponpop.EFORBIDDEN:                   http.StatusForbidden,
	couponpop.EStoreAccessPermissionDenied: http.StatusForbidden,
	couponpop.EStoreUpdatePermissionDenied: http.StatusForbidden,
	couponpop.EStoreDeletePermissionDenied: http.StatusForbidden,
	couponpop.EEventOwnerMismatch:          http.StatusForbidden,
	couponpop.EStoreOwnerMismatch:          http.StatusForbidden,
	couponpop.EAdminPermissionRequired:     http.StatusForbidden,
	couponpop.ECouponAccessDenied:          http.StatusForbidden,
	couponpop.ELocationOutOfRange:          http.StatusForbidden,
	couponpop.ENOTFOUND:                    http.StatusNotFound,
	couponpop.EMemberNotFound:              http.StatusNotFound,
	couponpop.EEventNotFound:               http.StatusNotFound,
	couponpop.ECONFLICT:                    http.StatusConflict,
	couponpop.EIdempotencyKeyReused:        http.StatusUnprocessableEntity,
	eMethodNotAllowed:                      http.StatusMethodNotAllowed,
	ePayloadTooLarge:                       http.StatusRequestEntityTooLarge,
	eUnsupportedMediaType:                  http.StatusUnsupportedMediaType,
	eRateLimited:                           http.StatusTooManyRequests,
	eRequestTimeout:                        http.StatusRequestTimeout,
	eHeaderTooLarge:                        http.StatusRequestHeaderFieldsTooLarge,
	eVersionNotSupported:                   http.StatusHTTPVersionNotSupported,
	eNotImplemented:                        http.StatusNotImplemented,
	couponpop.EINTERNAL:                    http.StatusInternalServerError,
	couponpop.EUNAVAILABLE:                 http.StatusServiceUnavailable,
}

// springNames are the status names the v2 services wrote ("400 BAD_REQUEST").
var springNames = map[int]string{
	400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
	405: "METHOD_NOT_ALLOWED", 408: "REQUEST_TIMEOUT", 409: "CONFLICT", 413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "UNPROCESSABLE_ENTITY",
	429: "TOO_MANY_REQUESTS", 431: "REQUEST_HEADER_FIELDS_TOO_LARGE", 500: "INTERNAL_SERVER_ERROR", 501: "NOT_IMPLEMENTED", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT",
	505: "HTTP_VERSION_NOT_SUPPORTED",
}

func httpStatus(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Status     string `json:"status"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	RequestURL string `json:"requestUrl"`
	Timestamp  string `json:"timestamp"`
}

// writeError answers with the API's error body. Internal errors are logged
// with their cause and answered without it. It only writes: a handler whose
// lookup may name a shard held by other nodes calls forwardOrFail instead.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := couponpop.ErrorCode(err)
	status := httpStatus(code)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var appErr *couponpop.Error
	if status == http.StatusServiceUnavailable && errors.As(err, &appErr) {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, errorBody{Error: errorDetail{
		Status:     fmt.Sprintf("%d %s", status, springNames[status]),
		Code:       code,
		Message:    errorMessage(r, err),
		RequestURL: r.URL.Path,
		Timestamp:  couponpop.FormatTime(time.Now()),
	}})
}
