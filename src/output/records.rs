//! The record files `daily.csv` and `kpis.csv`: written one replication
//! after the other, read back one replication at a time.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::write_atomic;
use crate::error::{Error, Result};
use crate::input::shown;
use crate::metrics::DailySeries;
use crate::stats::Summary;

/// Streams the per-replication records, `daily.csv` and `kpis.csv`, one
/// replication after the other.
pub struct RecordWriter {
    daily_path: PathBuf,
    kpis_path: PathBuf,
    daily: BufWriter<File>,
    kpis: BufWriter<File>,
}

/// Header of `daily.csv`.
pub const DAILY_HEADER: &str = "replication,date,metric,value\n";
/// Header of `kpis.csv`.
pub const KPIS_HEADER: &str = "replication,kpi,value\n";

impl RecordWriter {
    /// Creates both files in `dir` with their headers.
    pub fn create(dir: &Path) -> Result<Self> {
        let mut w = Self::open(dir, None)?;
        w.put_daily(DAILY_HEADER)?;
        let kp = w.kpis_path.clone();
        w.kpis
            .write_all(KPIS_HEADER.as_bytes())
            .map_err(|e| Error::output(kp, e))?;
        Ok(w)
    }

    /// Reopens both files in `dir` for appending after truncating them to the
    /// lengths a checkpoint recorded (dropping a partly written replication).
    pub fn reopen(dir: &Path, daily_bytes: u64, kpis_bytes: u64) -> Result<Self> {
        Self::open(dir, Some((daily_bytes, kpis_bytes)))
    }

    fn open(dir: &Path, truncate_to: Option<(u64, u64)>) -> Result<Self> {
        let daily_path = dir.join("daily.csv");
        let kpis_path = dir.join("kpis.csv");
        let open = |p: &Path, len: Option<u64>| -> Result<File> {
            let f = match len {
                None => File::create(p),
                Some(n) => fs::OpenOptions::new().write(true).open(p).and_then(|f| {
                    f.set_len(n)?;
                    Ok(f)
                }),
            }
            .map_err(|e| Error::output(p, e))?;
            let mut f = f;
            use std::io::Seek;
            f.seek(std::io::SeekFrom::End(0))
                .map_err(|e| Error::output(p, e))?;
            Ok(f)
        };
        let daily = open(&daily_path, truncate_to.map(|t| t.0))?;
        let kpis = open(&kpis_path, truncate_to.map(|t| t.1))?;
        Ok(Self {
            daily: BufWriter::with_capacity(1 << 20, daily),
            kpis: BufWriter::new(kpis),
            daily_path,
            kpis_path,
        })
    }

    fn put_daily(&mut self, s: &str) -> Result<()> {
        self.daily
            .write_all(s.as_bytes())
            .map_err(|e| Error::output(&self.daily_path, e))
    }

    /// Writes one replication's rows, formatted by [`ReplicationRows::format`]
    /// (on a worker thread, during a run).
    pub fn write_rows(&mut self, rows: &ReplicationRows) -> Result<()> {
        self.put_daily(&rows.daily)?;
        self.kpis
            .write_all(rows.kpis.as_bytes())
            .map_err(|e| Error::output(&self.kpis_path, e))
    }

    /// Flushes both files and returns their lengths [bytes].
    pub fn flush(&mut self) -> Result<(u64, u64)> {
        self.daily
            .flush()
            .map_err(|e| Error::output(&self.daily_path, e))?;
        self.kpis
            .flush()
            .map_err(|e| Error::output(&self.kpis_path, e))?;
        let len = |f: &BufWriter<File>, p: &Path| {
            f.get_ref()
                .metadata()
                .map(|m| m.len())
                .map_err(|e| Error::output(p, e))
        };
        Ok((
            len(&self.daily, &self.daily_path)?,
            len(&self.kpis, &self.kpis_path)?,
        ))
    }

    /// Flushes, syncs and closes both files.
    pub fn finish(mut self) -> Result<()> {
        self.flush()?;
        self.daily
            .get_ref()
            .sync_all()
            .map_err(|e| Error::output(&self.daily_path, e))?;
        self.kpis
            .get_ref()
            .sync_all()
            .map_err(|e| Error::output(&self.kpis_path, e))
    }
}

