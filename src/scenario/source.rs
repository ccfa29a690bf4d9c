//! Reading scenario files: RON syntax, `extend` chains, `add_*` lists and
//! `set` / `calibrated` overrides, all resolved into one RON value before
//! any typing.
//!
//! A what-if is a few lines on top of a baseline:
//!
//! ```ron
//! (
//!     extend: "baseline.ron",          // path relative to this file
//!     name: "lukeville-open",          // fields given here replace the base's
//!     set: { "model.ports[\"Lukeville\"].lanes": 2 },   // scenario-path overrides
//!     model: (
//!         add_interventions: [ ... ],  // appended to the base's `interventions`
//!     ),
//! )
//! ```
//!
//! `calibrated: { "path": value }` works as `set` does; `borderflow
//! calibrate` writes it in `calibrated.ron`, so that the values a
//! calibration fitted are told apart from a what-if's own changes (which
//! [`whole_period_sets`] warns about).
//!
//! Merging happens on untyped values so that a what-if can touch any field
//! without a mirror "patch" type for every struct; the typed check comes after,
//! on the merged value, and reports problems by scenario path.

use std::path::{Path, PathBuf};

use ron::Value;

use super::locate::SourceText;
use super::path::ScenarioPath;
use crate::error::{Error, Result};

/// Largest scenario file accepted [bytes]. A real scenario is a few hundred
/// kilobytes at most; anything bigger is a mistake (or an attack) and is
/// refused before it is read into memory.
pub const MAX_FILE_BYTES: u64 = crate::input::MAX_INPUT_BYTES;

/// Deepest nesting of lists and structs accepted; guards the parser's stack.
const MAX_NESTING: usize = 64;

/// Longest `extend` chain accepted.
const MAX_EXTEND_DEPTH: usize = 16;

/// Where a scenario's text came from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// How messages name it: the path as given, or `<embedded baseline>`.
    pub label: String,
    /// Folder that relative `extend` paths start from; `None` for text that is
    /// not a file (embedded scenarios), which may not `extend`.
    pub dir: Option<PathBuf>,
}

/// A scenario as read: the resolved value and the text of every file of its
/// `extend` chain, the given file first (for [`super::locate`], which
/// places a problem in the file that writes the bad value).
#[derive(Debug)]
pub struct Loaded {
    /// The resolved value, before any typing.
    pub value: Value,
    /// Each file read, in the order read: the given one, then its bases.
    pub files: Vec<SourceText>,
}

/// The files open along an `extend` chain (to refuse loops) and the texts
/// read so far.
#[derive(Default)]
struct Chain {
    open: Vec<PathBuf>,
    files: Vec<SourceText>,
}

/// Reads `path`, follows its `extend` chain and applies overrides.
pub fn load_file(path: &Path) -> Result<Value> {
    load_file_with_sources(path).map(|l| l.value)
}

/// As [`load_file`], keeping the texts read.
pub fn load_file_with_sources(path: &Path) -> Result<Loaded> {
    let mut chain = Chain::default();
    let value = load_file_inner(path, &mut chain)?;
    Ok(Loaded {
        value,
        files: chain.files,
    })
}

/// Resolves a scenario given as text (e.g. embedded in the binary).
pub fn load_text(text: &str, origin: &Origin) -> Result<Value> {
    load_text_with_sources(text, origin).map(|l| l.value)
}

/// As [`load_text`], keeping the text.
pub fn load_text_with_sources(text: &str, origin: &Origin) -> Result<Loaded> {
    let mut chain = Chain::default();
    chain.files.push(SourceText {
        label: origin.label.clone(),
        text: text.to_string(),
    });
    let value = resolve(text, origin, &mut chain)?;
    Ok(Loaded {
        value,
        files: chain.files,
    })
}

fn load_file_inner(path: &Path, chain: &mut Chain) -> Result<Value> {
    let label = path.display().to_string();
    let read_err = |source| Error::Read {
        file: label.clone(),
        source,
    };
    let text = crate::input::read_text(path, MAX_FILE_BYTES)?;
    let canonical = path.canonicalize().map_err(read_err)?;
    if chain.open.contains(&canonical) {
        let names: Vec<String> = chain.open.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::Scenario {
            file: label,
            message: format!(
                "`extend` loops back to this file (chain: {} → {})",
                names.join(" → "),
                canonical.display()
            ),
        });
    }
    if chain.open.len() >= MAX_EXTEND_DEPTH {
        return Err(Error::Scenario {
            file: label,
            message: format!("`extend` chain deeper than {MAX_EXTEND_DEPTH} files"),
        });
    }
    chain.open.push(canonical);
    chain.files.push(SourceText {
        label: label.clone(),
        text: text.clone(),
    });
    let origin = Origin {
        label,
        dir: Some(path.parent().map(Path::to_path_buf).unwrap_or_default()),
    };
    let v = resolve(&text, &origin, chain);
    chain.open.pop();
    v
}

