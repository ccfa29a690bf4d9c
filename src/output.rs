//! The output contract: what a run leaves in its folder, and how it gets there
//! without ever leaving half-written results.
//!
//! | file | content |
//! |---|---|
//! | `daily.csv` | `replication,date,metric,value`: every metric of every day of every replication (tidy, long) |
//! | `daily_summary.csv` | `date,metric,mean,ci95_low,ci95_high,p05,p25,p50,p75,p95` across replications |
//! | `summary.json` | KPIs (mean, 95% CI, quantiles), seed, replications, version, scenario hash |
//! | `scenario.ron` | the fully resolved scenario that was run |
//!
//! A run writes into a hidden temporary sibling of the output folder and only
//! swaps it into place once every file is complete, so a failed or interrupted
//! run never leaves partial files and never destroys the previous results.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::stats::Summary;

/// A run's output folder under construction.
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// Starts writing results that will end up in `target`.
    pub fn create(target: &Path) -> Result<Self> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::output(&parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Other(format!("{} does not name a folder", target.display())))?;
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| Error::output(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| Error::output(&staging, e))?;
        Ok(Self {
            target: target.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// The folder files are written into until [`OutputDir::commit`].
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Path of file `name` inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Replaces `target` with the completed results: the old folder is moved
    /// aside, the new one renamed into place, then the old one removed.
    pub fn commit(mut self) -> Result<PathBuf> {
        let aside = self.staging.with_extension("old");
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &aside).map_err(|e| Error::output(&self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_old {
                let _ = fs::rename(&aside, &self.target);
            }
            return Err(Error::output(&self.target, e));
        }
        self.committed = true;
        if had_old {
            let _ = fs::remove_dir_all(&aside);
        }
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that a
/// reader never sees a partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::output(path, e)
    })
}

/// Streams `daily.csv`, one replication after the other.
pub struct DailyWriter {
    path: PathBuf,
    out: BufWriter<File>,
    buf: String,
}

impl DailyWriter {
    /// Creates `path` and writes the header.
    pub fn create(path: PathBuf) -> Result<Self> {
        let f = File::create(&path).map_err(|e| Error::output(&path, e))?;
        let mut w = Self {
            out: BufWriter::with_capacity(1 << 20, f),
            path,
            buf: String::with_capacity(1 << 16),
        };
        w.write_str("replication,date,metric,value\n")?;
        Ok(w)
    }

    fn write_str(&mut self, s: &str) -> Result<()> {
        self.out
            .write_all(s.as_bytes())
            .map_err(|e| Error::output(&self.path, e))
    }

    /// Writes one replication's rows: for each day, each metric.
    /// Metric names and dates must already be CSV-safe (see [`csv_field`]).
    pub fn write_replication(
        &mut self,
        replication: u64,
        dates: &[String],
        metrics: &[String],
        daily: &crate::metrics::DailySeries,
    ) -> Result<()> {
        use std::fmt::Write as _;
        self.buf.clear();
        for (d, date) in dates.iter().enumerate() {
            for (m, name) in metrics.iter().enumerate() {
                let _ = writeln!(self.buf, "{replication},{date},{name},{}", daily.get(d, m));
            }
            if self.buf.len() > 1 << 16 {
                let b = std::mem::take(&mut self.buf);
                self.write_str(&b)?;
                self.buf = b;
                self.buf.clear();
            }
        }
        let b = std::mem::take(&mut self.buf);
        self.write_str(&b)?;
        self.buf = b;
        Ok(())
    }

    /// Flushes and closes the file.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::output(&self.path, e))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| Error::output(&self.path, e))
    }
}

/// Quotes a CSV field if it holds a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Header of `daily_summary.csv`.
pub const DAILY_SUMMARY_HEADER: [&str; 10] = [
    "date",
    "metric",
    "mean",
    "ci95_low",
    "ci95_high",
    "p05",
    "p25",
    "p50",
    "p75",
    "p95",
];

/// Writes `daily_summary.csv` from (date, metric, summary) rows.
pub fn write_daily_summary<'a>(
    path: &Path,
    rows: impl Iterator<Item = (&'a str, &'a str, Summary)>,
) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::output(path, e))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    let err = |e: csv::Error| Error::Output {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    w.write_record(DAILY_SUMMARY_HEADER).map_err(err)?;
    for (date, metric, s) in rows {
        w.write_record([
            date.to_string(),
            metric.to_string(),
            s.mean.to_string(),
            s.ci95_low.to_string(),
            s.ci95_high.to_string(),
            s.p05.to_string(),
            s.p25.to_string(),
            s.p50.to_string(),
            s.p75.to_string(),
            s.p95.to_string(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| Error::output(path, e))
}
