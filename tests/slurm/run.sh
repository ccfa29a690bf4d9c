#!/usr/bin/env bash
# examples/slurm/ on a real single-node Slurm: a private munged, slurmctld and
# slurmd under a temporary folder, then
#   (a) the submit.sh flow (array + afterany merge) on mmc, on a small
#       baseline batch and on an mmc sweep: merged folders byte-identical to
#       one unsharded run (every file: CSV, JSON, scenario, charts, report);
#   (b) a task stopped at its time limit (--time=1) keeps its finished
#       replications (checkpoint = records), requeues itself, resumes them and
#       the merged bytes are identical; its appended log shows it all;
#   (c) `scontrol requeue` of a running task: the same, from outside;
#   and: a merge that runs before the array is done exits 3 and submits
#   itself again; a second submission skips complete shards (1-based array).
#
#   tests/slurm/run.sh [path/to/borderflow]   (default: target/release/borderflow)
#
# Needs root: it installs the Debian packages munge, slurmctld, slurmd and
# slurm-client (apt-get) if they are missing, and runs the daemons as root.
# Where Slurm cannot be installed or started it prints SKIP and exits 0. It
# stops its daemons (by PID) and cancels its jobs on exit; BORDERFLOW_SLURM_KEEP=1
# keeps the temporary folder (it is kept anyway when a check fails).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
examples=$root/examples/slurm
export PATH=$PATH:/usr/sbin:/sbin
begin=$SECONDS

arg=${1:-$root/target/release/borderflow}
if [[ ! -x $arg || -d $arg ]]; then
    echo "FAIL: tests/slurm: no borderflow binary at $arg (cargo build --release)" >&2
    exit 1
fi
bin=$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")

note() { printf '[slurm test %3ds] %s\n' $((SECONDS - begin)) "$*"; }
skip() {
    printf '\n*** SKIP: tests/slurm: %s ***\n\n' "$*" >&2
    exit 0
}

# --- Slurm installed? ----------------------------------------------------
have_slurm() {
    local c
    for c in munged munge unmunge slurmctld slurmd sbatch squeue scontrol sinfo; do
        command -v "$c" >/dev/null || return 1
    done
}
if ! have_slurm; then
    [[ $(id -u) == 0 ]] || skip "Slurm is not installed, and installing it needs root"
    command -v apt-get >/dev/null || skip "Slurm is not installed, and there is no apt-get"
    note "installing munge slurmctld slurmd slurm-client (apt-get)"
    apt_log=$(mktemp)
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends munge slurmctld slurmd slurm-client; } >"$apt_log" 2>&1; then
        tail -n 5 "$apt_log" >&2
        skip "apt-get could not install munge slurmctld slurmd slurm-client"
    fi
    rm -f "$apt_log"
    have_slurm || skip "the Slurm packages are installed but their commands are missing"
fi
[[ $(id -u) == 0 ]] || skip "the daemons run as root here (SlurmUser=root); run as root"

# --- a private cluster under a temporary folder ---------------------------
T=$(mktemp -d /tmp/borderflow-slurm.XXXXXX)
chmod 755 "$T" # munged wants every folder above its socket searchable
mkdir -p "$T"/{munge,sock,state,spool,log,run,work,ref}
chmod 700 "$T/munge"
export SLURM_CONF=$T/slurm.conf
daemons=()
ok=

