package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/couponpop/couponpop"
)

// maxBodyBytes is the largest request body the API reads.
const maxBodyBytes = 1 << 20

type dataBody struct {
	Data any `json:"data"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeData answers {"data": v}.
func writeData(w http.ResponseWriter, status int, v any) { writeJSON(w, status, dataBody{Data: v}) }

// decode reads a JSON body into v: 415 unless it is JSON, 413 past 1 MiB, 400
// for malformed JSON or a field of the wrong type. An empty body is allowed
// only when optional is true.
func decode(r *http.Request, v any, optional bool) error {
	data, err := requestBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if optional {
			return nil
		}
		return couponpop.Errorf(couponpop.EINVALID, "request body is required")
	}
	if ct := r.Header.Get("Content-Type"); ct == "application/json" {
		// The common case, without parsing.
	} else if ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return couponpop.Errorf(eUnsupportedMediaType, "content type %q is not supported; send application/json", ct)
		}
	} else {
		return couponpop.Errorf(eUnsupportedMediaType, "Content-Type is missing; send application/json")
	}
	if string(bytes.TrimSpace(data)) == "null" {
		// json.Unmarshal takes null as "no change", which would let a null
		// body through as an empty request.
		if optional {
			return nil
		}
		return couponpop.Errorf(couponpop.EINVALID, "request body must be a JSON object")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// validator is a request body that checks itself.
type validator interface{ Validate() error }

// decodeValid decodes a required JSON body into v and validates it.
func decodeValid(r *http.Request, v validator) error {
	if err := decode(r, v, false); err != nil {
		return err
	}
	return v.Validate()
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var appErr *couponpop.Error
	switch {
	case errors.As(err, &appErr):
		return appErr
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return couponpop.Errorf(couponpop.EINVALID, "request body must be a JSON %s", "object")
		}
		return couponpop.Errorf(couponpop.EINVALID, "%s must be a %s", field, jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		return couponpop.Errorf(couponpop.EINVALID, "malformed JSON at byte %d", syntaxErr.Offset)
	default:
		return couponpop.Errorf(couponpop.EINVALID, "malformed JSON: %v", err)
	}
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "bool":
		return "boolean"
	case goKind == "slice", goKind == "array":
		return "list"
	case goKind == "string":
		return "string"
	default:
		return "JSON " + goKind
	}
}

// pathID parses an ID from a URL parameter; a bad one is a 400.
func pathID(s, name string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || !couponpop.ValidID(id) {
		return 0, couponpop.Errorf(couponpop.EINVALID, "%s must be a positive integer ID", name)
	}
	return id, nil
}

// query reads optional typed query parameters, collecting every problem.
type query struct {
	r    *http.Request
	p    couponpop.Problems
	vals url.Values // r's query, parsed at the first read
}

func (q *query) str(name string) string {
	if q.vals == nil {
		q.vals = q.r.URL.Query()
	}
	return strings.TrimSpace(q.vals.Get(name))
}

func (q *query) float(name string, def float64) float64 {
	s := q.str(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	q.p.Add(err != nil || v != v, "%s must be a number", name)
	return v
}

func (q *query) requiredFloat(name string) float64 {
	q.p.Add(q.str(name) == "", "%s is required", name)
	return q.float(name, 0)
}

func (q *query) int(name string, def, lo, hi int) int {
	s := q.str(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	q.p.Add(err != nil || v < lo || v > hi, "%s must be an integer from %d to %d", name, lo, hi)
	return v
}

func (q *query) id(name string) int64 {
	s := q.str(name)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	q.p.Add(err != nil || !couponpop.ValidID(v), "%s must be a positive integer ID", name)
	return v
}

func (q *query) bool(name string) bool {
	s := q.str(name)
	if s == "" {
		return false
	}
	v, err := strconv.ParseBool(s)
	q.p.Add(err != nil, "%s must be true or false", name)
	return v
}

func (q *query) err() error { return q.p.Err() }
