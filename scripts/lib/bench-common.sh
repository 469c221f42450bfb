# Shared by scripts/bench and scripts/bench-ab (sourced, not run): the receiver and one run of each
# throughput bench. Expects $root (the checkout); sets $work (a temporary directory, removed on exit)
# and $port (the receiver's). Needs a built tree (scripts/outhook build).

for p in nginx-light wrk curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
        $SUDO apt-get install -y -qq --no-install-recommends nginx-light wrk curl >/dev/null
        break
    }
done

work=$(mktemp -d)
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# A CA and a server certificate for 127.0.0.1, made now.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$work/srv.key" -out "$work/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$work/ext"
openssl x509 -req -in "$work/srv.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/ext" -out "$work/srv.pem" 2>/dev/null

# The receiver: nginx with TLS on 127.0.0.1, answering 204 to everything, one worker.
port=$(free_port)
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/body;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/srv.pem;
        ssl_certificate_key $work/srv.key;
        location / { return 204; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The generator of the build OUTHOOKD belongs to (BUILD/app/outhookd/outhookd), whose schema it writes: two
# builds compared by bench-ab may differ in schema version. Anything else (a wrapper script) uses this tree's.
benchgen_for() {
    local own="${1%/app/outhookd/outhookd}/tests/bench/outhook_benchgen"
    if [ "$own" != "$1/tests/bench/outhook_benchgen" ] && [ -x "$own" ]; then echo "$own"
    else echo "$root/build/tests/bench/outhook_benchgen"; fi
}

# dispatch_run OUTHOOKD DELIVERIES CONCURRENCY -> "deliveries/s cpu-µs-per-delivery" of one run: that many
# pending deliveries made by outhook_benchgen, sent by `dispatch --until-idle`, every attempt recorded.
dispatch_run() {
    local bin=$1 n=$2 conc=$3 db="$work/dispatch.db" times done_count
    rm -f "$db"*
    "$(benchgen_for "$bin")" "$db" "https://127.0.0.1:$port/hook" "$n" >/dev/null
    # bash's `time`: the wall time, user and system CPU of the run (startup and shutdown included).
    times=$( { TIMEFORMAT='%3R %3U %3S'; time "$bin" --db "$db" --ca-file "$work/ca.pem" \
        --allow-destination 127.0.0.0/8 dispatch --until-idle --concurrency "$conc" >/dev/null 2>&1; } 2>&1 )
    done_count=$(python3 -c "import sqlite3;print(sqlite3.connect('$db').execute(\"select count(*) from attempts a join deliveries d on d.id=a.delivery_id where d.status='succeeded'\").fetchone()[0])")
    [ "$done_count" = "$n" ] || { echo "bench: only $done_count of $n recorded" >&2; exit 1; }
    rm -f "$db"*
    python3 -c "r, u, s = map(float, '$times'.split()); print(round($n / r), round((u + s) * 1e6 / $n, 1))"
}

# ingest_run OUTHOOKD CONNECTIONS FAN-OUT SECONDS [--no-engine] -> "events/s cpu-µs-per-event" of one run:
# wrk posting 1 KiB events to `serve --api` (202 after the commit), with FAN-OUT webhooks subscribed and
# the engine sending their deliveries to the receiver meanwhile (unless --no-engine).
ingest_run() {
    local bin=$1 conns=$2 fan=$3 secs=$4 extra=${5:-} db="$work/ingest.db" apiport key pid t0 t1 reqs pad
    rm -f "$db"*
    for j in $(seq "$fan"); do
        "$bin" --db "$db" webhooks add --name "w$j" --url "https://127.0.0.1:$port/hook" \
            --events job.created --active >/dev/null
    done
    key=$("$bin" --db "$db" --json apikeys create --name bench --scopes events:write |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
    apiport=$(free_port)
    "$bin" --db "$db" --ca-file "$work/ca.pem" --allow-destination 127.0.0.0/8 \
        serve --api "127.0.0.1:$apiport" $extra 2>"$work/serve.log" &
    pid=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$apiport/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    pad=$(head -c 980 /dev/zero | tr '\0' x)
    cat >"$work/ingest.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"type":"job.created","data":{"pad":"$pad"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA
    t0=$(cpu_ticks $pid)
    wrk -t1 -c"$conns" -d"${secs}s" -s "$work/ingest.lua" "http://127.0.0.1:$apiport/api/v1/events" >"$work/wrk.out"
    t1=$(cpu_ticks $pid)
    kill -TERM "$pid"
    wait "$pid" || true
    if grep -q "Non-2xx\|Socket errors" "$work/wrk.out"; then
        cat "$work/wrk.out" "$work/serve.log" >&2
        echo "bench: ingest answered errors" >&2
        exit 1
    fi
    reqs=$(awk '/requests in/ {print $1}' "$work/wrk.out")
    awk -v cpu="$((t1 - t0))" -v reqs="$reqs" '/Requests\/sec/ {printf "%d %.1f\n", $2, cpu / 100 * 1e6 / reqs}' \
        "$work/wrk.out"
}
