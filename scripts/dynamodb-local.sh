#!/usr/bin/env bash
# DynamoDB Local for the integration tests, on a free loopback port.
#
#   scripts/dynamodb-local.sh start   install if needed, start, wait until it answers, write $CACHE/dynamodb.env
#   scripts/dynamodb-local.sh stop    stop it and remove $CACHE/dynamodb.pid and $CACHE/dynamodb.env
#
# Both are idempotent. After start: `source "$CACHE/dynamodb.env"` exports DYNAMODB_ENDPOINT.
# The jar ships inside the npm package amplify-dynamodb-simulator (see docs/tools notes); Java 17 runs it.
set -euo pipefail

CACHE="${CACHE:-$PWD/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)" # absolute: java runs from the install dir
SIMULATOR="amplify-dynamodb-simulator@2.9.30"
DIR="$CACHE/dynamodb-local"
PIDFILE="$CACHE/dynamodb.pid"
ENVFILE="$CACHE/dynamodb.env"
LOGFILE="$CACHE/dynamodb.log"
WAIT_SECONDS=60

log() { echo "dynamodb-local: $*" >&2; }

install() {
	if [[ -f "$DIR/DynamoDBLocal.jar" ]]; then
		return
	fi
	command -v npm >/dev/null || { log "npm is required to install DynamoDB Local"; exit 1; }
	log "installing $SIMULATOR into $DIR"
	INSTALL_TMP="$(mktemp -d)"
	trap 'rm -rf "$INSTALL_TMP"' EXIT
	local tmp="$INSTALL_TMP"
	(cd "$tmp" && npm pack --silent "$SIMULATOR" >/dev/null)
	tar -xzf "$tmp"/amplify-dynamodb-simulator-*.tgz -C "$tmp" package/emulator
	test -f "$tmp/package/emulator/DynamoDBLocal.jar" || { log "DynamoDBLocal.jar not in the package"; exit 1; }
	rm -rf "$DIR"
	mkdir -p "$(dirname "$DIR")"
	mv "$tmp/package/emulator" "$DIR"
	rm -rf "$tmp"
}

# ours PID: the process is alive and is DynamoDB Local (not a later process that reused the pid).
ours() {
	kill -0 "$1" 2>/dev/null && ps -p "$1" -o args= 2>/dev/null | grep -q DynamoDBLocal.jar
}

running() {
	[[ -f "$PIDFILE" ]] && ours "$(cat "$PIDFILE")"
}

free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
		return
	fi
	local port
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	log "no free port found"
	exit 1
}

answers() {
	# Any HTTP answer to a ListTables call (even 400 for the dummy signature) means it is up.
	curl -s -o /dev/null --max-time 2 -X POST "$1" \
		-H 'Content-Type: application/x-amz-json-1.0' \
		-H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
		-H 'Authorization: AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
		-d '{}'
}

start() {
	if running && [[ -f "$ENVFILE" ]]; then
		log "already running (pid $(cat "$PIDFILE"))"
		return
	fi
	stop_quietly
	install
	command -v java >/dev/null || { log "java is required"; exit 1; }
	local port endpoint pid
	port="$(free_port)"
	endpoint="http://127.0.0.1:$port"
	(cd "$DIR" && exec java -Djava.library.path="$DIR/DynamoDBLocal_lib" -jar "$DIR/DynamoDBLocal.jar" \
		-inMemory -port "$port" -disableTelemetry) >>"$LOGFILE" 2>&1 &
	pid=$!
	echo "$pid" >"$PIDFILE"
	for _ in $(seq 1 $((WAIT_SECONDS * 4))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "exited during start; see $LOGFILE"
			rm -f "$PIDFILE"
			exit 1
		fi
		if answers "$endpoint"; then
			echo "export DYNAMODB_ENDPOINT=$endpoint" >"$ENVFILE"
			log "ready at $endpoint (pid $pid)"
			return
		fi
		sleep 0.25
	done
	log "not answering after ${WAIT_SECONDS}s; see $LOGFILE"
	stop_quietly
	exit 1
}

stop_quietly() {
	if [[ -f "$PIDFILE" ]]; then
		local pid
		pid="$(cat "$PIDFILE")"
		if ours "$pid"; then
			kill "$pid" 2>/dev/null || true
			for _ in $(seq 1 40); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.25
			done
			if ours "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
		fi
	fi
	rm -f "$PIDFILE" "$ENVFILE"
}

case "${1:-}" in
start) start ;;
stop)
	stop_quietly
	log "stopped"
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
