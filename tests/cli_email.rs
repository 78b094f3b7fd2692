//! Email evidence through the CLI (issue 6): `verify`/`receive --email` read the message that
//! carried an instruction; its findings can only raise the verdict; the case keeps the email's
//! hash and lists its findings.

mod util;

use std::path::PathBuf;

use util::{codes_of, default_details, TestDir};

fn corpus(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/email").join(name).display().to_string()
}

/// Initech with Globex (globex.com) onboarded and its contract account on file, and a clean,
/// accepted instruction from Globex.
fn office(dir: &TestDir) -> (util::Workspace<'_>, String) {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE", "--domain", "globex.com"]);
    ws.add_partner(&globex, &["--iban", "DE89 3704 0044 0532 0130 00", "--bic", "COBADEFFXXX"]);
    let recipient = util::KeyFiles { card: ws.card.clone(), ..globex.clone() };
    let signed = dir.sign(&globex, &recipient, &dir.write_details("d.json", &default_details()), "invoice.csi");
    (ws, signed.file)
}

#[test]
fn a_clean_email_leaves_an_accepted_instruction_accepted() {
    let dir = TestDir::new();
    let (ws, file) = office(&dir);
    let out = ws.run("clara", &["--json", "verify", &file, "--email", &corpus("clean.eml")]).assert_code(0);
    out.ensure(out.json()["verdict"] == "accepted", "a clean email must not lower or raise the verdict");
}

#[test]
fn the_incident_email_holds_a_valid_instruction_and_the_case_keeps_it_as_evidence() {
    let dir = TestDir::new();
    let (ws, file) = office(&dir);
    let eml = corpus("incident_compromised_third_party.eml");
    let out = ws.run("clara", &["--json", "receive", &file, "--email", &eml]).assert_code(3);
    let result = &out.results()[0];
    let codes = codes_of(&result["findings"]);
    for expected in ["email_reply_to_mismatch", "email_lookalike_domain", "email_auth_failed"] {
        out.ensure(codes.iter().any(|c| c == expected), &format!("expected {expected} in {codes:?}"));
    }
    out.ensure(result["verdict"] == "hold", "email findings raise the verdict to hold");
    let sha = result["email_sha256"].as_str().unwrap_or_else(|| out.fail("expected the email's SHA-256")).to_string();
    let id = result["case_id"].as_i64().unwrap().to_string();
    let show = ws.run("clara", &["--json", "case", "show", &id]).assert_code(0);
    let case = show.json();
    show.ensure(case["email_sha256"] == sha.as_str(), "the case keeps the email's hash");
    show.ensure(codes_of(&case["findings"]).iter().any(|c| c == "email_lookalike_domain"), "case show lists the email findings");
    let receipt = case["timeline"].as_array().unwrap().iter().find(|e| e["action"] == "instruction.receive").cloned().unwrap();
    show.ensure(receipt["details"]["email_sha256"] == sha.as_str(), "the audit event carries the email's hash");
}

#[test]
fn email_findings_never_lower_a_rejection() {
    let dir = TestDir::new();
    let (ws, file) = office(&dir);
    ws.run("clara", &["receive", &file]).assert_code(0);
    let out = ws.run("clara", &["--json", "verify", &file, "--email", &corpus("clean.eml")]).assert_code(1);
    out.ensure(codes_of(&out.json()["findings"]).iter().any(|c| c == "replayed"), "still replayed");
}

#[test]
fn an_unreadable_or_unparseable_email_changes_nothing() {
    let dir = TestDir::new();
    let (ws, file) = office(&dir);
    ws.run("clara", &["receive", &file, "--email", "missing.eml"]).assert_code(2);
    ws.run("clara", &["receive", &file, "--email", &corpus("malformed_not_an_email.eml")]).assert_code(2);
    // Nothing was recorded: the file is still new.
    ws.run("clara", &["receive", &file]).assert_code(0);
}

