# Shared by the bench-*.sh scripts: start a server, keep a bench's table.

# serve BINARY PORT DIR [FLAGS...]: start a node in the background and wait
# until /healthz answers.
serve() {
	local bin=$1 port=$2 dir=$3
	shift 3
	"$bin" serve --addr "127.0.0.1:$port" --data "$dir" --log-level warn "$@" &
	for _ in $(seq 150); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
	echo "server on :$port did not start" >&2
	exit 1
}

# table NAME ROUND: keep the scenario rows of a bench table as
# "name round scenario ok/s p99".
table() {
	awk -v n="$1" -v r="$2" '
		/^scenario/ { t = 1; next }
		t && NF >= 9 && $0 !~ /^writer/ {
			name = $1; i = 2
			while ($i !~ /^[0-9]+$/) { name = name "_" $i; i++ }
			print n, r, name, $(i+3), $(i+7)
		}
		/^$/ { t = 0 }'
}

# machine: one comment line saying where and when this ran.
machine() {
	echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
