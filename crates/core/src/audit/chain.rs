//! The audit log's hash chain (pure): the canonical encoding of an event and the hash that
//! links it to the one before. The store appends events; auditors' tools recompute this.
//!
//! `hash = SHA-256("countersign/audit-event/v1" ‖ 0x00 ‖ prev_hash ‖ u64be(seq) ‖ lp(at) ‖
//! lp(actor) ‖ lp(action) ‖ lp(subject) ‖ lp(details))`, where `lp(s)` is a 4-byte big-endian
//! length followed by the UTF-8 bytes, `details` is canonical JSON (object keys sorted,
//! no insignificant white space) and the first event's `prev_hash` is 32 zero bytes.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Domain-separation prefix of event hashes.
pub const EVENT_CONTEXT: &[u8] = b"countersign/audit-event/v1\0";
/// The `prev_hash` of the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The fields of an event that the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFields<'a> {
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: &'a str,
    /// Who did it (a user name, or `system`).
    pub actor: &'a str,
    /// What happened (`partner.add`, `instruction.receive`, `login.failed`, …).
    pub action: &'a str,
    /// What it happened to (`partner:3`, `case:17`, `user:alice`).
    pub subject: &'a str,
    /// Canonical JSON object with the particulars.
    pub details: &'a str,
}

/// What a stored hash that is not 32 bytes long is read back as, so that the log check can name
/// the row (as `changed`, or `inserted` for a broken link) instead of the read failing: SHA-256
/// of a domain-separated copy of the stored bytes, which no event's fields hash to.
pub fn unreadable_hash(stored: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"countersign/audit/unreadable-hash\0");
    h.update(stored);
    h.finalize().into()
}

/// The hash of an event chained to `prev_hash`.
pub fn event_hash(prev_hash: &[u8; 32], event: &EventFields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(EVENT_CONTEXT);
    h.update(prev_hash);
    h.update(event.seq.to_be_bytes());
    for part in [event.at, event.actor, event.action, event.subject, event.details] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// Hex spelling of a hash, as listings show it.
pub fn hex(hash: &[u8]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Events as CSV for spreadsheets: a header row, then `seq, at, actor, action, subject,
/// details, hash` (hex), quoted where needed.
pub fn events_csv<'a>(events: impl IntoIterator<Item = (EventFields<'a>, [u8; 32])>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["seq", "at", "actor", "action", "subject", "details", "hash"]).expect("in memory");
    for (e, hash) in events {
        writer.write_record([e.seq.to_string().as_str(), e.at, e.actor, e.action, e.subject, e.details, &hex(&hash)]).expect("in memory");
    }
    String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

/// Canonical JSON: object keys sorted by their UTF-8 bytes, no white space, serde_json's
/// escaping of strings and numbers. Independent of serde_json's map ordering feature.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A stored hash that cannot be read stands for a hash of its own bytes under its own
    /// context (known answer from Python's hashlib), so two different unreadable hashes differ
    /// and neither is a constant any event could be made to match.
    #[test]
    fn an_unreadable_hash_is_a_hash_of_its_bytes() {
        assert_eq!(hex(&unreadable_hash(b"abc")), "a3450c7df2f71617e3bf1bff3ec6c2644a4c88d73454cbbf1a0103f8dd9fc78a");
        assert_ne!(unreadable_hash(b"abc"), unreadable_hash(b"abd"));
    }

    #[test]
    fn canonical_json_sorts_keys_recursively() {
        let v = json!({"b": 1, "a": {"d": [3, {"z": null, "y": "é"}], "c": true}});
        assert_eq!(canonical_json(&v), r#"{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}"#);
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let e = EventFields {
            seq: 7,
            at: "2026-11-23T09:00:00Z",
            actor: "alice",
            action: "case.reject",
            subject: "case:3",
            details: r#"{"reason":"a, \"b\""}"#,
        };
        let text = events_csv([(e, [0xab; 32])]);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("seq,at,actor,action,subject,details,hash"));
        let row = lines.next().unwrap();
        assert!(row.starts_with(r#"7,2026-11-23T09:00:00Z,alice,case.reject,case:3,"{""reason"":""a, \""b\""""}",abab"#), "{row}");
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = EventFields { seq: 1, at: "2026-11-23T09:00:00Z", actor: "alice", action: "x", subject: "s", details: "{}" };
        let h = event_hash(&GENESIS, &base);
        assert_ne!(h, event_hash(&[1; 32], &base));
        assert_ne!(h, event_hash(&GENESIS, &EventFields { seq: 2, ..base.clone() }));
        assert_ne!(h, event_hash(&GENESIS, &EventFields { actor: "bob", ..base.clone() }));
        assert_ne!(h, event_hash(&GENESIS, &EventFields { details: "{\"a\":1}", ..base.clone() }));
        // Length prefixes: moving a character between fields changes the hash.
        assert_ne!(
            event_hash(&GENESIS, &EventFields { actor: "ab", action: "c", ..base.clone() }),
            event_hash(&GENESIS, &EventFields { actor: "a", action: "bc", ..base })
        );
    }
}
