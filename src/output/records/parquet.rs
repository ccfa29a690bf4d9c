//! The Parquet record store: `daily.parquet` and `kpis.parquet`, one row
//! group per replication, written as closed part files while a batch runs
//! and concatenated (encoded column chunks copied, nothing decoded) when it
//! finishes; a position is the number of closed parts [parts]. See the
//! parent module for why.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use parquet::basic::Compression;
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::column::writer::ColumnCloseResult;
use parquet::data_type::{ByteArray, ByteArrayType, DataType, DoubleType, Int32Type};
use parquet::file::metadata::ParquetMetaDataReader;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::TypePtr;

use super::{
    Position, Prepared, ReadReplication, RecordSchema, RecordSink, RecordSource, Stage, bad,
};
use crate::error::{Error, Result};
use crate::input::shown;
use crate::metrics::{DailySeries, MetricSpec};

/// The folder of the daily part files while a batch runs.
pub(super) const DAILY_PARTS: &str = "daily.parts";
/// The folder of the KPI part files while a batch runs.
const KPIS_PARTS: &str = "kpis.parts";

/// The daily table's schema. `replication` is UINT32 (a batch has at most
/// 2³² − 1 replications), `date` a DATE (days since 1970-01-01).
const DAILY_SCHEMA: &str = "message daily {
    REQUIRED INT32 replication (INTEGER(32,false));
    REQUIRED INT32 date (DATE);
    REQUIRED BYTE_ARRAY metric (STRING);
    OPTIONAL BYTE_ARRAY place (STRING);
    OPTIONAL BYTE_ARRAY origin (STRING);
    REQUIRED DOUBLE value;
}";

/// The KPI table's schema.
const KPIS_SCHEMA: &str = "message kpis {
    REQUIRED INT32 replication (INTEGER(32,false));
    REQUIRED BYTE_ARRAY kpi (STRING);
    REQUIRED DOUBLE value;
}";

/// A parquet error on `path` as an input error (exit code 2).
fn bad_file(path: &Path, e: impl std::fmt::Display) -> Error {
    bad(path, e)
}

/// A parquet error while writing, as an output error.
fn write_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::output(path, std::io::Error::other(e.to_string()))
}

#[derive(Clone)]
/// A nullable string column's repetition over one replication: its
/// definition levels (1 present, 0 null) and the present values.
struct Nullable {
    levels: Vec<i16>,
    values: Vec<ByteArray>,
}

impl Nullable {
    fn new(rows: impl Iterator<Item = Option<ByteArray>>) -> Self {
        let mut n = Self {
            levels: Vec::new(),
            values: Vec::new(),
        };
        for v in rows {
            n.levels.push(i16::from(v.is_some()));
            n.values.extend(v);
        }
        n
    }
}

#[derive(Clone)]
/// Everything every replication repeats, encoded once per batch: the
/// schemas, the writer settings and the columns that do not depend on the
/// replication (a replication only adds its index and values).
pub(super) struct Columns {
    daily_schema: TypePtr,
    kpis_schema: TypePtr,
    props: Arc<WriterProperties>,
    dates: Vec<i32>,
    metric: Vec<ByteArray>,
    place: Nullable,
    origin: Nullable,
    kpi: Vec<ByteArray>,
}

/// Days since 1970-01-01 (Parquet's DATE).
fn epoch_days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    // Dates lie in years 1 to 9999: well within i32 days.
    (d - epoch).num_days() as i32
}

