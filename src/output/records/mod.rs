//! The per-replication record store: `daily` and `kpis` records written one
//! replication after the other, checkpointed, and read back in order, as CSV
//! or Parquet behind one pair of traits.
//!
//! ## Tables
//!
//! | file | columns |
//! |---|---|
//! | `daily.csv` / `daily.parquet` | `replication,date,metric,place,origin,value` |
//! | `kpis.csv` / `kpis.parquet` | `replication,kpi,value` |
//!
//! A finished sweep keeps neither: its KPIs are in `sweep.csv` /
//! `sweep.parquet` ([`SweepTable`]), each row with its design point.
//!
//! `place` and `origin` are the [`MetricSpec`] dimensions (empty in CSV,
//! null in Parquet, where a metric has none). CSV values are always written
//! as floats (`12.0`, shortest text that reads back to the same `f64`), so a
//! CSV reader infers one numeric type for the whole column. Parquet columns
//! are typed: `replication` UINT32, `date` DATE (days since 1970-01-01),
//! `metric`/`place`/`origin`/`kpi` UTF8 (dictionary-encoded), `value`
//! DOUBLE; Snappy compression.
//!
//! ## Writing, checkpoints and positions
//!
//! A worker thread *prepares* a replication ([`RecordSchema::prepare`]): the
//! CSV text, or a complete in-memory Parquet file of that replication. The
//! in-order consumer only hands the bytes to a [`RecordSink`], whose
//! [`RecordSink::checkpoint`] makes everything written so far readable after
//! a kill and returns a [`Position`] the run saves in its checkpoint:
//!
//! - **CSV**: the files are appended to; a position is their lengths
//!   [bytes]. `--resume` truncates to it.
//! - **Parquet**: a Parquet file is only readable once its footer is
//!   written, and the format has no append. So while a batch runs, each
//!   replication is its own closed *part* file (`daily.parts/00000012.parquet`),
//!   and a position is the number of closed parts [parts]; `--resume` removes
//!   parts past it. [`RecordSink::finish`] concatenates the parts into one
//!   `daily.parquet` by copying their encoded column chunks (no decoding),
//!   one row group per replication, and removes the parts. One row group per
//!   replication also lets a reader skip replications by the row group
//!   statistics. The price is a footer that grows with the replications
//!   (≈ 1 KB each).
//!
//! ## What a folder keeps
//!
//! While a batch runs, and in a shard, the records always hold every daily
//! value: `--resume` and `merge` rebuild every summary from them. [`Detail`]
//! (`--records`) says what the *finished* folder keeps; the rest is removed
//! just before it is committed.

mod csv;
mod parquet;
mod sweep;

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::shown;
use crate::metrics::{DailySeries, MetricSpec};

pub use self::csv::{DAILY_HEADER, KPIS_HEADER, csv_field, write_daily_summary};
pub use self::sweep::{SweepRow, SweepTable};

/// The file format of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Comma-separated text: readable anywhere, ≈ 10× larger.
    #[default]
    Csv,
    /// Apache Parquet: typed, compressed columns.
    Parquet,
}

impl Format {
    /// The file name extension (`csv`, `parquet`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }

    /// The daily record file's name.
    pub fn daily_file(self) -> String {
        format!("daily.{}", self.extension())
    }

    /// The KPI record file's name.
    pub fn kpis_file(self) -> String {
        format!("kpis.{}", self.extension())
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            _ => Err(format!(
                "`{}` is not a record format (csv, parquet)",
                shown(s)
            )),
        }
    }
}

/// What per-replication detail a finished folder keeps (summaries are
/// always written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detail {
    /// No per-replication records.
    None,
    /// The KPIs of each replication.
    Kpis,
    /// The KPIs and every daily value of each replication.
    #[default]
    Daily,
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Detail::None => "none",
            Detail::Kpis => "kpis",
            Detail::Daily => "daily",
        })
    }
}

impl std::str::FromStr for Detail {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "none" => Ok(Detail::None),
            "kpis" => Ok(Detail::Kpis),
            "daily" => Ok(Detail::Daily),
            _ => Err(format!(
                "`{}` is not a records detail (none, kpis, daily)",
                shown(s)
            )),
        }
    }
}

