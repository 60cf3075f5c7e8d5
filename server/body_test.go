package server_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/couponpop/couponpop/server"
	"github.com/couponpop/couponpop/store"
)

// withBodyReadTimeout sets how long a request body may take to arrive.
func withBodyReadTimeout(d time.Duration) testOption {
	return func(c *server.Config, _ *store.ClaimOptions) { c.BodyReadTimeout = d }
}

// rawConn opens a TCP connection to the test server, for requests that
// net/http's client will not send (stalled bodies).
func (ts *testServer) rawConn(t *testing.T) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readResponse reads one response from conn, within wait.
func readResponse(t *testing.T, conn net.Conn, wait time.Duration) *http.Response {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response within %s: %v", wait, err)
	}
	return resp
}

func TestBody_StalledBodyIsCutOff(t *testing.T) {
	ts := newTestServer(t, withBodyReadTimeout(300*time.Millisecond))
	conn := ts.rawConn(t)
	// Declare 1,000 bytes, send 10 and stall.
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":\"")
	began := time.Now()
	resp := readResponse(t, conn, 5*time.Second)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "REQUEST_TIMEOUT") {
		t.Fatalf("stalled body: got %d %s, want 408 REQUEST_TIMEOUT", resp.StatusCode, body)
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("cut off after %s, want about 300ms", took)
	}
}

func TestBody_StalledBodyOfRefusedRequestIsCutOff(t *testing.T) {
	ts := newTestServer(t, withBodyReadTimeout(300*time.Millisecond))
	conn := ts.rawConn(t)
	// No token on a member route: 401 at once, without waiting for the body.
	fmt.Fprintf(conn, "POST /api/v1/coupons/issue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	resp := readResponse(t, conn, 2*time.Second)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("got %d, want 401 before the body is read", resp.StatusCode)
	}
	// net/http drains what is left of the body to reuse the connection:
	// the read deadline still bounds that, so the connection is closed.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil {
		t.Fatalf("the connection was not closed after the stalled body: %v", err)
	}
}

func TestBody_TooLargeBeforeContinue(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.member("CUSTOMER")
	for _, path := range []string{"/api/v1/coupons/issue", "/api/v1/auth/login", "/healthz", "/api/v1/no-such-route"} {
		t.Run(path, func(t *testing.T) {
			conn := ts.rawConn(t)
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
				"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n", path, token, 2<<20)
			resp := readResponse(t, conn, 5*time.Second)
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read 413 body: %v", err)
			}
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "PAYLOAD_TOO_LARGE") {
				t.Fatalf("got %d %s, want 413 PAYLOAD_TOO_LARGE (and no 100 Continue)", resp.StatusCode, body)
			}
			// The server closes the connection cleanly: EOF, no reset.
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.Copy(io.Discard, conn); err != nil && errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("connection reset after the 413: %v", err)
			}
		})
	}
}
