package client

import (
	"context"
	"net/url"
	"strconv"
)

// NewEvent is a coupon event to create; times are API times
// ("2025-10-25T12:00:00").
type NewEvent struct {
	StoreID           int64    `json:"storeId"`
	Name              string   `json:"name"`
	EventStartAt      string   `json:"eventStartAt"`
	EventEndAt        string   `json:"eventEndAt"`
	TotalCount        int      `json:"totalCount"`
	ClaimRadiusMeters *float64 `json:"claimRadiusMeters,omitempty"`
	CouponValidHours  *int     `json:"couponValidHours,omitempty"`
}

// CreateEvent creates a coupon event and returns its id.
func (c *Client) CreateEvent(ctx context.Context, e NewEvent) (int64, error) {
	var out struct{ EventID int64 }
	err := c.call(ctx, "POST", "/api/v1/owner/coupons/events", e, &out)
	return out.EventID, err
}

// EventSummary is an event's coupon counts.
type EventSummary struct {
	Total     int `json:"total"`
	Unclaimed int `json:"unclaimed"`
	Issued    int `json:"issued"`
	Used      int `json:"used"`
	Unused    int `json:"unused"`
}

// Period is an event's start and end, API times.
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Event is the owner's view of an event (a campaign on one store).
type Event struct {
	ID                int64        `json:"id"`
	StoreID           int64        `json:"storeId"`
	EventName         string       `json:"eventName"`
	EventPeriod       Period       `json:"eventPeriod"`
	Summary           EventSummary `json:"summary"`
	Status            string       `json:"status"` // ACTIVE, PAUSED, CANCELED
	Phase             string       `json:"phase"`  // SCHEDULED, IN_PROGRESS, COMPLETED
	ClaimRadiusMeters float64      `json:"claimRadiusMeters,omitempty"`
	CouponValidHours  int          `json:"couponValidHours,omitempty"`
	CreatedAt         string       `json:"createdAt,omitempty"`
	UpdatedAt         string       `json:"updatedAt,omitempty"`
}

func eventPath(id int64) string { return "/api/v1/owner/coupons/events/" + strconv.FormatInt(id, 10) }

// Event returns one of the owner's events.
func (c *Client) Event(ctx context.Context, id int64) (Event, error) {
	var out Event
	err := c.call(ctx, "GET", eventPath(id), nil, &out)
	return out, err
}

// SetEventStatus pauses (PAUSED), resumes (ACTIVE) or cancels (CANCELED)
// an event.
func (c *Client) SetEventStatus(ctx context.Context, id int64, status string) (Event, error) {
	var out Event
	err := c.call(ctx, "PATCH", eventPath(id), map[string]string{"status": status}, &out)
	return out, err
}

// AddStock adds n coupons to an event.
func (c *Client) AddStock(ctx context.Context, id int64, n int) (Event, error) {
	var out Event
	err := c.call(ctx, "PATCH", eventPath(id), map[string]int{"addCount": n}, &out)
	return out, err
}

// StoreEvents lists every event of one of the owner's stores, newest
// start first, following the keyset pages; phase ("" for all) is
// SCHEDULED, IN_PROGRESS or COMPLETED.
func (c *Client) StoreEvents(ctx context.Context, storeID int64, phase string) ([]Event, error) {
	q := url.Values{"storeId": {strconv.FormatInt(storeID, 10)}, "size": {"100"}}
	if phase != "" {
		q.Set("status", phase)
	}
	var all []Event
	for {
		var page struct {
			Events     []Event
			HasNext    bool
			NextCursor *struct {
				LastStartAt, LastEndAt string
				LastEventID            int64
			}
		}
		if err := c.call(ctx, "GET", "/api/v1/owner/coupons/events?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Events...)
		if !page.HasNext || page.NextCursor == nil {
			return all, nil
		}
		q.Set("lastStartAt", page.NextCursor.LastStartAt)
		q.Set("lastEndAt", page.NextCursor.LastEndAt)
		q.Set("lastEventId", strconv.FormatInt(page.NextCursor.LastEventID, 10))
	}
}

// StoreStatistics is one store's coupon totals over all its events.
type StoreStatistics struct {
	StoreID     int64  `json:"storeId"`
	StoreName   string `json:"storeName"`
	CouponStats struct {
		Total     int `json:"total"`
		Unclaimed int `json:"unclaimed"`
		Used      int `json:"used"`
		Unused    int `json:"unused"`
	} `json:"couponStats"`
	LastEventEndAt string `json:"lastEventEndAt"`
}

// Statistics returns the coupon totals of every store of the owner.
func (c *Client) Statistics(ctx context.Context) ([]StoreStatistics, error) {
	q := url.Values{"size": {"100"}}
	var all []StoreStatistics
	for {
		var page struct {
			Statistics []StoreStatistics
			HasNext    bool
			NextCursor *struct{ LastStoreID int64 }
		}
		if err := c.call(ctx, "GET", "/api/v1/owner/coupons/events/statistics?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Statistics...)
		if !page.HasNext || page.NextCursor == nil {
			return all, nil
		}
		q.Set("lastStoreId", strconv.FormatInt(page.NextCursor.LastStoreID, 10))
	}
}
