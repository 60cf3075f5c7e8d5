package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Headers that name a request's client.
const (
	// flyClientIPHeader is set by Fly's proxy to the client's address.
	flyClientIPHeader = "Fly-Client-IP"
	// nodeTokenHeader carries the admin token on requests one node sends
	// another on a client's behalf (forwarded writes, fan-outs), whose
	// Authorization header is the client's.
	nodeTokenHeader = "Couponpop-Node-Token"
	// nodeClientIPHeader names the client of a forwarded request; it
	// counts only beside a valid nodeTokenHeader.
	nodeClientIPHeader = "Couponpop-Client-IP"
)

// ClientIPConfig says where a request's client address comes from: the
// socket's peer unless one of these applies.
type ClientIPConfig struct {
	// FlyClientIP takes Fly-Client-IP, which Fly's proxy sets. Set it only
	// on Fly, where every public request comes through that proxy.
	FlyClientIP bool
	// TrustedProxies are the peers whose X-Forwarded-For is believed: the
	// client is the right-most address in it that is not a trusted proxy.
	TrustedProxies []netip.Prefix
}

// clientIPResolver finds a request's client address.
type clientIPResolver struct {
	cfg       ClientIPConfig
	nodeToken string
}

// of returns the client address of r, as a string key: a forwarding
// node's word (with the node token), Fly-Client-IP (on Fly), trusted
// proxies' X-Forwarded-For, else the socket's peer.
func (c clientIPResolver) of(r *http.Request) string {
	if c.nodeToken != "" {
		if tok := r.Header.Get(nodeTokenHeader); tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(c.nodeToken)) == 1 {
			if ip, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get(nodeClientIPHeader))); err == nil {
				return ip.Unmap().String()
			}
		}
	}
	if c.cfg.FlyClientIP {
		if ip, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get(flyClientIPHeader))); err == nil {
			return ip.Unmap().String()
		}
	}
	peer := peerAddr(r)
	if !peer.IsValid() {
		return r.RemoteAddr
	}
	if len(c.cfg.TrustedProxies) > 0 && c.trusted(peer) {
		if ip, ok := c.forwardedFor(r); ok {
			return ip.String()
		}
	}
	return peer.String()
}

// forwardedFor walks X-Forwarded-For from the right (the hop nearest this
// node) and returns the first address that is not a trusted proxy.
func (c clientIPResolver) forwardedFor(r *http.Request) (netip.Addr, bool) {
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: trust nothing left of it
		}
		last = ip.Unmap()
		if !c.trusted(last) {
			return last, true
		}
	}
	return last, last.IsValid()
}

func (c clientIPResolver) trusted(ip netip.Addr) bool {
	for _, p := range c.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// peerAddr is the socket peer's address.
func peerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// ParsePrefixes reads a comma-separated list of CIDR prefixes or single
// addresses ("10.0.0.0/8, 127.0.0.1").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// vouch marks out, a request this node sends another on behalf of in's
// client, with the node token and in's client address, so that the other
// node limits the client, not this node. Without a token it adds nothing:
// the other node counts this node as the client.
func (s *Server) vouch(out, in *http.Request) {
	if s.adminToken == "" {
		return
	}
	out.Header.Set(nodeTokenHeader, s.adminToken)
	out.Header.Set(nodeClientIPHeader, s.limits.clientIP.of(in))
}
