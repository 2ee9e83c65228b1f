#!/usr/bin/env bash
# ses-local.sh start|stop — run the SES emulator (npm aws-ses-v2-local) on a free loopback port.
#
# start installs the emulator into $CACHE/ses-local when missing, starts it in the background (pid in
# $CACHE/ses.pid, log in $CACHE/ses.log), waits for its health check and writes $CACHE/ses.env with
# `export SES_ENDPOINT=http://127.0.0.1:PORT`. stop kills it and removes the pid and env files. Both are
# idempotent: start leaves a healthy running emulator alone (and restarts one that does not answer); stop with
# nothing running only removes stale files.
set -euo pipefail

CACHE="${CACHE:-$PWD/.cache}"
VERSION=2.10.2
PREFIX="$CACHE/ses-local"
CLI="$PREFIX/node_modules/aws-ses-v2-local/dist/cli.js"
PIDFILE="$CACHE/ses.pid"
ENVFILE="$CACHE/ses.env"
LOGFILE="$CACHE/ses.log"

log() { echo "ses-local: $*" >&2; }

# running prints the pid of our emulator when the pid file names a live process that runs our cli.js.
running() {
	[[ -f "$PIDFILE" ]] || return 1
	local pid
	pid="$(cat "$PIDFILE")"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	# The pid may have been reused by an unrelated process since the emulator died.
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'aws-ses-v2-local/dist/cli.js' || return 1
	echo "$pid"
}

healthy() { curl -fsS --max-time 2 "$1/health-check" >/dev/null 2>&1; }

install() {
	[[ -f "$CLI" ]] && return 0
	command -v node >/dev/null || { log "node is not installed (apt-get install -y nodejs npm)"; exit 1; }
	log "installing aws-ses-v2-local@$VERSION into $PREFIX"
	mkdir -p "$PREFIX"
	npm install --prefix "$PREFIX" --no-audit --no-fund "aws-ses-v2-local@$VERSION" >&2
	[[ -f "$CLI" ]] || { log "npm install finished but $CLI is missing"; exit 1; }
}

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
	mkdir -p "$CACHE"
	local pid
	if pid="$(running)"; then
		if [[ -f "$ENVFILE" ]] && (source "$ENVFILE" && healthy "$SES_ENDPOINT"); then
			log "already running (pid $pid)"
			return 0
		fi
		log "pid $pid is not answering; restarting"
		stop
	fi
	rm -f "$PIDFILE" "$ENVFILE"
	install

	local port endpoint
	port="$(free_port)"
	endpoint="http://127.0.0.1:$port"
	nohup node "$CLI" --host 127.0.0.1 --port "$port" >"$LOGFILE" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$PIDFILE"

	local i
	for ((i = 0; i < 60; i++)); do
		if healthy "$endpoint"; then
			echo "export SES_ENDPOINT=$endpoint" >"$ENVFILE"
			log "ready at $endpoint (pid $pid)"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			log "emulator exited; last lines of $LOGFILE:"
			tail -n 20 "$LOGFILE" >&2 || true
			rm -f "$PIDFILE"
			exit 1
		fi
		sleep 0.5
	done
	log "not healthy after 30 s at $endpoint; last lines of $LOGFILE:"
	tail -n 20 "$LOGFILE" >&2 || true
	stop
	exit 1
}

stop() {
	local pid
	if pid="$(running)"; then
		kill "$pid" 2>/dev/null || true
		local i
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
		log "stopped (pid $pid)"
	fi
	rm -f "$PIDFILE" "$ENVFILE"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
