package store

import (
	"strings"
	"sync/atomic"

	"github.com/couponpop/couponpop"
)

// Listing is a store as nearby shows it (its listingColumns), kept compact
// in the nearby index: the text columns share one string. A store write
// replaces a store's Listing and never changes one, so whatever a caller
// keeps alongside it stays true.
type Listing struct {
	id, memberID int64
	text         string                   // the listingText columns, one after the other
	ends         [len(listingText)]uint32 // where each ends in text
	// The location is the index entry's (storeEntry, NearbyListing).
	// Encoded is free for the API layer to keep its encoding of the listing
	// in: it is dropped with the Listing when the store changes.
	Encoded atomic.Pointer[[]byte]
}

// listingText are the text columns of a listing, in the order of
// listingColumns.
var listingText = [...]string{"name", "address", "dong", "image_url", "category",
	"weekday_open_time", "weekday_close_time", "weekend_open_time", "weekend_close_time"}

// Indexes into listingText.
const (
	textName = iota
	textAddress
	textDong
	textImageURL
	textCategory
	textWeekdayOpen
	textWeekdayClose
	textWeekendOpen
	textWeekendClose
)

// newListing packs a listing's columns.
func newListing(id, memberID int64, text [len(listingText)]string) *Listing {
	l := &Listing{id: id, memberID: memberID}
	var b strings.Builder
	n := 0
	for _, t := range text {
		n += len(t)
	}
	b.Grow(n)
	for i, t := range text {
		b.WriteString(t)
		l.ends[i] = uint32(b.Len())
	}
	l.text = b.String()
	return l
}

func (l *Listing) field(i int) string {
	start := uint32(0)
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.text[start:l.ends[i]]
}

// ID returns the store's ID.
func (l *Listing) ID() int64 { return l.id }

// Name returns the store's name.
func (l *Listing) Name() string { return l.field(textName) }

// Address returns the store's address.
func (l *Listing) Address() string { return l.field(textAddress) }

// Dong returns the store's dong.
func (l *Listing) Dong() string { return l.field(textDong) }

// Category returns the store's category.
func (l *Listing) Category() string { return l.field(textCategory) }

// ImageURL returns the store's image URL.
func (l *Listing) ImageURL() string { return l.field(textImageURL) }

// hours returns a Store holding only the listing's opening hours.
func (l *Listing) hours() couponpop.Store {
	return couponpop.Store{StoreInput: couponpop.StoreInput{
		WeekdayOpenTime: l.field(textWeekdayOpen), WeekdayCloseTime: l.field(textWeekdayClose),
		WeekendOpenTime: l.field(textWeekendOpen), WeekendCloseTime: l.field(textWeekendClose)}}
}

// storeInto sets *s to the listing, located at (lat, lng), as a Store
// (listingColumns only).
func (l *Listing) storeInto(s *couponpop.Store, lat, lng float64) {
	*s = l.hours()
	s.ID, s.MemberID = l.id, l.memberID
	in := &s.StoreInput
	in.Name, in.Address, in.Dong, in.ImageURL, in.StoreCategory = l.Name(), l.Address(), l.Dong(), l.ImageURL(), l.Category()
	in.Latitude, in.Longitude = lat, lng
}
