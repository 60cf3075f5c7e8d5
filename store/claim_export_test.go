package store

// WaitAlone returns opts with every batch waiting BatchWait for more
// claims, a lone claim's too: for tests that need claims in one batch.
func WaitAlone(opts ClaimOptions) ClaimOptions {
	opts.waitAlone = true
	return opts
}
