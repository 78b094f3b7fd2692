//! The workspace schema, as numbered migrations. `PRAGMA user_version` records how many have
//! been applied; a database with a higher number was written by a newer Countersign and is
//! refused untouched. Migrations only ever get added at the end.

/// Every migration, in order; migration `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, NAME_CHECKS];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

const V1: &str = r#"
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE org_keys (
    id          INTEGER PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('signing', 'audit')),
    fingerprint TEXT NOT NULL UNIQUE,
    public_key  BLOB NOT NULL,
    sealed      TEXT NOT NULL,
    card        BLOB,
    status      TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('clerk', 'approver', 'admin', 'auditor')),
    password_hash  TEXT NOT NULL,
    totp_sealed    TEXT,
    totp_last_step INTEGER,
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    last_failed_at TEXT,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL
) STRICT;

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    country    TEXT,
    card       BLOB NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
) STRICT;

CREATE TABLE partner_domains (
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    domain     TEXT NOT NULL,
    PRIMARY KEY (partner_id, domain)
) STRICT;

CREATE TABLE partner_phones (
    id          INTEGER PRIMARY KEY,
    partner_id  INTEGER NOT NULL REFERENCES partners(id),
    e164        TEXT NOT NULL,
    source      TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (partner_id, e164)
) STRICT;

CREATE TABLE partner_keys (
    id                INTEGER PRIMARY KEY,
    partner_id        INTEGER NOT NULL REFERENCES partners(id),
    fingerprint       TEXT NOT NULL UNIQUE,
    public_key        BLOB NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'retired', 'revoked')),
    verified_how      TEXT NOT NULL,
    verified_by       TEXT NOT NULL,
    verified_at       TEXT NOT NULL,
    status_changed_at TEXT,
    status_reason     TEXT
) STRICT;
CREATE INDEX partner_keys_by_partner ON partner_keys(partner_id);

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY,
    partner_id        INTEGER NOT NULL REFERENCES partners(id),
    account_key       TEXT NOT NULL,
    display           TEXT NOT NULL,
    bic               TEXT NOT NULL,
    country           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('current', 'pending', 'retired', 'fraudulent')),
    source            TEXT NOT NULL CHECK (source IN ('contract', 'instruction')),
    first_seen        TEXT NOT NULL,
    last_seen         TEXT NOT NULL,
    became_current_at TEXT,
    UNIQUE (partner_id, account_key)
) STRICT;
CREATE INDEX accounts_by_key ON accounts(account_key);

CREATE TABLE fraudulent_accounts (
    account_key TEXT PRIMARY KEY,
    marked_at   TEXT NOT NULL,
    marked_by   TEXT NOT NULL,
    case_id     INTEGER,
    reason      TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    status            TEXT NOT NULL CHECK (status IN ('accepted', 'hold', 'callback_confirmed', 'approved', 'released', 'rejected', 'quarantined')),
    verdict           TEXT NOT NULL CHECK (verdict IN ('accepted', 'hold', 'rejected')),
    findings          TEXT NOT NULL,
    file_name         TEXT NOT NULL,
    file_sha256       TEXT NOT NULL,
    file              BLOB NOT NULL,
    signer            TEXT,
    partner_id        INTEGER REFERENCES partners(id),
    instruction_id    TEXT,
    issued_at         TEXT,
    confirmation_code TEXT,
    beneficiary_name  TEXT,
    account_key       TEXT,
    account_display   TEXT,
    currency          TEXT,
    amount_minor      INTEGER,
    email_sha256      TEXT,
    received_by       TEXT NOT NULL,
    received_at       TEXT NOT NULL
) STRICT;
CREATE INDEX cases_by_instruction ON cases(signer, instruction_id);
CREATE INDEX cases_by_partner ON cases(partner_id);
CREATE INDEX cases_by_status ON cases(status);

CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
) STRICT;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

/// Callbacks, decisions and release on cases; the creditor's BIC and reference kept with the
/// verified record, so exports never go back to the incoming file.
const V2: &str = r#"
ALTER TABLE cases ADD COLUMN account_bic TEXT;
ALTER TABLE cases ADD COLUMN reference TEXT;
ALTER TABLE cases ADD COLUMN due_date TEXT;
ALTER TABLE cases ADD COLUMN wrong_responses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN decided_by TEXT;
ALTER TABLE cases ADD COLUMN decided_at TEXT;
ALTER TABLE cases ADD COLUMN decision_reason TEXT;
ALTER TABLE cases ADD COLUMN released_by TEXT;
ALTER TABLE cases ADD COLUMN released_at TEXT;

CREATE TABLE callbacks (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    challenge   TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    dialed      TEXT,
    reached     TEXT,
    response    TEXT,
    outcome     TEXT CHECK (outcome IN ('confirmed', 'wrong_response', 'denied', 'unreachable')),
    note        TEXT,
    recorded_at TEXT
) STRICT;
CREATE INDEX callbacks_by_case ON callbacks(case_id);
"#;

/// The email that carried an instruction, kept with its case as evidence.
const V3: &str = r#"
ALTER TABLE cases ADD COLUMN email BLOB;
"#;

/// Signed checkpoints of the audit log (issue 5) and each user's keyring: the organisation's
/// audit key and the user's own signing key, sealed under the user's password. Checkpoints are
/// append-only like the events they cover.
const V4: &str = r#"
ALTER TABLE users ADD COLUMN keyring TEXT;
ALTER TABLE users ADD COLUMN public_key BLOB;

