#!/usr/bin/env bash
# Install the Debian packages tests and reports need, only when missing and only as root.
# poppler-utils: pdftotext/pdftoppm for reading rendered reports; chromium: browser tests;
# fonts-dejavu-core: a font with full Danish glyph coverage for WeasyPrint;
# openjdk-17-jre-headless: the Java runtime of the Spark backend (Spark 4 needs Java 17+), unless one is there;
# wrk: the load generator of benchmarks/web.py.
set -euo pipefail
need=()
java_ok() {  # a Java 17+ at $JAVA_HOME/bin/java (when set) or on PATH, as Spark's launcher finds it
  local java="${JAVA_HOME:+$JAVA_HOME/bin/}java" v
  command -v "$java" >/dev/null 2>&1 || return 1
  v=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [ -n "$v" ] && [ "$v" -ge 17 ]
}
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
java_ok || need+=(openjdk-17-jre-headless)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "note: missing Debian packages (${need[*]}); some tests will be skipped. Install them with apt-get." >&2
fi
