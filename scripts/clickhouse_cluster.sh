#!/usr/bin/env bash
# A two-server ClickHouse cluster with ZooKeeper, loopback only, for the
# cluster tests (cmd/shopetl/cluster_test.go).
#
#   scripts/clickhouse_cluster.sh start    install (apt) what is missing, start ZooKeeper and both servers
#   scripts/clickhouse_cluster.sh stop     stop all three
#   scripts/clickhouse_cluster.sh status   report whether the cluster answers
#
# Cluster `shopetl`: two shards of one replica each, node 1 and node 2,
# each a private server of scripts/clickhouse.sh under
# ${BUILD_DIR:-build}/cluster/node<N>, with a config.d file that names the
# ZooKeeper, its {shard} and {replica} macros, the cluster and the
# distributed DDL queue. ZooKeeper (Debian's `zookeeper`, standalone) keeps
# its data under ${BUILD_DIR}/cluster/zk. Ports: CLUSTER_ZK_PORT (12181),
# CLUSTER_CH1_TCP (19100) and CLUSTER_CH2_TCP (19200), each server's HTTP
# port its TCP port - 1000 + 1 (18101, 18201), TLS port TCP + 1 and
# interserver port TCP + 9. On success prints CLICKHOUSE_CLUSTER_ADDR and
# CLICKHOUSE_CLUSTER on stdout; everything else goes to stderr.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR="${BUILD_DIR:-build}"
mkdir -p "$BUILD_DIR/cluster"
DIR="$(cd "$BUILD_DIR/cluster" && pwd)"
ZK_PORT="${CLUSTER_ZK_PORT:-12181}"
CH_TCP=("${CLUSTER_CH1_TCP:-19100}" "${CLUSTER_CH2_TCP:-19200}")
CLUSTER=shopetl
ZK_DIR="$DIR/zk"
ZK_PID="$ZK_DIR/zookeeper.pid"
START_TIMEOUT="${CLUSTER_START_TIMEOUT:-90}"

