#!/usr/bin/env bash
# Several "hosts" on one machine, for MPI over a real network: K network namespaces gan-h1..gan-hK (each
# with its own hostname, a UTS namespace per process tree), every one joined by a veth pair to a bridge
# that lives in a namespace of its own (gan-sw), so the machine's own network is never touched. Host i has
# the address 10.77.0.i/24. mpirun starts inside gan-h1 and reaches the other hosts over the veth links:
# OpenMPI's rsh launcher runs a small agent (written into a temporary folder) that maps an address to its
# namespace and runs the daemon there with `ip netns exec`, as ssh would on a real cluster; TCP (both the
# runtime's and the MPI messages') is pinned to 10.77.0.0/24. Namespaces of an earlier run that did not
# end are removed first; ours are removed on exit, on failure too. Runs are serialised by a lock file, as
# the names are fixed. Needs root (re-runs itself under sudo) and iproute2, OpenMPI and mpicc.
#   scripts/mpi_netns.sh probe [K]          # K hosts (default 2), one rank each: a small MPI program
#                                           # checks an allreduce and shows the bytes the veth links carried
#   scripts/mpi_netns.sh run K NP CMD...    # `mpirun -np NP CMD...` with the ranks spread over K hosts;
#                                           # a last line on stderr gives the bytes each host's link carried
set -euo pipefail
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"
readonly NET=10.77.0 SW=gan-sw LOCK=/run/lock/gan-mpi-netns.lock
die() { echo "mpi_netns: $*" >&2; exit 1; }
for tool in ip unshare flock mpirun; do command -v "$tool" > /dev/null || die "$tool not found (apt-get install iproute2 util-linux openmpi-bin)"; done

# Removes every namespace named like ours (gan-sw, gan-h<N>); their veth ends go with them.
netns_down() {
    local ns
    for ns in $(ip netns list | awk '{print $1}' | grep -E '^gan-(sw|h[0-9]+)$' || true); do
        ip netns del "$ns"
    done
}

# netns_up K: the bridge namespace and K hosts, loopback and eth0 up, each host's eth0 on the bridge.
netns_up() {
    local k=$1 i
    ip netns add "$SW"
    ip -n "$SW" link set lo up
    ip -n "$SW" link add br0 type bridge
    ip -n "$SW" link set br0 up
    for i in $(seq 1 "$k"); do
        ip netns add "gan-h$i"
        ip link add eth0 netns "gan-h$i" type veth peer name "h$i" netns "$SW"
        ip -n "$SW" link set "h$i" master br0 up
        ip -n "gan-h$i" link set lo up
        ip -n "gan-h$i" addr add "$NET.$i/24" dev eth0
        ip -n "gan-h$i" link set eth0 up
    done
}

# write_agent PATH: OpenMPI's rsh agent. OpenMPI calls it as `agent HOST CMD...`, CMD being a shell command
# line as it would give to ssh; the agent runs it in HOST's namespace under the host's name, with the
# small environment of a fresh login rather than mpirun's.
write_agent() {
    cat > "$1" << EOF
#!/bin/sh
case "\$1" in $NET.[0-9]*) ns=gan-h\${1##*.} ;; *) echo "mpi_netns agent: unknown host \$1" >&2; exit 1 ;; esac
shift
exec ip netns exec "\$ns" unshare --uts sh -c 'hostname "\$1"; shift; exec env -i PATH="\$PATH" HOME="\$HOME" LANG=C sh -c "\$*"' agent "\$ns" "\$@"
EOF
    chmod +x "$1"
}

# The bytes host i sent and received through its link (counted at the bridge's end).
link_bytes() {
    local rx tx
    rx=$(ip netns exec "$SW" cat "/sys/class/net/h$1/statistics/rx_bytes")
    tx=$(ip netns exec "$SW" cat "/sys/class/net/h$1/statistics/tx_bytes")
    echo "$rx $tx"
}

# mpirun_on K NP CMD...: the K hosts in a hostfile (one slot each; more ranks than hosts are placed round
# robin), mpirun started in gan-h1 under that host's name, the rsh launcher pointed at the agent. mpirun
# runs in the background so that a signal to this script reaches the trap at once (which stops mpirun,
# and mpirun its ranks) rather than after mpirun ends. Afterwards sent[i] and got[i] hold the bytes host i
# sent and received through its link during the run, and a line on stderr gives them.
mpirun_on() {
    local k=$1 np=$2 i rx tx rc=0
    shift 2
    for i in $(seq 1 "$k"); do echo "$NET.$i slots=1"; done > "$state/hosts"
    write_agent "$state/agent"
    for i in $(seq 1 "$k"); do read -r "sent[$i]" "got[$i]" < <(link_bytes "$i"); done
    ip netns exec gan-h1 unshare --uts sh -c 'hostname gan-h1; exec "$@"' mpirun \
        mpirun --allow-run-as-root --oversubscribe -np "$np" --hostfile "$state/hosts" --map-by node \
        --mca plm_rsh_agent "$state/agent" --mca plm_rsh_no_tree_spawn 1 \
        --mca btl tcp,self --mca btl_tcp_if_include "$NET.0/24" --mca oob_tcp_if_include "$NET.0/24" \
        "$@" &
    mpirun_pid=$!
    wait "$mpirun_pid" || rc=$?
    local report="mpi_netns: bytes sent / received through each host's veth link:"
    for i in $(seq 1 "$k"); do
        read -r rx tx < <(link_bytes "$i")
        sent[i]=$((rx - sent[i])) got[i]=$((tx - got[i]))
        report+=" gan-h$i ${sent[i]} / ${got[i]}"
    done
    echo "$report" >&2
    return "$rc"
}