/// Where the writer stands: what a checkpoint saves. CSV: the files'
/// lengths [bytes]; Parquet: closed part files [parts].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Position {
    /// In the daily records.
    pub daily: u64,
    /// In the KPI records.
    pub kpis: u64,
}

/// One replication's records, encoded on a worker thread as they will be
/// written (CSV text, or a whole Parquet file per table).
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// The daily records (empty when the batch has no daily metrics).
    pub daily: Vec<u8>,
    /// The KPI records.
    pub kpis: Vec<u8>,
}

/// What the records of a batch hold: the days, the metric columns and the
/// KPIs, in order. Built once per batch and shared by the worker threads,
/// with everything repeated on every row precomputed.
pub struct RecordSchema {
    /// The simulated days.
    pub dates: Vec<NaiveDate>,
    /// The daily metrics, in column order.
    pub metrics: Vec<MetricSpec>,
    /// The KPI names, in order.
    pub kpis: Vec<String>,
    /// The record format.
    pub format: Format,
    csv: csv::CsvText,
    parquet: Option<parquet::Columns>,
}

impl RecordSchema {
    /// The schema of a batch with these dates, metrics and KPIs.
    pub fn new(
        format: Format,
        dates: Vec<NaiveDate>,
        metrics: Vec<MetricSpec>,
        kpis: Vec<String>,
    ) -> Result<Self> {
        let csv = csv::CsvText::new(&dates, &metrics, &kpis);
        let parquet = match format {
            Format::Csv => None,
            Format::Parquet => Some(parquet::Columns::new(&dates, &metrics, &kpis)?),
        };
        Ok(Self {
            dates,
            metrics,
            kpis,
            format,
            csv,
            parquet,
        })
    }

    /// Whether the batch has daily records at all (a sweep has none).
    pub fn has_daily(&self) -> bool {
        !self.dates.is_empty() && !self.metrics.is_empty()
    }

    /// Daily rows per replication.
    pub fn daily_rows(&self) -> usize {
        self.dates.len() * self.metrics.len()
    }

    /// Encodes replication `replication`'s records (run on a worker thread).
    pub fn prepare(&self, replication: u64, daily: &DailySeries, kpis: &[f64]) -> Result<Prepared> {
        match &self.parquet {
            None => Ok(self.csv.prepare(self.has_daily(), replication, daily, kpis)),
            Some(cols) => cols.prepare(self.has_daily(), replication, daily, kpis),
        }
    }
}

/// One replication read back: its index, daily table and KPIs.
pub type ReadReplication = (u64, DailySeries, Vec<f64>);

/// Writes records one replication after the other.
pub trait RecordSink {
    /// Appends one replication's prepared records.
    fn write(&mut self, rows: &Prepared) -> Result<()>;
    /// Makes everything written so far survive the process being killed and
    /// returns where the records end.
    fn checkpoint(&mut self) -> Result<Position>;
    /// Closes the records as a finished table (syncs them to disk).
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Reads records back one replication at a time, checking every row
/// against the schema: record files may come from elsewhere (a shard copied
/// from a cluster) and are input. Any deviation is an error naming the file
/// (exit code 2).
pub trait RecordSource {
    /// The next replication; `None` at the end.
    fn next_replication(&mut self) -> Result<Option<ReadReplication>>;
    /// Where the replications read so far end.
    fn position(&self) -> Position;
    /// Checks that nothing follows the replications read (rows appended to a
    /// shard's records are refused, not merged).
    fn expect_end(&mut self) -> Result<()>;
}

/// Whether records are read from a finished folder or from the parts of a
/// batch in progress (a staging folder being resumed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A finished folder: one file per table.
    Finished,
    /// A batch in progress: Parquet part files.
    InProgress,
}

/// Creates empty records in `dir`.
pub fn create(dir: &Path, schema: &RecordSchema) -> Result<Box<dyn RecordSink>> {
    match schema.format {
        Format::Csv => Ok(Box::new(csv::CsvSink::create(dir, schema.has_daily())?)),
        Format::Parquet => Ok(Box::new(parquet::ParquetSink::create(dir, schema)?)),
    }
}