CREATE TABLE checkpoints (
    id     INTEGER PRIMARY KEY,
    size   INTEGER NOT NULL CHECK (size >= 0),
    root   BLOB NOT NULL,
    at     TEXT NOT NULL,
    reason TEXT NOT NULL,
    signer TEXT NOT NULL,
    note   TEXT NOT NULL
) STRICT;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
"#;

/// The bank file of each released payment, kept as the one artefact its release or first export
/// made (issue 16): exporting again gives these bytes, and `saved_at` says whether a file was
/// ever written out (a release interrupted before it was is found at the next start).
const V5: &str = r#"
CREATE TABLE bank_files (
    case_id    INTEGER PRIMARY KEY REFERENCES cases(id),
    format     TEXT NOT NULL CHECK (format IN ('pain001', 'epc-qr')),
    sha256     TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    created_at TEXT NOT NULL,
    saved_at   TEXT
) STRICT;
"#;

/// Indexes that keep the cost of a receipt flat as a partner's history grows (issue 16: a batch
/// of 1,000 files took 1 s at first and 50 s after 30,000 receipts of the same partner). Partial
/// indexes over the accepted cases only; the queries repeat their WHERE word for word, which is
/// what lets SQLite use them.
const V6: &str = r#"
CREATE INDEX cases_accepted_issue ON cases(signer, issued_at)
    WHERE status IN ('accepted', 'callback_confirmed', 'approved', 'released');
CREATE INDEX cases_accepted_amounts ON cases(partner_id, currency, amount_minor)
    WHERE amount_minor IS NOT NULL AND status IN ('accepted', 'callback_confirmed', 'approved', 'released');
"#;

/// Four eyes (issue 15): pending changes, each with the proposal its maker signed and the request
/// applying it needs; and the marks of accounts after a denied callback, suspected at once and
/// confirmed fraudulent by a second person (marks made before this version become suspected, as
/// one person made each of them).
const V7: &str = r#"
CREATE TABLE pending_changes (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    proposal    TEXT NOT NULL,
    request     TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    decided_by  TEXT,
    decided_at  TEXT,
    reason      TEXT
) STRICT;
CREATE INDEX pending_changes_open ON pending_changes(id) WHERE status = 'pending';
ALTER TABLE fraudulent_accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'suspected' CHECK (status IN ('suspected', 'fraudulent'));
ALTER TABLE fraudulent_accounts ADD COLUMN confirmed_by TEXT;
ALTER TABLE fraudulent_accounts ADD COLUMN confirmed_at TEXT;
"#;

/// Paging (issue 19): every list pages by a key that never changes. A fraud mark gets a row id,
/// numbered in the order the marks were made (the marks made before keep the order they were
/// listed in: the latest marked first, then by account key); the table is made again for it, as
/// SQLite adds no INTEGER PRIMARY KEY to a table. The cases of one account of a partner are found
/// by an index instead of reading all the partner's cases.
const V8: &str = r#"
CREATE TABLE fraudulent_accounts_v8 (
    id           INTEGER PRIMARY KEY,
    account_key  TEXT NOT NULL UNIQUE,
    marked_at    TEXT NOT NULL,
    marked_by    TEXT NOT NULL,
    case_id      INTEGER,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'suspected' CHECK (status IN ('suspected', 'fraudulent')),
    confirmed_by TEXT,
    confirmed_at TEXT
) STRICT;
INSERT INTO fraudulent_accounts_v8 (account_key, marked_at, marked_by, case_id, reason, status, confirmed_by, confirmed_at)
    SELECT account_key, marked_at, marked_by, case_id, reason, status, confirmed_by, confirmed_at
    FROM fraudulent_accounts ORDER BY marked_at, account_key DESC;
DROP TABLE fraudulent_accounts;
ALTER TABLE fraudulent_accounts_v8 RENAME TO fraudulent_accounts;
CREATE INDEX cases_by_account ON cases(partner_id, account_key, id);
"#;

/// Bank name checks attached to cases (issue 20): each row backed by its `case.name_check`
/// statement. Named, not only numbered, so that the lead can renumber it when branches merge.
const NAME_CHECKS: &str = r#"
CREATE TABLE name_checks (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases(id),
    scheme          TEXT NOT NULL CHECK (scheme IN ('vop', 'cop')),
    request_id      TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    answered_at     TEXT NOT NULL,
    name_sent       TEXT NOT NULL,
    account_sent    TEXT NOT NULL,
    answer          TEXT NOT NULL,
    matched_name    TEXT,
    obtained        TEXT NOT NULL CHECK (obtained IN ('api', 'pain002', 'screenshot')),
    evidence_sha256 TEXT,
    attached_by     TEXT NOT NULL,
    attached_at     TEXT NOT NULL
) STRICT;
CREATE INDEX name_checks_by_case ON name_checks(case_id, id);
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// The marks of a workspace of version 7 keep the order they were listed in once numbered.
    #[test]
    fn version_8_numbers_the_marks_in_the_order_they_were_listed() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..7] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO fraudulent_accounts (account_key, marked_at, marked_by, reason) VALUES
                 ('iban:B', '2026-01-02T00:00:00Z', 'carol', 'denied'),
                 ('iban:A', '2026-01-02T00:00:00Z', 'carol', 'denied'),
                 ('iban:C', '2026-01-01T00:00:00Z', 'carol', 'denied');",
        )
        .unwrap();
        conn.execute_batch(V8).unwrap();
        let listed: Vec<(i64, String)> = conn
            .prepare("SELECT id, account_key FROM fraudulent_accounts ORDER BY id DESC")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(listed, [(3, "iban:A".to_string()), (2, "iban:B".to_string()), (1, "iban:C".to_string())]);
    }
}
