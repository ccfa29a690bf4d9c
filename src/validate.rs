//! Path-aware validation: collect every problem with the scenario path of the bad value, and name tables that hand out typed ids.
//!
//! A [`Checks`] holds a *current path* (a stack of segments: `model`,
//! `ports`, `["Lukeville"]`, `trigger`, …). Validation code pushes a segment
//! with [`Checks::at`], [`Checks::index`] or [`Checks::each`] and names only
//! the field it checks (`c.within("lanes", v, 0.0, 1000.0)`); the full path
//! `model.ports["Lukeville"].lanes` is built here and nowhere else. Paths use
//! the syntax of `set` overrides and sweep parameters, so a path from a
//! message can be pasted into a `set` to fix the value.
//!
//! Why one `String` with truncation rather than a `Vec` of segments: a path
//! is read far more often (every problem, every deserialization) than a
//! segment is pushed, and truncating to a saved length is the cheapest pop.
//!
//! This module depends only on core modules ([`crate::error`],
//! [`crate::input`], [`crate::calendar`]), never on a model or on
//! `scenario`, so every model can use it without an import cycle.

use std::marker::PhantomData;

use chrono::NaiveDate;
use ron::Value;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_path_to_error::Segment;

use crate::calendar::check_date;
use crate::error::Error;
pub use crate::error::Problem;
use crate::input::shown;

/// Most unknown fields taken out of one value before reading gives up.
const MAX_UNKNOWN_FIELDS: usize = 200;

/// Removes `field` from the struct at `segments` (or, when the path already
/// ends with that field, from its parent) in `value`; false when the path
/// cannot be followed.
fn remove_field(value: &mut Value, segments: &[Segment], field: &str) -> bool {
    let segments = match segments.last() {
        Some(Segment::Map { key }) if key == field => &segments[..segments.len() - 1],
        _ => segments,
    };
    let mut at = value;
    for seg in segments {
        while let Value::Option(Some(inner)) = at {
            at = inner;
        }
        at = match (seg, at) {
            (Segment::Seq { index }, Value::Seq(items)) => match items.get_mut(*index) {
                Some(v) => v,
                None => return false,
            },
            (Segment::Map { key }, Value::Map(m)) => match m.get_mut(&Value::String(key.clone())) {
                Some(v) => v,
                None => return false,
            },
            (Segment::Enum { .. }, v) => v,
            _ => return false,
        };
    }
    while let Value::Option(Some(inner)) = at {
        at = inner;
    }
    match at {
        Value::Map(m) => m.remove(&Value::String(field.into())).is_some(),
        _ => false,
    }
}

/// Collects every validation problem of a scenario, so that one run of
/// `validate` lists them all. Paths given to its methods are relative to the
/// current path (empty at first, so a fresh `Checks` takes whole paths).
#[derive(Debug, Default)]
pub struct Checks {
    /// Problems found so far.
    pub problems: Vec<Problem>,
    /// The current path: the segments pushed by the enclosing scopes.
    path: String,
}

/// `rel` appended to `base` with the right separator: none before `[`, a dot
/// before a field name, nothing when either is empty.
fn join(base: &str, rel: &str) -> String {
    if rel.is_empty() {
        base.to_string()
    } else if base.is_empty() {
        rel.to_string()
    } else if rel.starts_with('[') {
        format!("{base}{rel}")
    } else {
        format!("{base}.{rel}")
    }
}

impl Checks {
    /// The current path, e.g. `model.ports["Lukeville"]`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Runs `f` with `segment` (a field name, `[3]` or `["name"]`) pushed
    /// onto the current path, and pops it afterwards.
    pub fn at<R>(&mut self, segment: &str, f: impl FnOnce(&mut Self) -> R) -> R {
        let len = self.path.len();
        self.path = join(&self.path, segment);
        let r = f(self);
        self.path.truncate(len);
        r
    }