/// Parses `text` as RON into a value, with file:line:column and a caret on
/// syntax errors.
pub fn parse_value(text: &str, label: &str) -> Result<Value> {
    ron::Options::default()
        .with_recursion_limit(MAX_NESTING)
        .from_str::<Value>(text)
        .map_err(|e| {
            let line = e.span.start.line;
            let col = e.span.start.col;
            let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
            let shown: String = line_text.chars().take(200).collect();
            let caret_at = col.saturating_sub(1).min(shown.chars().count());
            let gutter = format!("{line} | ");
            Error::Syntax {
                file: label.to_string(),
                line,
                col,
                message: match e.code {
                    ron::Error::ExceededRecursionLimit => {
                        format!(
                            "nested deeper than {MAX_NESTING} levels; scenarios need only a few"
                        )
                    }
                    // Also what a missing `)` or `]` looks like to the
                    // parser: the next item follows without a separator.
                    ron::Error::ExpectedComma => "expected a comma: a `,` between two items \
                        is missing, or the `)` or `]` that closes the item before"
                        .to_string(),
                    ron::Error::ExpectedIdentifier => "expected a field name (`name: value`); \
                        if an item should have ended before this, its `)` is missing"
                        .to_string(),
                    code => code.to_string(),
                },
                snippet: format!(
                    "{gutter}{shown}\n{}^",
                    " ".repeat(gutter.chars().count() + caret_at)
                ),
            }
        })
}

fn resolve(text: &str, origin: &Origin, chain: &mut Chain) -> Result<Value> {
    let label = &origin.label;
    let value = parse_value(text, label)?;
    let Value::Map(mut map) = value else {
        return Err(Error::Scenario {
            file: label.clone(),
            message: "a scenario must be a struct: `( name: \"…\", … )`".into(),
        });
    };
    let extend = map.remove(&Value::String("extend".into()));
    let calibrated = map.remove(&Value::String("calibrated".into()));
    let set = map.remove(&Value::String("set".into()));
    if let Some(add) = misplaced_add(&map) {
        return Err(Error::Scenario {
            file: label.clone(),
            message: format!(
                "`{add}` at the top of the file: the scenario has no `{list}` list there; \
                 `interventions`, `ports`, `caravans` and the model's other lists are in \
                 `model`: write `model: ( {add}: [ … ] )`",
                list = &add["add_".len()..]
            ),
        });
    }
    let mut merged = match extend {
        None => Value::Map(ron::Map::new()),
        Some(Value::String(rel)) => {
            let Some(dir) = &origin.dir else {
                return Err(Error::Scenario {
                    file: label.clone(),
                    message: "`extend` is only allowed in scenario files".into(),
                });
            };
            let base_path = dir.join(&rel);
            if !base_path.exists() {
                return Err(Error::Scenario {
                    file: label.clone(),
                    message: format!(
                        "`extend: \"{rel}\"`: no such file {} (the path is relative to this file's folder)",
                        base_path.display()
                    ),
                });
            }
            load_file_inner(&base_path, chain)?
        }
        Some(_) => {
            return Err(Error::Scenario {
                file: label.clone(),
                message: "`extend` must be a string: the path of the base scenario".into(),
            });
        }
    };
    merge(&mut merged, Value::Map(map));
    if let Some(values) = calibrated {
        apply_set(&mut merged, values, label, text, "calibrated")?;
    }
    if let Some(set) = set {
        apply_set(&mut merged, set, label, text, "set")?;
    }
    Ok(merged)
}

/// Lists of the scenario's own top level, which `add_…` may extend there;
/// every other list is the model's.
const TOP_LEVEL_LISTS: [&str; 2] = ["observed", "kpis"];

/// An `add_X` key at the top of a scenario whose `X` is not a top-level
/// list (a what-if's `add_interventions` written outside `model`), which
/// would otherwise be refused as an unknown field `X`.
fn misplaced_add(map: &ron::Map) -> Option<String> {
    map.keys().find_map(|k| match k {
        Value::String(name)
            if name
                .strip_prefix("add_")
                .is_some_and(|list| !TOP_LEVEL_LISTS.contains(&list)) =>
        {
            Some(name.clone())
        }
        _ => None,
    })
}

