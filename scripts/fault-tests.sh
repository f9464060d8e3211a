#!/usr/bin/env bash
# Calls across a lossy link: helloworld-server in a network namespace of its
# own, joined to this one by a veth pair that drops 5% of the packets in
# each direction; helloworld-soak makes 10,000 unary calls with a 2 s
# deadline each. Every call must succeed or end with DEADLINE_EXCEEDED, and
# the run must end: nothing hangs.
#
# Loss comes from `tc netem` when the kernel has it, else from iptables'
# random-drop match (this machine's kernel has no sch_netem). Needs root and
# iproute2; elsewhere the test is skipped and says why.
#
#   scripts/fault-tests.sh            (SKIP_BUILD=1: use the release binaries as they are)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib-peers.sh
source scripts/lib-install.sh

skip() { echo "fault-tests: SKIPPED: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "network namespaces need root"
command -v ip >/dev/null 2>&1 || apt_install iproute2
ns="oxgrpc-fault-$$"
host_if="oxf$$h"
ns_if="oxf$$s"
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace here"

cleanup() {
    cleanup_pids || true
    ip link del "$host_if" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cargo build --release -p oxgrpc-examples --bin helloworld-server --bin helloworld-soak
fi

ip link add "$host_if" type veth peer name "$ns_if"
ip link set "$ns_if" netns "$ns"
ip addr add 10.77.0.2/24 dev "$host_if"
ip link set "$host_if" up
ip -n "$ns" addr add 10.77.0.1/24 dev "$ns_if"
ip -n "$ns" link set "$ns_if" up
ip -n "$ns" link set lo up

if ip netns exec "$ns" tc qdisc add dev "$ns_if" root netem loss 5% 2>/dev/null \
    && tc qdisc add dev "$host_if" root netem loss 5% 2>/dev/null; then
    how="tc netem loss 5%"
else
    command -v iptables >/dev/null 2>&1 || apt_install iptables || skip "no tc netem and no iptables"
    drop() { ip netns exec "$ns" iptables -A "$1" -m statistic --mode random --probability 0.05 -j DROP; }
    drop INPUT && drop OUTPUT || skip "neither tc netem nor iptables' statistic match work in this kernel"
    how="iptables random drop 5% each way (no sch_netem in this kernel)"
fi
echo "fault-tests: link 10.77.0.2 <-> 10.77.0.1: $how"

ip netns exec "$ns" "$TARGET/release/helloworld-server" --addr 10.77.0.1:50051 2>/dev/null &
PEER_PIDS+=("$!")
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/10.77.0.1/50051) 2>/dev/null && break
    sleep 0.1
done

if SOAK_CALLS=10000 SOAK_CONCURRENCY=16 SOAK_TIMEOUT_MS=2000 \
    timeout 600 "$TARGET/release/helloworld-soak" --addr 10.77.0.1:50051; then
    echo "fault-tests: PASS: 10,000 calls over a lossy link, each OK or DEADLINE_EXCEEDED"
else
    echo "fault-tests: FAILED: a call ended otherwise, or the run hung"
    exit 1
fi