    /// Runs `f` at list position `i` (`[i]`) under the current path.
    pub fn index<R>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        self.at(&format!("[{i}]"), f)
    }

    /// Runs `f` for each item of the named list `list` (a field under the
    /// current path), at the item's entry segment (`["name"]`, see
    /// [`Names::segment`]), with its id; returns the results in order.
    pub fn each<I: Id, T, R>(
        &mut self,
        list: &str,
        names: &Names<I>,
        items: impl IntoIterator<Item = T>,
        mut f: impl FnMut(&mut Self, I, T) -> R,
    ) -> Vec<R> {
        self.at(list, |c| {
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| c.at(&names.segment(i), |c| f(c, I::from_index(i), item)))
                .collect()
        })
    }

    /// Records a problem at `path` under the current path (`""`: at the
    /// current path itself).
    pub fn fail(&mut self, path: impl AsRef<str>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: join(&self.path, path.as_ref()),
            message: message.into(),
            at: None,
        });
    }

    /// Whether no problem has been recorded since the count was `before`
    /// (`before` = `problems.len()` taken earlier).
    pub fn clean_since(&self, before: usize) -> bool {
        self.problems.len() == before
    }

    /// Deserializes `value` into `T`, recording a type error with its path
    /// under `prefix` (relative to the current path). An unknown field or
    /// variant gets the closest valid name as a suggestion, and the path of
    /// an unknown or missing field ends with that field.
    pub fn deserialize<T: DeserializeOwned>(&mut self, value: Value, prefix: &str) -> Option<T> {
        let mut value = value;
        // An unknown field is recorded and taken out, and the value read
        // again, so one misspelt name does not hide every other problem;
        // any other error ends the reading (bounded: a file has at most a
        // few hundred unknown fields before it is something else).
        for _ in 0..MAX_UNKNOWN_FIELDS {
            let (path, segments, error) =
                match serde_path_to_error::deserialize::<_, T>(value.clone()) {
                    Ok(t) => return Some(t),
                    Err(e) => {
                        let inner = e.path().to_string();
                        let segments: Vec<Segment> = e.path().iter().cloned().collect();
                        let path = join(prefix, if inner == "." { "" } else { &inner });
                        (path, segments, e.into_inner())
                    }
                };
            let mut path = path;
            let mut message = error.to_string();
            let mut unknown = None;
            match &error {
                ron::Error::NoSuchStructField {
                    expected, found, ..
                } => {
                    // Inside an internally tagged enum serde buffers the
                    // fields, and the path stops at the entry.
                    if !path.ends_with(found.as_str()) {
                        path = join(&path, found);
                    }
                    message.push_str(&suggest_ident(found, expected));
                    unknown = Some(found.clone());
                }
                ron::Error::NoSuchEnumVariant {
                    expected, found, ..
                } => message.push_str(&suggest_ident(found, expected)),
                ron::Error::MissingStructField { field, .. } => path = join(&path, field),
                _ => {}
            }
            self.fail(path, message);
            match unknown {
                Some(field) if remove_field(&mut value, &segments, &field) => continue,
                _ => return None,
            }
        }
        None
    }

    /// Deserializes a [`Deferred`] part of the input at `field`.
    pub fn read<T: DeserializeOwned>(&mut self, field: &str, part: Deferred<T>) -> Option<T> {
        self.deserialize(part.value, field)
    }

    /// Deserializes every entry of a deferred list at `field["name"]` (or
    /// `field[i]`, see [`Names::segment`]), so that a bad entry is reported
    /// and the others are still read; `None` if any entry failed.
    pub fn read_list<T: DeserializeOwned>(
        &mut self,
        field: &str,
        parts: Vec<Deferred<T>>,
    ) -> Option<Vec<T>> {
        self.read_each(field, parts).into_iter().collect()
    }

    /// As [`Checks::read_list`], keeping the entries that were read: `None`
    /// for each that failed (its problem recorded).
    pub fn read_each<T: DeserializeOwned>(
        &mut self,
        field: &str,
        parts: Vec<Deferred<T>>,
    ) -> Vec<Option<T>> {
        let values: Vec<Value> = parts.into_iter().map(|p| p.value).collect();
        let names = entry_names(&values);
        self.each(field, &names, values, |c, _, v| c.deserialize(v, ""))
    }

    /// Checks `v` > 0 and finite.
    pub fn positive(&mut self, path: impl AsRef<str>, v: f64) {
        if !(v.is_finite() && v > 0.0) {
            self.fail(path, format!("must be > 0 (got {v})"));
        }
    }

    /// Checks `v` ≥ 0 and finite.
    pub fn non_negative(&mut self, path: impl AsRef<str>, v: f64) {
        if !(v.is_finite() && v >= 0.0) {
            self.fail(path, format!("must be ≥ 0 (got {v})"));
        }
    }

    /// Checks that `v` is a probability or share in [0, 1].
    pub fn probability(&mut self, path: impl AsRef<str>, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.fail(
                path,
                format!("must be a probability between 0 and 1 (got {v})"),
            );
        }
    }

    /// Checks 0 < `v` ≤ `hi`: a rate or size that must be positive and whose
    /// upper bound guards against typos that would ask for absurd work.
    pub fn positive_at_most(&mut self, path: impl AsRef<str>, v: f64, hi: f64) {
        if !(v.is_finite() && v > 0.0 && v <= hi) {
            self.fail(path, format!("must be > 0 and at most {hi} (got {v})"));
        }
    }

    /// Checks `lo` ≤ `v` ≤ `hi` (and finite).
    pub fn within(&mut self, path: impl AsRef<str>, v: f64, lo: f64, hi: f64) {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.fail(path, format!("must be between {lo} and {hi} (got {v})"));
        }
    }

    /// Checks a whole number `v` ≤ `hi` (a count of days, checkpoints).
    pub fn at_most(&mut self, path: impl AsRef<str>, v: u32, hi: u32) {
        if v > hi {
            self.fail(path, format!("at most {hi}"));
        }
    }

    /// Checks a non-empty string.
    pub fn nonempty(&mut self, path: impl AsRef<str>, s: &str) {
        if s.trim().is_empty() {
            self.fail(path, "must not be empty");
        }
    }

    /// Parses an ISO date in years 1 to 9999 ([`check_date`]), recording a
    /// problem if it is not one.
    pub fn date(&mut self, path: impl AsRef<str>, s: &str) -> Option<NaiveDate> {
        match check_date(s) {
            Ok(d) => Some(d),
            Err(why) => {
                self.fail(path, why);
                None
            }
        }
    }

    /// Checks that the names of the list at `list` are non-empty and unique
    /// (problems at `list[i].name`), and returns their table; `what` names
    /// one entry in messages ("port").
    pub fn unique_names<I: Id>(
        &mut self,
        list: &str,
        what: &'static str,
        names: Vec<String>,
    ) -> Names<I> {
        self.unique_read_names(list, what, names.into_iter().map(Some).collect())
    }

    /// As [`Checks::unique_names`], for a list some of whose entries could
    /// not be read (`None`: their problem is already recorded); those are
    /// left out of the check.
    pub fn unique_read_names<I: Id>(
        &mut self,
        list: &str,
        what: &'static str,
        names: Vec<Option<String>>,
    ) -> Names<I> {
        self.at(list, |c| {
            for (i, n) in names.iter().enumerate() {
                let Some(n) = n else { continue };
                c.index(i, |c| {
                    c.nonempty("name", n);
                    if names[..i].iter().flatten().any(|m| m == n) {
                        c.fail(
                            "name",
                            format!("\"{n}\" is used twice in `{list}`; names must be unique"),
                        );
                    }
                });
            }
        });
        Names::new(
            what,
            names.into_iter().map(Option::unwrap_or_default).collect(),
        )
    }

    /// Turns the collected problems into an [`Error::Invalid`].
    pub fn into_error(self, label: &str) -> Error {
        Error::Invalid {
            file: label.to_string(),
            problems: self.problems,
        }
    }
}

