package cluster

import (
	"fmt"
	"net"
)

// FreeBasePort returns a base port, searched upwards from from in steps of
// 1,000, whose app and LiteFS ports for nodes 1..nodes and the given shards
// are all free on loopback. Callers that may run at the same time (tests of
// different packages) pass different from values.
func FreeBasePort(from, nodes int, shards []int) (int, error) {
	for base := from; base < 60000; base += 1000 {
		ok := true
		for n := 1; n <= nodes && ok; n++ {
			ok = portFree(AppPort(base, n))
			for _, s := range shards {
				ok = ok && portFree(LiteFSPort(base, s, n))
			}
		}
		if ok {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no free base port for %d nodes from %d", nodes, from)
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
