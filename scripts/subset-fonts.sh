#!/usr/bin/env bash
# Makes the subset fonts shared/pdf embeds: DejaVu Sans (regular and bold) cut down to Latin, Cyrillic,
# punctuation and the currency signs documents use, so the PDF package adds ~100 KB to a binary, not 1.4 MB.
# Run by hand when the glyph list changes; needs Debian's fonts-dejavu-core and fonttools (pyftsubset).
# The outputs are committed: builds and CI never run this.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${DEJAVU_DIR:-/usr/share/fonts/truetype/dejavu}
out=shared/pdf/fonts
unicodes="U+0020-007E,U+00A0-00FF,U+0400-045F,U+0490-0491,U+2010-2027,U+2030-203A,U+20AC,U+20BD,U+2116,U+2122,U+2212,U+2248,U+2264,U+2265"
for face in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$src/$face.ttf" --unicodes="$unicodes" --no-hinting --layout-features='' \
    --name-IDs='*' --output-file="$out/$face.subset.ttf"
done
ls -l "$out"
