package geo

import (
	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// EarthRadiusMeters is the mean Earth radius (IUGG) used for every
// conversion between angles and meters in this package.
const EarthRadiusMeters = 6371008.8

// DistanceMeters returns the great-circle distance in meters between two
// points given in degrees.
func DistanceMeters(lat1, lng1, lat2, lng2 float64) float64 {
	a := s2.LatLngFromDegrees(lat1, lng1)
	b := s2.LatLngFromDegrees(lat2, lng2)
	return a.Distance(b).Radians() * EarthRadiusMeters
}

// angleOfMeters converts a distance along the surface to an angle at the
// centre of the Earth.
func angleOfMeters(meters float64) s1.Angle {
	return s1.Angle(meters/EarthRadiusMeters) * s1.Radian
}

// pointOf returns the unit vector of a point given in degrees.
func pointOf(lat, lng float64) s2.Point {
	return s2.PointFromLatLng(s2.LatLngFromDegrees(lat, lng))
}