log() { echo "clickhouse_cluster.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# node_env N: the environment scripts/clickhouse.sh runs node N with.
node_env() {
    local tcp="${CH_TCP[$1 - 1]}"
    echo "BUILD_DIR=$DIR/node$1" "CH_TCP_PORT=$tcp" "CH_HTTP_PORT=$((tcp - 1000 + 1))" "CH_TLS_PORT=$((tcp + 1))"
}

node() { # node N ARGS...: scripts/clickhouse.sh ARGS for node N
    local n="$1"
    shift
    env $(node_env "$n") scripts/clickhouse.sh "$@"
}

zk_answers() {
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$ZK_PORT; echo ruok >&3; read -r -t 2 ans <&3; [ \"\$ans\" = imok ]" 2>/dev/null
}

# tails prints the end of ZooKeeper's log and of each server's error log,
# for a start that failed.
tails() {
    local f
    for f in "$ZK_DIR/zookeeper.log" "$DIR"/node*/clickhouse/log/clickhouse-server.err.log; do
        [ -s "$f" ] || continue
        log "---- tail of $f ----"
        tail -n 30 "$f" >&2
    done
}

zk_start() {
    scripts/debian_tools.sh /usr/share/java/zookeeper.jar=zookeeper
    [ -f /usr/share/java/zookeeper.jar ] || die "Debian's zookeeper is not installed"
    command -v java >/dev/null 2>&1 || die "java not found (Debian's zookeeper depends on it)"
    if zk_answers; then
        log "ZooKeeper already answers on 127.0.0.1:$ZK_PORT"
        return 0
    fi
    mkdir -p "$ZK_DIR/data"
    cat >"$ZK_DIR/zoo.cfg" <<CFG
tickTime=2000
dataDir=$ZK_DIR/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
maxClientCnxns=0
4lw.commands.whitelist=ruok,srvr
CFG
    log "starting ZooKeeper on 127.0.0.1:$ZK_PORT (data $ZK_DIR/data)"
    (
        cd "$ZK_DIR"
        # ZooKeeper logs through SLF4J, which logs nothing without a
        # binding: the simple one (Debian's libslf4j-java, which zookeeper
        # depends on) writes to stderr, into zookeeper.log.
        exec setsid nohup java -Xmx256m -Dzookeeper.log.dir="$ZK_DIR" -Dorg.slf4j.simpleLogger.showDateTime=true \
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS" \
            -cp /etc/zookeeper/conf_example:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
            org.apache.zookeeper.server.ZooKeeperServerMain "$ZK_DIR/zoo.cfg" \
            </dev/null >>"$ZK_DIR/zookeeper.log" 2>&1
    ) &
    echo $! >"$ZK_PID"
    local deadline=$((SECONDS + START_TIMEOUT))
    until zk_answers; do
        kill -0 "$(cat "$ZK_PID")" 2>/dev/null || { tails; die "ZooKeeper exited during startup"; }
        [ "$SECONDS" -lt "$deadline" ] || { tails; die "ZooKeeper did not answer within ${START_TIMEOUT}s"; }
        sleep 0.5
    done
}

# write_node_config N: the cluster's part of node N's config, merged by
# the server from config.d next to its config.xml.
write_node_config() {
    local n="$1" etc="$DIR/node$1/clickhouse/etc"
    mkdir -p "$etc/config.d"
    cat >"$etc/config.d/cluster.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <interserver_http_port>$((CH_TCP[n - 1] + 9))</interserver_http_port>
    <zookeeper>
        <node><host>127.0.0.1</host><port>$ZK_PORT</port></node>
        <session_timeout_ms>30000</session_timeout_ms>
    </zookeeper>
    <macros>
        <shard>0$n</shard>
        <replica>node$n</replica>
    </macros>
    <remote_servers>
        <$CLUSTER>
            <shard><internal_replication>true</internal_replication>
                <replica><host>127.0.0.1</host><port>${CH_TCP[0]}</port></replica></shard>
            <shard><internal_replication>true</internal_replication>
                <replica><host>127.0.0.1</host><port>${CH_TCP[1]}</port></replica></shard>
        </$CLUSTER>
    </remote_servers>
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
XML
}

client() { clickhouse-client --host 127.0.0.1 --port "${CH_TCP[0]}" "$@"; }

# ready: both servers see ZooKeeper, and an ON CLUSTER statement returns
# from both.
ready() {
    local n
    for n in 1 2; do
        clickhouse-client --host 127.0.0.1 --port "${CH_TCP[$n - 1]}" -q "SELECT count() FROM system.zookeeper WHERE path = '/'" >/dev/null 2>&1 || return 1
    done
    client -q "CREATE DATABASE IF NOT EXISTS shopetl_cluster_check ON CLUSTER $CLUSTER" >/dev/null 2>&1 &&
        client -q "DROP DATABASE IF EXISTS shopetl_cluster_check ON CLUSTER $CLUSTER" >/dev/null 2>&1
}

cmd_start() {
    local started=$SECONDS n
    zk_start
    for n in 1 2; do
        mkdir -p "$DIR/node$n/clickhouse/etc"
        write_node_config "$n"
        node "$n" start >/dev/null
    done
    local deadline=$((SECONDS + START_TIMEOUT))
    until ready; do
        [ "$SECONDS" -lt "$deadline" ] || { tails; die "the cluster did not answer ON CLUSTER statements within ${START_TIMEOUT}s (see $DIR/node*/clickhouse/log)"; }
        sleep 1
    done
    log "up in $((SECONDS - started))s: ZooKeeper 127.0.0.1:$ZK_PORT, cluster $CLUSTER on 127.0.0.1:${CH_TCP[0]} and 127.0.0.1:${CH_TCP[1]}"
    echo "CLICKHOUSE_CLUSTER_ADDR=127.0.0.1:${CH_TCP[0]},127.0.0.1:${CH_TCP[1]}"
    echo "CLICKHOUSE_CLUSTER=$CLUSTER"
}

cmd_stop() {
    local n pid
    for n in 1 2; do
        if [ -d "$DIR/node$n/clickhouse" ]; then node "$n" stop || true; fi
    done
    if [ -s "$ZK_PID" ] && pid="$(tr -dc '0-9' <"$ZK_PID")" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null || true
        log "ZooKeeper stopped"
    fi
    rm -f "$ZK_PID"
}

cmd_status() {
    if ready; then
        log "cluster $CLUSTER answers"
    else
        log "cluster $CLUSTER does not answer"
        return 1
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
