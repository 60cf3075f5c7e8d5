package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/couponpop/couponpop"
	"github.com/go-chi/chi/v5"
)

// apiErrorListener wraps a listener so that the answers net/http writes by
// itself, before any handler runs (400 for a malformed request, 431 for
// headers past MaxHeaderBytes, 501 for a transfer coding it does not know,
// 505 for an unsupported HTTP version), carry
// the API's JSON error body. net/http has no hook for them: it writes each
// straight to the connection in one Write of a fixed shape (status line,
// then exactly goErrorHeaders), which apiErrorConn recognizes and rewrites.
// A response of a handler never has that shape: net/http always writes a
// Date header after Connection.
type apiErrorListener struct{ net.Listener }

func (l apiErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &apiErrorConn{Conn: c}, nil
}

// goErrorHeaders are the headers of net/http's own error answers.
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// goErrorCodes are the answers rewritten, by status.
var goErrorCodes = map[int]string{
	http.StatusBadRequest:                  couponpop.EINVALID,
	http.StatusRequestHeaderFieldsTooLarge: eHeaderTooLarge,
	http.StatusHTTPVersionNotSupported:     eVersionNotSupported,
	http.StatusNotImplemented:              eNotImplemented,
}

type apiErrorConn struct{ net.Conn }

func (c *apiErrorConn) Write(p []byte) (int, error) {
	if resp, ok := rewriteGoError(p, time.Now()); ok {
		if _, err := c.Conn.Write(resp); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// CloseWrite lets net/http half-close the connection after a 431, as it
// does on a bare TCP connection.
func (c *apiErrorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// rewriteGoError returns the API-shaped answer for one of net/http's own
// error answers, and false for anything else.
func rewriteGoError(p []byte, now time.Time) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(p, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 4 || rest[3] != ' ' {
		return nil, false
	}
	statusLine, _, ok := bytes.Cut(rest, []byte(goErrorHeaders))
	if !ok {
		return nil, false
	}
	status, err := strconv.Atoi(string(statusLine[:3]))
	code, known := goErrorCodes[status]
	if err != nil || !known {
		return nil, false
	}
	english := http.StatusText(status)
	if _, detail, ok := strings.Cut(string(statusLine), ": "); ok {
		english = detail
	}
	body, err := json.Marshal(errorBody{Error: errorDetail{
		Status:    fmt.Sprintf("%d %s", status, springNames[status]),
		Code:      code,
		Message:   errorMessage(nil, couponpop.Errorf(code, "%s", english)),
		Timestamp: couponpop.FormatTime(now),
	}})
	if err != nil {
		return nil, false
	}
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), len(body), body), true
}

// flatRoutes copies router's routes, full patterns and methods, into a mux
// without sub-routers: chi's Match on nested routers misreports a
// sub-router's root ("/api/v1/owner/stores" matches every method), a flat
// one does not. A sub-router's root is routed with and without its slash,
// as chi serves both.
func flatRoutes(router chi.Routes) *chi.Mux {
	flat := chi.NewRouter()
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	_ = chi.Walk(router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		flat.Method(method, route, noop)
		if trimmed := strings.TrimSuffix(route, "/"); trimmed != route && trimmed != "" {
			flat.Method(method, trimmed, noop)
		}
		return nil
	})
	return flat
}

// allowHeader lists the methods mux routes path with, for the Allow header
// of a 405.
func allowHeader(mux *chi.Mux, path string) string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		if mux.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(allowed, ", ")
}