impl Columns {
    pub(super) fn new(
        dates: &[NaiveDate],
        metrics: &[MetricSpec],
        kpis: &[String],
    ) -> Result<Self> {
        let schema = |text: &str| {
            parquet::schema::parser::parse_message_type(text)
                .map(Arc::new)
                .map_err(|e| Error::Other(format!("record schema: {e}")))
        };
        let rows = || {
            dates
                .iter()
                .flat_map(|d| metrics.iter().map(move |m| (d, m)))
        };
        let text = |s: &str| ByteArray::from(s);
        Ok(Self {
            daily_schema: schema(DAILY_SCHEMA)?,
            kpis_schema: schema(KPIS_SCHEMA)?,
            props: Arc::new(
                WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_statistics_enabled(EnabledStatistics::Chunk)
                    .set_offset_index_disabled(true)
                    // One replication, one row group, however large.
                    .set_max_row_group_row_count(None)
                    .set_max_row_group_bytes(None)
                    .set_created_by(format!("borderflow {}", env!("CARGO_PKG_VERSION")))
                    .build(),
            ),
            dates: rows().map(|(d, _)| epoch_days(*d)).collect(),
            metric: rows().map(|(_, m)| text(&m.record_name())).collect(),
            place: Nullable::new(rows().map(|(_, m)| m.place.as_deref().map(text))),
            origin: Nullable::new(rows().map(|(_, m)| m.origin.as_deref().map(text))),
            kpi: kpis.iter().map(|k| text(k)).collect(),
        })
    }

    /// One replication as two in-memory Parquet files (run on a worker).
    pub(super) fn prepare(
        &self,
        with_daily: bool,
        replication: u64,
        daily: &DailySeries,
        kpis: &[f64],
    ) -> Result<Prepared> {
        // Checked when the batch is set up: at most u32::MAX replications.
        let rep = replication as u32 as i32;
        let encode = |f: &dyn Fn(&mut Rg<'_>) -> parquet::errors::Result<()>, schema: &TypePtr| {
            encode(schema, &self.props, f)
                .map_err(|e| Error::Other(format!("encoding replication {replication}: {e}")))
        };
        let daily_bytes = if with_daily {
            encode(
                &|rg| {
                    let n = self.dates.len();
                    put::<Int32Type>(rg, &vec![rep; n], None)?;
                    put::<Int32Type>(rg, &self.dates, None)?;
                    put::<ByteArrayType>(rg, &self.metric, None)?;
                    put::<ByteArrayType>(rg, &self.place.values, Some(&self.place.levels))?;
                    put::<ByteArrayType>(rg, &self.origin.values, Some(&self.origin.levels))?;
                    let mut col = next_column(rg)?;
                    for d in 0..daily.days() {
                        col.typed::<DoubleType>()
                            .write_batch(daily.row(d), None, None)?;
                    }
                    col.close()
                },
                &self.daily_schema,
            )?
        } else {
            Vec::new()
        };
        let kpis_bytes = encode(
            &|rg| {
                put::<Int32Type>(rg, &vec![rep; kpis.len()], None)?;
                put::<ByteArrayType>(rg, &self.kpi, None)?;
                put::<DoubleType>(rg, kpis, None)
            },
            &self.kpis_schema,
        )?;
        Ok(Prepared {
            daily: daily_bytes,
            kpis: kpis_bytes,
        })
    }
}

/// A row group being written into memory.
pub(super) type Rg<'a> = parquet::file::writer::SerializedRowGroupWriter<'a, Vec<u8>>;

/// A whole Parquet file in memory with one row group written by `fill`.
pub(super) fn encode(
    schema: &TypePtr,
    props: &Arc<WriterProperties>,
    fill: &dyn Fn(&mut Rg<'_>) -> parquet::errors::Result<()>,
) -> parquet::errors::Result<Vec<u8>> {
    let mut w = SerializedFileWriter::new(Vec::new(), schema.clone(), props.clone())?;
    let mut rg = w.next_row_group()?;
    fill(&mut rg)?;
    rg.close()?;
    w.into_inner()
}

fn next_column<'b>(
    rg: &'b mut Rg<'_>,
) -> parquet::errors::Result<parquet::file::writer::SerializedColumnWriter<'b>> {
    rg.next_column()?
        .ok_or_else(|| parquet::errors::ParquetError::General("too few columns".into()))
}

/// Writes the next column of `rg`: `values`, with definition levels when
/// the column is nullable.
pub(super) fn put<T: DataType>(
    rg: &mut Rg<'_>,
    values: &[T::T],
    levels: Option<&[i16]>,
) -> parquet::errors::Result<()> {
    let mut col = next_column(rg)?;
    col.typed::<T>().write_batch(values, levels, None)?;
    col.close()
}

