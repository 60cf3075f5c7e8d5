package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/couponpop/couponpop"
	"github.com/couponpop/couponpop/client"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// campaignPlan is one campaign to create on one or more stores.
type campaignPlan struct {
	Name              string
	Stores            []int64
	Start, End        time.Time
	Total             int
	ClaimRadiusMeters *float64
	CouponValidHours  *int
}

// maxCampaign is the longest campaign the API takes.
const maxCampaign = 48 * time.Hour

// check validates the plan; fail names where a field came from.
func (p campaignPlan) check(fail func(field, msg string) error) error {
	switch {
	case strings.TrimSpace(p.Name) == "" || utf8.RuneCountInString(p.Name) > 100:
		return fail("name", "a name is required, at most 100 characters")
	case len(p.Stores) == 0:
		return fail("stores", "at least one store id is required")
	case p.Total < 1:
		return fail("total", "at least 1 coupon per store")
	case !p.End.After(p.Start):
		return fail("end", fmt.Sprintf("ends %s, not after the start %s", couponpop.FormatTime(p.End), couponpop.FormatTime(p.Start)))
	case p.End.Sub(p.Start) > maxCampaign:
		return fail("end", fmt.Sprintf("lasts %s; a campaign lasts at most 48h", p.End.Sub(p.Start)))
	case p.ClaimRadiusMeters != nil && *p.ClaimRadiusMeters <= 0:
		return fail("claimRadiusMeters", "must be positive")
	case p.CouponValidHours != nil && *p.CouponValidHours < 1:
		return fail("couponValidHours", "must be at least 1")
	}
	return nil
}

func (p campaignPlan) event(storeID int64) client.NewEvent {
	return client.NewEvent{StoreID: storeID, Name: p.Name, EventStartAt: couponpop.FormatTime(p.Start),
		EventEndAt: couponpop.FormatTime(p.End), TotalCount: p.Total, ClaimRadiusMeters: p.ClaimRadiusMeters,
		CouponValidHours: p.CouponValidHours}
}

var campaignKeys = []string{"name", "stores", "start", "end", "total", "claimRadiusMeters", "couponValidHours"}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readCampaignFile reads a campaign file strictly: every error names the
// file and, where there is one, the line.
func readCampaignFile(path string, now time.Time) (campaignPlan, error) {
	var p campaignPlan
	data, err := os.ReadFile(path)
	if err != nil {
		return p, usageError{err}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			return p, usagef("%s:%s: %s", path, m[1], m[2])
		}
		return p, usagef("%s: %s", path, msg)
	}
	if len(doc.Content) == 0 {
		return p, usagef("%s: empty; want the keys %s", path, strings.Join(campaignKeys, ", "))
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return p, usagef("%s:%d: want a mapping of %s", path, root.Line, strings.Join(campaignKeys, ", "))
	}
	at := func(n *yaml.Node, key, msg string) error { return usagef("%s:%d: %s: %s", path, n.Line, key, msg) }
	nodes := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		known := false
		for _, name := range campaignKeys {
			known = known || k.Value == name
		}
		switch {
		case !known:
			return p, usagef("%s:%d: unknown key %q; want %s", path, k.Line, k.Value, strings.Join(campaignKeys, ", "))
		case nodes[k.Value] != nil:
			return p, usagef("%s:%d: %s given twice", path, k.Line, k.Value)
		}
		nodes[k.Value] = v
	}
	for _, key := range []string{"name", "stores", "start", "end", "total"} {
		if nodes[key] == nil {
			return p, usagef("%s: missing key %q", path, key)
		}
	}
	decode := func(key string, dst any, want string) error {
		if n := nodes[key]; n != nil && n.Decode(dst) != nil {
			return at(n, key, fmt.Sprintf("%q is not %s", n.Value, want))
		}
		return nil
	}
	var start, end string
	p.ClaimRadiusMeters, p.CouponValidHours = new(float64), new(int)
	for _, err := range []error{decode("name", &p.Name, "a name"), decode("stores", &p.Stores, "a list of store ids"),
		decode("start", &start, "a time"), decode("end", &end, "a time"), decode("total", &p.Total, "a number"),
		decode("claimRadiusMeters", p.ClaimRadiusMeters, "meters"), decode("couponValidHours", p.CouponValidHours, "hours")} {
		if err != nil {
			return p, err
		}
	}
	if nodes["claimRadiusMeters"] == nil {
		p.ClaimRadiusMeters = nil
	}
	if nodes["couponValidHours"] == nil {
		p.CouponValidHours = nil
	}
	if p.Start, err = parseWhen(start, now, now); err != nil {
		return p, at(nodes["start"], "start", err.Error())
	}
	if p.End, err = parseWhen(end, now, p.Start); err != nil {
		return p, at(nodes["end"], "end", err.Error())
	}
	return p, p.check(func(field, msg string) error { return at(nodes[field], field, msg) })
}