/// The table of a list of entries as written, by their `name` field (an
/// entry without one counts as unnamed): for paths before the entries are
/// read.
pub fn entry_names(values: &[Value]) -> Names {
    let key = Value::String("name".into());
    let name = |v: &Value| match v {
        Value::Map(m) => match m.get(&key) {
            Some(Value::String(n)) => n.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    Names::new("entry", values.iter().map(name).collect())
}

/// A part of the input kept as an untyped value until validation reads it
/// with its path ([`Checks::read`], [`Checks::read_list`]), so that one bad
/// entry does not hide the problems of the others: serde stops at the first
/// error of a struct, and a deferred part is a struct of its own.
pub struct Deferred<T> {
    /// The part as written.
    value: Value,
    /// What it will be read as.
    _into: PhantomData<fn() -> T>,
}

impl<'de, T> Deserialize<'de> for Deferred<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|value| Deferred {
            value,
            _into: PhantomData,
        })
    }
}

/// A typed index into a list of named things (a port, a hub). Models that
/// store ids compactly implement it for a newtype (`PortId(u16)`); `usize`
/// is the plain index.
pub trait Id: Copy {
    /// The id of list position `i`.
    fn from_index(i: usize) -> Self;
    /// The list position of this id.
    fn index(self) -> usize;
}