/// The part file `index` of a table in `dir/parts`.
fn part(dir: &Path, parts: &str, index: u64) -> PathBuf {
    dir.join(parts).join(format!("{index:08}.parquet"))
}

/// Writes part files while a batch runs, one per replication.
pub(super) struct ParquetSink {
    dir: PathBuf,
    with_daily: bool,
    parts: u64,
}

impl ParquetSink {
    /// Starts empty records in `dir`.
    pub(super) fn create(dir: &Path, schema: &RecordSchema) -> Result<Self> {
        Self::reopen(dir, schema, Position::default())
    }

    /// Continues the records in `dir` after `at` parts, removing any part
    /// written after that checkpoint (and any finished table, rebuilt at the
    /// end).
    pub(super) fn reopen(dir: &Path, schema: &RecordSchema, at: Position) -> Result<Self> {
        let with_daily = schema.has_daily();
        for (parts, table) in [(DAILY_PARTS, "daily.parquet"), (KPIS_PARTS, "kpis.parquet")] {
            let folder = dir.join(parts);
            fs::create_dir_all(&folder).map_err(|e| Error::output(&folder, e))?;
            let mut i = at.kpis;
            while part(dir, parts, i).exists() {
                let p = part(dir, parts, i);
                fs::remove_file(&p).map_err(|e| Error::output(&p, e))?;
                i += 1;
            }
            let t = dir.join(table);
            if t.exists() {
                fs::remove_file(&t).map_err(|e| Error::output(&t, e))?;
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            with_daily,
            parts: at.kpis,
        })
    }

    /// Concatenates the parts of one table into `name` (through a temporary
    /// file, synced) and removes them.
    fn concat(&self, parts: &str, name: &str, schema: &TypePtr) -> Result<()> {
        let target = self.dir.join(name);
        let tmp = self.dir.join(format!("{name}.tmp"));
        let out = File::create(&tmp).map_err(|e| Error::output(&tmp, e))?;
        let props = Arc::new(
            WriterProperties::builder()
                .set_created_by(format!("borderflow {}", env!("CARGO_PKG_VERSION")))
                .set_offset_index_disabled(true)
                .build(),
        );
        let err = |e: parquet::errors::ParquetError| write_err(&target, e);
        let mut w = SerializedFileWriter::new(out, schema.clone(), props).map_err(err)?;
        for i in 0..self.parts {
            let p = part(&self.dir, parts, i);
            let input = File::open(&p).map_err(|e| Error::output(&p, e))?;
            let meta = ParquetMetaDataReader::new()
                .parse_and_finish(&input)
                .map_err(|e| bad_file(&p, e))?;
            for rg in meta.row_groups() {
                let mut out = w.next_row_group().map_err(err)?;
                for column in rg.columns() {
                    let close = ColumnCloseResult {
                        bytes_written: column.compressed_size() as u64,
                        rows_written: rg.num_rows() as u64,
                        metadata: column.clone(),
                        bloom_filter: None,
                        column_index: None,
                        offset_index: None,
                    };
                    out.append_column(&input, close).map_err(err)?;
                }
                out.close().map_err(err)?;
            }
        }
        let file = w.into_inner().map_err(err)?;
        file.sync_all().map_err(|e| Error::output(&tmp, e))?;
        fs::rename(&tmp, &target).map_err(|e| Error::output(&target, e))?;
        let folder = self.dir.join(parts);
        fs::remove_dir_all(&folder).map_err(|e| Error::output(&folder, e))
    }
}

impl RecordSink for ParquetSink {
    fn write(&mut self, rows: &Prepared) -> Result<()> {
        let mut files = vec![(KPIS_PARTS, &rows.kpis)];
        if self.with_daily {
            files.push((DAILY_PARTS, &rows.daily));
        }
        for (parts, bytes) in files {
            let p = part(&self.dir, parts, self.parts);
            // A part past the checkpoint is removed by --resume, so a part
            // cut short by a kill is never read.
            fs::write(&p, bytes).map_err(|e| Error::output(&p, e))?;
        }
        self.parts += 1;
        Ok(())
    }

