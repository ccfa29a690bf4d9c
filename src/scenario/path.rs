//! Scenario paths: `ports["Lukeville"].capacity_per_day`, `routes[7].to`,
//! `model.servers`. They name a value inside a scenario, both in error
//! messages and in `set` overrides and parameter sweeps.

use ron::Value;
use ron::value::Map;

/// One step of a scenario path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A struct field: `.capacity_per_day`.
    Field(String),
    /// A list position: `[3]`.
    Index(usize),
    /// The list element whose `name` is this: `["Lukeville"]`.
    Named(String),
}

/// A parsed scenario path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioPath {
    /// The path as written.
    pub text: String,
    /// Its steps.
    pub steps: Vec<Step>,
}

impl std::fmt::Display for ScenarioPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl ScenarioPath {
    /// Parses `a.b[3].c["name"].d`; the error says where the text went wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut steps = Vec::new();
        let b = text.as_bytes();
        let mut i = 0;
        let ident = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && (b[*i].is_ascii_alphanumeric() || b[*i] == b'_') {
                *i += 1;
            }
            text[s..*i].to_string()
        };
        if text.is_empty() {
            return Err("empty path".into());
        }
        let first = ident(&mut i);
        if first.is_empty() {
            return Err(format!("path `{text}` must start with a field name"));
        }
        steps.push(Step::Field(first));
        while i < b.len() {
            match b[i] {
                b'.' => {
                    i += 1;
                    let f = ident(&mut i);
                    if f.is_empty() {
                        return Err(format!(
                            "path `{text}`: expected a field name after `.` at character {}",
                            i + 1
                        ));
                    }
                    steps.push(Step::Field(f));
                }
                b'[' => {
                    i += 1;
                    if i < b.len() && b[i] == b'"' {
                        let s = i + 1;
                        let Some(len) = text[s..].find('"') else {
                            return Err(format!("path `{text}`: unterminated string after `[`"));
                        };
                        steps.push(Step::Named(text[s..s + len].to_string()));
                        i = s + len + 1;
                    } else {
                        let s = i;
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                        let n = text[s..i].parse().map_err(|_| {
                            format!("path `{text}`: expected an index or a \"name\" inside `[]`")
                        })?;
                        steps.push(Step::Index(n));
                    }
                    if i >= b.len() || b[i] != b']' {
                        return Err(format!(
                            "path `{text}`: expected `]` at character {}",
                            i + 1
                        ));
                    }
                    i += 1;
                }
                c => {
                    return Err(format!(
                        "path `{text}`: unexpected `{}` at character {} (expected `.field`, `[index]` or `[\"name\"]`)",
                        c as char,
                        i + 1
                    ));
                }
            }
        }
        Ok(Self {
            text: text.to_string(),
            steps,
        })
    }

    /// The value this path names in `root`, for writing. A missing last field
    /// of a struct is created (deserialization then rejects it if the struct
    /// has no such field); a missing list element or list is an error that
    /// lists what exists.
    pub fn resolve_mut<'v>(&self, root: &'v mut Value) -> Result<&'v mut Value, String> {
        self.walk(root, true).map(|(v, _)| v)
    }

    /// The value this path names in `root`, which must exist.
    pub fn resolve_existing<'v>(&self, root: &'v mut Value) -> Result<&'v mut Value, String> {
        self.walk(root, false).map(|(v, _)| v)
    }

    /// The value this path names in `root`, which must exist, and its
    /// location: the path's steps with every `["name"]` replaced by the
    /// element's `[index]`. Two paths that name the same value, such as
    /// `ports["Lukeville"].lanes` and `ports[3].lanes`, have equal
    /// locations, however they are written.
    pub fn locate<'v>(&self, root: &'v mut Value) -> Result<(&'v mut Value, Vec<Step>), String> {
        self.walk(root, false)
    }

    fn walk<'v>(
        &self,
        root: &'v mut Value,
        create_last: bool,
    ) -> Result<(&'v mut Value, Vec<Step>), String> {
        let mut cur = root;
        let mut walked = String::new();
        let mut location = Vec::with_capacity(self.steps.len());
        for (k, step) in self.steps.iter().enumerate() {
            let last = k + 1 == self.steps.len();
            cur = match step {
                Step::Field(name) => {
                    let Value::Map(map) = cur else {
                        return Err(format!(
                            "`{walked}` is not a struct, so it has no field `{name}`"
                        ));
                    };
                    let key = Value::String(name.clone());
                    if map.get(&key).is_none() {
                        if !last || !create_last {
                            return Err(format!(
                                "`{}` has no field `{name}`{}",
                                if walked.is_empty() {
                                    "the scenario"
                                } else {
                                    &walked
                                },
                                suggest(name, map_keys(map))
                            ));
                        }
                        map.insert(key.clone(), Value::Unit);
                    }
                    walked = join(&walked, name);
                    location.push(step.clone());
                    map.get_mut(&key).expect("present")
                }
                Step::Index(n) => {
                    let Value::Seq(seq) = cur else {
                        return Err(format!("`{walked}` is not a list"));
                    };
                    let len = seq.len();
                    walked = format!("{walked}[{n}]");
                    location.push(step.clone());
                    seq.get_mut(*n).ok_or_else(|| {
                        format!("`{walked}`: index out of range (the list has {len} elements)")
                    })?
                }
                Step::Named(name) => {
                    let Value::Seq(seq) = cur else {
                        return Err(format!("`{walked}` is not a list"));
                    };
                    let names: Vec<String> = seq.iter().filter_map(element_name).collect();
                    let pos = seq
                        .iter()
                        .position(|v| element_name(v).as_deref() == Some(name));
                    let Some(pos) = pos else {
                        return Err(format!(
                            "`{walked}` has no element named \"{name}\"{}",
                            suggest(name, names)
                        ));
                    };
                    walked = format!("{walked}[\"{name}\"]");
                    location.push(Step::Index(pos));
                    &mut seq[pos]
                }
            };
        }
        Ok((cur, location))
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn map_keys(map: &Map) -> Vec<String> {
    map.keys()
        .filter_map(|k| match k {
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The `name` field of a list element, if it is a struct with one.
fn element_name(v: &Value) -> Option<String> {
    match v {
        Value::Map(m) => match m.get(&Value::String("name".into())) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

pub use crate::validate::suggest;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_indices_and_names() {
        let p = ScenarioPath::parse(r#"ports["Lukeville"].lanes[2].rate"#).unwrap();
        assert_eq!(
            p.steps,
            vec![
                Step::Field("ports".into()),
                Step::Named("Lukeville".into()),
                Step::Field("lanes".into()),
                Step::Index(2),
                Step::Field("rate".into()),
            ]
        );
        assert!(ScenarioPath::parse("ports[").is_err());
        assert!(ScenarioPath::parse("a..b").is_err());
        assert!(ScenarioPath::parse(".a").is_err());
    }

    #[test]
    fn a_name_and_an_index_locate_the_same_element() {
        let mut v: Value =
            ron::from_str(r#"(ports: [(name: "Tijuana", cap: 1), (name: "Nogales", cap: 2)])"#)
                .unwrap();
        let mut at = |p: &str| ScenarioPath::parse(p).unwrap().locate(&mut v).unwrap().1;
        assert_eq!(at(r#"ports["Nogales"].cap"#), at("ports[1].cap"));
        assert_ne!(at(r#"ports["Tijuana"].cap"#), at("ports[1].cap"));
    }

    #[test]
    fn sets_named_element() {
        let mut v: Value =
            ron::from_str(r#"(ports: [(name: "Tijuana", cap: 1), (name: "Nogales", cap: 2)])"#)
                .unwrap();
        *ScenarioPath::parse(r#"ports["Nogales"].cap"#)
            .unwrap()
            .resolve_mut(&mut v)
            .unwrap() = Value::Number(5u8.into());
        let s = ron::to_string(&v).unwrap();
        assert!(s.contains("cap:5") || s.contains("\"cap\":5"), "{s}");
        let err = ScenarioPath::parse(r#"ports["Tijuanna"].cap"#)
            .unwrap()
            .resolve_mut(&mut v)
            .unwrap_err();
        assert!(err.contains("did you mean \"Tijuana\""), "{err}");
    }
}
