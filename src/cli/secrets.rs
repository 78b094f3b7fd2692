//! Secrets for the CLI: from an environment variable, or else an interactive prompt that does
//! not echo. Never from argv. With neither a variable nor a terminal, a clear error.

use std::io::IsTerminal;

use zeroize::Zeroizing;

use super::exit::CliError;

/// A standalone key file's passphrase.
pub const KEY_PASSPHRASE: &str = "COUNTERSIGN_KEY_PASSPHRASE";

/// Reads a secret from `var`, or prompts for it on the terminal.
pub fn read_secret(var: &str, prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if let Ok(value) = std::env::var(var) {
        return Ok(Zeroizing::new(value));
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(CliError::usage(
            "secret_unavailable",
            format!("{prompt} is needed: set {var}, or run in a terminal to be asked for it"),
        ));
    }
    rpassword::prompt_password(format!("{prompt}: "))
        .map(Zeroizing::new)
        .map_err(|e| CliError::usage("secret_unavailable", format!("could not read {prompt}: {e}")))
}

/// Reads a new secret: from `var`, or prompted twice on the terminal until both match.
pub fn read_new_secret(var: &str, prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if std::env::var(var).is_ok() {
        return read_secret(var, prompt);
    }
    let first = read_secret(var, prompt)?;
    let second = read_secret(var, &format!("{prompt} (again)"))?;
    if *first != *second {
        return Err(CliError::usage("secret_mismatch", "the two entries differ"));
    }
    Ok(first)
}
