package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OpenAIConfig configures an OpenAIEmbedder. Zero values take the defaults
// listed beside each field.
type OpenAIConfig struct {
	// URL is the API base ("https://api.openai.com/v1",
	// "http://localhost:11434/v1" for Ollama, "http://localhost:8080" for
	// llama-server) or the full embeddings endpoint. A URL whose path ends
	// in /embeddings is used as it is, one ending in /v1 gets /embeddings
	// appended, any other gets /v1/embeddings.
	URL string
	// Model is sent as "model", e.g. text-embedding-3-small, bge-m3,
	// multilingual-e5-small.
	Model string
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// Dimensions is the length of the vectors the model returns, and is
	// sent as "dimensions" unless OmitDimensions is set. Required.
	Dimensions int
	// OmitDimensions leaves "dimensions" out of the request, for servers
	// that reject it (text-embedding-ada-002, vLLM with a model that cannot
	// shorten its vectors). The returned length is still checked.
	OmitDimensions bool
	// QueryPrefix and PassagePrefix are put before each query and passage
	// text, for models trained with them (e5: "query: " and "passage: ").
	QueryPrefix, PassagePrefix string
	// BatchSize is the most texts sent in one request. Default 64.
	BatchSize int
	// MaxRetries is how often a request is retried after a 429, a 5xx or a
	// network error. Default 3; negative means never.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// retries when the server sends no Retry-After. Defaults 500ms and 20s.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a server asking for
	// a longer wait fails the call at once. Default 60s.
	MaxRetryAfter time.Duration
	// Timeout bounds each HTTP request. Default 30s.
	Timeout time.Duration
	// HTTPClient, when set, sends the requests (Timeout is then ignored).
	HTTPClient *http.Client
}

// Validate reports the first missing or bad field by name.
func (c OpenAIConfig) Validate() error {
	switch {
	case strings.TrimSpace(c.URL) == "":
		return errors.New("openai embedder: URL is required")
	case strings.TrimSpace(c.Model) == "":
		return errors.New("openai embedder: Model is required")
	case c.Dimensions <= 0:
		return fmt.Errorf("openai embedder: Dimensions must be positive, not %d", c.Dimensions)
	case c.BatchSize < 0:
		return fmt.Errorf("openai embedder: BatchSize must not be negative, not %d", c.BatchSize)
	case c.MinBackoff < 0 || c.MaxBackoff < 0 || c.MaxRetryAfter < 0 || c.Timeout < 0:
		return errors.New("openai embedder: MinBackoff, MaxBackoff, MaxRetryAfter and Timeout must not be negative")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("openai embedder: URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("openai embedder: URL %q must be an absolute http or https URL", c.URL)
	}
	return nil
}

// OpenAIEmbedder embeds texts with an OpenAI-compatible /v1/embeddings
// endpoint: OpenAI, Ollama, llama-server --embeddings, vLLM, LiteLLM.
type OpenAIEmbedder struct {
	cfg      OpenAIConfig
	endpoint string
	client   *http.Client
	model    string
}

// NewOpenAIEmbedder checks cfg, fills in its defaults and returns the embedder.
// It makes no request.
func NewOpenAIEmbedder(cfg OpenAIConfig) (*OpenAIEmbedder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 64
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 20 * time.Second
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.MinBackoff)
	if cfg.MaxRetryAfter == 0 {
		cfg.MaxRetryAfter = 60 * time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
	}
	model := fmt.Sprintf("%s@%d", cfg.Model, cfg.Dimensions)
	if cfg.PassagePrefix != "" {
		model += "+" + ContentHash(cfg.PassagePrefix)[:8]
	}
	return &OpenAIEmbedder{cfg: cfg, endpoint: embeddingsURL(cfg.URL), client: client, model: model}, nil
}

func embeddingsURL(base string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	switch {
	case strings.HasSuffix(u.Path, "/embeddings"):
	case strings.HasSuffix(u.Path, "/v1"):
		u.Path += "/embeddings"
	default:
		u.Path += "/v1/embeddings"
	}
	return u.String()
}

// Model returns the model name with the dimensions and, when a passage
// prefix is set, a hash of it ("bge-m3@1024"), since a change to any of them
// makes stored vectors incomparable.
func (e *OpenAIEmbedder) Model() string { return e.model }

// Dimensions returns the configured vector length.
func (e *OpenAIEmbedder) Dimensions() int { return e.cfg.Dimensions }

// Embed sends texts in batches of BatchSize, with the prefix of kind, and
// returns their normalised vectors in order. Empty texts get zero vectors
// without a request. It fails on the first batch that fails after retries.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string, kind Kind) ([][]float32, error) {
	prefix := e.cfg.PassagePrefix
	if kind == Query {
		prefix = e.cfg.QueryPrefix
	}
	out := make([][]float32, len(texts))
	var idx []int // positions of the texts to send
	var inputs []string
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			out[i] = make([]float32, e.cfg.Dimensions)
			continue
		}
		idx = append(idx, i)
		inputs = append(inputs, prefix+t)
	}
	for lo := 0; lo < len(inputs); lo += e.cfg.BatchSize {
		hi := min(lo+e.cfg.BatchSize, len(inputs))
		vecs, err := e.embedBatch(ctx, inputs[lo:hi])
		if err != nil {
			return nil, fmt.Errorf("openai embedder: %s texts %d-%d of %d: %w", kind, lo+1, hi, len(inputs), err)
		}
		for j, v := range vecs {
			out[idx[lo+j]] = v
		}
	}
	return out, nil
}