#[test]
fn look_alikes_of_our_own_domains_are_flagged_once_registered() {
    let dir = TestDir::new();
    let (ws, file) = office(&dir);
    ws.run("clara", &["org", "domains", "--domain", "initech.com"]).assert_code(4);
    ws.admin(&["org", "domains", "--domain", "initech.com"]).assert_code(0);
    let out = ws.run("clara", &["--json", "verify", &file, "--email", &corpus("lookalike_of_our_domain.eml")]);
    out.ensure(codes_of(&out.json()["findings"]).iter().any(|c| c == "email_lookalike_domain"), "expected our look-alike");
}

/// The email size limit is checked once, in the service, for every shell: a message over it is
/// refused with `file_too_large` (exit 2) before anything is verified or recorded.
#[test]
fn an_email_over_the_size_limit_is_refused_before_anything_is_recorded() {
    let dir = TestDir::new();
    let (ws, file) = office(&dir);
    let huge = dir.path().join("huge.eml");
    let mut message = b"From: a@globex.com\r\nTo: b@initech.example\r\nSubject: run\r\n\r\n".to_vec();
    message.resize(10 * 1024 * 1024 + 1, b'x');
    std::fs::write(&huge, message).unwrap();
    let huge = huge.display().to_string();
    let out = ws.run("clara", &["--json", "receive", &file, "--email", &huge]).assert_code(2);
    out.ensure(out.stderr().contains("file_too_large") || out.stdout().contains("file_too_large"), "the error names file_too_large");
    let list = ws.run("clara", &["--json", "case", "list"]).assert_code(0);
    list.ensure(list.json()["cases"].as_array().unwrap().is_empty(), "nothing was recorded");
    ws.run("clara", &["--json", "verify", &file, "--email", &huge]).assert_code(2);
}

/// One email dropped with a batch of files belongs only to the files it carried (issue 19: an
/// unrelated instruction was held with another's email findings): the attached file gets its
/// evidence, the other none. A single file with an email keeps the pairing the user chose.
#[test]
fn an_email_received_with_several_files_marks_only_the_one_it_carried() {
    use base64::Engine;
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE", "--domain", "globex.com"]);
    ws.add_partner(&globex, &["--iban", "DE89 3704 0044 0532 0130 00", "--bic", "COBADEFFXXX"]);
    let recipient = util::KeyFiles { card: ws.card.clone(), ..globex.clone() };
    let carried = dir.sign(&globex, &recipient, &dir.write_details("a.json", &default_details()), "a.csi").file;
    let mut second = default_details();
    second["reference"] = "INV-2026-200".into();
    let other = dir.sign(&globex, &recipient, &dir.write_details("b.json", &second), "b.csi").file;

    // The incident's message, now carrying a.csi as its attachment.
    let incident = std::fs::read_to_string(corpus("incident_compromised_third_party.eml")).unwrap();
    let (headers, _) = incident.split_once("MIME-Version: 1.0").unwrap();
    let attachment = base64::engine::general_purpose::STANDARD.encode(std::fs::read(dir.join(&carried)).unwrap());
    let eml = format!(
        "{headers}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nPlease use the attached signed instruction.\r\n\
         --b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a.csi\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{attachment}\r\n--b--\r\n"
    );
    let eml = dir.write("batch.eml", eml).display().to_string();
    let out = ws.run("clara", &["--json", "receive", &carried, &other, "--email", &eml]).assert_code(3);
    let results = out.results();
    let email_codes = |r: &serde_json::Value| codes_of(&r["findings"]).into_iter().filter(|c| c.starts_with("email_")).count();
    out.ensure(results[0]["email_sha256"].is_string() && email_codes(&results[0]) > 0, "the attached file keeps the email");
    out.ensure(results[1]["email_sha256"].is_null() && email_codes(&results[1]) == 0, "the other file gets none of it");
    out.ensure(results[1]["verdict"] == "accepted", "the other file is judged on its own");
}