/// One replication's CSV rows, formatted as they will be written.
#[derive(Debug, Clone, Default)]
pub struct ReplicationRows {
    /// Its `daily.csv` rows.
    pub daily: String,
    /// Its `kpis.csv` rows.
    pub kpis: String,
}

impl ReplicationRows {
    /// Formats replication `replication`'s rows; names must be CSV-safe.
    pub fn format(
        replication: u64,
        dates: &[String],
        metrics: &[String],
        kpi_names: &[String],
        daily: &DailySeries,
        kpis: &[f64],
    ) -> Self {
        use std::fmt::Write as _;
        let mut out = Self {
            daily: String::with_capacity(dates.len() * metrics.len() * 32),
            kpis: String::new(),
        };
        for (d, date) in dates.iter().enumerate() {
            for (m, name) in metrics.iter().enumerate() {
                let _ = writeln!(out.daily, "{replication},{date},{name},{}", daily.get(d, m));
            }
        }
        for (name, v) in kpi_names.iter().zip(kpis) {
            let _ = writeln!(out.kpis, "{replication},{name},{v}");
        }
        out
    }
}

/// Reads `daily.csv` and `kpis.csv` back, one replication at a time, checking
/// that they hold exactly the expected dates, metrics and KPIs in order. Any
/// deviation is an error naming the file and row (exit code 2): record files
/// may come from elsewhere (a shard copied from a cluster) and are input.
pub struct RecordReader {
    daily: csv::Reader<File>,
    kpis: csv::Reader<File>,
    daily_path: PathBuf,
    kpis_path: PathBuf,
    dates: Vec<String>,
    metrics: Vec<String>,
    kpi_names: Vec<String>,
    row: csv::StringRecord,
}

impl RecordReader {
    /// Opens the records in `dir` of a batch with these dates, metric names
    /// and KPI names (the names themselves, not CSV-quoted).
    pub fn open(
        dir: &Path,
        dates: &[String],
        metrics: &[String],
        kpi_names: &[String],
    ) -> Result<Self> {
        let open = |name: &str, header: &str| -> Result<(csv::Reader<File>, PathBuf)> {
            let p = dir.join(name);
            let f = File::open(&p).map_err(|source| Error::Read {
                file: shown(&p.display().to_string()),
                source,
            })?;
            let mut r = csv::Reader::from_reader(f);
            let expected: Vec<&str> = header.trim_end().split(',').collect();
            let found = r.headers().map_err(|e| Self::bad(&p, e.to_string()))?;
            if found.iter().collect::<Vec<_>>() != expected {
                return Err(Self::bad(
                    &p,
                    format!("its header is not `{}`", header.trim_end()),
                ));
            }
            Ok((r, p))
        };
        let (daily, daily_path) = open("daily.csv", DAILY_HEADER)?;
        let (kpis, kpis_path) = open("kpis.csv", KPIS_HEADER)?;
        Ok(Self {
            daily,
            kpis,
            daily_path,
            kpis_path,
            dates: dates.to_vec(),
            metrics: metrics.to_vec(),
            kpi_names: kpi_names.to_vec(),
            row: csv::StringRecord::new(),
        })
    }

    fn bad(path: &Path, what: String) -> Error {
        Error::Scenario {
            file: shown(&path.display().to_string()),
            message: format!("not a complete borderflow record file: {}", shown(&what)),
        }
    }

