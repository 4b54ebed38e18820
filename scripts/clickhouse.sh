#!/usr/bin/env bash
# Private, loopback-only ClickHouse server for tests and demos.
#
#   scripts/clickhouse.sh start    install (apt) if missing, start, wait until it answers
#   scripts/clickhouse.sh stop     stop the server started by `start`
#   scripts/clickhouse.sh status   report whether it answers
#
# Config and data live under ${BUILD_DIR:-build}/clickhouse; nothing under
# /etc or /var/lib is touched. Ports: CH_TCP_PORT (19000), CH_HTTP_PORT (18123),
# and CH_TLS_PORT (CH_TCP_PORT+1) for the native protocol over TLS with a
# self-signed certificate (etc/server.crt, CN localhost, IP 127.0.0.1) when
# openssl is installed; server time zone CH_TIMEZONE (UTC).
# On success prints CLICKHOUSE_ADDR=127.0.0.1:<tcp port> on stdout; everything
# else goes to stderr.
set -euo pipefail

CH_TCP_PORT="${CH_TCP_PORT:-19000}"
CH_HTTP_PORT="${CH_HTTP_PORT:-18123}"
CH_TLS_PORT="${CH_TLS_PORT:-$((CH_TCP_PORT + 1))}"
CH_HOST=127.0.0.1
# The password-protected user of the leak test (see write_config).
CH_SECRET_USER="${CH_SECRET_USER:-leak_test}"
CH_SECRET_PASSWORD="${CH_SECRET_PASSWORD:-ch-LEAK-6-loopback}"
CH_START_TIMEOUT="${CH_START_TIMEOUT:-60}"
# Server time zone (DateTime <-> text); fixed so results do not depend on the host.
CH_TIMEZONE="${CH_TIMEZONE:-UTC}"
BUILD_DIR="${BUILD_DIR:-build}"
mkdir -p "$BUILD_DIR"
CH_DIR="$(cd "$BUILD_DIR" && pwd)/clickhouse"
CONF_DIR="$CH_DIR/etc"
DATA_DIR="$CH_DIR/data"
LOG_DIR="$CH_DIR/log"
PID_FILE="$CH_DIR/clickhouse-server.pid"
SRC_CONF_DIR="${CH_SRC_CONF_DIR:-/etc/clickhouse-server}"

log() { echo "clickhouse.sh: $*" >&2; }
die() { log "$*"; exit 1; }

find_server() {
    local p
    for p in clickhouse-server /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
        if command -v "$p" >/dev/null 2>&1; then command -v "$p"; return 0; fi
    done
    return 1
}

find_client() {
    local p
    for p in clickhouse-client /usr/bin/clickhouse-client; do
        if command -v "$p" >/dev/null 2>&1; then command -v "$p"; return 0; fi
    done
    return 1
}

install_clickhouse() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "clickhouse-server is not installed and we are not root (no sudo either)"
        sudo=(sudo -n)
    fi
    log "clickhouse-server not found; installing it with apt-get"
    "${sudo[@]}" apt-get update >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        clickhouse-server clickhouse-client >&2
    # Debian's package may start the system service on :9000; we do not use it.
}

client() {
    "$CLIENT" --host "$CH_HOST" --port "$CH_TCP_PORT" "$@"
}

answers() {
    [ -n "${CLIENT:-}" ] || return 1
    # Bounded: a foreign listener on the port can accept and never reply.
    if command -v timeout >/dev/null 2>&1; then
        timeout 5 "$CLIENT" --host "$CH_HOST" --port "$CH_TCP_PORT" -q 'SELECT 1' >/dev/null 2>&1
    else
        client -q 'SELECT 1' >/dev/null 2>&1
    fi
}

