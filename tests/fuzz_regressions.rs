//! The fuzzing targets in `make test`: every input that ever crashed one (`fuzz/crashes/`) and
//! every corpus file is replayed, and a short, fixed burst of mutations runs on each target, so
//! a fixed crash stays fixed and the harness itself keeps working. `make fuzz` runs the long,
//! random search (docs/fuzzing.md).

mod fuzz;

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `input` through `target`, returning whether it panicked.
fn panics(target: &fuzz::Target, input: &[u8]) -> bool {
    std::panic::catch_unwind(|| (target.run)(input)).is_err()
}

#[test]
fn every_kept_crash_and_corpus_file_runs_without_a_panic() {
    let mut broken = Vec::new();
    for target in fuzz::TARGETS {
        for (path, input) in fuzz::crashes(&root(), target) {
            if panics(target, &input) {
                broken.push(format!("{}: {}", target.name, path.display()));
            }
        }
        for (i, input) in fuzz::corpus(&root(), target).iter().enumerate() {
            if panics(target, input) {
                broken.push(format!("{}: corpus input {i}", target.name));
            }
        }
    }
    assert!(broken.is_empty(), "these inputs panic:\n{}", broken.join("\n"));
}

#[test]
fn every_target_has_seeds_and_survives_a_fixed_burst_of_mutations() {
    for target in fuzz::TARGETS {
        let corpus = fuzz::corpus(&root(), target);
        assert!(corpus.iter().any(|s| !s.is_empty()), "{} has no seed input", target.name);
        let mut rng = fuzz::Rng::new(20261203);
        for round in 0..150 {
            let base = &corpus[rng.below(corpus.len())];
            let input = fuzz::mutate(base, &corpus, &mut rng);
            assert!(!panics(target, &input), "{} panicked on mutation {round}: {:?}", target.name, String::from_utf8_lossy(&input));
        }
    }
}

/// Regression (issue 16): the class of input that made `verify` panic before the fuzzing
/// harness existed, a window ending in the last minutes of year 9999, is one of its tokens and
/// is run through the payload target here directly.
#[test]
fn the_year_9999_window_runs_through_the_payload_target() {
    let target = fuzz::TARGETS.iter().find(|t| t.name == "instruction-payload").expect("the payload target");
    let payload = fuzz::corpus(&root(), target).into_iter().next().expect("a seed");
    let text = String::from_utf8(payload).expect("a JSON payload");
    let late = text.replacen("2026-12-20T08:00:00Z", "9999-12-31T23:59:59Z", 1);
    assert_ne!(late, text, "the seed's valid_until was replaced");
    assert!(!panics(target, late.as_bytes()));
}
