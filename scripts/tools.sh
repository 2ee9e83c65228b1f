#!/usr/bin/env bash
# Installs what the tests need beyond Go, Java, Node and cfn-lint, when it is missing:
#   poppler-utils (pdftotext, pdftoppm): the PDF tests read documents back as text and page images;
#   chromium: the dashboard's browser test (cmd/glassbox) renders the page headless, screenshots and DOM.
# Debian packages through apt-get, as root or through sudo. Idempotent: does nothing when all are present.
set -euo pipefail

log() { echo "tools: $*" >&2; }

missing=()
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

command -v apt-get >/dev/null || {
	log "missing ${missing[*]} and no apt-get to install them: install them with your package manager"
	exit 1
}
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { log "missing ${missing[*]}: run as root or install sudo"; exit 1; }
	sudo=(sudo)
fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; update only when the first try fails.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
	{ "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
command -v pdftotext >/dev/null || { log "pdftotext still missing after installing poppler-utils"; exit 1; }
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { log "chromium still missing after installing it"; exit 1; }
log "installed ${missing[*]}"