    /// The next replication's index, daily table and KPIs; `None` at the end.
    pub fn next_replication(&mut self) -> Result<Option<(u64, DailySeries, Vec<f64>)>> {
        let mut daily = DailySeries::new(self.dates.len(), self.metrics.len());
        let mut replication: Option<u64> = None;
        for d in 0..self.dates.len() {
            for m in 0..self.metrics.len() {
                let more = self
                    .daily
                    .read_record(&mut self.row)
                    .map_err(|e| Self::bad(&self.daily_path, e.to_string()))?;
                if !more {
                    if d == 0 && m == 0 {
                        return Ok(None);
                    }
                    return Err(Self::bad(
                        &self.daily_path,
                        "it ends inside a replication".into(),
                    ));
                }
                let field = |i: usize| self.row.get(i).unwrap_or("");
                let r = field(0).parse::<u64>().ok();
                if r.is_none()
                    || *replication.get_or_insert(r.unwrap_or(0)) != r.unwrap_or(0)
                    || field(1) != self.dates[d]
                    || field(2) != self.metrics[m]
                {
                    return Err(Self::bad(
                        &self.daily_path,
                        format!(
                            "line {}: expected replication {}, date {}, metric {}",
                            self.row.position().map_or(0, |p| p.line()),
                            replication.map_or("?".into(), |r| r.to_string()),
                            self.dates[d],
                            self.metrics[m]
                        ),
                    ));
                }
                let v: f64 = field(3).parse().map_err(|_| {
                    Self::bad(&self.daily_path, format!("bad value {:?}", field(3)))
                })?;
                daily.row_mut(d)[m] = v;
            }
        }
        let mut kpis = Vec::with_capacity(self.kpi_names.len());
        for (k, name) in self.kpi_names.iter().enumerate() {
            let more = self
                .kpis
                .read_record(&mut self.row)
                .map_err(|e| Self::bad(&self.kpis_path, e.to_string()))?;
            if !more && k == 0 && replication.is_none() {
                // The end of a batch without daily metrics (a sweep).
                return Ok(None);
            }
            let field = |i: usize| self.row.get(i).unwrap_or("");
            if more && replication.is_none() {
                replication = field(0).parse::<u64>().ok();
            }
            if !more || field(1) != name || field(0).parse::<u64>().ok() != replication {
                return Err(Self::bad(
                    &self.kpis_path,
                    format!(
                        "expected {name} of replication {}",
                        replication.map_or("?".into(), |r| r.to_string())
                    ),
                ));
            }
            kpis.push(
                field(2)
                    .parse()
                    .map_err(|_| Self::bad(&self.kpis_path, format!("bad value {:?}", field(2))))?,
            );
        }
        Ok(replication.map(|r| (r, daily, kpis)))
    }

    /// Byte offsets in `daily.csv` and `kpis.csv` just after what was read.
    pub fn positions(&self) -> (u64, u64) {
        (self.daily.position().byte(), self.kpis.position().byte())
    }

    /// Checks that both files end here: nothing follows the replications
    /// read (rows appended to a shard's records are refused, not merged).
    pub fn expect_end(&mut self) -> Result<()> {
        for (reader, path) in [
            (&mut self.daily, &self.daily_path),
            (&mut self.kpis, &self.kpis_path),
        ] {
            let more = reader
                .read_record(&mut self.row)
                .map_err(|e| Self::bad(path, e.to_string()))?;
            if more {
                return Err(Self::bad(
                    path,
                    "it holds rows after the last replication it should have".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Quotes a CSV field where needed (a comma, quote or line break in it), by
/// the csv crate, whose readers undo exactly this.
pub fn csv_field(s: &str) -> String {
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

/// Writes `daily_summary.csv` (`date,metric,mean,ci95_low,ci95_high,p05,
/// p25,p50,p75,p95`) from (date, metric, summary) rows; metric names must
/// already be CSV-safe (see [`csv_field`]).
pub fn write_daily_summary<'a>(
    path: &Path,
    rows: impl Iterator<Item = (&'a str, &'a str, Summary)>,
) -> Result<()> {
    use std::fmt::Write as _;
    let mut text = format!("date,metric,{}\n", Summary::CSV_HEADER);
    for (date, metric, s) in rows {
        let _ = writeln!(text, "{date},{metric},{}", s.csv_fields());
    }
    write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn fields_are_quoted_where_needed() {
        assert_eq!(csv_field("usbp"), "usbp");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("\"Exodo\""), "\"\"\"Exodo\"\"\"");
        assert_eq!(csv_field("x\ny"), "\"x\ny\"");
    }
}
