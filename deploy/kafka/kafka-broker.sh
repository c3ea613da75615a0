#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft: broker and controller in one process, no ZooKeeper) for
# tests and local runs, listening on loopback only. The jars come from Maven Central through the
# pom beside this script, because Kafka is packaged neither for Debian nor for npm.
#
#   deploy/kafka/kafka-broker.sh start [--fresh] | stop | status
#
# start formats the data directory on first use and keeps it afterwards; --fresh deletes it first
# (topics and offsets included), which suits CI on a machine that is reused.
#
# Settings (environment):
#   KAFKA_PORT             client (PLAINTEXT) port           default 19092
#   KAFKA_CONTROLLER_PORT  KRaft controller port             default KAFKA_PORT + 1
#   KAFKA_VERSION          org.apache.kafka:kafka_2.13       default 4.1.1
#   KAFKA_CACHE_DIR        jars go to DIR/VERSION/libs       default ~/.cache/footfall-kafka
#   KAFKA_DATA_DIR         config, log, pid file, partitions default KAFKA_CACHE_DIR/broker-PORT
#   KAFKA_START_TIMEOUT    seconds to wait until ready       default 60
#
# Clients then use KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
port="${KAFKA_PORT:-19092}"
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
version="${KAFKA_VERSION:-4.1.1}"
cache_dir="${KAFKA_CACHE_DIR:-$HOME/.cache/footfall-kafka}"
libs_dir="$cache_dir/$version/libs"
data_dir="${KAFKA_DATA_DIR:-$cache_dir/broker-$port}"
start_timeout="${KAFKA_START_TIMEOUT:-60}"
pid_file="$data_dir/kafka.pid"
log_file="$data_dir/kafka.log"

say() { printf 'kafka-broker: %s\n' "$*"; }
fail() { say "$*" >&2; exit 1; }

# The pid in the pid file when that process still runs; the broker leads its own process group.
running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid
  pid="$(cat "$pid_file")"
  kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Copies the broker jars once per version; a marker file makes a half-finished copy visible.
resolve_jars() {
  [ -f "$libs_dir/.complete" ] && return
  command -v mvn >/dev/null || fail "mvn not found: install Maven (apt-get install maven)"
  say "resolving Kafka $version jars from Maven Central into $libs_dir"
  rm -rf "$libs_dir"
  mvn -q -f "$here/pom.xml" -Dkafka.version="$version" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs_dir"
  touch "$libs_dir/.complete"
}

write_config() {
  mkdir -p "$data_dir/partitions"
  cat >"$data_dir/server.properties" <<EOF
# Written by deploy/kafka/kafka-broker.sh; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data_dir/partitions
# Topics exist only when created on purpose, as in production.
auto.create.topics.enable=false
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# A single test machine: start consumer groups without waiting for more members to join.
group.initial.rebalance.delay.ms=0
log.retention.hours=24
EOF
  cat >"$data_dir/log4j2.properties" <<EOF
rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka.server.KafkaRaftServer
logger.kafka.level=INFO
EOF
}

# The class path stays a literal 'libs/*': java expands it, the shell must not.
java_command=(java -Xms128m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$data_dir/log4j2.properties" -cp "$libs_dir/*")

# Formats the log directory once, with a fresh random cluster id (16 random bytes, URL-safe base64).
format_storage() {
  [ -f "$data_dir/partitions/meta.properties" ] && return
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  "${java_command[@]}" kafka.tools.StorageTool format --ignore-formatted \
    -t "$cluster_id" -c "$data_dir/server.properties" >>"$log_file" 2>&1 ||
    fail "formatting storage failed; see $log_file"
}

# Ready once the broker logged that it started and its client port answers.
wait_until_ready() {
  local deadline=$((SECONDS + start_timeout))
  until grep -q 'Kafka Server started' "$log_file" 2>/dev/null && port_answers "$port"; do
    if [ -f "$pid_file" ] && ! running_pid >/dev/null; then
      tail -n 20 "$log_file" >&2
      fail "broker exited during start; see $log_file"
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "not ready after ${start_timeout}s; see $log_file"
    sleep 0.2
  done
}

start() {
  local pid
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on 127.0.0.1:$port"
    return
  fi
  if port_answers "$port"; then fail "port $port is taken by another process"; fi
  if [ "${1:-}" = "--fresh" ]; then rm -rf "$data_dir"; fi

  resolve_jars
  write_config
  rm -f "$pid_file"
  if [ -f "$log_file" ]; then mv "$log_file" "$log_file.1"; fi
  format_storage

  local started=$SECONDS
  # The broker leads a session of its own, so stop can signal its whole process group; the shell
  # writes its pid and then becomes the broker, whichever way setsid had to start it.
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' kafka-broker "$pid_file" \
    "${java_command[@]}" kafka.Kafka "$data_dir/server.properties" >>"$log_file" 2>&1 </dev/null &
  wait_until_ready
  say "started (pid $(cat "$pid_file")) on 127.0.0.1:$port in $((SECONDS - started))s;" \
    "KAFKA_BROKERS=127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$pid_file"
    return
  fi

  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  # A broker that ignores TERM for 30 s is stuck; its data is still consistent after a kill.
  kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
  rm -f "$pid_file"
  say "stopped (pid $pid)"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    say "running (pid $pid) on 127.0.0.1:$port"
  else
    say "not running"
    return 3
  fi
}

case "${1:-}" in
  start)
    case "${2:-}" in '' | --fresh) start "${2:-}" ;; *) fail "unknown option ${2}" ;; esac
    ;;
  stop) stop ;;
  status) status ;;
  *) fail "usage: $0 start [--fresh] | stop | status" ;;
esac
