//! Parameter uncertainty: a posterior sample of scenario parameters
//! (`posterior.csv`, written by `borderflow calibrate`), and the experiment
//! that runs each replication with the parameters of one draw from it.
//!
//! ```text
//!   posterior.csv ──► Posterior ──draw_for(seed, r)──► draw d
//!   base scenario value ──set d's values──► Scenario::from_value ──► replication r
//! ```
//!
//! The file is a CSV with the header `draw,weight,<scenario path>,…`: `draw`
//! numbers the rows 0..n−1 in order, `weight` is a finite non-negative
//! (not necessarily normalised) weight, and every other column is a
//! scenario path under `model.` as `--set PATH=VALUE` takes it, each cell a
//! RON value (`32000`, `0.25`).
//!
//! Why the draw is a function of (seed, replication) and nothing else: a
//! replication's parameters then do not depend on the thread that ran it,
//! on the order replications finished, on the shard or on a resume, so the
//! same seed still gives the same bytes; and the arms of a comparison, which
//! share (seed, replication), share the draw too, so their differences stay
//! paired. The draw comes from its own named random stream, so the model's
//! streams — and the common random numbers across draws — are untouched.

mod experiment;

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rand::Rng;
use rayon::prelude::*;
use ron::Value;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Problem, Result};
use crate::input::shown;
use crate::scenario::Scenario;
use crate::scenario::path::{ScenarioPath, Step};
pub use experiment::PosteriorExperiment;

/// The posterior's file name, in a calibration folder and in a results
/// folder (the copy saved with a batch).
pub const FILE: &str = "posterior.csv";

/// The table `replication,draw` saved with a batch run under a posterior, to
/// join the records to the parameters of their draws.
pub const DRAWS_FILE: &str = "draws.csv";

/// The random stream the draw of a replication comes from.
const STREAM: &str = "posterior";

/// Most problems listed in one error; the rest are counted. A file broken
/// on every row should not print a hundred thousand lines.
const MAX_PROBLEMS_SHOWN: usize = 20;

/// Deepest nesting accepted in a cell's RON value (as in scenarios).
const MAX_NESTING: usize = 64;

/// One draw of the posterior: a weighted set of parameter values.
#[derive(Debug, Clone)]
struct Draw {
    /// Line of the file where its row starts [1-based].
    line: u64,
    /// Its values, one per column of [`Posterior::paths`].
    values: Vec<Value>,
}

/// A validated posterior sample: parameter values by draw, with weights.
#[derive(Debug, Clone)]
pub struct Posterior {
    /// The file read, as messages and labels name it.
    file: String,
    /// Where it was read from (an output folder holding it is never
    /// replaced).
    path: PathBuf,
    /// Its text, saved with a batch's results.
    text: String,
    /// SHA-256 of the text (hex).
    sha256: String,
    /// The scenario paths of the parameter columns, in column order.
    paths: Vec<String>,
    draws: Vec<Draw>,
    /// Running sums of the weights, one per draw: draw i covers
    /// `[cumulative[i-1], cumulative[i])`.
    cumulative: Vec<f64>,
    /// The last draw with a positive weight (where rounding at the top end
    /// of the last interval lands).
    last_positive: usize,
}

/// What identifies the posterior a batch ran under, in its header
/// (`summary.json`, `shard.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PosteriorId {
    /// The file as the command was given it, for labels.
    pub file: String,
    /// SHA-256 of the file's bytes (hex).
    pub sha256: String,
    /// Draws (rows) in it.
    pub draws: u64,
}

impl PartialEq for PosteriorId {
    /// The same posterior read from another path (a cluster node's copy) is
    /// the same batch: only the content counts.
    fn eq(&self, other: &Self) -> bool {
        self.sha256 == other.sha256 && self.draws == other.draws
    }
}