# The probe: every rank reports its host name, network namespace (inode) and address, then all ranks sum a
# vector of N floats; rank 0 checks the sums and that the ranks sat in as many namespaces as there are hosts.
write_probe() {
    cat > "$1" << 'EOF'
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <mpi.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
enum { N = 1 << 20, LINE = 160 };
int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char host[64] = "?", ip[INET_ADDRSTRLEN] = "none", line[LINE];
    gethostname(host, sizeof host);
    struct ifaddrs* ifs = NULL;
    getifaddrs(&ifs);
    for (struct ifaddrs* a = ifs; a; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && strcmp(a->ifa_name, "lo") != 0)
            inet_ntop(AF_INET, &((struct sockaddr_in*)a->ifa_addr)->sin_addr, ip, sizeof ip);
    freeifaddrs(ifs);
    struct stat ns;
    long inode = stat("/proc/self/ns/net", &ns) == 0 ? (long)ns.st_ino : -1;
    snprintf(line, LINE, "rank %d/%d: host %s, net namespace %ld, address %s", rank, size, host, inode, ip);
    char* lines = rank == 0 ? malloc((size_t)size * LINE) : NULL;
    long* inodes = rank == 0 ? malloc((size_t)size * sizeof(long)) : NULL;
    MPI_Gather(line, LINE, MPI_CHAR, lines, LINE, MPI_CHAR, 0, MPI_COMM_WORLD);
    MPI_Gather(&inode, 1, MPI_LONG, inodes, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    float* v = malloc(N * sizeof(float));
    for (int i = 0; i < N; ++i) v[i] = (float)(rank + 1) * (float)(i % 7);
    MPI_Allreduce(MPI_IN_PLACE, v, N, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    long bad = 0;
    for (int i = 0; i < N; ++i) bad += v[i] != (float)(size * (size + 1) / 2) * (float)(i % 7);
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    int distinct = 0;
    if (rank == 0) {
        for (int r = 0; r < size; ++r) {
            puts(lines + (size_t)r * LINE);
            int seen = 0;
            for (int q = 0; q < r; ++q) seen |= inodes[q] == inodes[r];
            distinct += !seen;
        }
        printf("allreduce of %d floats (%d bytes) over %d ranks in %d network namespaces: %ld wrong sums\n",
               N, (int)(N * sizeof(float)), size, distinct, bad);
    }
    MPI_Bcast(&distinct, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return bad != 0 || distinct != size;
}
EOF
}

# probe K: one rank per host; every host's link must have carried, each way, at least the allreduce's
# payload (every rank must send each of its N values, in some sum, and receive each of the N results).
probe() {
    local k=$1 i payload=$((4 << 20))
    command -v mpicc > /dev/null || die "mpicc not found (apt-get install libopenmpi-dev)"
    write_probe "$state/probe.c"
    mpicc -O2 -o "$state/probe" "$state/probe.c"
    mpirun_on "$k" "$k" "$state/probe" || die "the probe failed across $k namespaces"
    for i in $(seq 1 "$k"); do
        [ "${sent[i]}" -ge "$payload" ] && [ "${got[i]}" -ge "$payload" ] ||
            die "gan-h$i's link carried less than the allreduce's $payload bytes: the ranks did not talk over the veth"
    done
    echo "mpi_netns: probe passed on $k hosts"
}

[ $# -ge 1 ] || die "usage: $0 probe [K] | run K NP CMD..."
cmd=$1
shift
case $cmd in
    probe) k=${1:-2} ;;
    run) [ $# -ge 3 ] || die "usage: $0 run K NP CMD..."; k=$1 ;;
    *) die "unknown command $cmd (probe, run)" ;;
esac
if ! [[ $k =~ ^[0-9]+$ && $k -ge 1 && $k -le 200 ]]; then die "K must be 1..200, got $k"; fi
mkdir -p "$(dirname "$LOCK")"
exec 9> "$LOCK"
flock -w 900 9 || die "another mpi_netns.sh run holds $LOCK"
state=$(mktemp -d /tmp/gan_netns.XXXXXX)
declare -a sent got
trap 'netns_down; rm -rf "$state"' EXIT
mpirun_pid=
trap '[ -z "$mpirun_pid" ] || { kill -TERM "$mpirun_pid" 2> /dev/null; wait "$mpirun_pid" || true; }; exit 130' INT TERM
netns_down
netns_up "$k"
case $cmd in
    probe) probe "$k" ;;
    run) shift; np=$1; shift; mpirun_on "$k" "$np" "$@" ;;
esac
