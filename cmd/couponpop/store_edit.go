package main

import (
	"fmt"
	"strings"

	"github.com/couponpop/couponpop/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// storeFlags are the fields of a store as flags, for create and update.
type storeFlags struct {
	s                          client.Store
	weekdayHours, weekendHours string
}

func (f *storeFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.s.Name, "name", "", "store name")
	fs.StringVar(&f.s.Phone, "phone", "", "phone, 11 digits")
	fs.StringVar(&f.s.BusinessNumber, "business-number", "", "business registration number, 10 digits")
	fs.StringVar(&f.s.Address, "address", "", "street address")
	fs.StringVar(&f.s.Dong, "dong", "", "dong (neighbourhood)")
	fs.Float64Var(&f.s.Latitude, "lat", 0, "latitude")
	fs.Float64Var(&f.s.Longitude, "lng", 0, "longitude")
	fs.StringVar(&f.s.StoreCategory, "category", "", "CAFE, FOOD or CONVENIENCE")
	fs.StringVar(&f.s.Description, "description", "", "description, at most 500 characters")
	fs.StringVar(&f.s.ImageURL, "image-url", "", "image URL")
	fs.StringVar(&f.weekdayHours, "weekday-hours", "", "weekday hours like 09:00-22:00")
	fs.StringVar(&f.weekendHours, "weekend-hours", "", "weekend hours like 10:00-20:00")
}

// anyChanged reports whether any field flag was given.
func (f *storeFlags) anyChanged(fs *pflag.FlagSet) bool {
	for _, name := range []string{"name", "phone", "business-number", "address", "dong", "lat", "lng",
		"category", "description", "image-url", "weekday-hours", "weekend-hours"} {
		if fs.Changed(name) {
			return true
		}
	}
	return false
}

// apply copies the flags that were set onto s.
func (f *storeFlags) apply(fs *pflag.FlagSet, s *client.Store) error {
	set := func(name string, dst *string, v string) {
		if fs.Changed(name) {
			*dst = v
		}
	}
	set("name", &s.Name, f.s.Name)
	set("phone", &s.Phone, f.s.Phone)
	set("business-number", &s.BusinessNumber, f.s.BusinessNumber)
	set("address", &s.Address, f.s.Address)
	set("dong", &s.Dong, f.s.Dong)
	set("category", &s.StoreCategory, strings.ToUpper(f.s.StoreCategory))
	set("description", &s.Description, f.s.Description)
	set("image-url", &s.ImageURL, f.s.ImageURL)
	if fs.Changed("lat") {
		s.Latitude = f.s.Latitude
	}
	if fs.Changed("lng") {
		s.Longitude = f.s.Longitude
	}
	for _, h := range []struct {
		flag, v     string
		open, close *string
	}{{"weekday-hours", f.weekdayHours, &s.WeekdayOpenTime, &s.WeekdayCloseTime},
		{"weekend-hours", f.weekendHours, &s.WeekendOpenTime, &s.WeekendCloseTime}} {
		if !fs.Changed(h.flag) {
			continue
		}
		o, c, ok := strings.Cut(h.v, "-")
		if !ok {
			return usagef("--%s %q: want HH:mm-HH:mm like 09:00-22:00", h.flag, h.v)
		}
		*h.open, *h.close = strings.TrimSpace(o), strings.TrimSpace(c)
	}
	return nil
}

func newStoreCreateCmd() *cobra.Command {
	var f storeFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a store",
		Example: `  couponpop store create --name "연남 커피" --category CAFE --phone 01012345678 \
    --business-number 1234567890 --address "서울 마포구 동교로 1" --dong 연남동 \
    --lat 37.5602 --lng 126.9227 --weekday-hours 09:00-22:00 --weekend-hours 10:00-20:00`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s := client.Store{WeekdayOpenTime: "09:00", WeekdayCloseTime: "22:00", WeekendOpenTime: "10:00", WeekendCloseTime: "22:00"}
			if err := f.apply(cmd.Flags(), &s); err != nil {
				return err
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.CreateStore(cmd.Context(), s)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), out)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created store %d (%s)\n", out.ID, out.Name)
			return nil
		},
	}
	f.add(cmd.Flags())
	addJSONFlag(cmd, &asJSON)
	return cmd
}

func newStoreUpdateCmd() *cobra.Command {
	var f storeFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:               "update STORE_ID",
		Short:             "Change fields of a store (the flags given; the rest stay)",
		Example:           `  couponpop store update 123 --weekday-hours 08:00-23:00`,
		Args:              exactArgs(1),
		ValidArgsFunction: completeStoreIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("store", args[0])
			if err != nil {
				return err
			}
			if !f.anyChanged(cmd.Flags()) {
				return usagef("nothing to change: give at least one field flag (see --help)")
			}
			c, err := apiClient(cmd)
			if err != nil {
				return err
			}
			s, err := c.MyStore(cmd.Context(), id)
			if err != nil {
				return err
			}
			if err := f.apply(cmd.Flags(), &s); err != nil {
				return err
			}
			out, err := c.UpdateStore(cmd.Context(), id, s)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), out)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "updated store %d (%s)\n", out.ID, out.Name)
			return nil
		},
	}
	f.add(cmd.Flags())
	addJSONFlag(cmd, &asJSON)
	return cmd
}
