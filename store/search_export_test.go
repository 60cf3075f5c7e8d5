package store

// SetTiers turns impact tiers in keyword search on or off, and returns a
// function that restores the setting.
func SetTiers(on bool) (restore func()) {
	old := tiers
	tiers = on
	return func() { tiers = old }
}

// TierAnswers returns how many keyword queries impact tiers have answered.
func TierAnswers() int64 { return tierAnswers.Load() }
