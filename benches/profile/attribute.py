#!/usr/bin/env python3
"""Attributes the samples of a `perf record --call-graph dwarf` profile of
`borderflow run` to the parts of a run, by the first (innermost-out) frame
that names one of them. Reads `perf script -F tid,ip,sym` text on stdin.

    perf script -i perf.data -F tid,ip,sym | python3 attribute.py [TOTAL_CPU_S] [REPS]

With TOTAL_CPU_S (the run's task-clock, from `perf stat`) and REPS it also
prints milliseconds of CPU per replication for each part.
"""
import re
import sys
from collections import Counter

# (category, regex on a frame's symbol), the innermost matching frame wins.
CATEGORIES = [
    # ReplicationRows::format is inlined into the worker's closure: its frame
    # reads `format (inlined)` right under the rayon job.
    ("record formatting (ReplicationRows::format)", r"ReplicationRows>?::format|^format \(inlined\)$"),
    ("record writing (RecordWriter::write_rows)", r"RecordWriter>?::write_rows"),
    ("checkpoint (save_checkpoint: flush, json, rename)", r"save_checkpoint|start_records"),
    ("aggregator push (Accumulator::push, t-digest)", r"Aggregator>?::push"),
    ("summary (Aggregator::write: daily_summary.csv, summary.json)", r"Aggregator>?::write"),
    ("records finish (sync_all)", r"RecordWriter>?::finish"),
    ("output folder (create, inputs, commit)", r"OutputDir|write_atomic|finish_job|already_complete"),
    ("simulation: end_of_day observer", r"end_of_day"),
    ("simulation (run_replication)", r"run_replication|simulate_or_stop|replicate"),
    ("startup: scenario load, validation, hash", r"load_scenario|Scenario.*from_|from_value|parse_value|Scenario>?::hash|resolved_ron|validate"),
    ("clap / cli other", r"clap|cli::main|cli::dispatch"),
]
COMPILED = [(c, re.compile(p)) for c, p in CATEGORIES]


def samples(lines):
    tid, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if tid is not None:
                yield tid, frames
            tid, frames = None, []
        elif not line.startswith(("\t", " ")):
            tid, frames = line.split()[0], []
        else:
            parts = line.strip().split(None, 1)
            frames.append(parts[1] if len(parts) > 1 else "")
    if tid is not None:
        yield tid, frames


def main():
    total_cpu = float(sys.argv[1]) if len(sys.argv) > 1 else None
    reps = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    counts, n = Counter(), 0
    for _tid, frames in samples(sys.stdin):
        n += 1
        cat = "other (kernel, libc, process start/exit, threads)"
        for f in frames:  # innermost first
            hit = next((c for c, rx in COMPILED if rx.search(f)), None)
            if hit:
                cat = hit
                break
        counts[cat] += 1
    print(f"{'part':<64}{'samples':>9}{'share':>9}" + (f"{'ms CPU/rep':>12}" if total_cpu else ""))
    for cat, k in counts.most_common():
        row = f"{cat:<64}{k:>9}{100 * k / n:>8.2f}%"
        if total_cpu:
            row += f"{1000 * total_cpu * k / n / reps:>12.2f}"
        print(row)
    print(f"{'total':<64}{n:>9}")


if __name__ == "__main__":
    main()
