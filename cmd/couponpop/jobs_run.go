package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/couponpop/couponpop/nudge"
	"github.com/couponpop/couponpop/server"
)

// jobNames are the jobs `jobs run` knows.
var jobNames = []string{server.JobUsageStats, server.JobUsageSend, server.JobExpire, server.JobPrune}

func newJobsRunCmd() *cobra.Command {
	var date string
	var hour int
	cmd := &cobra.Command{
		Use:   "run NAME --date YYYY-MM-DD [--hour H]",
		Short: "Run one batch job now through the API, as the signed-in ADMIN",
		Long: "Runs a job on the server the profile points at (shard 0's primary runs usage stats and the hourly push;\n" +
			"a request to another node is forwarded there). Jobs: " + fmt.Sprint(jobNames) + ".\n" +
			"--date defaults to today (Asia/Seoul); --hour is the hourly push's target hour.",
		Example: `  couponpop jobs run coupon-usage-stats --date 2025-10-31
  couponpop jobs run coupon-usage-stats-fcm-send --date 2025-10-25 --hour 10`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !slices.Contains(jobNames, name) {
				return fmt.Errorf("unknown job %q: one of %v", name, jobNames)
			}
			if date == "" {
				date = time.Now().In(nudge.Seoul()).Format(time.DateOnly)
			} else if _, err := time.Parse(time.DateOnly, date); err != nil {
				return fmt.Errorf("--date must be YYYY-MM-DD, not %q", date)
			}
			h := -1
			if name == server.JobUsageSend {
				if hour < 0 || hour > 23 {
					return fmt.Errorf("--hour (0-23) is required for %s", name)
				}
				h = hour
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.RunJob(cmd.Context(), name, date, h)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(out))
			return nil
		},
	}
	cmd.Flags().StringVar(&date, "date", "", "the run date, YYYY-MM-DD (Asia/Seoul; default today)")
	cmd.Flags().IntVar(&hour, "hour", -1, "the target hour 0-23 (coupon-usage-stats-fcm-send)")
	return cmd
}
