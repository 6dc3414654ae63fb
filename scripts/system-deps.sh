#!/usr/bin/env bash
# Install the Debian packages tests and reports need, only when missing and only as root.
# poppler-utils: pdftotext/pdftoppm for reading rendered reports; chromium: browser tests;
# fonts-dejavu-core: a font with full Danish glyph coverage for WeasyPrint.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "note: missing Debian packages (${need[*]}); some tests will be skipped. Install them with apt-get." >&2
fi