func newCampaignCreateCmd() *cobra.Command {
	var file, name, start, end string
	var stores []int64
	var total, validHours int
	var radius float64
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "create (-f FILE.yml | --store ID... --name NAME --end WHEN --total N)",
		Short: "Create a campaign on one or more stores: one event per store",
		Long: `Create a campaign: one coupon event on each store given, and print their ids.

Times are 14:00 (today), +2h (from now; for --end, from the start) or 2026-12-24T18:00,
read in Asia/Seoul unless a zone is given (2026-12-24T18:00Z). A campaign lasts at most 48h.

A campaign file (-f) has the keys name, stores (ids), start, end and total, and optionally
claimRadiusMeters and couponValidHours:

  name: 크리스마스 아메리카노 1+1
  stores: [101, 102, 103]
  start: 2026-12-24T14:00
  end: +6h
  total: 100
  couponValidHours: 24`,
		Example: `  couponpop campaign create --store 101 --name "점심 할인" --start 11:30 --end +2h --total 50
  couponpop campaign create -f xmas.yml --dry-run`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			var p campaignPlan
			var err error
			if file != "" {
				for _, f := range []string{"store", "name", "start", "end", "total", "radius", "valid-hours"} {
					if cmd.Flags().Changed(f) {
						return usagef("-f %s and --%s do not mix: put it in the file", file, f)
					}
				}
				if p, err = readCampaignFile(file, now); err != nil {
					return err
				}
			} else {
				if p, err = planFromFlags(cmd, name, start, end, stores, total, radius, validHours, now); err != nil {
					return err
				}
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			if dryRun {
				return printDryRun(cmd, c, p, asJSON)
			}
			return createCampaign(cmd, c, p, asJSON)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&file, "file", "f", "", "campaign file (YAML)")
	f.Int64SliceVar(&stores, "store", nil, "store id (repeat or comma-separate for several)")
	f.StringVar(&name, "name", "", "campaign name")
	f.StringVar(&start, "start", "now", "start time")
	f.StringVar(&end, "end", "", "end time (+2h is from the start)")
	f.IntVar(&total, "total", 0, "coupons per store")
	f.Float64Var(&radius, "radius", 0, "claims only within this many meters of the store")
	f.IntVar(&validHours, "valid-hours", 0, "coupons are valid this many hours after the claim")
	f.BoolVar(&dryRun, "dry-run", false, "check the campaign and its stores and print what would be created")
	addJSONFlag(cmd, &asJSON)
	registerStoreFlagCompletion(cmd)
	return cmd
}

func planFromFlags(cmd *cobra.Command, name, start, end string, stores []int64, total int, radius float64, validHours int, now time.Time) (campaignPlan, error) {
	p := campaignPlan{Name: name, Stores: stores, Total: total}
	if cmd.Flags().Changed("radius") {
		p.ClaimRadiusMeters = &radius
	}
	if cmd.Flags().Changed("valid-hours") {
		p.CouponValidHours = &validHours
	}
	if end == "" {
		return p, usagef("--end is required (or -f FILE)")
	}
	var err error
	if p.Start, err = parseWhen(start, now, now); err != nil {
		return p, usagef("--start %v", err)
	}
	if p.End, err = parseWhen(end, now, p.Start); err != nil {
		return p, usagef("--end %v", err)
	}
	flag := map[string]string{"name": "name", "stores": "store", "total": "total", "end": "end",
		"claimRadiusMeters": "radius", "couponValidHours": "valid-hours"}
	return p, p.check(func(field, msg string) error { return usagef("--%s: %s", flag[field], msg) })
}

// printDryRun checks that every store is the caller's and prints the plan.
func printDryRun(cmd *cobra.Command, c *client.Client, p campaignPlan, asJSON bool) error {
	var events []client.NewEvent
	t := table{header: []string{"STORE", "NAME", "CAMPAIGN", "COUPONS", "START", "END"}, flex: 1}
	for _, id := range p.Stores {
		st, err := c.MyStore(cmd.Context(), id)
		if err != nil {
			return fmt.Errorf("store %d: %w", id, err)
		}
		e := p.event(id)
		events = append(events, e)
		t.add(id, st.Name, p.Name, p.Total, showTime(e.EventStartAt), showTime(e.EventEndAt))
	}
	if asJSON {
		return printJSON(cmd.OutOrStdout(), map[string]any{"dryRun": true, "events": events})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "dry run: would create %d campaign event(s), %s → %s (Asia/Seoul)\n",
		len(events), couponpop.FormatTime(p.Start), couponpop.FormatTime(p.End))
	return t.write(cmd.OutOrStdout())
}

// created is one event a campaign made.
type created struct {
	StoreID    int64 `json:"storeId"`
	CampaignID int64 `json:"campaignId"`
}

// createCampaign creates one event per store; on an error it still
// prints what it created.
func createCampaign(cmd *cobra.Command, c *client.Client, p campaignPlan, asJSON bool) error {
	out := []created{}
	var failed error
	for _, id := range p.Stores {
		eventID, err := c.CreateEvent(cmd.Context(), p.event(id))
		if err != nil {
			failed = fmt.Errorf("store %d: %w", id, err)
			break
		}
		out = append(out, created{id, eventID})
	}
	if asJSON {
		if err := printJSON(cmd.OutOrStdout(), out); err != nil {
			return errors.Join(failed, err)
		}
		return failed
	}
	if len(out) > 0 {
		t := table{header: []string{"STORE", "CAMPAIGN"}}
		for _, o := range out {
			t.add(o.StoreID, o.CampaignID)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "created %q on %d store(s):\n", p.Name, len(out))
		if err := t.write(cmd.OutOrStdout()); err != nil {
			return err
		}
	}
	if failed != nil && len(out) > 0 {
		return fmt.Errorf("%w (the campaigns above were created)", failed)
	}
	return failed
}