    fn checkpoint(&mut self) -> Result<Position> {
        Ok(Position {
            daily: if self.with_daily { self.parts } else { 0 },
            kpis: self.parts,
        })
    }

    fn finish(self: Box<Self>) -> Result<()> {
        let schema = |text: &str| {
            parquet::schema::parser::parse_message_type(text)
                .map(Arc::new)
                .map_err(|e| Error::Other(format!("record schema: {e}")))
        };
        if self.with_daily {
            self.concat(DAILY_PARTS, "daily.parquet", &schema(DAILY_SCHEMA)?)?;
        } else {
            let folder = self.dir.join(DAILY_PARTS);
            fs::remove_dir_all(&folder).map_err(|e| Error::output(&folder, e))?;
        }
        self.concat(KPIS_PARTS, "kpis.parquet", &schema(KPIS_SCHEMA)?)
    }
}

/// The rows a finished table's footer counts; the message names the file.
pub(super) fn table_rows(path: &Path) -> Result<u64, String> {
    let name = shown(&path.display().to_string());
    let file = File::open(path).map_err(|e| format!("{name}: {e}"))?;
    let meta = ParquetMetaDataReader::new()
        .parse_and_finish(&file)
        .map_err(|e| format!("{name} is not a Parquet file: {}", shown(&e.to_string())))?;
    Ok(meta
        .row_groups()
        .iter()
        .map(|rg| u64::try_from(rg.num_rows()).unwrap_or(0))
        .sum())
}

/// Checks that the parts a checkpoint counts are all in `dir`.
pub(super) fn check_parts(dir: &Path, with_daily: bool, at: Position) -> Result<(), String> {
    let mut tables = vec![(KPIS_PARTS, at.kpis)];
    if with_daily {
        tables.push((DAILY_PARTS, at.daily));
    }
    for (parts, want) in tables {
        if let Some(i) = (0..want).find(|i| !part(dir, parts, *i).is_file()) {
            return Err(format!(
                "{parts}/ lacks part {i} of the {want} its checkpoint records: the records are \
                 damaged"
            ));
        }
    }
    Ok(())
}

/// One table being read: its files in order (the finished table, or the
/// parts of a batch in progress), one row group per replication.
struct TableReader {
    files: Vec<PathBuf>,
    schema: TypePtr,
    /// Index in `files` of `current`.
    file: usize,
    current: Option<SerializedFileReader<File>>,
    /// Next row group of `current`.
    group: usize,
    /// Row groups (replications) read [row groups].
    read: u64,
}

impl TableReader {
    fn new(dir: &Path, stage: Stage, table: &str, parts: &str, schema: TypePtr) -> Result<Self> {
        let files = match stage {
            Stage::Finished => {
                let p = dir.join(table);
                if !p.is_file() {
                    return Err(Error::Read {
                        file: shown(&p.display().to_string()),
                        source: std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "no such record file",
                        ),
                    });
                }
                vec![p]
            }
            Stage::InProgress => (0..)
                .map(|i| part(dir, parts, i))
                .take_while(|p| p.is_file())
                .collect(),
        };
        Ok(Self {
            files,
            schema,
            file: 0,
            current: None,
            group: 0,
            read: 0,
        })
    }

    /// Runs `f` on the next row group; `None` at the end of the table.
    fn next<T>(
        &mut self,
        f: impl FnOnce(&Path, &dyn RowGroupReader) -> Result<T>,
    ) -> Result<Option<T>> {
        loop {
            if self.current.is_none() {
                let Some(path) = self.files.get(self.file) else {
                    return Ok(None);
                };
                let file = File::open(path).map_err(|source| Error::Read {
                    file: shown(&path.display().to_string()),
                    source,
                })?;
                let reader = SerializedFileReader::new(file).map_err(|e| bad_file(path, e))?;
                if reader.metadata().file_metadata().schema() != self.schema.as_ref() {
                    return Err(bad_file(
                        path,
                        "its columns are not those of borderflow records",
                    ));
                }
                self.current = Some(reader);
                self.group = 0;
            }
            let (Some(reader), Some(path)) = (&self.current, self.files.get(self.file)) else {
                return Ok(None);
            };
            if self.group >= reader.num_row_groups() {
                self.current = None;
                self.file += 1;
                continue;
            }
            let rg = reader
                .get_row_group(self.group)
                .map_err(|e| bad_file(path, e))?;
            self.group += 1;
            self.read += 1;
            // The parquet crate checks what it decodes; a panic on a
            // crafted file is still turned into an input error here.
            let path = path.clone();
            return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                f(&path, rg.as_ref())
            }))
            .unwrap_or_else(|_| Err(bad_file(&path, "it cannot be decoded")))
            .map(Some);
        }
    }
}

