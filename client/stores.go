package client

import (
	"context"
	"net/url"
	"strconv"
)

// Store is a store as the API returns it.
type Store struct {
	ID               int64   `json:"id,omitempty"`
	MemberID         int64   `json:"memberId,omitempty"`
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
	CreatedAt        string  `json:"createdAt,omitempty"`
	UpdatedAt        string  `json:"updatedAt,omitempty"`
}

func storePath(id int64) string { return "/api/v1/owner/stores/" + itoa(id) }

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

// MyStore returns one of the signed-in owner's stores.
func (c *Client) MyStore(ctx context.Context, id int64) (Store, error) {
	var out Store
	err := c.call(ctx, "GET", storePath(id), nil, &out)
	return out, err
}

// UpdateStore replaces one of the owner's stores with s.
func (c *Client) UpdateStore(ctx context.Context, id int64, s Store) (Store, error) {
	var out Store
	s.ID, s.MemberID, s.CreatedAt, s.UpdatedAt = 0, 0, "", ""
	err := c.call(ctx, "PUT", storePath(id), s, &out)
	return out, err
}

// Nearby lists stores within radiusKm of a point, nearest first.
func (c *Client) Nearby(ctx context.Context, lat, lng, radiusKm float64) ([]Store, error) {
	var out []Store
	q := url.Values{"lat": {ftoa(lat)}, "lng": {ftoa(lng)}, "radius": {ftoa(radiusKm)}}
	err := c.call(ctx, "GET", "/api/v1/stores?"+q.Encode(), nil, &out)
	return out, err
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
