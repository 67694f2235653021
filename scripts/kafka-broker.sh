#!/usr/bin/env bash
# A single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM), run from the
# official jars on Maven Central. Used by services.sh for the shared broker on localhost:9092 and by
# the integration tests for private brokers they stop and restart.
#
#   kafka-broker.sh install                       fetch the jars (once; Maven caches them)
#   kafka-broker.sh start DIR PORT CONTROLLER_PORT  format DIR on first use, start, wait until it answers
#   kafka-broker.sh stop DIR                      stop the broker whose data lives in DIR (SIGTERM, then KILL)
#
# Starting a broker that is already running is harmless; so is stopping one that is not.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
LIBS="${VIGIL_KAFKA_LIBS:-$ROOT/.services/kafka-libs}"

install_jars() {
  if [ -f "$LIBS/.complete" ]; then return; fi
  command -v java >/dev/null || { echo "kafka-broker: java is needed (Java 17+)" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "kafka-broker: mvn is needed to fetch the broker's jars" >&2; exit 1; }
  echo "kafka-broker: fetching Apache Kafka's jars with Maven into $LIBS"
  mkdir -p "$LIBS"
  mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

# True when something accepts TCP connections on localhost:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local dir="$1" port="$2" cport="$3"
  install_jars
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "kafka-broker: already running on localhost:$port (pid $(cat "$dir/pid"))"
    return
  fi
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$cport
listeners=PLAINTEXT://localhost:$port,CONTROLLER://localhost:$cport
advertised.listeners=PLAINTEXT://localhost:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
# One node: the internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests join and leave consumer groups all the time: do not wait 3 s before the first rebalance.
group.initial.rebalance.delay.ms=0
group.consumer.min.session.timeout.ms=1000
group.classic.min.session.timeout.ms=1000
message.max.bytes=10485760
auto.create.topics.enable=false
PROPS
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id
    id="$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid)"
    java -cp "$LIBS/*" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 \
      || { cat "$dir/format.log" >&2; exit 1; }
  fi
  # setsid: the broker outlives the shell that started it and gets no signal meant for that shell.
  setsid java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" >"$dir/broker.log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  local waited=0
  until port_open "$port" && grep -q "Kafka Server started" "$dir/broker.log"; do
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "kafka-broker: the broker exited; its log:" >&2; tail -40 "$dir/broker.log" >&2; exit 1
    fi
    if [ "$waited" -ge 120 ]; then echo "kafka-broker: not up after 60s" >&2; tail -40 "$dir/broker.log" >&2; exit 1; fi
    sleep 0.5; waited=$((waited + 1))
  done
  echo "kafka-broker: Apache Kafka (KRaft) on localhost:$port (pid $(cat "$dir/pid"))"
}

stop() {
  local dir="$1"
  [ -f "$dir/pid" ] || return 0
  local pid; pid="$(cat "$dir/pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid"
}

case "${1:-}" in
  install) install_jars ;;
  start) [ $# -eq 4 ] || { echo "usage: $0 start DIR PORT CONTROLLER_PORT" >&2; exit 2; }; start "$2" "$3" "$4" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 install | start DIR PORT CONTROLLER_PORT | stop DIR" >&2; exit 2 ;;
esac
