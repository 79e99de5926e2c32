# Sourced by scripts/setup (and its test): which of this machine's PostgreSQL clusters holds the database.
#
# choose_cluster prints the pg_lsclusters line ("version name port status …") of the cluster on port PGPORT
# (PostgreSQL's own variable for the port; unset, PostgreSQL's default 5432). When PGPORT is unset and no
# cluster is on 5432, the machine's only cluster is taken. Otherwise, when it cannot tell, it says why on
# stderr and returns 1. With no cluster at all it prints nothing (set-up installs PostgreSQL, which makes one).
_count_lines() { grep -c . <<<"$1" || true; }  # grep -c fails when it counts none

choose_cluster() {
    local port=${PGPORT:-5432} clusters on_port count
    clusters=$(pg_lsclusters -h 2>/dev/null || true)
    on_port=$(awk -v port="$port" '$3 == port' <<<"$clusters")
    # Two clusters may be configured with one port while only one of them runs: the running one is meant.
    if [ "$(_count_lines "$on_port")" -gt 1 ]; then
        on_port=$(awk '$4 == "online"' <<<"$on_port")
    fi
    count=$(_count_lines "$on_port")
    if [ "$count" = 1 ]; then
        printf '%s\n' "$on_port"
    elif [ "$count" = 0 ] && [ -z "$clusters" ]; then
        return 0
    elif [ "$count" = 0 ] && [ -z "${PGPORT:-}" ] && [ "$(_count_lines "$clusters")" = 1 ]; then
        printf '%s\n' "$clusters"
    else
        printf 'cannot tell which PostgreSQL cluster to use: no single cluster runs on port %s, and this machine has:\n%s\n' \
            "$port" "$clusters" >&2
        return 1
    fi
}