/// Reads `n` values of column `i` of a row group whose schema was checked
/// (so the column has type `T`), with its definition levels when `levels`.
fn column<T: DataType>(
    path: &Path,
    rg: &dyn RowGroupReader,
    i: usize,
    n: usize,
    levels: bool,
) -> Result<(Vec<T::T>, Vec<i16>)> {
    let err = |e: parquet::errors::ParquetError| bad_file(path, e);
    let mut reader: ColumnReaderImpl<T> = match rg.get_column_reader(i).map_err(err)? {
        c @ (ColumnReader::Int32ColumnReader(_)
        | ColumnReader::DoubleColumnReader(_)
        | ColumnReader::ByteArrayColumnReader(_)) => {
            parquet::column::reader::get_typed_column_reader(c)
        }
        _ => return Err(bad_file(path, "a column has the wrong type")),
    };
    let mut values = Vec::with_capacity(n);
    let mut defs = Vec::new();
    let mut total = 0;
    while total < n {
        let (records, _, _) = reader
            .read_records(n - total, levels.then_some(&mut defs), None, &mut values)
            .map_err(err)?;
        if records == 0 {
            break;
        }
        total += records;
    }
    if total != n {
        return Err(bad_file(
            path,
            format!("a column holds {total} of {n} rows"),
        ));
    }
    Ok((values, defs))
}

/// The replication index of a row group's `replication` column, checked to
/// be the same on every row.
fn replication_of(path: &Path, values: &[i32]) -> Result<u64> {
    match values.first() {
        Some(&r) if values.iter().all(|v| *v == r) => Ok(u64::from(r as u32)),
        _ => Err(bad_file(path, "a row group mixes replications")),
    }
}

/// Reads `daily.parquet` and `kpis.parquet` (or their parts) back.
pub(super) struct ParquetSource {
    daily: Option<TableReader>,
    kpis: Option<TableReader>,
    cols: Columns,
    days: usize,
    metrics: usize,
}

impl ParquetSource {
    pub(super) fn open(
        dir: &Path,
        schema: &RecordSchema,
        stage: Stage,
        daily: bool,
        kpis: bool,
    ) -> Result<Self> {
        let cols = match &schema.parquet {
            Some(c) => c.clone(),
            None => Columns::new(&schema.dates, &schema.metrics, &schema.kpis)?,
        };
        Ok(Self {
            daily: match daily {
                true => Some(TableReader::new(
                    dir,
                    stage,
                    "daily.parquet",
                    DAILY_PARTS,
                    cols.daily_schema.clone(),
                )?),
                false => None,
            },
            kpis: match kpis {
                true => Some(TableReader::new(
                    dir,
                    stage,
                    "kpis.parquet",
                    KPIS_PARTS,
                    cols.kpis_schema.clone(),
                )?),
                false => None,
            },
            cols,
            days: schema.dates.len(),
            metrics: schema.metrics.len(),
        })
    }

