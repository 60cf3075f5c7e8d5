package couponpop

// IDs are 53-bit integers: the shard in the bits above 40, the shard-local
// row id below. Any node can route any ID by its shard bits.
const (
	idShardShift = 40
	idRowMask    = 1<<idShardShift - 1
	// MaxShard is the largest shard number an ID can carry (53 - 40 bits).
	MaxShard = 1<<13 - 1
)

// MakeID builds the ID of row rowID in shard.
func MakeID(shard int, rowID int64) int64 { return int64(shard)<<idShardShift | rowID&idRowMask }

// ShardOfID returns the shard an ID belongs to.
func ShardOfID(id int64) int { return int(id >> idShardShift) }

// FirstID returns the ID below the first row of shard: a table of that shard
// numbers its rows from FirstID(shard)+1.
func FirstID(shard int) int64 { return MakeID(shard, 0) }

// ValidID reports whether id is positive and below 2^53.
func ValidID(id int64) bool { return id > 0 && id < 1<<53 }