/// Reopens the records of a batch in progress in `dir` after `at`,
/// dropping anything written after that checkpoint.
pub fn reopen(dir: &Path, schema: &RecordSchema, at: Position) -> Result<Box<dyn RecordSink>> {
    match schema.format {
        Format::Csv => Ok(Box::new(csv::CsvSink::reopen(dir, schema.has_daily(), at)?)),
        Format::Parquet => Ok(Box::new(parquet::ParquetSink::reopen(dir, schema, at)?)),
    }
}

/// Opens the records in `dir` for reading: the daily table only when
/// `daily` is set and the batch has one, the KPIs only when `kpis` is set.
pub fn open(
    dir: &Path,
    schema: &RecordSchema,
    stage: Stage,
    daily: bool,
    kpis: bool,
) -> Result<Box<dyn RecordSource>> {
    let daily = daily && schema.has_daily();
    match schema.format {
        Format::Csv => Ok(Box::new(csv::CsvSource::open(dir, schema, daily, kpis)?)),
        Format::Parquet => Ok(Box::new(parquet::ParquetSource::open(
            dir, schema, stage, daily, kpis,
        )?)),
    }
}

/// Checks that the records of a batch in progress in `dir` still hold what
/// checkpoint `at` recorded (a refusal says they are damaged).
pub fn check_position(dir: &Path, schema: &RecordSchema, at: Position) -> Result<(), String> {
    match schema.format {
        Format::Csv => csv::check_lengths(dir, schema.has_daily(), at),
        Format::Parquet => parquet::check_parts(dir, schema.has_daily(), at),
    }
}

/// Checks, before anything is sized by a shard's description, that the
/// finished records in `dir` can hold `replications` replications of
/// `schema`: CSV files at least as long as their rows could be, Parquet
/// footers that count exactly those rows. Messages name the file.
pub fn check_size(dir: &Path, schema: &RecordSchema, replications: u64) -> Result<(), String> {
    let daily_rows = replications.saturating_mul(schema.daily_rows() as u64);
    let kpi_rows = replications.saturating_mul(schema.kpis.len() as u64);
    let mut tables = vec![(schema.format.kpis_file(), kpi_rows, csv::MIN_KPI_ROW_BYTES)];
    if schema.has_daily() {
        tables.push((
            schema.format.daily_file(),
            daily_rows,
            csv::MIN_DAILY_ROW_BYTES,
        ));
    }
    for (file, rows, min_row) in tables {
        let path = dir.join(&file);
        match schema.format {
            Format::Csv => {
                let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                if bytes < rows.saturating_mul(min_row) {
                    return Err(format!(
                        "{file} has {bytes} bytes, too few for the {rows} rows the description \
                         promises"
                    ));
                }
            }
            Format::Parquet => {
                let found = parquet::table_rows(&path)?;
                if found != rows {
                    return Err(format!(
                        "{file} holds {found} rows, not the {rows} the description promises"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether `dir` holds any records of either format, finished or not.
pub fn any_records(dir: &Path) -> bool {
    [Format::Csv, Format::Parquet].iter().any(|f| {
        dir.join(f.daily_file()).exists()
            || dir.join(f.kpis_file()).exists()
            || dir.join(parquet::DAILY_PARTS).exists()
    })
}

/// One of the two record tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// The daily values.
    Daily,
    /// The KPIs.
    Kpis,
}

/// Removes `table` from the finished folder `dir` unless `keep` includes
/// it. The batch runner calls it after the table was read for the
/// summaries (the KPIs of a sweep are read by its finalize step).
pub fn drop_unkept(dir: &Path, format: Format, keep: Detail, table: Table) -> Result<()> {
    let (file, needs) = match table {
        Table::Daily => (dir.join(format.daily_file()), Detail::Daily),
        Table::Kpis => (dir.join(format.kpis_file()), Detail::Kpis),
    };
    if keep >= needs {
        return Ok(());
    }
    match std::fs::remove_file(&file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::output(file, e)),
    }
}

/// A record file that is not what the schema says, as an input error (exit
/// code 2) naming the file.
pub(crate) fn bad(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Scenario {
        file: shown(&path.display().to_string()),
        message: format!(
            "not a complete borderflow record file: {}",
            shown(&what.to_string())
        ),
    }
}