    /// Checks one daily row group against the schema and returns its
    /// replication and values.
    fn daily_group(&self, path: &Path, rg: &dyn RowGroupReader) -> Result<(u64, DailySeries)> {
        let n = self.days * self.metrics;
        if usize::try_from(rg.metadata().num_rows()).ok() != Some(n) {
            return Err(bad_file(
                path,
                format!(
                    "a row group holds {} rows, not the {n} of one replication",
                    rg.metadata().num_rows()
                ),
            ));
        }
        let (reps, _) = column::<Int32Type>(path, rg, 0, n, false)?;
        let r = replication_of(path, &reps)?;
        let c = &self.cols;
        let same = column::<Int32Type>(path, rg, 1, n, false)?.0 == c.dates
            && column::<ByteArrayType>(path, rg, 2, n, false)?.0 == c.metric
            && column::<ByteArrayType>(path, rg, 3, n, true)?
                == (c.place.values.clone(), c.place.levels.clone())
            && column::<ByteArrayType>(path, rg, 4, n, true)?
                == (c.origin.values.clone(), c.origin.levels.clone());
        if !same {
            return Err(bad_file(
                path,
                format!(
                    "replication {r}: its dates, metrics, places or origins are not this batch's"
                ),
            ));
        }
        let (values, _) = column::<DoubleType>(path, rg, 5, n, false)?;
        let mut daily = DailySeries::new(self.days, self.metrics);
        for d in 0..self.days {
            daily
                .row_mut(d)
                .copy_from_slice(&values[d * self.metrics..(d + 1) * self.metrics]);
        }
        Ok((r, daily))
    }

    /// Checks one KPI row group and returns its replication and values.
    fn kpi_group(&self, path: &Path, rg: &dyn RowGroupReader) -> Result<(u64, Vec<f64>)> {
        let n = self.cols.kpi.len();
        if usize::try_from(rg.metadata().num_rows()).ok() != Some(n) {
            return Err(bad_file(
                path,
                format!(
                    "a row group holds {} KPIs, not {n}",
                    rg.metadata().num_rows()
                ),
            ));
        }
        let (reps, _) = column::<Int32Type>(path, rg, 0, n, false)?;
        let r = replication_of(path, &reps)?;
        if column::<ByteArrayType>(path, rg, 1, n, false)?.0 != self.cols.kpi {
            return Err(bad_file(
                path,
                format!("replication {r}: its KPIs are not this batch's"),
            ));
        }
        Ok((r, column::<DoubleType>(path, rg, 2, n, false)?.0))
    }
}

impl RecordSource for ParquetSource {
    fn next_replication(&mut self) -> Result<Option<ReadReplication>> {
        let daily = match self.daily.take() {
            Some(mut t) => {
                let d = t.next(|p, rg| self.daily_group(p, rg));
                self.daily = Some(t);
                d?
            }
            None => None,
        };
        let kpis = match self.kpis.take() {
            Some(mut t) => {
                let k = t.next(|p, rg| self.kpi_group(p, rg));
                self.kpis = Some(t);
                k?
            }
            None => None,
        };
        match (daily, kpis, self.daily.is_some(), self.kpis.is_some()) {
            (Some((r, d)), Some((k, v)), _, _) if r == k => Ok(Some((r, d, v))),
            (Some((r, d)), None, _, false) => Ok(Some((r, d, Vec::new()))),
            (None, Some((k, v)), false, _) => Ok(Some((k, DailySeries::new(0, 0), v))),
            (None, None, _, _) => Ok(None),
            _ => Err(bad(
                Path::new("kpis.parquet"),
                "the daily and KPI records do not hold the same replications",
            )),
        }
    }

    fn position(&self) -> Position {
        let at = |t: &Option<TableReader>| t.as_ref().map_or(0, |t| t.read);
        Position {
            daily: at(&self.daily),
            kpis: at(&self.kpis),
        }
    }

    fn expect_end(&mut self) -> Result<()> {
        for t in [&mut self.daily, &mut self.kpis].into_iter().flatten() {
            if t.next(|_, _| Ok(()))?.is_some() {
                let file = t.files.get(t.file).cloned().unwrap_or_default();
                return Err(bad_file(
                    &file,
                    "it holds row groups after the last replication it should have",
                ));
            }
        }
        Ok(())
    }
}
