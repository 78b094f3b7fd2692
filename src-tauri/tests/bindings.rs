//! ui/src/bindings/ holds the TypeScript types generated from the Rust DTOs; this test fails when
//! a committed file differs from what the Rust types produce. Regenerate them with
//! `UPDATE_BINDINGS=1 cargo test -p countersign-app --test bindings`.

use std::path::Path;

#[test]
fn committed_typescript_bindings_match_the_rust_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let update = std::env::var_os("UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for (file, source) in countersign_app::bindings::all() {
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