/// What every interval of a batch contains: replications that differ in
/// their random numbers only, or, under a posterior, in their parameters
/// too. The one place this label is written (terminal, `--json`,
/// `summary.json`, reports).
pub fn uncertainty(posterior: Option<&PosteriorId>) -> String {
    match posterior {
        None => "Monte Carlo only, parameters fixed".into(),
        Some(p) => format!(
            "parameter + Monte Carlo uncertainty (posterior: {}, {} draw{})",
            shown(&p.file),
            p.draws,
            if p.draws == 1 { "" } else { "s" }
        ),
    }
}

impl Posterior {
    /// Reads and checks a posterior: the file `path`, or `<path>/posterior.csv`
    /// when `path` is a folder (a calibration's). Every problem of the file
    /// is listed at once, each with `file:line` and its column (exit code 2).
    pub fn from_path(path: &Path) -> Result<Self> {
        let path = if path.is_dir() {
            path.join(FILE)
        } else {
            path.to_path_buf()
        };
        let text = crate::input::read_text(&path, crate::input::MAX_INPUT_BYTES)?;
        Self::from_text(text, &path)
    }

    /// Checks the text of a posterior read from `path`.
    fn from_text(text: String, path: &Path) -> Result<Self> {
        let file = shown(&path.display().to_string());
        let mut found = Found {
            file: file.clone(),
            problems: Vec::new(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => return Err(not_csv(&file, &e)),
            None => {
                found.at(
                    1,
                    "",
                    "empty file; expected the header `draw,weight,<scenario path>,…` and one row per draw",
                );
                return Err(found.into_error());
            }
        };
        let paths: Vec<String> = header.iter().skip(2).map(str::to_string).collect();
        check_header(&header, &mut found);
        let mut draws = Vec::new();
        let mut weights = Vec::new();
        for record in records {
            let record = record.map_err(|e| not_csv(&file, &e))?;
            let line = record.position().map_or(0, |p| p.line());
            let n = draws.len() as u64;
            if record.len() != header.len() {
                found.at(
                    line,
                    "",
                    format!(
                        "{} cells, but the header has {}",
                        record.len(),
                        header.len()
                    ),
                );
                continue;
            }
            match record[0].parse::<u64>() {
                Ok(d) if d == n => {}
                _ => found.at(
                    line,
                    "draw",
                    format!(
                        "\"{}\" where draw {n} belongs: draws are numbered 0, 1, 2, … in row order",
                        shown(&record[0])
                    ),
                ),
            }
            let weight = match record[1].parse::<f64>() {
                Ok(w) if w.is_finite() && w >= 0.0 => w,
                _ => {
                    found.at(
                        line,
                        "weight",
                        format!("\"{}\" is not a finite number ≥ 0", shown(&record[1])),
                    );
                    0.0
                }
            };
            let mut values = Vec::with_capacity(paths.len());
            for (column, cell) in paths.iter().zip(record.iter().skip(2)) {
                match parse_cell(cell) {
                    Ok(v) => values.push(v),
                    Err(why) => found.at(line, column, why),
                }
            }
            weights.push(weight);
            draws.push(Draw { line, values });
        }
        if draws.is_empty() && found.problems.is_empty() {
            found.at(2, "", "no draws: the header is followed by no rows");
        }
        let cumulative: Vec<f64> = weights
            .iter()
            .scan(0.0, |sum, w| {
                *sum += w;
                Some(*sum)
            })
            .collect();
        let total = cumulative.last().copied().unwrap_or(0.0);
        if !draws.is_empty() && found.problems.is_empty() && !(total > 0.0 && total.is_finite()) {
            let line = draws.last().map_or(2, |d| d.line);
            found.at(
                line,
                "weight",
                format!(
                    "the weights sum to {total}; at least one must be positive, and their sum finite"
                ),
            );
        }
        if !found.problems.is_empty() {
            return Err(found.into_error());
        }
        Ok(Self {
            sha256: crate::scenario::sha256_hex(text.as_bytes()),
            file,
            path: path.to_path_buf(),
            text,
            paths,
            last_positive: weights.iter().rposition(|w| *w > 0.0).unwrap_or(0),
            draws,
            cumulative,
        })
    }

    /// Number of draws.
    pub fn len(&self) -> usize {
        self.draws.len()
    }

    /// Whether it has no draws (never, once checked).
    pub fn is_empty(&self) -> bool {
        self.draws.is_empty()
    }

    /// The scenario paths it sets, in column order.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// The file's text, saved with a batch's results as [`FILE`].
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What identifies it in a batch's header.
    pub fn id(&self) -> PosteriorId {
        PosteriorId {
            file: self.file.clone(),
            sha256: self.sha256.clone(),
            draws: self.draws.len() as u64,
        }
    }

    /// The draw replication `replication` under master seed `seed` uses: a
    /// categorical draw by weight, from the replication's stream
    /// `"posterior"`. A draw of weight 0 is never chosen.
    ///
    /// Cost: one stream derivation (a SHA-256) and a binary search,
    /// O(log draws).
    pub fn draw_for(&self, seed: u64, replication: u64) -> usize {
        let mut rng = crate::rng::stream(seed, replication, STREAM);
        // 53 random bits make a uniform number in [0, 1), spelled out so the
        // draw does not depend on how a rand version converts to floats.
        let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let target = u * total;
        // The first draw whose interval ends above the target; its weight is
        // positive, since its interval is not empty.
        let i = self.cumulative.partition_point(|c| *c <= target);
        i.min(self.last_positive)
    }

    /// The draws replications `range` use under `seed`, in increasing
    /// order without repeats. Computed in parallel; a set, so the result
    /// does not depend on the thread count.
    pub fn draws_used(&self, seed: u64, range: Range<u64>) -> Vec<usize> {
        range
            .into_par_iter()
            .fold(BTreeSet::new, |mut set, r| {
                set.insert(self.draw_for(seed, r));
                set
            })
            .reduce(BTreeSet::new, |mut a, b| {
                a.extend(b);
                a
            })
            .into_iter()
            .collect()
    }

    /// `draws.csv` of a batch of `replications` under `seed`: the draw of
    /// every replication, `replication,draw`.
    pub fn draws_csv(&self, seed: u64, replications: u64) -> String {
        let draws: Vec<usize> = (0..replications)
            .into_par_iter()
            .map(|r| self.draw_for(seed, r))
            .collect();
        let mut out = String::with_capacity(16 + draws.len() * 8);
        out.push_str("replication,draw\n");
        for (r, d) in draws.iter().enumerate() {
            out.push_str(&format!("{r},{d}\n"));
        }
        out
    }

    /// How messages name draw `draw`: the file, the line of its row and the
    /// draw.
    pub fn row_label(&self, draw: usize) -> String {
        let line = self.draws.get(draw).map_or(0, |d| d.line);
        format!("{}:{line} (draw {draw})", self.file)
    }

    /// `base` with draw `draw`'s values set at their scenario paths (as
    /// `--set` sets them) and validated again. A value the scenario
    /// refuses is an input error naming the posterior's file, the row and
    /// the path (exit code 2).
    pub fn scenario(&self, draw: usize, base: &Scenario) -> Result<Scenario> {
        let label = format!("{} applied to {}", self.row_label(draw), base.source);
        let mut value = base.resolved.clone();
        let mut problems = Vec::new();
        let values = self.draws.get(draw).map(|d| d.values.as_slice());
        for (path, v) in self.paths.iter().zip(values.unwrap_or_default()) {
            if let Err(why) = crate::scenario::source::set_path(&mut value, path, v.clone()) {
                problems.push(Problem {
                    path: shown(path),
                    message: why,
                    at: None,
                });
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid {
                file: label,
                problems,
            });
        }
        Scenario::from_value(value, &label)
    }

    /// Builds, with `make`, what each draw that replications `range` use
    /// under `seed` needs (its scenarios, say), in parallel, and returns
    /// them in draw order. The invalid values of every draw that fails are
    /// listed together, in draw order (so the message does not depend on the
    /// thread count), each under the label of its row; any other failure is
    /// returned as it is. Draws no replication uses are not checked.
    pub fn build<T: Send>(
        &self,
        seed: u64,
        range: Range<u64>,
        make: impl Fn(usize) -> Result<T> + Sync,
    ) -> Result<Vec<(usize, T)>> {
        let draws = self.draws_used(seed, range);
        let built: Vec<Result<T>> = draws.par_iter().map(|d| make(*d)).collect();
        let mut out = Vec::with_capacity(draws.len());
        let mut found = Found {
            file: self.file.clone(),
            problems: Vec::new(),
        };
        for (d, b) in draws.into_iter().zip(built) {
            match b {
                Ok(t) => out.push((d, t)),
                Err(Error::Invalid { file, problems }) => {
                    found.problems.extend(problems.into_iter().map(|p| Problem {
                        path: if p.path.is_empty() {
                            file.clone()
                        } else {
                            format!("{file}: {}", p.path)
                        },
                        message: p.message,
                        at: p.at,
                    }))
                }
                Err(e) => return Err(e),
            }
        }
        if found.problems.is_empty() {
            Ok(out)
        } else {
            Err(found.into_error())
        }
    }

    /// Refuses `--set PATH=VALUE` overrides of a parameter the posterior
    /// samples: every draw would overwrite the value set.
    pub fn check_overrides(&self, sets: &[String]) -> Result<()> {
        let sampled: Vec<Vec<Step>> = self
            .paths
            .iter()
            .filter_map(|p| ScenarioPath::parse(p).ok())
            .map(|p| p.steps)
            .collect();
        let problems: Vec<Problem> = sets
            .iter()
            .filter_map(|s| s.split_once('='))
            .filter_map(|(at, _)| ScenarioPath::parse(at.trim()).ok())
            .filter(|p| sampled.contains(&p.steps))
            .map(|p| Problem {
                path: shown(&p.text),
                message: format!(
                    "a parameter the posterior {} samples: every draw would overwrite the value \
                     set here; leave it out, or drop its column from the posterior",
                    self.file
                ),
                at: None,
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid {
                file: "--set".into(),
                problems,
            })
        }
    }

    /// Refuses a what-if that changes a parameter the posterior sets: each
    /// draw would overwrite the change, and the comparison would report no
    /// effect of it.
    pub fn check_whatif(&self, base: &Scenario, whatif: &Scenario) -> Result<()> {
        let (mut b, mut w) = (base.resolved.clone(), whatif.resolved.clone());
        let mut problems = Vec::new();
        for path in &self.paths {
            let Ok(p) = ScenarioPath::parse(path) else {
                continue;
            };
            let in_base = p.resolve_existing(&mut b).ok().cloned();
            let in_whatif = p.resolve_existing(&mut w).ok().cloned();
            if in_base != in_whatif {
                problems.push(Problem {
                    path: shown(path),
                    message: format!(
                        "the what-if changes this parameter, which the posterior {} samples: every \
                         draw would overwrite the change and the comparison would show no effect \
                         of it; compare policies that leave the sampled parameters alone",
                        self.file
                    ),
                    at: None,
                });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid {
                file: whatif.source.clone(),
                problems,
            })
        }
    }
}

/// Checks the header row: `draw`, `weight`, then distinct scenario paths
/// under `model.` (the posterior samples model parameters; a seed, a date
/// or the model's kind is not one).
fn check_header(header: &csv::StringRecord, found: &mut Found) {
    if header.get(0) != Some("draw") || header.get(1) != Some("weight") {
        found.at(
            1,
            "",
            format!(
                "the header starts `{}`; it must start `draw,weight,` followed by scenario paths",
                shown(&header.iter().take(2).collect::<Vec<_>>().join(","))
            ),
        );
    }
    if header.len() < 3 {
        found.at(
            1,
            "",
            "no parameter columns: after `draw,weight` the header names the scenario paths the \
             posterior samples, e.g. `model.servers`",
        );
    }
    let mut seen = BTreeSet::new();
    for path in header.iter().skip(2) {
        match ScenarioPath::parse(path) {
            Err(why) => found.at(1, path, why),
            Ok(p) => {
                let model = p.steps.first() == Some(&Step::Field("model".into()));
                let kind = p.steps.get(1) == Some(&Step::Field("kind".into()));
                if !model || p.steps.len() < 2 || kind {
                    found.at(
                        1,
                        path,
                        "a posterior samples model parameters: a path under `model.` (not \
                         `model.kind`), e.g. `model.servers`",
                    );
                }
            }
        }
        if !seen.insert(path) {
            found.at(1, path, "named twice in the header");
        }
    }
}

/// A cell's RON value: a number, a string in quotes, a list… A bare word
/// (which RON reads as a unit value), an empty cell or a number that is not
/// finite is refused.
fn parse_cell(cell: &str) -> std::result::Result<Value, String> {
    if cell.is_empty() {
        return Err("empty; every draw needs a value for every parameter".into());
    }
    let not_ron = |why: String| {
        format!(
            "\"{}\" is not a RON value ({why}); write numbers as `32000` or `0.25`, text in quotes",
            shown(cell)
        )
    };
    let v = ron::Options::default()
        .with_recursion_limit(MAX_NESTING)
        .from_str::<Value>(cell)
        .map_err(|e| not_ron(e.code.to_string()))?;
    match &v {
        Value::Unit if cell != "()" => Err(not_ron("a bare word".into())),
        Value::Number(n) if !n.into_f64().is_finite() => {
            Err(format!("\"{}\" is not a finite number", shown(cell)))
        }
        _ => Ok(v),
    }
}

/// A CSV syntax error of the file (the reader stops at the first).
fn not_csv(file: &str, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::Scenario {
        file: format!("{file}:{line}"),
        message: format!("not a CSV file borderflow can read: {e}"),
    }
}

/// The problems found in a posterior file, each at `file:line` and a
/// column.
struct Found {
    file: String,
    problems: Vec<Problem>,
}

impl Found {
    /// Records a problem at line `line`, in column `column` (none if empty).
    fn at(&mut self, line: u64, column: &str, message: impl Into<String>) {
        let message = message.into();
        self.problems.push(Problem {
            path: format!("{}:{line}", self.file),
            message: if column.is_empty() {
                message
            } else {
                format!("column `{}`: {message}", shown(column))
            },
            at: None,
        });
    }

