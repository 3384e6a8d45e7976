#!/usr/bin/env bash
# Evidence database benchmark (issue 22): ship rate (records/s) and `vigil report --db` time over
# 1,000,000 audit records (4 servers' logs of 250,000) into SQLite and into PostgreSQL (started here
# in a temp dir on a unix socket; as root it runs as the `postgres` user); then a fleet scan of 200
# small repositories with 1, 2 and 4 shards (shards run at once, as CI runners would) and the re-run
# with the clean-blob cache the shards shared through the database.
#   bench/evidence.sh [BUILD_DIR]      LOGS=4 PER_LOG=250000 REPOS=200 to change the workload
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
VIGIL="$BUILD/vigil"
LOGS=${LOGS:-4}
PER_LOG=${PER_LOG:-250000}
REPOS=${REPOS:-200}
W=$(mktemp -d /tmp/vigil-evbench-XXXXXX)
chmod 711 "$W"  # the PostgreSQL server (another user as root) reaches its directory inside
trap 'stop_pg; rm -rf "$W"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 VIGIL_CACHE_DIR="$W/cache"
"$VIGIL" scan -q - </dev/null >/dev/null 2>&1 || true  # the rules database, compiled outside any measurement
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
AS=""
[ "$(id -u)" = 0 ] && AS="runuser -u postgres --"
start_pg() {
  mkdir -p "$W/pg" && [ -n "$AS" ] && chown postgres "$W/pg"
  $AS "$PGBIN/initdb" -D "$W/pg/data" -A trust -U vigil --no-sync >/dev/null
  $AS "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/log" -w -o "-k $W/pg -c listen_addresses='' -p 5432" start >/dev/null
  "$PGBIN/createdb" -h "$W/pg" -U vigil evidence
}
stop_pg() { [ -d "$W/pg/data" ] && $AS "$PGBIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null 2>&1 || true; }

echo "== generating $LOGS logs x $PER_LOG records"
python3 "$SRC/bench/evidence_gen.py" "$W/logs" "$LOGS" "$PER_LOG"
total=$((LOGS * PER_LOG))
logs=$(ls "$W"/logs/srv*/vigil-audit.jsonl)
du -sh "$W/logs" | awk '{print "   " $1 " of audit logs"}'

bench_db() {  # name url
  local t0 t1 t2 t3
  t0=$(now); "$VIGIL" audit ship --db "$2" $logs >/dev/null; t1=$(now)
  "$VIGIL" report --db "$2" --format json -o "$W/r.json"; t2=$(now)
  "$VIGIL" report --db "$2" --format html -o "$W/r.html"; t3=$(now)
  local ship; ship=$(secs "$t0" "$t1")
  printf '%-10s ship %s records in %6ss = %8.0f records/s | report --db json %6ss, html %6ss\n' "$1" "$total" "$ship" \
    "$(echo "$total / $ship" | bc -l)" "$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")"
  t0=$(now); "$VIGIL" audit ship --db "$2" $logs >/dev/null; t1=$(now)
  printf '%-10s re-ship (nothing new, chain verified again) %ss\n' "$1" "$(secs "$t0" "$t1")"
}
echo "== evidence database"
t0=$(now); for l in $logs; do "$VIGIL" audit verify "$l" >/dev/null; done; t1=$(now)
echo "   floor: vigil audit verify of every log $(secs "$t0" "$t1")s"
bench_db sqlite "sqlite://$W/evidence.db"
if [ -n "$PGBIN" ]; then
  start_pg
  bench_db postgres "postgresql://vigil@/evidence?host=$W/pg&port=5432"
else
  echo "postgres   skipped: no /usr/lib/postgresql/*/bin"
fi

echo "== fleet: $REPOS repositories"
mkdir -p "$W/fleet"
: >"$W/repos.txt"
for r in $(seq 1 "$REPOS"); do
  d="$W/fleet/r$r"
  git init -q "$d"
  # 3 to 30 commits of a few text files each; every 25th repository leaks a token in its history.
  n=$(( (r * 7) % 28 + 3 ))
  {
    for c in $(seq 1 "$n"); do
      body=$(for l in $(seq 1 40); do echo "line $l of commit $c in repository $r"; done)
      echo "commit refs/heads/main"
      echo "committer Bench <b@example.com> $((1700000000 + c)) +0000"
      echo "data 3"; echo "c$c"
      echo "M 644 inline src/f$c.txt"; echo "data ${#body}"; echo "$body"
      if [ $((r % 25)) = 0 ] && [ "$c" = 2 ]; then
        tok="AKIA$(printf 'Z%015d' "$r" | tr 0-9 A-J)"
        echo "M 644 inline .env"; echo "data $((${#tok} + 15))"; echo "AWS_ACCESS_KEY=$tok"
      fi
    done
  } | git -C "$d" fast-import --quiet
  echo "$d" >>"$W/repos.txt"
done
du -sh "$W/fleet" | awk '{print "   " $1 " on disk"}'
# The compiled rules stay cached (a runner's first scan pays ~1-9 s for them, once); the clean-blob
# cache and the database start empty for each shard count.
for n in 1 2 4; do
  rm -rf "$W/cache/clean-blobs" "$W/out" "$W/fleet.db"
  t0=$(now)
  for k in $(seq 1 "$n"); do
    "$VIGIL" scan --repos "$W/repos.txt" --shard "$k/$n" -j $((2 / n > 0 ? 2 / n : 1)) --output-dir "$W/out" --db "$W/fleet.db" 2>/dev/null &
  done
  wait || true
  t1=$(now)
  printf '   %d shard(s) at once: %ss (%s results)\n' "$n" "$(secs "$t0" "$t1")" "$(ls "$W/out"/*.json | wc -l)"
done
rm -rf "$W/cache/clean-blobs" "$W/out"
t0=$(now)
for k in 1 2; do "$VIGIL" scan --repos "$W/repos.txt" --shard "$k/2" -j 1 --output-dir "$W/out" --db "$W/fleet.db" 2>/dev/null & done
wait || true
t1=$(now)
printf '   re-run, 2 shards, empty local cache, clean blobs from the database: %ss (%s clean blobs shared)\n' \
  "$(secs "$t0" "$t1")" "$(sqlite3 "$W/fleet.db" 'SELECT COUNT(*) FROM evidence_clean_blobs')"
