//! The `countersign` command-line shell: parses arguments, calls the core, prints results and
//! maps them to the exit codes of CONTRACT.md. No rule lives here.

#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
