//! The shape of the source tree: layers without cycles, and no file or
//! function too long to read (issue 12). These read `src/` as text, the way
//! a reviewer would, so they fail the moment a change breaks the rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first. A module may use modules of a
/// lower layer, and of its own layer as long as no cycle forms.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "core",
        &[
            "error",
            "input",
            "engine",
            "rng",
            "calendar",
            "metrics",
            "stats",
            "score",
            "sensitivity",
            "output",
        ],
    ),
    ("validate", &["validate"]),
    ("model", &["model", "montecarlo"]),
    ("models", &["mmc", "border"]),
    ("scenario", &["scenario", "posterior"]),
    ("results", &["results"]),
    (
        "batch",
        &["runner", "shard", "compare", "sweep", "calibrate"],
    ),
    ("report", &["report"]),
    ("top", &["cli", "smoke"]),
];

/// Longest source file [lines].
const MAX_FILE_LINES: usize = 800;
/// Longest function [lines], signature to closing brace.
const MAX_FN_LINES: usize = 150;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().display().to_string();
            (rel, fs::read_to_string(&p).expect("a source file"))
        })
        .collect()
}

/// The top-level module a file belongs to (`border/model/mod.rs` → `border`).
fn top_module(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap_or(rel);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// Top-level modules named after `crate::` in `text`, unit tests excluded
/// (they may reach up to build fixtures).
fn uses(text: &str) -> BTreeSet<String> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or(text)
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let code = code.as_str();
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap_or("");
                out.insert(
                    name.trim_matches(|c: char| !c.is_alphanumeric() && c != '_')
                        .to_string(),
                );
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            out.insert(name);
        }
    }
    out.retain(|n| !n.is_empty() && n != "Error" && n != "Result" && n != "Scenario");
    out
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

#[test]
fn layers_have_no_cycles() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (rel, text) in sources() {
        let top = top_module(&rel);
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(layer) = layer_of(top) else {
            wrong.push(format!("{rel}: module `{top}` is in no layer of LAYERS"));
            continue;
        };
        for used in uses(&text) {
            if used == top {
                continue;
            }
            match layer_of(&used) {
                Some(l) if l <= layer => {}
                Some(l) => wrong.push(format!(
                    "{rel}: `{top}` ({}) uses `{used}` from the higher layer {}",
                    LAYERS[layer].0, LAYERS[l].0
                )),
                None => wrong.push(format!("{rel}: uses `crate::{used}`, in no layer")),
            }
            graph.entry(top.to_string()).or_default().insert(used);
        }
    }
    // Within a layer: no module may reach itself.
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = graph[start].iter().collect();
        while let Some(m) = stack.pop() {
            if m == start {
                wrong.push(format!("`{start}` is part of an import cycle"));
                break;
            }
            if seen.insert(m.clone()) {
                stack.extend(graph.get(m).into_iter().flatten());
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

/// Generated or tabular files allowed past [`MAX_FILE_LINES`], with why.
const LONG_FILES: &[(&str, &str)] = &[];

#[test]
fn no_file_or_function_is_too_long() {
    let mut wrong = Vec::new();
    for (rel, text) in sources() {
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > MAX_FILE_LINES && !LONG_FILES.iter().any(|(f, _)| *f == rel) {
            wrong.push(format!(
                "{rel}: {} lines (limit {MAX_FILE_LINES})",
                lines.len()
            ));
        }
        // rustfmt puts a function's closing brace alone at the indentation
        // of its signature.
        for (i, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            let indent = line.len() - body.len();
            let signature = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "pub(super) fn ",
                "const fn ",
                "pub const fn ",
            ]
            .iter()
            .any(|p| body.starts_with(p));
            if !signature || body.ends_with(';') {
                continue;
            }
            let close = format!("{}}}", " ".repeat(indent));
            if let Some(len) = lines[i..].iter().position(|l| *l == close)
                && len + 1 > MAX_FN_LINES
            {
                wrong.push(format!(
                    "{rel}:{}: a function of {} lines (limit {MAX_FN_LINES})",
                    i + 1,
                    len + 1
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "too long:\n{}", wrong.join("\n"));
}
