//! Where a bad value is written: a problem's scenario path
//! (`model.interventions["B"].multiplier`) → `file:line:column` in the
//! scenario's own files, so that a message points into the text the user
//! edits and not only into the merged scenario.
//!
//! Validation runs on the resolved value (after `extend`, `add_*` and
//! `set`), which keeps no positions; `ron::Value` has none. So the files are
//! read again here, only when something is wrong, by a small scanner that
//! knows RON's shapes (structs, lists, maps, strings, comments) but not its
//! types, and the path is walked through them. The search follows the order
//! in which values override each other: the file given first, and in each
//! file its `set` / `calibrated` keys before its fields; then the files it
//! extends. `add_interventions` (in a what-if) counts for `interventions`
//! when the path names an entry by name.
//!
//! A path that no file spells out (a default value, a `--set` on the command
//! line, a list position counted over a base and a what-if) gets no
//! location rather than a guess; a missing required field is placed at the
//! entry that lacks it.

use super::path::{ScenarioPath, Step};
use crate::error::Error;

/// One file of a scenario's `extend` chain, as read.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// How messages name it (the path as given or as `extend` names it).
    pub label: String,
    /// Its text.
    pub text: String,
}

/// Deepest nesting the scanner follows; the files were already parsed with
/// a lower limit, so this only guards against a file changed in between.
const MAX_DEPTH: usize = 128;

/// Adds `file:line:column` to each problem of an [`Error::Invalid`] whose
/// path is written in `files` (given first, then its bases) and not set by
/// one of `cli_sets` (the `--set` paths of the command line, which no file
/// holds). Other errors pass unchanged.
pub fn annotate(err: Error, files: &[SourceText], cli_sets: &[String]) -> Error {
    let Error::Invalid { file, mut problems } = err else {
        return err;
    };
    let open: Vec<usize> = (0..problems.len())
        .filter(|&i| {
            let p = &problems[i];
            p.at.is_none() && !cli_sets.iter().any(|s| covers(s, &p.path))
        })
        .collect();
    let paths: Vec<&str> = open.iter().map(|&i| problems[i].path.as_str()).collect();
    let places = place_all(&paths, files);
    for (i, at) in open.into_iter().zip(places) {
        problems[i].at = at;
    }
    Error::Invalid { file, problems }
}

/// The `file:line:column` where each of `paths` is written in `files` (the
/// first that writes it), if any; each file is scanned once for all paths.
pub fn place_all(paths: &[&str], files: &[SourceText]) -> Vec<Option<String>> {
    let trees: Vec<Option<Node>> = files.iter().map(|f| parse(&f.text)).collect();
    paths.iter().map(|p| find(p, files, &trees)).collect()
}