our_pid() {
    local pid
    [ -s "$PID_FILE" ] || return 1
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

write_config() {
    [ -f "$SRC_CONF_DIR/config.xml" ] || die "$SRC_CONF_DIR/config.xml not found"
    [ -f "$SRC_CONF_DIR/users.xml" ] || die "$SRC_CONF_DIR/users.xml not found"
    mkdir -p "$CONF_DIR" "$DATA_DIR/tmp" "$DATA_DIR/user_files" "$DATA_DIR/format_schemas" "$LOG_DIR"
    cp "$SRC_CONF_DIR/users.xml" "$CONF_DIR/users.xml"

    # A self-signed certificate for the TLS port, so that tests can prove
    # the sink's TLS options against the real server. No dhparam file: the
    # packaged config names one, generating it takes minutes.
    local tls_port=""
    if command -v openssl >/dev/null 2>&1; then
        if [ ! -s "$CONF_DIR/server.crt" ]; then
            openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
                -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
                -keyout "$CONF_DIR/server.key" -out "$CONF_DIR/server.crt" >/dev/null 2>&1 \
                || log "openssl could not make a certificate; no TLS port"
        fi
        if [ -s "$CONF_DIR/server.crt" ]; then
            tls_port="    <tcp_port_secure>$CH_TLS_PORT</tcp_port_secure>\n"
        fi
    fi

    # 1. every path into our folder; 2. drop listen_host and the ports we do
    #    not want (single-line elements only, which is how the packaged file
    #    writes them; commented-out ones are left alone as they are inert);
    # 3. our ports; 4. our listen_host, users_config, include_from, timezone
    #    and smaller caches just before the closing root element (<yandex> in 18.x,
    #    <clickhouse> later).
    sed -E \
        -e "s#/var/lib/clickhouse/#$DATA_DIR/#g" \
        -e "s#/var/lib/clickhouse#$DATA_DIR#g" \
        -e "s#/var/log/clickhouse-server/#$LOG_DIR/#g" \
        -e "s#$SRC_CONF_DIR/#$CONF_DIR/#g" \
        -e '/^[[:space:]]*<(listen_host|interserver_http_port|interserver_https_port|mysql_port|postgresql_port|https_port|tcp_port_secure|grpc_port|prometheus|users_config|include_from|timezone|mark_cache_size|uncompressed_cache_size)>.*<\/\1>[[:space:]]*$/d' \
        -e "s#^([[:space:]]*)<tcp_port>[0-9]+</tcp_port>#\1<tcp_port>$CH_TCP_PORT</tcp_port>#" \
        -e "s#^([[:space:]]*)<http_port>[0-9]+</http_port>#\1<http_port>$CH_HTTP_PORT</http_port>#" \
        -e '/<dhParamsFile>/d' \
        -e "s#^[[:space:]]*</(yandex|clickhouse)>[[:space:]]*\$#$tls_port    <listen_host>$CH_HOST</listen_host>\n    <users_config>$CONF_DIR/users.xml</users_config>\n    <include_from>$CONF_DIR/metrika.xml</include_from>\n    <timezone>$CH_TIMEZONE</timezone>\n    <mark_cache_size>536870912</mark_cache_size>\n    <uncompressed_cache_size>536870912</uncompressed_cache_size>\n</\1>#" \
        "$SRC_CONF_DIR/config.xml" >"$CONF_DIR/config.xml.new"

    grep -q "<tcp_port>$CH_TCP_PORT</tcp_port>" "$CONF_DIR/config.xml.new" || die "could not set tcp_port in config"
    grep -q "<http_port>$CH_HTTP_PORT</http_port>" "$CONF_DIR/config.xml.new" || die "could not set http_port in config"
    grep -q "<listen_host>$CH_HOST</listen_host>" "$CONF_DIR/config.xml.new" || die "could not set listen_host in config"
    if grep -Eq '(/var/lib/clickhouse|/var/log/clickhouse-server)' "$CONF_DIR/config.xml.new"; then
        die "config still refers to system paths: $(grep -En '(/var/lib/clickhouse|/var/log/clickhouse-server)' "$CONF_DIR/config.xml.new")"
    fi
    mv "$CONF_DIR/config.xml.new" "$CONF_DIR/config.xml"
    # Empty substitutions file so /etc/metrika.xml (if any) is never read.
    printf '<?xml version="1.0"?>\n<yandex>\n</yandex>\n' >"$CONF_DIR/metrika.xml"
}

# write_users adds a user with a password, for the tests that search
# every output for the credentials a job holds (cmd/shopetl/leak_test.go):
# the default user has none. Its password is a marker, not a secret: the
# server listens on loopback only. Written at every start: a running
# server reloads its users within seconds.
write_users() {
    [ -d "$CONF_DIR" ] || return 0
    mkdir -p "$CONF_DIR/users.d"
    cat >"$CONF_DIR/users.d/leak-test.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <users>
        <$CH_SECRET_USER>
            <password>$CH_SECRET_PASSWORD</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </$CH_SECRET_USER>
    </users>
</yandex>
XML
}

print_addr() {
    echo "CLICKHOUSE_ADDR=$CH_HOST:$CH_TCP_PORT"
    echo "CLICKHOUSE_SECRET_USER=$CH_SECRET_USER"
    echo "CLICKHOUSE_SECRET_PASSWORD=$CH_SECRET_PASSWORD"
    if grep -q "<tcp_port_secure>$CH_TLS_PORT</tcp_port_secure>" "$CONF_DIR/config.xml" 2>/dev/null; then
        echo "CLICKHOUSE_TLS_ADDR=$CH_HOST:$CH_TLS_PORT"
        echo "CLICKHOUSE_TLS_CA=$CONF_DIR/server.crt"
    fi
}

err_tail() {
    local f shown=""
    for f in "$LOG_DIR/clickhouse-server.err.log" "$LOG_DIR/stderr.log"; do
        if [ -s "$f" ]; then
            log "---- tail of $f ----"
            tail -n 40 "$f" >&2
            shown=1
        fi
    done
    if [ -z "$shown" ] && [ -s "$LOG_DIR/clickhouse-server.log" ]; then
        log "---- tail of $LOG_DIR/clickhouse-server.log ----"
        tail -n 40 "$LOG_DIR/clickhouse-server.log" >&2
    fi
}

cmd_start() {
    SERVER="$(find_server || true)"
    CLIENT="$(find_client || true)"
    if [ -z "$SERVER" ] || [ -z "$CLIENT" ]; then
        install_clickhouse
        SERVER="$(find_server)" || die "clickhouse-server still not found after install"
        CLIENT="$(find_client)" || die "clickhouse-client still not found after install"
    fi

    if answers; then
        if ! our_pid >/dev/null; then
            log "note: something not started by this script already answers on $CH_HOST:$CH_TCP_PORT; using it"
        else
            log "already running (pid $(our_pid))"
            write_users
        fi
        print_addr
        return 0
    fi
    if pid="$(our_pid)"; then
        log "pid $pid from $PID_FILE is alive but does not answer; stopping it"
        cmd_stop
    fi
    rm -f "$PID_FILE"

    write_config
    write_users
    : >"$LOG_DIR/stderr.log"
    : >"$LOG_DIR/clickhouse-server.err.log"
    log "starting $SERVER (config $CONF_DIR/config.xml, tcp $CH_HOST:$CH_TCP_PORT, http $CH_HOST:$CH_HTTP_PORT)"
    # Run in the background ourselves rather than with --daemon so stderr is
    # captured and the pid is known; setsid detaches it from make/CI's group.
    (
        cd "$CH_DIR"
        exec setsid nohup "$SERVER" --config-file="$CONF_DIR/config.xml" \
            </dev/null >>"$LOG_DIR/stderr.log" 2>&1
    ) &
    echo $! >"$PID_FILE"

    local deadline=$((SECONDS + CH_START_TIMEOUT))
    until answers; do
        if ! our_pid >/dev/null; then
            log "server exited during startup"
            err_tail
            rm -f "$PID_FILE"
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "server did not answer within ${CH_START_TIMEOUT}s"
            err_tail
            cmd_stop || true
            exit 1
        fi
        sleep 0.5
    done
    log "up: $(client -q 'SELECT version()' 2>/dev/null) (pid $(cat "$PID_FILE"))"
    print_addr
}

cmd_stop() {
    local pid
    if ! pid="$(our_pid)"; then
        log "not running (no live pid in $PID_FILE)"
        rm -f "$PID_FILE"
        return 0
    fi
    log "stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid still alive after 30s; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$PID_FILE"
}

cmd_status() {
    CLIENT="$(find_client || true)"
    local pid=""
    pid="$(our_pid || true)"
    if answers; then
        log "answers on $CH_HOST:$CH_TCP_PORT: version $(client -q 'SELECT version()' 2>/dev/null)${pid:+ (pid $pid)}"
        print_addr
        return 0
    fi
    log "not answering on $CH_HOST:$CH_TCP_PORT${pid:+ (pid $pid alive)}"
    return 1
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop; cmd_start ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
