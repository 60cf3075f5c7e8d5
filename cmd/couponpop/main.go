// Command couponpop runs and operates CouponPop: the API server, local
// clusters, jobs and benchmarks, and the merchant's campaign CLI and
// dashboard. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "couponpop:", errorLine(err))
		stop()
		os.Exit(exitCode(err))
	}
}
