// Package geo holds CouponPop's geometry: S2 cell keys for points, circle
// coverings as key ranges for indexed range scans, great-circle distances,
// district polygons (the 25 gu of Seoul are embedded) and the shard map from
// districts to shard numbers.
//
// The package is pure: no file or network I/O. Every function takes
// latitude before longitude, in degrees; GeoJSON input is [lng, lat] and is
// swapped once, when parsed. Distances are meters on a sphere of radius
// EarthRadiusMeters.
package geo