type embeddingRequest struct {
	Input      []string `json:"input"`
	Model      string   `json:"model"`
	Dimensions int      `json:"dimensions,omitempty"`
}

type embeddingResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}

// embedBatch makes one request (with retries) and checks its answer.
func (e *OpenAIEmbedder) embedBatch(ctx context.Context, inputs []string) ([][]float32, error) {
	req := embeddingRequest{Input: inputs, Model: e.cfg.Model}
	if !e.cfg.OmitDimensions {
		req.Dimensions = e.cfg.Dimensions
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	raw, err := e.post(ctx, body)
	if err != nil {
		return nil, err
	}
	var resp embeddingResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("POST %s: decoding response: %w", e.endpoint, err)
	}
	if len(resp.Data) != len(inputs) {
		return nil, fmt.Errorf("POST %s: got %d embeddings for %d inputs", e.endpoint, len(resp.Data), len(inputs))
	}
	vecs := make([][]float32, len(inputs))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(inputs) || vecs[d.Index] != nil {
			return nil, fmt.Errorf("POST %s: embedding index %d is out of range or repeated", e.endpoint, d.Index)
		}
		if len(d.Embedding) != e.cfg.Dimensions {
			return nil, fmt.Errorf("POST %s: model %s returned %d dimensions, configured %d",
				e.endpoint, e.cfg.Model, len(d.Embedding), e.cfg.Dimensions)
		}
		Normalize(d.Embedding)
		vecs[d.Index] = d.Embedding
	}
	return vecs, nil
}

// maxResponseBytes bounds what is read of a response: 2,048 vectors of 3,072
// floats as JSON stay well under it.
const maxResponseBytes = 256 << 20

// post sends body and returns the 200 response body, retrying 429, 5xx and
// network errors with backoff, honouring Retry-After.
func (e *OpenAIEmbedder) post(ctx context.Context, body []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		raw, status, retryAfter, err := e.postOnce(ctx, body)
		if err == nil {
			return raw, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		retryable := status == 0 || status == http.StatusTooManyRequests || status >= 500
		if !retryable || attempt >= e.cfg.MaxRetries {
			if retryable && attempt > 0 {
				return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
			}
			return nil, err
		}
		wait := e.backoff(attempt)
		if retryAfter >= 0 {
			if retryAfter > e.cfg.MaxRetryAfter {
				return nil, fmt.Errorf("%w: server asks to retry after %s, more than the %s allowed", err, retryAfter, e.cfg.MaxRetryAfter)
			}
			wait = retryAfter
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, fmt.Errorf("%w: next retry in %s would pass the deadline", err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w: %w while waiting to retry", err, ctx.Err())
		case <-t.C:
		}
	}
}

// postOnce makes one request. On failure it returns the HTTP status (0 for
// a network error) and the Retry-After the server sent (-1 when none).
func (e *OpenAIEmbedder) postOnce(ctx context.Context, body []byte) (raw []byte, status int, retryAfter time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, -1, -1, fmt.Errorf("POST %s: %w", e.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if e.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+e.cfg.APIKey)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, 0, -1, fmt.Errorf("POST %s: %w", e.endpoint, err)
	}
	defer resp.Body.Close()
	raw, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, 0, -1, fmt.Errorf("POST %s: reading response: %w", e.endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After")),
			fmt.Errorf("POST %s: %s: %s", e.endpoint, resp.Status, errorMessage(raw))
	}
	return raw, http.StatusOK, -1, nil
}

// backoff returns the wait before retry attempt+1: exponential from
// MinBackoff, capped at MaxBackoff, with the upper half jittered.
func (e *OpenAIEmbedder) backoff(attempt int) time.Duration {
	d := e.cfg.MinBackoff << min(attempt, 30)
	if d <= 0 || d > e.cfg.MaxBackoff {
		d = e.cfg.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date;
// -1 when absent or unreadable.
func parseRetryAfter(h string) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	if secs, err := strconv.Atoi(h); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return -1
}

// errorMessage extracts the message of an OpenAI-style error body, or
// returns the start of the body.
func errorMessage(raw []byte) string {
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && len(e.Error) > 0 {
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(e.Error, &obj) == nil && obj.Message != "" {
			return obj.Message
		}
		var s string
		if json.Unmarshal(e.Error, &s) == nil && s != "" {
			return s
		}
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "") + "…"
	}
	if msg == "" {
		return "empty body"
	}
	return msg
}
