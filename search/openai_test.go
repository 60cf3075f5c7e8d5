package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEmbeddings is an OpenAI-compatible /v1/embeddings server. Each vector
// is [len(input), index-in-batch, 1, 0, ...] of dims floats (or wrongDims).
type fakeEmbeddings struct {
	dims      int
	wrongDims int
	// fail, when set, answers a request instead of the normal response:
	// it returns a status (0 = answer normally) and headers.
	fail func(call int) (status int, header http.Header, body string)

	mu       sync.Mutex
	calls    int
	requests []embeddingRequest
	auth     []string
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var req embeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls++
	call := f.calls
	f.requests = append(f.requests, req)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if f.fail != nil {
		if status, h, body := f.fail(call); status != 0 {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			fmt.Fprint(w, body)
			return
		}
	}
	dims := f.dims
	if f.wrongDims > 0 {
		dims = f.wrongDims
	}
	type datum struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	resp := struct {
		Object string  `json:"object"`
		Data   []datum `json:"data"`
		Model  string  `json:"model"`
	}{Object: "list", Model: req.Model}
	// Answer in reverse order: clients must place vectors by index.
	for i := len(req.Input) - 1; i >= 0; i-- {
		v := make([]float32, dims)
		v[0], v[1], v[2] = float32(len([]rune(req.Input[i]))), float32(i), 1
		resp.Data = append(resp.Data, datum{"embedding", i, v})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func newFake(t *testing.T, dims int) (*fakeEmbeddings, *httptest.Server) {
	t.Helper()
	f := &fakeEmbeddings{dims: dims}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func newTestEmbedder(t *testing.T, cfg OpenAIConfig) *OpenAIEmbedder {
	t.Helper()
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = time.Millisecond, 5*time.Millisecond
	}
	e, err := NewOpenAIEmbedder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOpenAIEmbedder_BatchesAndPrefixes(t *testing.T) {
	f, srv := newFake(t, 8)
	e := newTestEmbedder(t, OpenAIConfig{
		URL: srv.URL + "/v1", APIKey: "sk-test", Dimensions: 8, BatchSize: 2,
		QueryPrefix: "query: ", PassagePrefix: "passage: ",
	})
	texts := []string{"가", "나다", "", "라마바", "사"}
	vecs, err := e.Embed(context.Background(), texts, Passage)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(vecs), len(texts))
	}
	// 4 non-empty texts in batches of 2.
	if len(f.requests) != 2 {
		t.Fatalf("%d requests, want 2", len(f.requests))
	}
	if got := f.requests[0].Input; len(got) != 2 || got[0] != "passage: 가" || got[1] != "passage: 나다" {
		t.Errorf("first batch %q", got)
	}
	if got := f.requests[1].Input; len(got) != 2 || got[0] != "passage: 라마바" || got[1] != "passage: 사" {
		t.Errorf("second batch %q", got)
	}
	for _, r := range f.requests {
		if r.Model != "test-model" || r.Dimensions != 8 {
			t.Errorf("request model %q dimensions %d", r.Model, r.Dimensions)
		}
	}
	if f.auth[0] != "Bearer sk-test" {
		t.Errorf("Authorization %q", f.auth[0])
	}
	// Vectors come back in input order, normalised; the empty text is zero.
	for i, want := range []float32{10, 11, 0, 12, 10} { // "passage: " is 9 runes
		if i == 2 {
			for _, x := range vecs[2] {
				if x != 0 {
					t.Fatalf("empty text vector %v", vecs[2])
				}
			}
			continue
		}
		v := vecs[i]
		if len(v) != 8 || math.Abs(norm(v)-1) > 1e-5 {
			t.Fatalf("vector %d = %v", i, v)
		}
		if got := v[0] / v[2]; math.Abs(float64(got-want)) > 1e-3 {
			t.Errorf("vector %d is for a %v-rune input, want %v", i, got, want)
		}
	}

	if _, err := e.Embed(context.Background(), []string{"카페"}, Query); err != nil {
		t.Fatal(err)
	}
	if got := f.requests[2].Input[0]; got != "query: 카페" {
		t.Errorf("query input %q", got)
	}
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestOpenAIEmbedder_RetriesOn429And503(t *testing.T) {
	f, srv := newFake(t, 4)
	f.fail = func(call int) (int, http.Header, string) {
		switch call {
		case 1:
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"0"}}, `{"error":{"message":"rate limited"}}`
		case 2:
			return http.StatusServiceUnavailable, nil, "overloaded"
		}
		return 0, nil, ""
	}
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL, Dimensions: 4})
	if _, err := e.Embed(context.Background(), []string{"카페"}, Query); err != nil {
		t.Fatal(err)
	}
	if f.calls != 3 {
		t.Fatalf("%d calls, want 3", f.calls)
	}
}

func TestOpenAIEmbedder_HonoursRetryAfter(t *testing.T) {
	f, srv := newFake(t, 4)
	f.fail = func(call int) (int, http.Header, string) {
		if call == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, ""
		}
		return 0, nil, ""
	}
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL, Dimensions: 4})
	start := time.Now()
	if _, err := e.Embed(context.Background(), []string{"카페"}, Query); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("retried after %s, server asked for 1s", d)
	}
}

func TestOpenAIEmbedder_RetryAfterTooLong(t *testing.T) {
	f, srv := newFake(t, 4)
	f.fail = func(int) (int, http.Header, string) {
		return http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}}, ""
	}
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL, Dimensions: 4})
	_, err := e.Embed(context.Background(), []string{"카페"}, Query)
	if err == nil || !strings.Contains(err.Error(), "retry after 1h0m0s") {
		t.Fatalf("err = %v", err)
	}
	if f.calls != 1 {
		t.Fatalf("%d calls, want 1", f.calls)
	}
}

