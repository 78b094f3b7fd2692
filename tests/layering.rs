//! The architecture as compile-time facts: which crate may depend on which (read from `cargo
//! metadata`), and what the core's source may not reach for (the file system, the clock, the
//! environment, the OS random source, threads, processes, the network). A change that breaks a
//! rule fails here, naming the crate, the dependency or the file and line, and the rule.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every workspace package's normal (not dev, not build) dependencies, by package name.
fn normal_dependencies() -> Vec<(String, Vec<String>)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline", "--manifest-path"])
        .arg(root().join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().expect("a name").to_string())
                .collect();
            (p["name"].as_str().expect("a name").to_string(), deps)
        })
        .collect()
}

/// Crates that do I/O, keep time, or belong to a shell or a database.
const IO_AND_SHELLS: &[&str] =
    &["rusqlite", "postgres", "tokio-postgres", "sqlx", "tokio", "clap", "rpassword", "indicatif", "tauri", "tauri-build", "gtk", "dirs"];

fn forbidden(package: &str) -> Vec<&'static str> {
    let mut rules: Vec<&str> = Vec::new();
    match package {
        // The core: pure, and below everything else.
        "countersign-core" => {
            rules.extend(IO_AND_SHELLS);
            rules.extend(["countersign-store", "countersign-service", "countersign", "countersign-app"]);
        }
        // The store knows SQL, never the service or a shell.
        "countersign-store" => rules.extend(["countersign-service", "countersign", "countersign-app", "clap", "tauri", "dirs"]),
        // The service reaches the database through the store's trait only, and knows no shell.
        "countersign-service" => {
            rules.extend(["rusqlite", "postgres", "tokio-postgres", "sqlx", "clap", "rpassword", "indicatif", "tauri", "gtk"])
        }
        // The shells name the service only: never the store, the core directly, or a database.
        "countersign" | "countersign-app" => {
            rules.extend(["countersign-store", "countersign-core", "rusqlite", "postgres", "tokio-postgres", "sqlx"])
        }
        _ => {}
    }
    rules
}

#[test]
fn the_crate_graph_keeps_the_layers() {
    let packages = normal_dependencies();
    let names: Vec<&str> = packages.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["countersign-core", "countersign-store", "countersign-service", "countersign", "countersign-app"] {
        assert!(names.contains(&expected), "the workspace lost the crate {expected}: {names:?}");
    }
    let mut broken = Vec::new();
    for (package, deps) in &packages {
        for dep in deps {
            if forbidden(package).contains(&dep.as_str()) {
                broken.push(format!("{package} depends on {dep}"));
            }
        }
    }
    assert!(broken.is_empty(), "layering broken (see docs/architecture.md, \"The crates\"):\n{}", broken.join("\n"));
}

#[test]
fn the_shells_reach_the_core_through_the_service() {
    let packages = normal_dependencies();
    for shell in ["countersign", "countersign-app"] {
        let deps = &packages.iter().find(|(n, _)| n == shell).expect("the shell").1;
        assert!(deps.iter().any(|d| d == "countersign-service"), "{shell} must depend on countersign-service");
    }
}

/// What the core's non-test code may not name: each would be I/O, the clock or the OS's randomness.
const IMPURE: &[(&str, &str)] = &[
    ("std::fs", "the file system"),
    ("std::env", "the environment"),
    ("std::net", "the network"),
    ("std::process", "processes"),
    ("std::thread", "threads"),
    ("std::time::SystemTime", "the clock"),
    ("SystemTime::now", "the clock"),
    ("Instant::now", "the clock"),
    ("now_utc", "the clock"),
    ("now_local", "the clock"),
    ("OsRng", "the OS random source"),
    ("thread_rng", "the OS random source"),
    ("getrandom", "the OS random source"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of `source` outside `#[cfg(test)]` items (a module or function that follows the
/// attribute, to its closing brace at the same indentation).
fn non_test_lines(source: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut skip_until: Option<String> = None;
    let mut pending_test = false;
    for (i, line) in source.lines().enumerate() {
        if let Some(end) = &skip_until {
            if line == end {
                skip_until = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            pending_test = true;
            continue;
        }
        if pending_test {
            pending_test = false;
            if line.trim_end().ends_with('{') {
                let indent = &line[..line.len() - trimmed.len()];
                skip_until = Some(format!("{indent}}}"));
            }
            continue;
        }
        out.push((i + 1, line));
    }
    out
}

#[test]
fn the_core_does_no_io_and_keeps_no_clock() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/core/src"), &mut files);
    assert!(files.len() > 20, "the core's sources were not found");
    let mut broken = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("readable");
        for (n, line) in non_test_lines(&source) {
            let code = line.split("//").next().unwrap_or("");
            for (name, what) in IMPURE {
                if code.contains(name) {
                    broken.push(format!("{}:{n}: {name} ({what}): {}", file.strip_prefix(root()).unwrap().display(), line.trim()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "the core must take time and randomness as parameters and do no I/O:\n{}", broken.join("\n"));
}

#[test]
fn the_scan_sees_test_modules_and_code_apart() {
    let source = "fn a() { OsRng; }\n#[cfg(test)]\nmod tests {\n    fn b() { now_utc(); }\n}\nfn c() {}\n";
    let lines: Vec<&str> = non_test_lines(source).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lines, ["fn a() { OsRng; }", "fn c() {}"]);
}
