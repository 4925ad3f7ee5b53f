#!/bin/bash
# TLS engine comparison for docs/benchmarks.md: the same relay and client on loopback, BoringSSL (default)
# then the JDK engine, each warmed with 4 GiB each way, then 3 runs of 2 GiB next to a direct run.
# Usage: bench/tls-engines.sh   (after ./mvnw -q -pl app,bench -am package -DskipTests)
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."; B="java -jar bench/target/homeport-bench.jar"
W0=$(mktemp -d); W="$W0/run"
CP="app/target/homeport-app-0.1.0-SNAPSHOT.jar:app/target/lib/*"
($B serve --port 19000 > "$W0"/serve.log 2>&1 & echo $! > "$W0"/serve.pid); sleep 1
for provider in openssl jdk; do
  J="-Dhomeport.tls.provider=$provider"; rm -rf "$W"; mkdir -p "$W"
  (java $J -cp "$CP" dev.homeport.server.cli.HomeportServerCommand --control 127.0.0.1:17720 --ports 21500-21510 --token t --state-dir "$W"/relay --bind-address 127.0.0.1 > "$W"/s.out 2>"$W"/s.err & echo $! > "$W"/s.pid)
  sleep 3
  (java $J -cp "$CP" dev.homeport.app.HomeportMain tcp 19000 --server 127.0.0.1:17720 --token t --known-relays "$W"/known > "$W"/c.out 2>"$W"/c.err & echo $! > "$W"/c.pid)
  sleep 4; head -1 "$W"/s.out
  $B throughput --target 127.0.0.1:21500 --bytes 4g --direction up --max-seconds 60 >/dev/null; $B throughput --target 127.0.0.1:21500 --bytes 4g --direction down --max-seconds 60 > /dev/null
  for i in 1 2 3; do for d in up down; do echo -n "$provider $d "; $B throughput --target 127.0.0.1:21500 --bytes 2g --direction $d --max-seconds 60 | head -1 | grep -o "= [0-9.]* MB/s"; echo -n "direct $d "; $B throughput --target 127.0.0.1:19000 --bytes 2g --direction $d | head -1 | grep -o "= [0-9.]* MB/s"; done; done
  kill $(cat "$W"/c.pid) $(cat "$W"/s.pid); sleep 1
done
kill $(cat "$W0"/serve.pid)