impl Id for usize {
    fn from_index(i: usize) -> Self {
        i
    }
    fn index(self) -> usize {
        self
    }
}

/// The names of a list, resolving a name to its typed id with a "did you
/// mean" for unknown names. O(n) per lookup: lists are short (at most
/// 10,000 entries, typically under 50) and lookups happen once, at
/// validation.
#[derive(Debug, Clone)]
pub struct Names<I = usize> {
    /// What one entry is, for messages ("port").
    what: &'static str,
    /// The names in list order.
    names: Vec<String>,
    /// Each entry's path segment, see [`Names::segment`].
    segments: Vec<String>,
    /// The id type.
    _id: PhantomData<I>,
}

impl<I: Id> Names<I> {
    /// A table of `names`; `what` names one entry in messages.
    pub fn new(what: &'static str, names: Vec<String>) -> Self {
        let mut count = std::collections::HashMap::new();
        for n in &names {
            *count.entry(n.as_str()).or_insert(0) += 1;
        }
        let segments = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let identifies = !n.trim().is_empty()
                    && !n.contains('"')
                    && shown(n) == *n
                    && count[n.as_str()] == 1;
                if identifies {
                    format!("[\"{n}\"]")
                } else {
                    format!("[{i}]")
                }
            })
            .collect();
        Self {
            what,
            names,
            segments,
            _id: PhantomData,
        }
    }

    /// The names in list order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The id of `name`, if it is in the table.
    pub fn get(&self, name: &str) -> Option<I> {
        self.names.iter().position(|n| n == name).map(I::from_index)
    }

    /// The id of `name`, or a problem at `path` (under the current path):
    /// `unknown port "Lukevile" — did you mean "Lukeville"?`.
    pub fn resolve(&self, c: &mut Checks, path: &str, name: &str) -> Option<I> {
        let id = self.get(name);
        if id.is_none() {
            c.fail(
                path,
                format!(
                    "unknown {} \"{name}\"{}",
                    self.what,
                    suggest(name, self.names.iter().cloned())
                ),
            );
        }
        id
    }

    /// The path segment of entry `i`: `["name"]` when the name identifies
    /// the entry (non-empty, unique, printable, no `"`), else `[i]`. Both
    /// forms are accepted by `set` and sweep paths.
    pub fn segment(&self, i: usize) -> String {
        self.segments
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("[{i}]"))
    }
}

