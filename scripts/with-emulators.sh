#!/usr/bin/env bash
# Runs a command with DynamoDB Local and the SES emulator up on loopback, then stops them whatever happens.
#   scripts/with-emulators.sh go test ./...
# The command sees DYNAMODB_ENDPOINT and SES_ENDPOINT. Both emulators install themselves into $CACHE on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CACHE="${CACHE:-$PWD/.cache}"
mkdir -p "$CACHE"

stop() {
	"$here/ses-local.sh" stop || true
	"$here/dynamodb-local.sh" stop || true
}
trap stop EXIT

"$here/dynamodb-local.sh" start
"$here/ses-local.sh" start
# shellcheck disable=SC1091
source "$CACHE/dynamodb.env"
# shellcheck disable=SC1091
source "$CACHE/ses.env"
"$@"
