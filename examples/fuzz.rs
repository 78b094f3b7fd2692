//! The fuzzing driver (`make fuzz`): for each target in `tests/fuzz/mod.rs`, mutates its corpus
//! for a set time on the stable toolchain (no nightly, no instrumentation: random mutations of
//! the seeds and of each other, byte flips, deletions, duplications, splices and tokens that have
//! broken parsers before), runs the parser under `catch_unwind`, and keeps every input that
//! panicked in `fuzz/crashes/TARGET/` (then `tests/fuzz_regressions.rs` replays it in
//! `make test`). Prints per target: runs, inputs per second, crashes.
//!
//!     cargo run --release --example fuzz -- [--seconds N] [--seed S] [TARGET…]

#[path = "../tests/fuzz/mod.rs"]
mod fuzz;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

struct Options {
    seconds: u64,
    seed: u64,
    targets: Vec<String>,
}

fn options() -> Result<Options, String> {
    let mut options = Options { seconds: 600, seed: 0, targets: Vec::new() };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => options.seconds = args.next().and_then(|s| s.parse().ok()).ok_or("--seconds takes a whole number")?,
            "--seed" => options.seed = args.next().and_then(|s| s.parse().ok()).ok_or("--seed takes a whole number")?,
            "--bench" => {}
            name if fuzz::TARGETS.iter().any(|t| t.name == name) => options.targets.push(name.to_string()),
            other => {
                let names: Vec<&str> = fuzz::TARGETS.iter().map(|t| t.name).collect();
                return Err(format!("unknown argument {other:?}; targets: {}", names.join(", ")));
            }
        }
    }
    if options.seed == 0 {
        options.seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
    }
    Ok(options)
}

fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("fuzz: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // A panic is a finding, reported by the loop below; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));
    println!("fuzz: seed {}, {} s per target", options.seed, options.seconds);
    let mut total_crashes = 0;
    for target in fuzz::TARGETS.iter().filter(|t| options.targets.is_empty() || options.targets.iter().any(|n| n == t.name)) {
        let mut corpus = fuzz::corpus(&root, target);
        let mut rng = fuzz::Rng::new(options.seed ^ target.name.len() as u64);
        let deadline = Instant::now() + Duration::from_secs(options.seconds);
        let (mut runs, mut crashed) = (0u64, BTreeSet::new());
        let started = Instant::now();
        while Instant::now() < deadline {
            for _ in 0..64 {
                let base = corpus[rng.below(corpus.len())].clone();
                let input = fuzz::mutate(&base, &corpus, &mut rng);
                runs += 1;
                if std::panic::catch_unwind(|| (target.run)(&input)).is_err() {
                    let name = hex(&Sha256::digest(&input)[..8]);
                    if crashed.insert(name.clone()) {
                        let dir = root.join("fuzz/crashes").join(target.name);
                        let _ = std::fs::create_dir_all(&dir);
                        let _ = std::fs::write(dir.join(format!("{name}.bin")), &input);
                        println!("fuzz: {}: crash kept as fuzz/crashes/{}/{name}.bin", target.name, target.name);
                    }
                } else if corpus.len() < 4096 && rng.below(512) == 0 {
                    // Keep some survivors as bases, so mutations can build on mutations.
                    corpus.push(input);
                }
            }
        }
        let rate = runs as f64 / started.elapsed().as_secs_f64().max(0.001);
        println!("fuzz: {:<20} {runs:>10} runs ({rate:>8.0}/s), {} crash(es)", target.name, crashed.len());
        total_crashes += crashed.len();
    }
    if total_crashes > 0 {
        println!("fuzz: {total_crashes} crash(es): each is replayed by tests/fuzz_regressions.rs until fixed");
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
