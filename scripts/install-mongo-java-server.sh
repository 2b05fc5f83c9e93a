#!/usr/bin/env bash
# Builds the embedded MongoDB engine (mongo-java-server, pinned in scripts/mongo-java-server/pom.xml)
# into .tools/mongo-java-server/: its jars from Maven Central (through Maven's own cache, ~/.m2) and
# the launcher compiled beside them. Needs Java 17+ and Maven. Does nothing when already built from
# the same pom and launcher.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/scripts/mongo-java-server"
out="$root/.tools/mongo-java-server"
stamp="$out/.built-from"
want="$(cat "$src/pom.xml" "$src"/src/main/java/gateway/embedded/*.java | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi

for tool in java javac mvn; do
  command -v "$tool" >/dev/null || { echo "install-mongo-java-server: $tool is missing (apt-get install openjdk-17-jdk-headless maven)" >&2; exit 1; }
done
echo "== building the embedded MongoDB engine (mongo-java-server) into .tools/mongo-java-server"
rm -rf "$out"
mkdir -p "$out/lib" "$out/classes"
# Maven's own output (colour resets even with -q) is kept out of ours unless it fails.
log="$(mktemp)"
if ! mvn -q -B -f "$src/pom.xml" dependency:copy-dependencies -DoutputDirectory="$out/lib" -DincludeScope=runtime >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
javac -nowarn -d "$out/classes" -cp "$out/lib/*" "$src"/src/main/java/gateway/embedded/*.java
echo "$want" > "$stamp"
