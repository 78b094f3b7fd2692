//! ui/src/bindings/ holds the TypeScript types generated from the Rust DTOs and the command
//! wrappers generated from the commands (`commands_ts`); this test fails when a committed file
//! differs from what the Rust side produces. Regenerate them with
//! `UPDATE_BINDINGS=1 cargo test -p countersign-app --test bindings`.

mod commands_ts;

use std::path::Path;

fn app_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file: the types, then the command wrappers.
fn generated() -> Vec<(String, String)> {
    let mut files = countersign_app::bindings::all();
    files.push(("commands.ts".into(), commands_ts::commands_ts(&commands_ts::commands(&app_root().join("src")))));
    files
}

#[test]
fn committed_typescript_bindings_match_the_rust_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let update = std::env::var_os("UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for (file, source) in generated() {
        let path = dir.join(&file);
        expected_files.push(file.clone());
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &source).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
            stale.push(file);
        }
    }
    let extra: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|name| !expected_files.contains(name)).collect()
        })
        .unwrap_or_default();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/bindings/ is stale (changed or missing: {stale:?}; not generated: {extra:?}); \
         run `UPDATE_BINDINGS=1 cargo test -p countersign-app --test bindings` and commit the result"
    );
}

#[test]
fn every_command_is_in_the_handler_in_build_rs_and_granted_and_nothing_else_is() {
    let commands = commands_ts::commands(&app_root().join("src"));
    assert!(commands.len() > 60, "the commands were read: {}", commands.len());
    let problems = commands_ts::registration_problems(app_root(), &commands);
    assert!(problems.is_empty(), "the app's command lists disagree:\n{}", problems.join("\n"));
}

#[test]
fn a_command_becomes_a_typed_function_with_its_doc_and_camel_case_keys() {
    let commands = commands_ts::commands(&app_root().join("src"));
    let ts = commands_ts::commands_ts(&commands);
    for expected in [
        "export function confirmFingerprint(cardPath: string, fingerprint: string): Promise<string> {\n  return call(\"confirm_fingerprint\", { cardPath, fingerprint });\n}",
        "export function appInfo(): Promise<AppInfo> {\n  return call(\"app_info\");\n}",
        "export function logout(): Promise<null> {",
        "export function revokePartnerKey(id: number, fingerprint: string | null, reason: string): Promise<string> {",
        "export function watchDrops(channel: Channel<string[]>): Promise<null> {",
        "import type { CaseView } from \"./CaseView\";",
    ] {
        assert!(ts.contains(expected), "commands.ts lacks {expected:?}");
    }
    assert!(!ts.contains("state:") && !ts.contains("window:"), "injected parameters are not the UI's");
}
