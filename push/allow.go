package push

import (
	"fmt"
	"net/url"
	"strings"
)

// AllowedEndpointsEnv names the environment variable that overrides the
// default AllowList: comma-separated URL prefixes, or "*".
const AllowedEndpointsEnv = "COUPONPOP_PUSH_ALLOWED_ENDPOINTS"

// DefaultAllowedEndpoints are the public push services: Google (Chrome,
// Edge on Android, most Chromium), Mozilla, Apple (Safari, iOS web apps) and
// Microsoft (WNS, legacy Edge).
var DefaultAllowedEndpoints = []string{
	"https://fcm.googleapis.com/",
	"https://updates.push.services.mozilla.com/",
	"https://web.push.apple.com/",
	"https://*.notify.windows.com/",
}

// AllowList says which subscription endpoints the server may post to, so
// that a subscription cannot aim it at an internal address. The zero value
// allows nothing.
type AllowList struct {
	any      bool
	prefixes []endpointPrefix
}

// endpointPrefix is one parsed entry: scheme and host must match exactly (a
// host "*.example.com" matches any subdomain of example.com), and the path
// must start with path.
type endpointPrefix struct {
	scheme, host, path string
	wildcard           bool // host holds the ".example.com" suffix
}

// DefaultAllowList allows DefaultAllowedEndpoints.
func DefaultAllowList() AllowList {
	a, err := NewAllowList(DefaultAllowedEndpoints)
	if err != nil {
		panic(err) // the defaults are constants
	}
	return a
}

// ParseAllowList parses the env form: comma-separated URL prefixes, blanks
// ignored. An empty string means the default list; "*" allows any endpoint
// (for tests and self-hosted push services).
func ParseAllowList(s string) (AllowList, error) {
	var entries []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return DefaultAllowList(), nil
	}
	return NewAllowList(entries)
}

// NewAllowList builds a list from URL prefixes such as
// "https://fcm.googleapis.com/" or "https://*.notify.windows.com/"; the entry
// "*" allows anything. Each prefix needs a scheme and a host; its path, if
// any, must be a prefix of the endpoint's path.
func NewAllowList(entries []string) (AllowList, error) {
	var a AllowList
	for _, e := range entries {
		if e == "*" {
			a.any = true
			continue
		}
		u, err := url.Parse(e)
		if err != nil {
			return AllowList{}, fmt.Errorf("push: allowed endpoint %q: %w", e, err)
		}
		if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return AllowList{}, fmt.Errorf("push: allowed endpoint %q: want scheme://host[/path]", e)
		}
		p := endpointPrefix{scheme: u.Scheme, host: strings.ToLower(u.Host), path: u.EscapedPath()}
		if rest, ok := strings.CutPrefix(p.host, "*."); ok {
			p.host, p.wildcard = "."+rest, true
		}
		if strings.Contains(p.host, "*") {
			return AllowList{}, fmt.Errorf("push: allowed endpoint %q: a wildcard may only start the host", e)
		}
		a.prefixes = append(a.prefixes, p)
	}
	return a, nil
}

// AllowsAny reports whether the list is "*".
func (a AllowList) AllowsAny() bool { return a.any }

// Allows reports whether the server may post to endpoint. The endpoint is
// parsed, not compared as text, so "https://fcm.googleapis.com.evil/" and
// "https://fcm.googleapis.com@evil/" do not pass as Google's. Even "*"
// requires an absolute http(s) URL.
func (a AllowList) Allows(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return false
	}
	if a.any {
		return true
	}
	host := strings.ToLower(u.Host)
	for _, p := range a.prefixes {
		if u.Scheme != p.scheme || !strings.HasPrefix(u.EscapedPath(), p.path) {
			continue
		}
		if p.wildcard && strings.HasSuffix(host, p.host) && len(host) > len(p.host) || !p.wildcard && host == p.host {
			return true
		}
	}
	return false
}

// String returns the list in the env form.
func (a AllowList) String() string {
	var parts []string
	if a.any {
		parts = append(parts, "*")
	}
	for _, p := range a.prefixes {
		host := p.host
		if p.wildcard {
			host = "*" + host
		}
		parts = append(parts, p.scheme+"://"+host+p.path)
	}
	return strings.Join(parts, ",")
}
