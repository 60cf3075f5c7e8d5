package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Signup is a new member.
type Signup struct {
	Email           string `json:"email"`
	Username        string `json:"username"`
	Password        string `json:"password"`
	ConfirmPassword string `json:"confirmPassword"`
	PhoneNumber     string `json:"phoneNumber"`
	MemberType      string `json:"memberType"`
}

// Tokens are a login's answer.
type Tokens struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int64  `json:"expiresIn"`
}

// Signup creates a member and returns its id.
func (c *Client) Signup(ctx context.Context, s Signup) (int64, error) {
	var out struct{ MemberID int64 }
	err := c.call(ctx, "POST", "/api/v1/auth/signup", s, &out)
	return out.MemberID, err
}

// Login signs in.
func (c *Client) Login(ctx context.Context, email, password string) (Tokens, error) {
	var t Tokens
	err := c.call(ctx, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &t)
	return t, err
}

// Store is a store as the API returns it.
type Store struct {
	ID               int64   `json:"id,omitempty"`
	Name             string  `json:"name"`
	Phone            string  `json:"phone,omitempty"`
	Description      string  `json:"description,omitempty"`
	BusinessNumber   string  `json:"businessNumber,omitempty"`
	Address          string  `json:"address"`
	Dong             string  `json:"dong"`
	Latitude         float64 `json:"latitude"`
	Longitude        float64 `json:"longitude"`
	ImageURL         string  `json:"imageUrl,omitempty"`
	StoreCategory    string  `json:"storeCategory"`
	WeekdayOpenTime  string  `json:"weekdayOpenTime,omitempty"`
	WeekdayCloseTime string  `json:"weekdayCloseTime,omitempty"`
	WeekendOpenTime  string  `json:"weekendOpenTime,omitempty"`
	WeekendCloseTime string  `json:"weekendCloseTime,omitempty"`
	Distance         float64 `json:"distance,omitempty"` // km, nearby only
}

// CreateStore creates a store of the signed-in owner.
func (c *Client) CreateStore(ctx context.Context, s Store) (Store, error) {
	var out Store
	err := c.call(ctx, "POST", "/api/v1/owner/stores", s, &out)
	return out, err
}

// MyStores lists the signed-in owner's stores, newest first.
func (c *Client) MyStores(ctx context.Context) ([]Store, error) {
	var out []Store
	err := c.call(ctx, "GET", "/api/v1/owner/stores", nil, &out)
	return out, err
}

// Nearby lists stores within radiusKm of a point, nearest first.
func (c *Client) Nearby(ctx context.Context, lat, lng, radiusKm float64) ([]Store, error) {
	var out []Store
	q := url.Values{"lat": {ftoa(lat)}, "lng": {ftoa(lng)}, "radius": {ftoa(radiusKm)}}
	err := c.call(ctx, "GET", "/api/v1/stores?"+q.Encode(), nil, &out)
	return out, err
}

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
	Total, Unclaimed, Issued, Used, Unused int
}

// Event is the owner's view of an event.
type Event struct {
	ID        int64        `json:"id"`
	StoreID   int64        `json:"storeId"`
	EventName string       `json:"eventName"`
	Summary   EventSummary `json:"summary"`
	Status    string       `json:"status"`
	Phase     string       `json:"phase"`
}

// Event returns one of the owner's events.
func (c *Client) Event(ctx context.Context, id int64) (Event, error) {
	var out Event
	err := c.call(ctx, "GET", "/api/v1/owner/coupons/events/"+strconv.FormatInt(id, 10), nil, &out)
	return out, err
}

// SetEventStatus pauses, resumes or cancels an event.
func (c *Client) SetEventStatus(ctx context.Context, id int64, status string) (Event, error) {
	var out Event
	err := c.call(ctx, "PATCH", "/api/v1/owner/coupons/events/"+strconv.FormatInt(id, 10), map[string]string{"status": status}, &out)
	return out, err
}

// Claim claims a coupon of the event and returns the new coupon's id.
func (c *Client) Claim(ctx context.Context, eventID int64, idempotencyKey string) (int64, error) {
	var h http.Header
	if idempotencyKey != "" {
		h = http.Header{"Idempotency-Key": {idempotencyKey}}
	}
	resp, err := c.Do(ctx, "POST", "/api/v1/coupons/issue", map[string]int64{"eventId": eventID}, h)
	if err != nil {
		return 0, err
	}
	loc := resp.Header.Get("Location")
	id, err := strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("claim answered without a coupon Location (%q)", loc)
	}
	return id, nil
}

// Healthy reports whether the node answers /healthz.
func (c *Client) Healthy(ctx context.Context) bool {
	resp, err := c.Do(ctx, "GET", "/healthz", nil, nil)
	return err == nil && resp.Status == http.StatusOK
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
