package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/couponpop/couponpop"
)

// defaultBodyReadTimeout bounds how long a request body may take to arrive.
const defaultBodyReadTimeout = 30 * time.Second

// bodyReadAlloc caps what readBody allocates up front from Content-Length:
// memory grows with the bytes that actually arrive, never with what a
// client merely declares.
const bodyReadAlloc = 16 << 10

// guardBody runs first on every route. It answers 413 from Content-Length
// alone, before authentication and before net/http sends any
// "100 Continue" (it does so on the body's first read), so an oversized
// upload is refused before it is sent. A request that has a body gets a
// read deadline for all of it: a stalled body is cut off after
// bodyReadTimeout, whether a handler reads it or net/http drains it after
// the handler. The deadline is lifted once the body has been read to its
// end, so a response that streams for long is never cut. It is a
// per-request deadline (http.ResponseController), not the server's
// ReadTimeout or WriteTimeout, which would cut live streams.
func (s *Server) guardBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			s.writeError(w, r, couponpop.Errorf(ePayloadTooLarge, "request body is larger than %d bytes", maxBodyBytes))
			return
		}
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			rc := http.NewResponseController(w)
			if err := rc.SetReadDeadline(time.Now().Add(s.bodyReadTimeout)); err == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the connection's read deadline once the body ends.
type deadlineBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	lifted bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.lifted {
		b.lifted = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// bufferedBody is a request body read once, on first use, and kept: a
// write can be decoded here and still be forwarded whole to the shard's
// primary. It is read lazily, so a request that a middleware refuses (no
// member, wrong role, rate limited) never has its body read.
type bufferedBody struct {
	once     sync.Once
	src      io.ReadCloser
	declared int64 // Content-Length, -1 when unknown
	data     []byte
	err      error
}

func (b *bufferedBody) load() ([]byte, error) {
	b.once.Do(func() { b.data, b.err = readBody(b.src, b.declared) })
	return b.data, b.err
}

// Read serves the buffered bytes, for code that reads r.Body directly.
type bufferedReader struct {
	b   *bufferedBody
	rd  *bytes.Reader
	err error
}

func (br *bufferedReader) Read(p []byte) (int, error) {
	if br.rd == nil && br.err == nil {
		data, err := br.b.load()
		br.rd, br.err = bytes.NewReader(data), err
	}
	if br.err != nil {
		return 0, br.err
	}
	return br.rd.Read(p)
}

func (br *bufferedReader) Close() error { return nil }

type bodyKey struct{}

// bufferBody makes a request's body a bufferedBody, read on first use.
func (s *Server) bufferBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		b := &bufferedBody{src: r.Body, declared: r.ContentLength}
		r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, b))
		r.Body = &bufferedReader{b: b}
		r.GetBody = func() (io.ReadCloser, error) {
			data, err := b.load()
			if err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}
		next.ServeHTTP(w, r)
	})
}

// bodyLoaded reads a buffered body before it is forwarded, and answers the
// error (413, 408, 400) itself when it cannot be read.
func (s *Server) bodyLoaded(w http.ResponseWriter, r *http.Request) bool {
	b, ok := r.Context().Value(bodyKey{}).(*bufferedBody)
	if !ok {
		return true
	}
	if _, err := b.load(); err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}

// readBody reads a request body, at most maxBodyBytes: 413 past that, 408
// when it stalls past its read deadline (see guardBody).
func readBody(src io.ReadCloser, declared int64) ([]byte, error) {
	if src == nil {
		return nil, nil
	}
	body := http.MaxBytesReader(nil, src, maxBodyBytes)
	n := declared
	if n < 0 || n > bodyReadAlloc {
		n = bodyReadAlloc
	}
	// One allocation of the declared size (+1 to see EOF) when it is
	// small; past that the buffer grows only as bytes arrive.
	data := make([]byte, 0, n+1)
	var err error
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		var m int
		m, err = body.Read(data[len(data):cap(data)])
		data = data[:len(data)+m]
		if err == io.EOF {
			err = nil
			break
		} else if err != nil {
			break
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, couponpop.Errorf(ePayloadTooLarge, "request body is larger than %d bytes", maxBodyBytes)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, couponpop.Errorf(eRequestTimeout, "request body did not arrive in time")
	case err != nil:
		return nil, couponpop.Errorf(couponpop.EINVALID, "could not read request body")
	}
	return data, nil
}

// requestBody returns the request's body, read once.
func requestBody(r *http.Request) ([]byte, error) {
	if b, ok := r.Context().Value(bodyKey{}).(*bufferedBody); ok {
		return b.load()
	}
	return readBody(r.Body, r.ContentLength)
}