stop_all() {
    local rc=$? pid i
    trap - EXIT INT TERM
    set +e # stop everything, whatever fails on the way
    if [[ -f $SLURM_CONF ]] && [[ ${#daemons[@]} -gt 1 ]]; then
        # Our jobs first, so that no borderflow outlives the test.
        if [[ -n ${reference-} ]]; then kill -TERM "$reference" 2>/dev/null; fi
        scancel --quiet --user=root 2>/dev/null || true
        for ((i = 0; i < 30; i++)); do
            [[ -z $(squeue -h 2>/dev/null) ]] && break
            sleep 1
        done
    fi
    for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
        kill -TERM "${daemons[i]}" 2>/dev/null || true
    done
    for pid in "${daemons[@]}"; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n $ok && -z ${BORDERFLOW_SLURM_KEEP-} ]]; then
        rm -rf "$T"
    else
        echo "tests/slurm: files kept in $T" >&2
    fi
    exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "FAIL: tests/slurm: $*" >&2
    local f
    for f in "$T"/log/slurmctld.log "$T"/log/slurmd.log "$T"/work/slurm-*.out; do
        [[ -f $f ]] || continue
        echo "----- ${f#"$T"/} (last 25 lines)" >&2
        tail -n 25 "$f" >&2
    done
    squeue 2>/dev/null >&2 || true
    exit 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    if port_free "$p" && port_free $((p + 1)); then
        port=$p
        break
    fi
done
[[ -n $port ]] || skip "no two free TCP ports for slurmctld and slurmd"

host=$(hostname -s)
cpus=$(nproc)
# The node as slurmd sees it (sockets, cores, threads) where that agrees with
# the CPUs this machine lets us use; just the CPU count otherwise.
node=$(slurmd -C 2>/dev/null | head -n 1 | grep -o 'CPUs=[0-9]* .*ThreadsPerCore=[0-9]*' || true)
[[ $node == "CPUs=$cpus "* ]] || node="CPUs=$cpus"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
cat >"$T/slurm.conf" <<EOF
# single-node test cluster (tests/slurm/run.sh)
ClusterName=borderflow-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
# cred_expire also sets how long a requeued job waits before it may start
# again (default 120 s).
AuthInfo=socket=$T/sock/munge.sock,cred_expire=10
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=2,sched_interval=2
JobRequeue=1
ReturnToService=2
MinJobAge=60
KillWait=15
SlurmctldTimeout=10
SlurmdTimeout=10
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

note "starting munged, slurmctld, slurmd ($host, $cpus CPUs, ports $port-$((port + 1)), $T)"
munged -F --key-file="$T/munge/munge.key" --socket="$T/sock/munge.sock" \
    --pid-file="$T/run/munged.pid" --seed-file="$T/run/munged.seed" \
    --log-file="$T/log/munged.log" >"$T/log/munged.out" 2>&1 &
daemons+=($!)
for _ in $(seq 50); do
    [[ -S $T/sock/munge.sock ]] && break
    sleep 0.1
done
munge -n -S "$T/sock/munge.sock" 2>/dev/null | unmunge -S "$T/sock/munge.sock" >/dev/null 2>&1 ||
    { cat "$T/log/munged.out" >&2; skip "munged does not start here"; }
slurmctld -D -i -f "$T/slurm.conf" >"$T/log/slurmctld.out" 2>&1 &
daemons+=($!)
slurmd -D -f "$T/slurm.conf" -N "$host" >"$T/log/slurmd.out" 2>&1 &
daemons+=($!)
for _ in $(seq 60); do
    [[ $(sinfo -h -N -o %T 2>/dev/null) == idle ]] && break
    sleep 0.5
done
if [[ $(sinfo -h -N -o %T 2>/dev/null) != idle ]]; then
    tail -n 5 "$T"/log/slurmctld.out "$T"/log/slurmd.out >&2 || true
    skip "slurmctld/slurmd do not start here (node state: $(sinfo -h -N -o %T 2>&1 | head -n 1))"
fi
note "cluster up: $(sinfo -h -N -o '%N %T %c CPUs')"

# --- helpers -------------------------------------------------------------
work=$T/work
cp -r "$root/scenarios" "$work/"
cd "$work"

# wait until none of our jobs is queued, running or completing
drain() {
    local limit=$1 what=$2 t0=$SECONDS
    while [[ -n $(squeue -h 2>/dev/null) ]]; do
        ((SECONDS - t0 < limit)) || fail "$what: jobs still queued after ${limit}s"
        sleep 1
    done
}

# the merged folder against one unsharded run: the same files, the same bytes
# (.borderflow, the stamp, names the command that wrote the folder)
same() {
    local merged=$1 ref=$2 f n=0
    [[ -f $merged/summary.json ]] || fail "no merged results in $merged"
    diff <(cd "$ref" && find . -type f ! -name .borderflow | sort) \
        <(cd "$merged" && find . -type f ! -name .borderflow | sort) >&2 ||
        fail "$merged and $ref hold different files"
    while read -r f; do
        cmp "$ref/$f" "$merged/$f" >&2 || fail "$merged/$f differs from one unsharded run"
        n=$((n + 1))
    done < <(cd "$ref" && find . -type f ! -name .borderflow | sort)
    note "$merged: $n files byte-identical to one unsharded run"
}

has() { grep -q -e "$2" "$1" || fail "$1 lacks '$2'"; }

# --- (a) the README's flow: mmc, baseline, a sweep -------------------------
note "(a) submitting mmc (binary from PATH), baseline and mmc_servers (binary from BORDERFLOW)"
mkdir -p "$T/bin"
ln -s "$bin" "$T/bin/borderflow"
env -u BORDERFLOW PATH="$T/bin:$PATH" "$examples/submit.sh" run 4 scenarios/mmc.ron >"$T/submit-mmc.txt" ||
    fail "submit.sh run 4 scenarios/mmc.ron"
BORDERFLOW=$bin "$examples/submit.sh" run 4 scenarios/baseline.ron -r 4 >"$T/submit-baseline.txt" ||
    fail "submit.sh run 4 scenarios/baseline.ron -r 4"
BORDERFLOW=$bin "$examples/submit.sh" sweep 2 scenarios/sweeps/mmc_servers.ron >"$T/submit-sweep.txt" ||
    fail "submit.sh sweep 2 scenarios/sweeps/mmc_servers.ron"
cat "$T"/submit-*.txt
note "(a) unsharded reference runs meanwhile"
"$bin" run scenarios/mmc.ron -q -o "$T/ref/mmc"
"$bin" run scenarios/baseline.ron -r 4 -q -o "$T/ref/baseline"
"$bin" sweep scenarios/sweeps/mmc_servers.ron -q -o "$T/ref/mmc_servers"
drain 240 "(a)"
same outputs/mmc "$T/ref/mmc"
same outputs/baseline "$T/ref/baseline"
same outputs/mmc_servers "$T/ref/mmc_servers"
for f in slurm-merge-*.out; do has "$f" ' done: '; done

# Submitting again skips the complete shards (here as a 1-based array, ids
# 1-4 for shards 0-3) and merges the same bytes again.
ARRAY=1-4 BORDERFLOW=$bin "$examples/submit.sh" run 4 scenarios/mmc.ron >"$T/submit-again.txt" ||
    fail "submit.sh run 4 scenarios/mmc.ron, again"
again=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' "$T/submit-again.txt")
drain 60 "(a) again"
for id in 1 2 3 4; do has "slurm-${again}_$id.out" "shard $((id - 1))/4: already complete"; done
same outputs/mmc "$T/ref/mmc"
note "(a) passed"

# --- (b) a time limit, (c) scontrol requeue ---------------------------------
# An M/M/c station busy enough that one shard needs more than the 1-minute
# limit: ~65 s of one core's work per shard, measured here. Task 0 must
# still be at work when the signal comes 20-50 s in, even if the machine is
# faster now than while measuring: the two shards and the unsharded
# reference (two threads, started within seconds) share the cores, so a
# shard works at about half speed and its 65 s take 100 s or more. (Was
# 90 s; the stop came 23 s in on a 2-core machine, 1 Dec 2026.)
sed -e 's/name: "mmc"/name: "mmc_long"/; s/arrival_rate_per_hour: 9.0/arrival_rate_per_hour: 900.0/' \
    -e 's/servers: 10,/servers: 1000,/; s/end: "2024-04-09"/end: "2024-03-31"/' \
    scenarios/mmc.ron >mmc_long.ron
t0=$(date +%s%N)
"$bin" run mmc_long.ron -r 4 -t 1 -q --no-charts -o "$T/calibrate"
per=$((($(date +%s%N) - t0) / 4000000)) # ms per replication
per=$((per < 20 ? 20 : per))
reps=$((2 * 65000 / per))
note "(b, c) one mmc_long replication takes ~${per} ms here: $reps replications in 2 shards"

# Task 0 has a 1-minute limit and asks for SIGTERM 10 s before it; Slurm
# checks time limits every 30 s and sends the signal up to 30 s early, so
# after 20-50 s of work. Task 1 gets 10 minutes and is requeued by hand
# while it runs.
BORDERFLOW=$bin SHARD_SBATCH="--time=1 --signal=B:TERM@10" \
    "$examples/submit.sh" run 2 mmc_long.ron -r "$reps" >"$T/submit-long.txt" ||
    fail "submit.sh run 2 mmc_long.ron"
cat "$T/submit-long.txt"
array=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' "$T/submit-long.txt")
merge=$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' "$T/submit-long.txt")
scontrol update JobId="${array}_1" TimeLimit=10 || fail "scontrol update ${array}_1 TimeLimit=10"
# A merge released while the array is still at work (when task 0 has
# stopped) finds shard 0 unfinished (exit 3), sees the array's tasks still
# queued and submits itself again, to run after them.
early=$(BORDERFLOW=$bin BORDERFLOW_OUT=outputs/mmc_long_early sbatch --parsable --hold \
    --chdir="$work" "$examples/merge.sbatch" mmc_long 2 "$array") || fail "sbatch --hold merge.sbatch"
log0=slurm-${array}_0.out
log1=slurm-${array}_1.out
ckpt() { sed -n 's/^ *"done": *\([0-9]*\).*/\1/p' "$1/checkpoint.json" 2>/dev/null | head -n 1; }
# distinct replications in a records file
records() { tail -n +2 "$1" 2>/dev/null | cut -d, -f1 | sort -u | wc -l; }

requeued=
checked=
reference=
t0=$SECONDS
while [[ -z $requeued || -z $checked ]]; do
    ((SECONDS - t0 < 150)) || fail "(b, c): task 1 never ran, or task 0 never stopped"
    # (c) once task 1 has kept a few replications, requeue it from outside
    if [[ -z $requeued ]] && n=$(ckpt shards/mmc_long/.shard-1.partial) && ((${n:-0} >= 3)); then
        scontrol requeue "${array}_1" || fail "scontrol requeue ${array}_1"
        requeued=$n
        note "(c) scontrol requeue ${array}_1 after $n of its replications"
        # the unsharded reference, beside the array
        "$bin" run mmc_long.ron -r "$reps" -q -o "$T/ref/mmc_long" &
        reference=$!
    fi
    # (b) when task 0 has stopped, its checkpoint must count the records it kept
    if [[ -z $checked ]] && grep -q ' stopped: ' "$log0" 2>/dev/null; then
        d=shards/mmc_long/.shard-0.partial
        n=$(ckpt "$d")
        r=$(records "$d/daily.csv")
        rk=$(records "$d/kpis.csv")
        grep -q "restart 1" "$log0" &&
            fail "(b) task 0 restarted before its kept replications were counted"
        [[ -n $n && $n -ge 1 && $n == "$r" && $n == "$rk" ]] ||
            fail "(b) task 0 stopped with checkpoint done=$n but $r replications in daily.csv, $rk in kpis.csv ($d)"
        checked=$n
        note "(b) task 0 stopped at its time limit: checkpoint and records both hold $n replications"
        # Its resumed attempt gets time to finish (one stop is the test).
        scontrol update JobId="${array}_0" TimeLimit=10 ||
            note "(b) could not lengthen ${array}_0's time limit; it may stop and resume again"
        scontrol release "$early" || fail "scontrol release $early"
    fi
    sleep 0.5
done
drain 240 "(b, c)"
wait "$reference" || fail "the unsharded mmc_long run failed"
same outputs/mmc_long "$T/ref/mmc_long"
same outputs/mmc_long_early "$T/ref/mmc_long"
has "slurm-merge-$early.out" "not finished yet: shard(s) 0"
next=$(sed -n 's/.* submitted this merge again as job \([0-9]*\).*/\1/p' "slurm-merge-$early.out")
[[ -n $next ]] || fail "slurm-merge-$early.out: the early merge did not submit itself again"
has "slurm-merge-$next.out" ' done: '
note "(b) the early merge (job $early) found shard 0 unfinished and ran again as job $next"

# The appended logs tell the story: stopped with N kept, requeued, resumed
# from the same N, complete.
has "$log0" ' SIGTERM: '
has "$log0" " stopped: $checked finished replications kept"
has "$log0" " requeued ${array}_0"
has "$log0" " resuming: $checked finished replications kept"
has "$log0" ' complete: '
has "$log0" "(restart 0)"
has "$log0" "(restart 1)"
has "$log1" ' SIGTERM: '
has "$log1" "(restart 1)"
n=$(sed -n 's/.* stopped: \([0-9]*\) finished replications kept.*/\1/p' "$log1" | head -n 1)
[[ -n $n && $n -ge $requeued ]] || fail "(c) $log1: stopped with '${n}' kept, at least $requeued expected"
has "$log1" " resuming: $n finished replications kept"
has "$log1" ' complete: '
grep -q " requeued ${array}_1" "$log1" && fail "(c) $log1: the task requeued itself though Slurm was requeueing it"
has "slurm-merge-$merge.out" ' done: '
note "(b) $log0:"
sed 's/^/    /' "$log0"
note "(c) $log1:"
sed 's/^/    /' "$log1"
ok=1
note "all passed"
