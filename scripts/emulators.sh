#!/usr/bin/env bash
# Starts or stops DynamoDB Local and the SES emulator for work by hand (tests use with-emulators.sh, which stops
# them afterwards):
#   scripts/emulators.sh start   then: source .cache/dynamodb.env; source .cache/ses.env (DYNAMODB_ENDPOINT, SES_ENDPOINT)
#   scripts/emulators.sh stop
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CACHE="${CACHE:-$PWD/.cache}"

case "${1:-}" in
start)
	"$here/dynamodb-local.sh" start
	"$here/ses-local.sh" start
	echo "emulators: up; for a shell: source $CACHE/dynamodb.env; source $CACHE/ses.env" >&2
	;;
stop)
	"$here/ses-local.sh" stop || true
	"$here/dynamodb-local.sh" stop
	;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
