//! The CSV record store: `daily.csv` and `kpis.csv`, appended to one
//! replication after the other; a position is the files' lengths [bytes].

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{Position, Prepared, ReadReplication, RecordSchema, RecordSink, RecordSource, bad};
use crate::error::{Error, Result};
use crate::input::shown;
use crate::metrics::{DailySeries, MetricSpec};
use crate::output::write_atomic;
use crate::stats::Summary;

/// Header of `daily.csv`.
pub const DAILY_HEADER: &str = "replication,date,metric,place,origin,value\n";
/// Header of `kpis.csv`.
pub const KPIS_HEADER: &str = "replication,kpi,value\n";

/// Fewest bytes one daily row can take (`0,2023-01-01,m,,,0.0` and a line
/// break): a shard whose `daily.csv` is smaller than its claimed rows × this
/// is refused before anything is sized by its description.
pub(super) const MIN_DAILY_ROW_BYTES: u64 = 21;

/// Fewest bytes one KPI row can take (`0,k,0.0` and a line break).
pub(super) const MIN_KPI_ROW_BYTES: u64 = 8;

/// The text repeated on every row, built once per batch: dates, and each
/// metric's `metric,place,origin` fields (quoted where needed).
pub(super) struct CsvText {
    dates: Vec<String>,
    metric_fields: Vec<String>,
    kpi_fields: Vec<String>,
}

/// A metric's `metric,place,origin` CSV fields (place and origin empty
/// where the metric has none).
pub fn metric_fields(m: &MetricSpec) -> String {
    format!(
        "{},{},{}",
        csv_field(&m.record_name()),
        csv_field(m.place.as_deref().unwrap_or("")),
        csv_field(m.origin.as_deref().unwrap_or(""))
    )
}

impl CsvText {
    pub(super) fn new(dates: &[NaiveDate], metrics: &[MetricSpec], kpis: &[String]) -> Self {
        Self {
            dates: dates.iter().map(NaiveDate::to_string).collect(),
            metric_fields: metrics.iter().map(metric_fields).collect(),
            kpi_fields: kpis.iter().map(|k| csv_field(k)).collect(),
        }
    }

    /// One replication's rows. Fixed text is copied, only the replication
    /// and the value are formatted: no allocation per row. A value is
    /// written by `{:?}`, the shortest text that reads back to the same
    /// `f64` and always has a fraction or exponent (`12.0`, `1e-7`).
    pub(super) fn prepare(
        &self,
        with_daily: bool,
        replication: u64,
        daily: &DailySeries,
        kpis: &[f64],
    ) -> Prepared {
        let rep = format!("{replication},");
        let mut text = String::new();
        if with_daily {
            // ≈ 40 bytes a row in the border model.
            text.reserve(self.dates.len() * self.metric_fields.len() * 48);
            for (d, date) in self.dates.iter().enumerate() {
                for (fields, v) in self.metric_fields.iter().zip(daily.row(d)) {
                    text.push_str(&rep);
                    text.push_str(date);
                    text.push(',');
                    text.push_str(fields);
                    let _ = writeln!(text, ",{v:?}");
                }
            }
        }
        let mut k = String::with_capacity(self.kpi_fields.len() * 40);
        for (name, v) in self.kpi_fields.iter().zip(kpis) {
            k.push_str(&rep);
            k.push_str(name);
            let _ = writeln!(k, ",{v:?}");
        }
        Prepared {
            daily: text.into_bytes(),
            kpis: k.into_bytes(),
        }
    }
}

/// An open record file being appended to.
struct Appender {
    path: PathBuf,
    file: BufWriter<File>,
}

