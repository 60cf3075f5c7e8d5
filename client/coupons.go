package client

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Claim claims a coupon of the event and returns the new coupon's id.
func (c *Client) Claim(ctx context.Context, eventID int64, idempotencyKey string) (int64, error) {
	return c.claim(ctx, map[string]any{"eventId": eventID}, idempotencyKey)
}

// ClaimAt claims a coupon of the event from a location, for events with a
// claim radius.
func (c *Client) ClaimAt(ctx context.Context, eventID int64, lat, lng float64, idempotencyKey string) (int64, error) {
	return c.claim(ctx, map[string]any{"eventId": eventID, "latitude": lat, "longitude": lng}, idempotencyKey)
}

func (c *Client) claim(ctx context.Context, body map[string]any, idempotencyKey string) (int64, error) {
	var h http.Header
	if idempotencyKey != "" {
		h = http.Header{"Idempotency-Key": {idempotencyKey}}
	}
	resp, err := c.Do(ctx, "POST", "/api/v1/coupons/issue", body, h)
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

// Redemption is a coupon a merchant redeemed at the counter.
type Redemption struct {
	CouponID       int64  `json:"couponId"`
	EventName      string `json:"eventName"`
	MemberUsername string `json:"memberUsername"`
}

// Redeem uses the customer's coupon code at one of the owner's stores
// (POST /owner/stores/{storeId}/redemptions).
func (c *Client) Redeem(ctx context.Context, storeID int64, code string) (Redemption, error) {
	var out Redemption
	err := c.call(ctx, "POST", storePath(storeID)+"/redemptions", map[string]string{"qrCode": code}, &out)
	return out, err
}
