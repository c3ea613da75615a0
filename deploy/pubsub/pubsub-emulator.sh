#!/usr/bin/env bash
# Runs a Google Cloud emulator from the installed Cloud SDK in the background, for tests and
# development: the Pub/Sub emulator by default, or the Datastore emulator with `datastore`.
#
#   deploy/pubsub/pubsub-emulator.sh start|stop|status [pubsub|datastore]
#
# Settings (environment):
#   PUBSUB_EMULATOR_PORT     default 18085
#   DATASTORE_EMULATOR_PORT  default 18081
#   FOOTFALL_EMULATOR_DIR    pid file and log, one folder per emulator; default .data/emulators
#   CLOUD_SDK_ROOT           default /usr/lib/google-cloud-sdk
#
# `start` returns once the emulator answers its health check (or fails after 30 s, printing the
# end of its log), then prints the variable a client needs, such as
# PUBSUB_EMULATOR_HOST=127.0.0.1:18085. Each emulator runs in its own process group, so `stop`
# ends the Java process together with any wrapper script that launched it.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
sdk_root=${CLOUD_SDK_ROOT:-/usr/lib/google-cloud-sdk}
start_timeout_seconds=30

usage() {
  echo "usage: $0 start|stop|status [pubsub|datastore]" >&2
  exit 2
}

action=${1:-}
kind=${2:-pubsub}

case "$kind" in
  pubsub)
    port=${PUBSUB_EMULATOR_PORT:-18085}
    host_variable=PUBSUB_EMULATOR_HOST
    command=("$sdk_root/platform/pubsub-emulator/bin/cloud-pubsub-emulator"
      --host=127.0.0.1 --port="$port")
    ;;
  datastore)
    port=${DATASTORE_EMULATOR_PORT:-18081}
    host_variable=DATASTORE_EMULATOR_HOST
    command=("$sdk_root/platform/cloud-datastore-emulator/cloud_datastore_emulator" start
      --host=127.0.0.1 --port="$port" --store_on_disk=false --consistency=1.0)
    ;;
  *) usage ;;
esac

state_dir=${FOOTFALL_EMULATOR_DIR:-$repo_root/.data/emulators}/$kind
pid_file=$state_dir/emulator.pgid
log_file=$state_dir/emulator.log

# Both emulators answer `GET /` with "Ok" once they accept requests.
answers() {
  curl --silent --fail --max-time 1 "http://127.0.0.1:$port/" >/dev/null 2>&1
}

recorded_group() {
  [ -f "$pid_file" ] && cat "$pid_file"
}

group_alive() {
  local group=$1
  [ -n "$group" ] && kill -0 -- "-$group" 2>/dev/null
}

start() {
  local group
  group=$(recorded_group || true)
  if group_alive "$group" && answers; then
    echo "$kind emulator already running (process group $group)" >&2
    echo "$host_variable=127.0.0.1:$port"
    return
  fi

  if answers; then
    echo "port $port already answers, but not from an emulator this script started;" \
      "stop that process or choose another port" >&2
    exit 1
  fi

  if [ ! -x "${command[0]}" ]; then
    echo "$kind emulator not installed at ${command[0]} (set CLOUD_SDK_ROOT)" >&2
    exit 1
  fi

  mkdir -p "$state_dir"
  # setsid makes the emulator the leader of a new process group whose id is its pid.
  setsid "${command[@]}" >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"

  wait_until_answering
  echo "$kind emulator listening on 127.0.0.1:$port (log: $log_file)" >&2
  echo "$host_variable=127.0.0.1:$port"
}

wait_until_answering() {
  local deadline=$((SECONDS + start_timeout_seconds))
  until answers; do
    if ! group_alive "$(recorded_group)" || [ "$SECONDS" -ge "$deadline" ]; then
      echo "$kind emulator did not answer on port $port within ${start_timeout_seconds}s;" \
        "end of $log_file:" >&2
      tail -n 20 "$log_file" >&2 || true
      stop
      exit 1
    fi
    sleep 0.2
  done
}

stop() {
  local group
  group=$(recorded_group || true)
  if ! group_alive "$group"; then
    rm -f "$pid_file"
    echo "$kind emulator not running" >&2
    return
  fi

  kill -TERM -- "-$group" 2>/dev/null || true
  for _ in $(seq 1 50); do
    group_alive "$group" || break
    sleep 0.2
  done
  # The JVM normally exits on TERM within a second; KILL only if it did not.
  kill -KILL -- "-$group" 2>/dev/null || true
  rm -f "$pid_file"
  echo "$kind emulator stopped" >&2
}

status() {
  local group
  group=$(recorded_group || true)
  if group_alive "$group" && answers; then
    echo "$kind emulator running (process group $group) on 127.0.0.1:$port"
    return
  fi

  echo "$kind emulator not running"
  exit 3
}

case "$action" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