/// Whether a `set` key `key` sets the value at `path` or one that holds it.
fn covers(key: &str, path: &str) -> bool {
    path.strip_prefix(key)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// The location of `path` in the first file that writes it.
fn find(path: &str, files: &[SourceText], trees: &[Option<Node>]) -> Option<String> {
    let parsed = ScenarioPath::parse(path).ok()?;
    let shown = |f: &SourceText, pos: usize| {
        let (line, col) = line_col(&f.text, pos);
        format!("{}:{line}:{col}", f.label)
    };
    for (f, tree) in files.iter().zip(trees) {
        let Some(tree) = tree else { continue };
        if let Some(pos) = set_key(tree, path) {
            return Some(shown(f, pos));
        }
        if let Some((pos, matched)) = walk(tree, &parsed.steps)
            && matched == parsed.steps.len()
        {
            return Some(shown(f, pos));
        }
    }
    // A required field that is missing: the entry that lacks it.
    if let Some(Step::Field(_)) = parsed.steps.last() {
        let holder = &parsed.steps[..parsed.steps.len() - 1];
        for (f, tree) in files.iter().zip(trees) {
            if let Some(tree) = tree
                && let Some((pos, matched)) = walk(tree, holder)
                && matched == holder.len()
                && !holder.is_empty()
            {
                return Some(shown(f, pos));
            }
        }
    }
    None
}

/// 1-based line and column (in characters) of byte offset `pos`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// The position of the `set` or `calibrated` key that sets `path` (or a
/// value holding it).
fn set_key(tree: &Node, path: &str) -> Option<usize> {
    let Node::Struct(fields) = tree else {
        return None;
    };
    ["set", "calibrated"].iter().find_map(|key| {
        let (_, _, Node::Map(entries)) = fields.iter().find(|(n, _, _)| n == key)? else {
            return None;
        };
        entries
            .iter()
            .rev()
            .find(|(k, _, _)| covers(k, path))
            .map(|(_, pos, _)| *pos)
    })
}

/// Follows `steps` from `node` as far as the text goes: the position of the
/// last step matched and how many matched.
fn walk(node: &Node, steps: &[Step]) -> Option<(usize, usize)> {
    let mut node = node;
    let mut at = None;
    let mut matched = 0;
    let mut i = 0;
    while i < steps.len() {
        let next = match (&steps[i], node) {
            (Step::Field(f), Node::Struct(fields)) => {
                let own = fields.iter().find(|(n, _, _)| n == f);
                // `add_interventions: [...]` holds entries of `interventions`
                // that can be found by name, not by position.
                let added = || {
                    let add = format!("add_{f}");
                    fields
                        .iter()
                        .find(|(n, _, _)| *n == add)
                        .filter(|_| matches!(steps.get(i + 1), Some(Step::Named(_))))
                };
                own.or_else(added).map(|(_, pos, v)| (*pos, v))
            }
            (Step::Named(name), Node::Seq(items)) => items
                .iter()
                .find(|(_, item)| item.name() == Some(name.as_str()))
                .map(|(pos, item)| (*pos, item)),
            (Step::Named(name), Node::Map(entries)) => entries
                .iter()
                .find(|(k, _, _)| k == name)
                .map(|(_, pos, v)| (*pos, v)),
            (Step::Index(k), Node::Seq(items)) => items.get(*k).map(|(pos, v)| (*pos, v)),
            _ => None,
        };
        let Some((pos, child)) = next else { break };
        at = Some(pos);
        node = child;
        matched += 1;
        i += 1;
    }
    at.map(|pos| (pos, matched))
}

/// A RON value as the scanner sees it, with byte offsets.
#[derive(Debug)]
enum Node {
    /// `( field: value, … )`, with or without a struct name: each field's
    /// name, the offset of the name, and its value.
    Struct(Vec<(String, usize, Node)>),
    /// `[ … ]` or a tuple `( a, b )`: each element's offset and value.
    Seq(Vec<(usize, Node)>),
    /// `{ key: value, … }`: each key as text (a string's contents), its
    /// offset and the value.
    Map(Vec<(String, usize, Node)>),
    /// Anything else: a string's contents, or a word (number, bool, …).
    Atom(String),
}

impl Node {
    /// The `name` field of a struct, as list entries are named in paths.
    fn name(&self) -> Option<&str> {
        let Node::Struct(fields) = self else {
            return None;
        };
        fields.iter().find_map(|(n, _, v)| match (n.as_str(), v) {
            ("name", Node::Atom(s)) => Some(s.as_str()),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Punct(char),
    Str(String),
    Word(String),
}

/// Splits RON text into tokens with their byte offsets; `None` on text
/// RON itself would refuse (an unterminated string or comment).
fn tokens(text: &str) -> Option<Vec<(usize, Token)>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if chars.peek().map(|p| p.1) == Some('/') => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().map(|p| p.1) == Some('*') => {
                chars.next();
                let mut depth = 1;
                let mut prev = ' ';
                while depth > 0 {
                    let (_, c) = chars.next()?;
                    match (prev, c) {
                        ('*', '/') => {
                            depth -= 1;
                            prev = ' ';
                        }
                        ('/', '*') => {
                            depth += 1;
                            prev = ' ';
                        }
                        _ => prev = c,
                    }
                }
            }
            '"' | '\'' => {
                let mut s = String::new();
                loop {
                    let (_, d) = chars.next()?;
                    match d {
                        '\\' => {
                            let (_, e) = chars.next()?;
                            s.push(e);
                        }
                        d if d == c => break,
                        d => s.push(d),
                    }
                }
                out.push((i, Token::Str(s)));
            }
            '(' | ')' | '[' | ']' | '{' | '}' | ':' | ',' => out.push((i, Token::Punct(c))),
            _ => {
                let mut w = String::from(c);
                while let Some(&(_, d)) = chars.peek() {
                    if d.is_whitespace() || "()[]{}:,\"'/".contains(d) {
                        break;
                    }
                    w.push(d);
                    chars.next();
                }
                out.push((i, Token::Word(w)));
            }
        }
    }
    Some(out)
}

/// Parses a file's text into a [`Node`] tree; `None` if it does not scan.
fn parse(text: &str) -> Option<Node> {
    let toks = tokens(text)?;
    let mut at = 0;
    value(&toks, &mut at, 0)
}

fn value(t: &[(usize, Token)], at: &mut usize, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (_, tok) = t.get(*at)?;
    *at += 1;
    match tok {
        Token::Str(s) => Some(Node::Atom(s.clone())),
        Token::Punct('(') => parens(t, at, depth),
        Token::Punct('[') => {
            let mut items = Vec::new();
            while !close(t, at, ']')? {
                let pos = t.get(*at)?.0;
                items.push((pos, value(t, at, depth + 1)?));
                comma(t, at);
            }
            Some(Node::Seq(items))
        }
        Token::Punct('{') => {
            let mut entries = Vec::new();
            while !close(t, at, '}')? {
                let pos = t.get(*at)?.0;
                let key = match value(t, at, depth + 1)? {
                    Node::Atom(k) => k,
                    _ => String::new(),
                };
                expect(t, at, ':')?;
                entries.push((key, pos, value(t, at, depth + 1)?));
                comma(t, at);
            }
            Some(Node::Map(entries))
        }
        Token::Word(w) => {
            // A named struct, tuple struct or `Some(…)`: the name is dropped
            // and a single unnamed element stands for itself.
            if matches!(t.get(*at), Some((_, Token::Punct('(')))) {
                *at += 1;
                return match parens(t, at, depth)? {
                    Node::Seq(mut items) if items.len() == 1 => items.pop().map(|(_, v)| v),
                    other => Some(other),
                };
            }
            Some(Node::Atom(w.clone()))
        }
        Token::Punct(_) => None,
    }
}

/// The inside of `( … )` after the opening parenthesis: a struct when its
/// items are `name: value`, a tuple otherwise.
fn parens(t: &[(usize, Token)], at: &mut usize, depth: usize) -> Option<Node> {
    let mut fields = Vec::new();
    let mut items = Vec::new();
    while !close(t, at, ')')? {
        let (pos, tok) = t.get(*at)?;
        let named = matches!(t.get(*at + 1), Some((_, Token::Punct(':'))));
        match tok {
            Token::Word(name) if named => {
                *at += 2;
                fields.push((name.clone(), *pos, value(t, at, depth + 1)?));
            }
            _ => items.push((*pos, value(t, at, depth + 1)?)),
        }
        comma(t, at);
    }
    Some(if fields.is_empty() {
        Node::Seq(items)
    } else {
        Node::Struct(fields)
    })
}

/// Consumes `c` if it is next and says whether it was; `None` where the
/// text ends before it.
fn close(t: &[(usize, Token)], at: &mut usize, c: char) -> Option<bool> {
    match t.get(*at)? {
        (_, Token::Punct(p)) if *p == c => {
            *at += 1;
            Some(true)
        }
        _ => Some(false),
    }
}

fn comma(t: &[(usize, Token)], at: &mut usize) {
    if matches!(t.get(*at), Some((_, Token::Punct(',')))) {
        *at += 1;
    }
}

fn expect(t: &[(usize, Token)], at: &mut usize, c: char) -> Option<()> {
    match t.get(*at) {
        Some((_, Token::Punct(p))) if *p == c => {
            *at += 1;
            Some(())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Problem;

    fn files(texts: &[(&str, &str)]) -> Vec<SourceText> {
        texts
            .iter()
            .map(|(l, t)| SourceText {
                label: l.to_string(),
                text: t.to_string(),
            })
            .collect()
    }

    fn at(path: &str, fs: &[SourceText]) -> Option<String> {
        place_all(&[path], fs).pop().flatten()
    }

    const BASE: &str = r#"// base
(
    name: "base",
    model: (
        kind: "border",
        ports: [
            (name: "Lukeville", lanes: 4),
            (name: "San Ysidro", lanes: 20, hours: Some(24)),
        ],
        interventions: [
            (name: "A", kind: "title42", from: "2023-01-01"),
        ],
        /* a { comment ( */ rates: {"x": 1.0, "y": 2.0},
    ),
)
"#;

    #[test]
    fn fields_named_entries_and_map_keys_are_found() {
        let fs = files(&[("base.ron", BASE)]);
        assert_eq!(at("name", &fs).as_deref(), Some("base.ron:3:5"));
        assert_eq!(
            at(r#"model.ports["San Ysidro"].lanes"#, &fs).as_deref(),
            Some("base.ron:8:34")
        );
        assert_eq!(
            at("model.ports[0].lanes", &fs).as_deref(),
            Some("base.ron:7:33")
        );
        assert_eq!(
            at("model.ports[1].hours", &fs).as_deref(),
            Some("base.ron:8:45")
        );
        assert_eq!(
            at(r#"model.rates["y"]"#, &fs).as_deref(),
            Some("base.ron:13:47")
        );
        // A missing field: the entry that lacks it.
        assert_eq!(
            at(r#"model.interventions["A"].until"#, &fs).as_deref(),
            Some("base.ron:11:13")
        );
        // Nothing that names it: no guess.
        assert_eq!(at(r#"model.ports["Nogales"].lanes"#, &fs), None);
        assert_eq!(at("model.hubs[0].rest", &fs), None);
    }

    #[test]
    fn a_what_if_is_searched_before_its_base_and_its_set_keys_first() {
        let whatif = r#"(
    extend: "base.ron",
    name: "w",
    model: (
        add_interventions: [
            (name: "B", kind: "port_capacity", multiplier: -1.0, from: "2023-12-20"),
        ],
    ),
    set: { "model.ports[\"Lukeville\"].lanse": 2, "model.ports[\"San Ysidro\"]": () },
)"#;
        let fs = files(&[("w.ron", whatif), ("base.ron", BASE)]);
        assert_eq!(at("name", &fs).as_deref(), Some("w.ron:3:5"));
        assert_eq!(
            at(r#"model.interventions["B"].multiplier"#, &fs).as_deref(),
            Some("w.ron:6:48")
        );
        assert_eq!(
            at(r#"model.interventions["A"].kind"#, &fs).as_deref(),
            Some("base.ron:11:25")
        );
        assert_eq!(
            at(r#"model.ports["Lukeville"].lanse"#, &fs).as_deref(),
            Some("w.ron:9:12")
        );
        // A set key that replaces a whole entry covers its fields.
        assert_eq!(
            at(r#"model.ports["San Ysidro"].lanes"#, &fs).as_deref(),
            Some("w.ron:9:51")
        );
        assert_eq!(
            at("model.ports[\"Lukeville\"].lanes", &fs).as_deref(),
            Some("base.ron:7:33")
        );
        // A position in the merged list is not a position in `add_…`.
        assert_eq!(at("model.interventions[1].kind", &fs), None);
    }

    #[test]
    fn command_line_sets_get_no_file_location() {
        let fs = files(&[("base.ron", BASE)]);
        let err = Error::Invalid {
            file: "base.ron".into(),
            problems: vec![
                Problem {
                    path: r#"model.ports["Lukeville"].lanes"#.into(),
                    message: "bad".into(),
                    at: None,
                },
                Problem {
                    path: r#"model.ports["San Ysidro"].lanes"#.into(),
                    message: "bad".into(),
                    at: None,
                },
            ],
        };
        let sets = [r#"model.ports["Lukeville"]"#.to_string()];
        let Error::Invalid { problems, .. } = annotate(err, &fs, &sets) else {
            panic!("stays invalid")
        };
        assert_eq!(problems[0].at, None);
        assert_eq!(problems[1].at.as_deref(), Some("base.ron:8:34"));
        assert!(
            problems[1]
                .to_string()
                .starts_with("base.ron:8:34: model.ports")
        );
    }

    #[test]
    fn text_that_does_not_scan_gives_no_location() {
        for text in ["(name: \"open", "(a: /* never closed", "(a: [1, 2", ")", ""] {
            let fs = files(&[("x.ron", text)]);
            assert_eq!(at("a", &fs), None, "{text:?}");
        }
    }
}