    /// The error listing the problems, cut to [`MAX_PROBLEMS_SHOWN`].
    fn into_error(self) -> Error {
        let mut problems = self.problems;
        let more = problems.len().saturating_sub(MAX_PROBLEMS_SHOWN);
        problems.truncate(MAX_PROBLEMS_SHOWN);
        if more > 0 {
            problems.push(Problem {
                path: String::new(),
                message: format!("… and {more} more problems"),
                at: None,
            });
        }
        Error::Invalid {
            file: self.file,
            problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posterior(text: &str) -> Result<Posterior> {
        Posterior::from_text(text.to_string(), Path::new("p.csv"))
    }

    /// Weights 1:3: the second draw is chosen 75% of the time. Over 20,000
    /// replications the share of the first has a standard error of
    /// √(0.25 × 0.75 / 20000) ≈ 0.31%; ±2% is 6.5 standard errors, so a
    /// correct draw never fails it, while a draw that ignored the weights
    /// (50%) or swapped them (75%) fails by far.
    #[test]
    fn draws_follow_the_weights() {
        let p = posterior("draw,weight,model.servers\n0,1,10\n1,3,12\n").unwrap();
        let n = 20_000u64;
        let first = (0..n).filter(|r| p.draw_for(7, *r) == 0).count();
        let share = first as f64 / n as f64;
        assert!((share - 0.25).abs() < 0.02, "share of draw 0: {share}");
    }

    /// A draw of weight 0 is never chosen; the same (seed, replication)
    /// always gives the same draw, and another seed another sequence.
    #[test]
    fn zero_weights_are_never_drawn_and_draws_repeat() {
        let p = posterior("draw,weight,model.servers\n0,0,9\n1,2,10\n2,0,11\n3,2,12\n4,0,13\n")
            .unwrap();
        let a: Vec<usize> = (0..2000).map(|r| p.draw_for(1, r)).collect();
        assert!(a.iter().all(|d| *d == 1 || *d == 3), "{a:?}");
        assert!(a.contains(&1) && a.contains(&3));
        let again: Vec<usize> = (0..2000).map(|r| p.draw_for(1, r)).collect();
        assert_eq!(a, again);
        let other: Vec<usize> = (0..2000).map(|r| p.draw_for(2, r)).collect();
        assert_ne!(a, other);
        assert_eq!(p.draws_used(1, 0..2000), vec![1, 3]);
        let csv = p.draws_csv(1, 3);
        assert_eq!(
            csv,
            format!("replication,draw\n0,{}\n1,{}\n2,{}\n", a[0], a[1], a[2])
        );
    }

    /// Every problem of a bad file is listed at once, each with file:line
    /// and its column.
    #[test]
    fn every_problem_is_listed_with_line_and_column() {
        let text = "draw,weight,model.servers,\"model.origins[\"\"A\"\"].rate\",seed\n\
                    0,1,10,0.5,1\n\
                    2,-1,ten,0.5,1\n\
                    2,nan,10,,1\n\
                    3,1,10\n";
        let e = posterior(text).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let s = e.to_string();
        for want in [
            "p.csv:1: column `seed`: a posterior samples model parameters",
            "p.csv:3: column `draw`: \"2\" where draw 1 belongs",
            "p.csv:3: column `weight`: \"-1\" is not a finite number ≥ 0",
            "p.csv:3: column `model.servers`: \"ten\" is not a RON value",
            "p.csv:4: column `weight`: \"nan\"",
            "p.csv:4: column `model.origins[\"A\"].rate`: empty",
            "p.csv:5: 3 cells, but the header has 5",
        ] {
            assert!(s.contains(want), "missing `{want}` in:\n{s}");
        }
    }

    #[test]
    fn all_zero_weights_and_no_rows_are_refused() {
        let e = posterior("draw,weight,model.servers\n0,0,10\n1,0,11\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("p.csv:3: column `weight`: the weights sum to 0"),
            "{e}"
        );
        let e = posterior("draw,weight,model.servers\n").unwrap_err();
        assert!(e.to_string().contains("p.csv:2: no draws"), "{e}");
        let e = posterior("").unwrap_err();
        assert!(e.to_string().contains("p.csv:1: empty file"), "{e}");
        let e = posterior("draw,weight,model.kind\n0,1,\"mmc\"\n").unwrap_err();
        assert!(e.to_string().contains("column `model.kind`"), "{e}");
        let e = posterior("draw,weight,model.servers,model.servers\n0,1,1,2\n").unwrap_err();
        assert!(e.to_string().contains("named twice"), "{e}");
    }

    #[test]
    fn labels_say_what_the_intervals_contain() {
        assert_eq!(uncertainty(None), "Monte Carlo only, parameters fixed");
        let p = posterior("draw,weight,model.servers\n0,1,10\n1,1,11\n").unwrap();
        assert_eq!(
            uncertainty(Some(&p.id())),
            "parameter + Monte Carlo uncertainty (posterior: p.csv, 2 draws)"
        );
    }
}