impl Appender {
    /// Creates `path` with `header`, or reopens it truncated to `len` [bytes].
    fn open(path: PathBuf, header: &str, len: Option<u64>) -> Result<Self> {
        let file = match len {
            None => File::create(&path),
            Some(n) => fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| {
                    f.set_len(n)?;
                    Ok(f)
                }),
        }
        .and_then(|mut f| f.seek(std::io::SeekFrom::End(0)).map(|_| f))
        .map_err(|e| Error::output(&path, e))?;
        let mut a = Self {
            path,
            file: BufWriter::with_capacity(1 << 20, file),
        };
        if len.is_none() {
            a.put(header.as_bytes())?;
        }
        Ok(a)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .map_err(|e| Error::output(&self.path, e))
    }

    /// Flushes to the kernel and returns the length [bytes].
    fn flush(&mut self) -> Result<u64> {
        self.file
            .flush()
            .map_err(|e| Error::output(&self.path, e))?;
        self.file
            .get_ref()
            .metadata()
            .map(|m| m.len())
            .map_err(|e| Error::output(&self.path, e))
    }

    fn sync(mut self) -> Result<()> {
        self.flush()?;
        self.file
            .get_ref()
            .sync_all()
            .map_err(|e| Error::output(&self.path, e))
    }
}

/// Appends to `daily.csv` (when the batch has daily metrics) and `kpis.csv`.
pub(super) struct CsvSink {
    daily: Option<Appender>,
    kpis: Appender,
}

impl CsvSink {
    /// Creates both files in `dir` with their headers.
    pub(super) fn create(dir: &Path, with_daily: bool) -> Result<Self> {
        Self::open(dir, with_daily, None)
    }

    /// Reopens both files in `dir` truncated to checkpoint `at` (dropping a
    /// partly written replication).
    pub(super) fn reopen(dir: &Path, with_daily: bool, at: Position) -> Result<Self> {
        Self::open(dir, with_daily, Some(at))
    }

    fn open(dir: &Path, with_daily: bool, at: Option<Position>) -> Result<Self> {
        let daily = if with_daily {
            let p = dir.join("daily.csv");
            Some(Appender::open(p, DAILY_HEADER, at.map(|a| a.daily))?)
        } else {
            None
        };
        let kpis = Appender::open(dir.join("kpis.csv"), KPIS_HEADER, at.map(|a| a.kpis))?;
        Ok(Self { daily, kpis })
    }
}

impl RecordSink for CsvSink {
    fn write(&mut self, rows: &Prepared) -> Result<()> {
        if let Some(d) = &mut self.daily {
            d.put(&rows.daily)?;
        }
        self.kpis.put(&rows.kpis)
    }

    fn checkpoint(&mut self) -> Result<Position> {
        let daily = match &mut self.daily {
            Some(d) => d.flush()?,
            None => 0,
        };
        Ok(Position {
            daily,
            kpis: self.kpis.flush()?,
        })
    }

    fn finish(self: Box<Self>) -> Result<()> {
        if let Some(d) = self.daily {
            d.sync()?;
        }
        self.kpis.sync()
    }
}

/// Checks that the CSV files in `dir` are at least as long as checkpoint
/// `at` says.
pub(super) fn check_lengths(dir: &Path, with_daily: bool, at: Position) -> Result<(), String> {
    let mut files = vec![("kpis.csv", at.kpis)];
    if with_daily {
        files.push(("daily.csv", at.daily));
    }
    for (name, want) in files {
        let have = fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0);
        if have < want {
            return Err(format!(
                "{name} has {have} bytes, fewer than the {want} its checkpoint records: the \
                 records are damaged"
            ));
        }
    }
    Ok(())
}

/// One CSV record file being read.
struct Table {
    reader: csv::Reader<File>,
    path: PathBuf,
}

impl Table {
    /// Opens `dir/name` and checks its header.
    fn open(dir: &Path, name: &str, header: &str) -> Result<Self> {
        let path = dir.join(name);
        let f = File::open(&path).map_err(|source| Error::Read {
            file: shown(&path.display().to_string()),
            source,
        })?;
        let mut reader = csv::Reader::from_reader(f);
        let expected: Vec<&str> = header.trim_end().split(',').collect();
        let found = reader.headers().map_err(|e| bad(&path, e))?;
        if found.iter().collect::<Vec<_>>() != expected {
            return Err(bad(
                &path,
                format!("its header is not `{}`", header.trim_end()),
            ));
        }
        Ok(Self { reader, path })
    }

    /// Reads the next row into `row`; false at the end.
    fn next(&mut self, row: &mut csv::StringRecord) -> Result<bool> {
        self.reader.read_record(row).map_err(|e| bad(&self.path, e))
    }
}

