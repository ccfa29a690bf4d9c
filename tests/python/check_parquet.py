"""Checks that polars and pyarrow read a borderflow run's records with one
call each, and that the Parquet and CSV runs of the same batch hold equal
values.

With two more folders, a sweep's CSV and Parquet runs, it also checks
that each keeps one per-replication table whose rows name their point
(`sweep.csv` or `sweep.parquet`, no `kpis.*`), with the same columns and
values.

Usage: python check_parquet.py CSV_RUN_DIR PARQUET_RUN_DIR [CSV_SWEEP_DIR PARQUET_SWEEP_DIR]

Prints one line per check, load times per replication [ms], and exits 1 on
the first difference.
"""

import sys
import time

import polars as pl
import pyarrow.parquet as pq


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def main(csv_dir: str, pq_dir: str) -> int:
    # CSV with polars' defaults: one numeric type inferred for `value`.
    daily_csv, t_csv = timed(lambda: pl.read_csv(f"{csv_dir}/daily.csv"))
    assert daily_csv.columns == ["replication", "date", "metric", "place", "origin", "value"], daily_csv.columns
    assert daily_csv["value"].dtype == pl.Float64, daily_csv["value"].dtype
    kpis_csv = pl.read_csv(f"{csv_dir}/kpis.csv")
    assert kpis_csv["value"].dtype == pl.Float64, kpis_csv["value"].dtype
    print(f"ok: pl.read_csv reads daily.csv with defaults ({daily_csv.height} rows, value Float64)")

    # Parquet, one call each: polars and pyarrow.
    daily_pq, t_pq = timed(lambda: pl.read_parquet(f"{pq_dir}/daily.parquet"))
    table, t_arrow = timed(lambda: pq.read_table(f"{pq_dir}/daily.parquet"))
    assert table.num_rows == daily_pq.height
    assert str(table.schema.field("date").type) == "date32[day]", table.schema
    assert daily_pq["date"].dtype == pl.Date, daily_pq["date"].dtype
    assert daily_pq["replication"].dtype == pl.UInt32, daily_pq["replication"].dtype
    assert daily_pq["value"].dtype == pl.Float64
    kpis_pq = pl.read_parquet(f"{pq_dir}/kpis.parquet")
    print(f"ok: pl.read_parquet and pq.read_table read daily.parquet ({daily_pq.height} rows, typed)")

    # Equal values, row by row, in the same order.
    a = daily_csv.with_columns(
        pl.col("replication").cast(pl.UInt32), pl.col("date").str.to_date()
    )
    for col in ["replication", "date", "metric", "place", "origin", "value"]:
        if not a[col].equals(daily_pq[col]):
            print(f"FAIL: daily column {col} differs between CSV and Parquet")
            return 1
    b = kpis_csv.with_columns(pl.col("replication").cast(pl.UInt32))
    for col in ["replication", "kpi", "value"]:
        if not b[col].equals(kpis_pq[col]):
            print(f"FAIL: kpis column {col} differs between CSV and Parquet")
            return 1
    arrow_pl = pl.from_arrow(table)
    if not arrow_pl["value"].equals(daily_pq["value"]):
        print("FAIL: pyarrow and polars read different values")
        return 1
    print("ok: CSV and Parquet records hold equal values (daily and kpis)")

    reps = daily_pq["replication"].n_unique()
    print(
        f"load time per replication: CSV (polars) {1e3 * t_csv / reps:.2f} ms, "
        f"Parquet (polars) {1e3 * t_pq / reps:.2f} ms, Parquet (pyarrow) {1e3 * t_arrow / reps:.2f} ms "
        f"({reps} replications)"
    )
    return 0


def check_sweep(csv_dir: str, pq_dir: str) -> int:
    import os

    for d, gone in [(csv_dir, "kpis.csv"), (pq_dir, "kpis.parquet"), (pq_dir, "sweep.csv")]:
        if os.path.exists(f"{d}/{gone}"):
            print(f"FAIL: a finished sweep keeps {gone}")
            return 1
    rows_csv = pl.read_csv(f"{csv_dir}/sweep.csv")
    rows_pq = pl.read_parquet(f"{pq_dir}/sweep.parquet")
    if rows_csv.columns != rows_pq.columns or rows_csv.columns[:3] != ["scenario", "seed", "point"]:
        print(f"FAIL: sweep columns {rows_csv.columns} (CSV) and {rows_pq.columns} (Parquet)")
        return 1
    assert rows_pq["point"].dtype == pl.UInt32 and rows_pq["value"].dtype == pl.Float64, rows_pq.schema
    # Whole parameter values read as integers from CSV: compared as Parquet types.
    same = rows_csv.with_columns(*(pl.col(c).cast(rows_pq[c].dtype) for c in rows_csv.columns))
    for col in rows_csv.columns:
        if not same[col].equals(rows_pq[col]):
            print(f"FAIL: sweep column {col} differs between CSV and Parquet")
            return 1
    print(f"ok: sweep.csv and sweep.parquet name each row's point and hold equal values ({rows_pq.height} rows)")
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1], sys.argv[2])
    if status == 0 and len(sys.argv) > 4:
        status = check_sweep(sys.argv[3], sys.argv[4])
    sys.exit(status)
