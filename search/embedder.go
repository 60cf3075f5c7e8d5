package search

import (
	"context"
	"fmt"
)

// Kind says what a text is embedded as. Some models embed a query and the
// passage it should find differently (e5: "query: " and "passage: ").
type Kind int

// Kinds of text.
const (
	Query   Kind = iota + 1 // what a person searches for
	Passage                 // what is searched: a store's text
)

func (k Kind) String() string {
	switch k {
	case Query:
		return "query"
	case Passage:
		return "passage"
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// Embedder turns texts into vectors.
type Embedder interface {
	// Embed returns one L2-normalised vector of Dimensions() floats per
	// text, in order, so a dot product is the cosine similarity. An empty
	// text gets a zero vector.
	Embed(ctx context.Context, texts []string, kind Kind) ([][]float32, error)
	// Model names the vector space: vectors with different Model values
	// must not be compared, and a stored vector whose model differs from
	// the embedder's is stale.
	Model() string
	// Dimensions is the length of every vector.
	Dimensions() int
}

// EmbedQuery embeds one search query.
func EmbedQuery(ctx context.Context, e Embedder, text string) ([]float32, error) {
	vs, err := e.Embed(ctx, []string{text}, Query)
	if err != nil {
		return nil, err
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("embed query: %s returned %d vectors for 1 text", e.Model(), len(vs))
	}
	return vs[0], nil
}

// Stale reports whether a stored vector made by storedModel from text
// hashing to storedHash must be embedded again with e: the model or the text
// changed, or nothing was stored.
func Stale(e Embedder, storedModel, storedHash, text string) bool {
	return storedModel != e.Model() || storedHash != ContentHash(text)
}