/// Reads `daily.csv` and `kpis.csv` back one replication at a time.
pub(super) struct CsvSource {
    daily: Option<Table>,
    kpis: Option<Table>,
    dates: Vec<String>,
    metrics: Vec<MetricSpec>,
    kpi_names: Vec<String>,
    row: csv::StringRecord,
}

impl CsvSource {
    pub(super) fn open(dir: &Path, schema: &RecordSchema, daily: bool, kpis: bool) -> Result<Self> {
        Ok(Self {
            daily: if daily {
                Some(Table::open(dir, "daily.csv", DAILY_HEADER)?)
            } else {
                None
            },
            kpis: if kpis {
                Some(Table::open(dir, "kpis.csv", KPIS_HEADER)?)
            } else {
                None
            },
            dates: schema.dates.iter().map(NaiveDate::to_string).collect(),
            metrics: schema.metrics.clone(),
            kpi_names: schema.kpis.clone(),
            row: csv::StringRecord::new(),
        })
    }

    /// Reads one replication's daily rows into a table; `None` at the end.
    fn read_daily(&mut self) -> Result<Option<(u64, DailySeries)>> {
        let Some(t) = &mut self.daily else {
            return Ok(None);
        };
        let mut daily = DailySeries::new(self.dates.len(), self.metrics.len());
        let mut replication: Option<u64> = None;
        for (d, date) in self.dates.iter().enumerate() {
            for (m, spec) in self.metrics.iter().enumerate() {
                if !t.next(&mut self.row)? {
                    if d == 0 && m == 0 {
                        return Ok(None);
                    }
                    return Err(bad(&t.path, "it ends inside a replication"));
                }
                let f = |i: usize| self.row.get(i).unwrap_or("");
                let r = f(0).parse::<u64>().ok();
                if r.is_none()
                    || *replication.get_or_insert(r.unwrap_or(0)) != r.unwrap_or(0)
                    || f(1) != date
                    || f(2) != spec.record_name()
                    || f(3) != spec.place.as_deref().unwrap_or("")
                    || f(4) != spec.origin.as_deref().unwrap_or("")
                {
                    return Err(bad(
                        &t.path,
                        format!(
                            "line {}: expected replication {}, date {date}, metric {}",
                            self.row.position().map_or(0, |p| p.line()),
                            replication.map_or("?".into(), |r| r.to_string()),
                            spec.key()
                        ),
                    ));
                }
                daily.row_mut(d)[m] = f(5)
                    .parse()
                    .map_err(|_| bad(&t.path, format!("bad value {:?}", f(5))))?;
            }
        }
        Ok(replication.map(|r| (r, daily)))
    }

    /// Reads replication `replication`'s KPI rows (the first one found when
    /// `None`); `None` at the end of the file.
    fn read_kpis(&mut self, mut replication: Option<u64>) -> Result<Option<(u64, Vec<f64>)>> {
        let Some(t) = &mut self.kpis else {
            return Ok(replication.map(|r| (r, Vec::new())));
        };
        let mut kpis = Vec::with_capacity(self.kpi_names.len());
        for (k, name) in self.kpi_names.iter().enumerate() {
            let more = t.next(&mut self.row)?;
            if !more && k == 0 && replication.is_none() {
                return Ok(None);
            }
            let f = |i: usize| self.row.get(i).unwrap_or("");
            if more && replication.is_none() {
                replication = f(0).parse::<u64>().ok();
            }
            if !more || f(1) != name || f(0).parse::<u64>().ok() != replication {
                return Err(bad(
                    &t.path,
                    format!(
                        "expected {name} of replication {}",
                        replication.map_or("?".into(), |r| r.to_string())
                    ),
                ));
            }
            kpis.push(
                f(2).parse()
                    .map_err(|_| bad(&t.path, format!("bad value {:?}", f(2))))?,
            );
        }
        Ok(replication.map(|r| (r, kpis)))
    }
}

