//! No function over 80 lines without a reason: a function longer than that (from its `fn` line to
//! its closing brace) must say why on a `// Long: …` line just above it (among its doc comment and
//! attributes). Long functions hide the steps a reader needs to see; a scenario test or a vector
//! generator that reads top to bottom is the usual good reason.

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 80;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "node_modules" && name != "target" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// `(first line, length, name)` of every function in `source` longer than [`MAX_LINES`] with no
/// `// Long:` reason above it.
fn unexplained_long_functions(source: &str) -> Vec<(usize, usize, String)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(name) = function_name(trimmed) else { continue };
        let indent = &line[..line.len() - trimmed.len()];
        // The body opens on the signature's last line; a declaration ending in `;` has none.
        let Some(open) = (i..lines.len()).find(|&j| lines[j].trim_end().ends_with('{') || lines[j].trim_end().ends_with(';')) else {
            continue;
        };
        if lines[open].trim_end().ends_with(';') {
            continue;
        }
        let closing = format!("{indent}}}");
        let Some(close) = (open + 1..lines.len()).find(|&j| lines[j] == closing) else { continue };
        let length = close - i + 1;
        let explained = lines[..i]
            .iter()
            .rev()
            .take_while(|l| {
                let t = l.trim_start();
                t.starts_with("//") || t.starts_with("#[")
            })
            .any(|l| l.trim_start().starts_with("// Long:"));
        if length > MAX_LINES && !explained {
            found.push((i + 1, length, name.to_string()));
        }
    }
    found
}

/// The name of the function a line declares, if it declares one.
fn function_name(trimmed: &str) -> Option<&str> {
    let mut rest = trimmed;
    for prefix in ["pub(crate) ", "pub(super) ", "pub ", "async ", "const ", "unsafe ", "extern \"C\" "] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some(&rest[..end])
}

#[test]
fn no_function_is_longer_than_80_lines_without_a_reason() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["crates", "src", "src-tauri/src", "src-tauri/tests", "tests", "benches"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "the sources were not found");
    let mut long = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("readable");
        for (line, length, name) in unexplained_long_functions(&source) {
            long.push(format!("{}:{line}: fn {name} is {length} lines", file.strip_prefix(&root).unwrap().display()));
        }
    }
    assert!(long.is_empty(), "split these, or give the reason on a `// Long: …` line above each:\n{}", long.join("\n"));
}

#[test]
fn the_check_measures_bodies_and_reads_reasons() {
    let body = "    let x = 1;\n".repeat(MAX_LINES);
    let long = format!("pub fn long() {{\n{body}}}\n");
    assert_eq!(unexplained_long_functions(&long), [(1, MAX_LINES + 2, "long".to_string())]);
    let explained = format!("// Long: a scenario that reads top to bottom.\n#[test]\n{long}");
    assert!(unexplained_long_functions(&explained).is_empty());
    let short = format!("fn short() {{\n{}}}\n", "    x();\n".repeat(MAX_LINES - 2));
    assert!(unexplained_long_functions(&short).is_empty());
    assert!(unexplained_long_functions("    fn declared(&self) -> u8;\n").is_empty());
}