/// " — did you mean "x"?" for the known name closest to `given` (Jaro–Winkler
/// ≥ 0.8, case-insensitive), else the list of known names (up to 12) or a
/// count with examples.
pub fn suggest(given: &str, known: impl IntoIterator<Item = String>) -> String {
    // Each name once, in first-seen order (callers may chain lists that
    // share names, such as every route's start).
    let mut known: Vec<String> = known.into_iter().collect();
    let mut seen = std::collections::HashSet::new();
    known.retain(|k| seen.insert(k.clone()));
    let best = known
        .iter()
        .map(|k| {
            (
                strsim::jaro_winkler(&given.to_lowercase(), &k.to_lowercase()),
                k,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, k)) if score >= 0.8 => format!(" — did you mean \"{k}\"?"),
        _ if known.is_empty() => String::new(),
        _ if known.len() <= 12 => format!(" (known: {})", known.join(", ")),
        _ => format!(
            " ({} known names, e.g. {})",
            known.len(),
            known[..6].join(", ")
        ),
    }
}

/// " — did you mean `x`?" for the field or variant name closest to `given`,
/// or nothing: the message it is appended to already lists them all.
fn suggest_ident(given: &str, expected: &[&str]) -> String {
    expected
        .iter()
        .map(|k| (strsim::jaro_winkler(given, k), k))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score >= 0.8)
        .map_or_else(String::new, |(_, k)| format!(" — did you mean `{k}`?"))
}

/// Deserializes a plain value into `Some(value)`, for optional fields of
/// input files read through a RON value (`place: "Tucson"`), where RON would
/// otherwise insist on `Some("Tucson")`. Use with `#[serde(default,
/// deserialize_with = "crate::validate::some")]`.
pub fn some<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_joined_from_the_stack() {
        let mut c = Checks::default();
        c.at("model", |c| {
            c.at("ports", |c| {
                c.at("[\"Lukeville\"]", |c| c.within("lanes", -2.0, 0.0, 1000.0));
                c.index(3, |c| c.fail("", "bad"));
            });
            c.fail("spinup_days", "at most 3650");
        });
        c.fail("name", "top");
        let paths: Vec<&str> = c.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "model.ports[\"Lukeville\"].lanes",
                "model.ports[3]",
                "model.spinup_days",
                "name"
            ]
        );
        assert_eq!(c.path(), "");
    }

    #[test]
    fn entries_are_named_only_when_the_name_identifies_them() {
        let names: Names = Names::new(
            "port",
            ["A", "B", "A", "", "C\"D", "E\u{1b}"]
                .map(String::from)
                .to_vec(),
        );
        let segs: Vec<String> = (0..7).map(|i| names.segment(i)).collect();
        assert_eq!(
            segs,
            ["[0]", "[\"B\"]", "[2]", "[3]", "[4]", "[5]", "[6]"].map(String::from)
        );
    }

    #[test]
    fn unknown_names_get_a_suggestion() {
        let names: Names = Names::new("port", vec!["Lukeville".into(), "Nogales".into()]);
        let mut c = Checks::default();
        assert_eq!(names.resolve(&mut c, "port", "Nogales"), Some(1));
        assert_eq!(names.resolve(&mut c, "port", "Lukevile"), None);
        assert_eq!(
            c.problems[0].to_string(),
            "port: unknown port \"Lukevile\" — did you mean \"Lukeville\"?"
        );
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Station {
        servers: u32,
        rate: f64,
    }

    #[test]
    fn unknown_fields_name_their_path_and_the_closest_field() {
        let v: Value = ron::from_str("(servers: 2, rate: 1.0, sevrers: 3)").unwrap();
        let mut c = Checks::default();
        c.at("model", |c| c.deserialize::<Station>(v, ""));
        let p = &c.problems[0];
        assert_eq!(p.path, "model.sevrers");
        assert!(
            p.message.ends_with(" — did you mean `servers`?"),
            "{}",
            p.message
        );
    }
}