func TestOpenAIEmbedder_GivesUp(t *testing.T) {
	f, srv := newFake(t, 4)
	f.fail = func(int) (int, http.Header, string) { return http.StatusBadGateway, nil, "bad gateway" }
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL, Dimensions: 4, MaxRetries: 2})
	_, err := e.Embed(context.Background(), []string{"카페"}, Query)
	if err == nil || !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
	if f.calls != 3 {
		t.Fatalf("%d calls, want 3", f.calls)
	}
}

func TestOpenAIEmbedder_NoRetryOn400(t *testing.T) {
	f, srv := newFake(t, 4)
	f.fail = func(int) (int, http.Header, string) {
		return http.StatusBadRequest, nil, `{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error"}}`
	}
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL, Dimensions: 4, APIKey: "sk-secret"})
	_, err := e.Embed(context.Background(), []string{"카페"}, Passage)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"openai embedder", "passage", "400 Bad Request", "maximum context length", srv.URL + "/v1/embeddings"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "sk-secret") {
		t.Errorf("error %q leaks the key", msg)
	}
	if f.calls != 1 {
		t.Fatalf("%d calls, want 1", f.calls)
	}
}

func TestOpenAIEmbedder_WrongDimensions(t *testing.T) {
	f, srv := newFake(t, 4)
	f.wrongDims = 6
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL + "/v1/embeddings", Dimensions: 4})
	_, err := e.Embed(context.Background(), []string{"카페"}, Query)
	if err == nil || !strings.Contains(err.Error(), "returned 6 dimensions, configured 4") {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenAIEmbedder_OmitDimensions(t *testing.T) {
	f, srv := newFake(t, 4)
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL, Dimensions: 4, OmitDimensions: true})
	if _, err := e.Embed(context.Background(), []string{"카페"}, Query); err != nil {
		t.Fatal(err)
	}
	if f.requests[0].Dimensions != 0 {
		t.Fatalf("sent dimensions %d", f.requests[0].Dimensions)
	}
}

func TestOpenAIEmbedder_ContextCancelled(t *testing.T) {
	f, srv := newFake(t, 4)
	f.fail = func(int) (int, http.Header, string) { return http.StatusServiceUnavailable, nil, "" }
	e := newTestEmbedder(t, OpenAIConfig{URL: srv.URL, Dimensions: 4, MinBackoff: time.Hour, MaxBackoff: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Embed(ctx, []string{"카페"}, Query)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("waited past the deadline")
	}
}

func TestOpenAIEmbedder_NetworkErrorRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // connection refused from now on
	e := newTestEmbedder(t, OpenAIConfig{URL: url, Dimensions: 4, MaxRetries: 1})
	_, err := e.Embed(context.Background(), []string{"카페"}, Query)
	if err == nil || !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Fatalf("err = %v", err)
	}
}

func TestOpenAIConfig_Validate(t *testing.T) {
	good := OpenAIConfig{URL: "http://localhost:11434/v1", Model: "bge-m3", Dimensions: 1024}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		edit func(*OpenAIConfig)
		want string
	}{
		{func(c *OpenAIConfig) { c.URL = "" }, "URL"},
		{func(c *OpenAIConfig) { c.URL = "localhost:11434" }, "URL"},
		{func(c *OpenAIConfig) { c.Model = " " }, "Model"},
		{func(c *OpenAIConfig) { c.Dimensions = 0 }, "Dimensions"},
		{func(c *OpenAIConfig) { c.BatchSize = -1 }, "BatchSize"},
	}
	for _, tt := range tests {
		c := good
		tt.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate() = %v, want it to name %s", err, tt.want)
		}
	}
}

func TestEmbeddingsURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.openai.com/v1":              "https://api.openai.com/v1/embeddings",
		"https://api.openai.com/v1/":             "https://api.openai.com/v1/embeddings",
		"http://localhost:8080":                  "http://localhost:8080/v1/embeddings",
		"http://localhost:11434/v1/embeddings":   "http://localhost:11434/v1/embeddings",
		"http://gw.example/openai/deployments/x": "http://gw.example/openai/deployments/x/v1/embeddings",
	} {
		if got := embeddingsURL(in); got != want {
			t.Errorf("embeddingsURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpenAIEmbedder_Model(t *testing.T) {
	a := newTestEmbedder(t, OpenAIConfig{URL: "http://x", Model: "e5", Dimensions: 384})
	b := newTestEmbedder(t, OpenAIConfig{URL: "http://x", Model: "e5", Dimensions: 384, PassagePrefix: "passage: "})
	c := newTestEmbedder(t, OpenAIConfig{URL: "http://x", Model: "e5", Dimensions: 256})
	if a.Model() != "e5@384" || a.Model() == b.Model() || a.Model() == c.Model() {
		t.Fatalf("models %q %q %q", a.Model(), b.Model(), c.Model())
	}
}

func TestParseRetryAfter(t *testing.T) {
	if got := parseRetryAfter("7"); got != 7*time.Second {
		t.Errorf("7 → %s", got)
	}
	if got := parseRetryAfter(""); got != -1 {
		t.Errorf("empty → %s", got)
	}
	if got := parseRetryAfter("soon"); got != -1 {
		t.Errorf("soon → %s", got)
	}
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	if got := parseRetryAfter(date); got <= 0 || got > 3*time.Second {
		t.Errorf("%s → %s", date, got)
	}
}

var _ Embedder = (*OpenAIEmbedder)(nil)
var _ Embedder = (*HashingEmbedder)(nil)