impl RecordSource for CsvSource {
    fn next_replication(&mut self) -> Result<Option<ReadReplication>> {
        let (replication, daily) = match self.read_daily()? {
            Some((r, d)) => (Some(r), d),
            None if self.daily.is_some() => {
                // The daily table ended: so must the KPIs.
                self.expect_end()?;
                return Ok(None);
            }
            None => (None, DailySeries::new(0, 0)),
        };
        let Some((r, kpis)) = self.read_kpis(replication)? else {
            return Ok(None);
        };
        Ok(Some((r, daily, kpis)))
    }

    fn position(&self) -> Position {
        let at = |t: &Option<Table>| t.as_ref().map_or(0, |t| t.reader.position().byte());
        Position {
            daily: at(&self.daily),
            kpis: at(&self.kpis),
        }
    }

    fn expect_end(&mut self) -> Result<()> {
        for t in [&mut self.daily, &mut self.kpis].into_iter().flatten() {
            if t.next(&mut self.row)? {
                return Err(bad(
                    &t.path,
                    "it holds rows after the last replication it should have",
                ));
            }
        }
        Ok(())
    }
}

/// Quotes a CSV field where needed (a comma, quote or line break in it), by
/// the csv crate, whose readers undo exactly this.
pub fn csv_field(s: &str) -> String {
    // Alone in a record, an empty field is quoted (`""`) so that the line is
    // not blank; within a row it needs nothing.
    if s.is_empty() {
        return String::new();
    }
    // Most names need no quotes: the csv crate quotes only a field holding
    // a delimiter, a quote or a line break (and the writer is costly to
    // build per field).
    if !s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        return s.to_string();
    }
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into memory cannot fail. A field is closed (its closing quote
    // written) only with its record, whose line break is then dropped.
    let _ = w.write_record([s]);
    let mut text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    text.pop();
    text
}

/// Writes `daily_summary.csv` (`date,metric,place,origin,mean,ci95_low,
/// ci95_high,p05,p25,p50,p75,p95`) from (date, metric, summary) rows.
pub fn write_daily_summary(
    path: &Path,
    dates: &[String],
    metrics: &[MetricSpec],
    summaries: &[Summary],
) -> Result<()> {
    // Each metric's fields are quoted once, not once per day: the table has
    // days × metrics rows (21,930 for a 12-year M/M/c run).
    let fields: Vec<String> = metrics.iter().map(metric_fields).collect();
    let mut text = String::with_capacity(64 + summaries.len() * 120);
    text.push_str("date,metric,place,origin,");
    text.push_str(Summary::CSV_HEADER);
    text.push('\n');
    for (i, s) in summaries.iter().enumerate() {
        let (Some(date), Some(f)) = (
            dates.get(i / fields.len().max(1)),
            fields.get(i % fields.len().max(1)),
        ) else {
            break;
        };
        text.push_str(date);
        text.push(',');
        text.push_str(f);
        text.push(',');
        s.push_csv_fields(&mut text);
        text.push('\n');
    }
    write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{MetricKind, Unit};

    #[test]
    fn fields_are_quoted_where_needed() {
        assert_eq!(csv_field("usbp"), "usbp");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("\"Exodo\""), "\"\"\"Exodo\"\"\"");
        assert_eq!(csv_field("x\ny"), "\"x\ny\"");
        assert_eq!(csv_field(""), "");
    }

    /// Every value is written with a fraction or an exponent, so a CSV
    /// reader infers floats from the first row, and reads back exactly.
    #[test]
    fn values_are_floats_and_round_trip() {
        let m = MetricSpec::new("q", Unit::Persons, MetricKind::Count, "Q").at("A, B");
        let date = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
        let text = CsvText::new(&[date], std::slice::from_ref(&m), &["k".into()]);
        let mut daily = DailySeries::new(1, 1);
        for v in [12.0, 0.1 + 0.2, 1e-7, 3e20, -0.0] {
            daily.row_mut(0)[0] = v;
            let rows = text.prepare(true, 3, &daily, &[v]);
            let line = String::from_utf8(rows.daily).unwrap_or_default();
            let value = line.trim_end().rsplit(',').next().unwrap_or("");
            assert!(value.contains(['.', 'e']), "{line}");
            assert_eq!(value.parse::<f64>().ok(), Some(v), "{line}");
            assert!(line.starts_with("3,2023-01-01,q,\"A, B\",,"), "{line}");
        }
    }
}