/// Merges `child` into `base`: struct fields recurse, `add_X` lists append to
/// `X`, everything else replaces.
pub fn merge(base: &mut Value, child: Value) {
    match (base, child) {
        (Value::Map(b), Value::Map(c)) => {
            for (k, v) in c {
                if let Value::String(name) = &k
                    && let Some(target) = name.strip_prefix("add_")
                    && let Value::Seq(extra) = &v
                {
                    let key = Value::String(target.to_string());
                    if let Some(Value::Seq(list)) = b.get_mut(&key) {
                        list.extend(extra.iter().cloned());
                        continue;
                    }
                    if b.get(&key).is_none() {
                        b.insert(key, v);
                        continue;
                    }
                }
                match b.get_mut(&k) {
                    Some(existing @ Value::Map(_)) if matches!(v, Value::Map(_)) => {
                        merge(existing, v)
                    }
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, c) => *b = c,
    }
}

/// Applies a `set: { "path": value, … }` (or `calibrated: { … }`, named by
/// `key`) map of scenario-path overrides from the file `label` whose text is
/// `text`. Every path that names nothing is reported at once, each at its
/// line and column.
fn apply_set(root: &mut Value, set: Value, label: &str, text: &str, key: &str) -> Result<()> {
    let Value::Map(entries) = set else {
        return Err(Error::Scenario {
            file: label.to_string(),
            message: format!(
                "`{key}` must be a map of scenario paths to values: `{key}: {{ \"model.servers\": 4 }}`"
            ),
        });
    };
    let mut bad = Vec::new();
    for (k, v) in entries {
        let Value::String(path) = k else {
            return Err(Error::Scenario {
                file: label.to_string(),
                message: format!("`{key}` keys must be scenario paths in quotes"),
            });
        };
        if let Err(message) = set_path(root, &path, v) {
            bad.push((path, message));
        }
    }
    if bad.is_empty() {
        return Ok(());
    }
    // Each key is placed as the path it sets, in this file alone.
    let own = [SourceText {
        label: label.to_string(),
        text: text.to_string(),
    }];
    let paths: Vec<&str> = bad.iter().map(|(p, _)| p.as_str()).collect();
    let places = super::locate::place_all(&paths, &own);
    let problems = bad
        .iter()
        .zip(places)
        .map(|((path, message), at)| crate::error::Problem {
            path: format!("{key} \"{path}\""),
            message: message.clone(),
            at,
        })
        .collect();
    Err(Error::Invalid {
        file: label.to_string(),
        problems,
    })
}

/// What a borderflow input file is, told apart by its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario (or what-if): `run`, `compare`.
    Scenario,
    /// A sweep: `base` and `design`; `sweep`.
    Sweep,
    /// A calibration: `base` and `method`; `calibrate`.
    Calibration,
}

impl FileKind {
    /// The kind of a parsed (or resolved) file.
    pub fn of(value: &Value) -> Self {
        let has = |field: &str| match value {
            Value::Map(m) => m.get(&Value::String(field.into())).is_some(),
            _ => false,
        };
        match (has("base"), has("method"), has("design")) {
            (true, true, _) => FileKind::Calibration,
            (true, _, true) => FileKind::Sweep,
            _ => FileKind::Scenario,
        }
    }

    /// The kind in words.
    pub fn noun(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenario",
            FileKind::Sweep => "sweep",
            FileKind::Calibration => "calibration",
        }
    }

    /// The command that reads this kind of file.
    pub fn command(self) -> &'static str {
        match self {
            FileKind::Scenario => "run",
            FileKind::Sweep => "sweep",
            FileKind::Calibration => "calibrate",
        }
    }
}

/// The `set` paths written in a scenario file's own `text` (not in the
/// files it extends) whose values are numbers: a what-if's own parameter
/// changes. Empty when it has none.
pub fn own_parameter_sets(text: &str) -> Vec<String> {
    let Ok(Value::Map(map)) = parse_value(text, "") else {
        return Vec::new();
    };
    match map.get(&Value::String("set".into())) {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| match (k, v) {
                (Value::String(p), Value::Number(_)) => Some(p.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Of `paths` (a what-if's `set` keys and `--set` paths with numbers),
/// those that change a model parameter for the whole simulated period: a
/// `model.` path that is not inside an intervention or a caravan (which
/// have their own dates). On a scenario
/// fitted to observed data such a change rewrites the months it was fitted
/// to as well, which is rarely what a what-if means.
pub fn whole_period_sets(paths: &[String]) -> Vec<&str> {
    paths
        .iter()
        .map(String::as_str)
        .filter(|p| {
            p.starts_with("model.") && !p.contains("interventions") && !p.contains("caravans")
        })
        .collect()
}

/// The base scenario that a sweep or calibration file at `file` names
/// (`base: "../baseline.ron"`, relative to that file's folder), or the
/// problem at `base` when there is no such file; `what` names the file's
/// kind in the message.
pub fn base_beside(
    file: &Path,
    base: &str,
    what: &str,
) -> std::result::Result<PathBuf, crate::error::Problem> {
    let path = file.parent().unwrap_or(Path::new("")).join(base);
    if path.exists() {
        Ok(path)
    } else {
        Err(crate::error::Problem {
            path: "base".into(),
            message: format!(
                "no such scenario file {} (the path is relative to the {what} file's folder)",
                crate::input::shown(&path.display().to_string())
            ),
            at: None,
        })
    }
}

/// Replaces the value at scenario path `path` in `root` with `value`.
pub fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let p = ScenarioPath::parse(path)?;
    *p.resolve_mut(root)? = value;
    Ok(())
}
