//! The signed-file envelope shared by every file type we sign (instructions, partner cards,
//! key-rotation statements, the recovery key's rotations and revocations): a small JSON object carrying the exact signed payload bytes in
//! base64, the signer's fingerprint and an Ed25519 signature over a domain-separated message.
//!
//! Parsing is strict: a size limit, valid UTF-8, no unknown or duplicate fields, canonical
//! base64 and canonical fingerprints only. This module checks the envelope's shape; it never
//! looks inside the payload, so callers verify the signature before parsing the payload.

use serde::{Deserialize, Serialize};

use crate::encoding::{b64_decode, b64_decode_array, b64_encode};
use crate::format::fingerprint::Fingerprint;
use crate::format::keys::{KeyPair, PublicKey};

/// Largest signed file accepted, in bytes.
pub const MAX_FILE_SIZE: usize = 64 * 1024;

/// The kinds of signed file. Each version of each has its own `format` identifier, which is
/// also the signature's domain-separation context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A payment instruction (bank details), `countersign/instruction/v1` or `v2` (with the
    /// recipient's callback key).
    Instruction,
    /// A self-signed partner card, `countersign/card/v1`, `v2` (with a callback key) or `v3`
    /// (with a recovery key).
    Card,
    /// A key-rotation statement, `countersign/key-rotation/v1`.
    KeyRotation,
    /// A rotation signed by the partner's recovery key, `countersign/recovery-rotation/v1`.
    RecoveryRotation,
    /// A revocation of a signing key by the recovery key, `countersign/key-revocation/v1`.
    KeyRevocation,
    /// A partner's freeze notice, `countersign/freeze-notice/v1` (issue 20): hold every payment.
    FreezeNotice,
    /// A partner's lift of a freeze, `countersign/freeze-lift/v1` (issue 20).
    FreezeLift,
}

impl FileKind {
    /// The word between `countersign/` and the version.
    fn word(self) -> &'static str {
        match self {
            Self::Instruction => "instruction",
            Self::Card => "card",
            Self::KeyRotation => "key-rotation",
            Self::RecoveryRotation => "recovery-rotation",
            Self::KeyRevocation => "key-revocation",
            Self::FreezeNotice => "freeze-notice",
            Self::FreezeLift => "freeze-lift",
        }
    }

    /// What people call it, for messages.
    pub fn description(self) -> &'static str {
        match self {
            Self::Instruction => "signed payment instruction",
            Self::Card => "partner card",
            Self::KeyRotation => "key-rotation statement",
            Self::RecoveryRotation => "recovery-signed rotation statement",
            Self::KeyRevocation => "key-revocation statement",
            Self::FreezeNotice => "freeze notice",
            Self::FreezeLift => "freeze lift notice",
        }
    }

    /// The `format` identifier of version 1, which is also the signing context.
    pub fn format_id(self) -> &'static str {
        match self {
            Self::Instruction => "countersign/instruction/v1",
            Self::Card => "countersign/card/v1",
            Self::KeyRotation => "countersign/key-rotation/v1",
            Self::RecoveryRotation => "countersign/recovery-rotation/v1",
            Self::KeyRevocation => "countersign/key-revocation/v1",
            Self::FreezeNotice => "countersign/freeze-notice/v1",
            Self::FreezeLift => "countersign/freeze-lift/v1",
        }
    }

    /// The `format` identifier of `version`, if this build knows that version of the kind.
    pub fn format_id_of(self, version: u32) -> Option<&'static str> {
        match (self, version) {
            (_, 1) => Some(self.format_id()),
            (Self::Instruction, 2) => Some("countersign/instruction/v2"),
            (Self::Card, 2) => Some("countersign/card/v2"),
            (Self::Card, 3) => Some("countersign/card/v3"),
            _ => None,
        }
    }

    /// The identifiers this build reads, for messages.
    fn supported(self) -> &'static str {
        match self {
            Self::Instruction => "countersign/instruction/v1 and v2",
            Self::Card => "countersign/card/v1, v2 and v3",
            Self::KeyRotation => "countersign/key-rotation/v1",
            Self::RecoveryRotation => "countersign/recovery-rotation/v1",
            Self::KeyRevocation => "countersign/key-revocation/v1",
            Self::FreezeNotice => "countersign/freeze-notice/v1",
            Self::FreezeLift => "countersign/freeze-lift/v1",
        }
    }

    /// Whether the envelope carries the signer's public key (only self-signed cards do).
    fn carries_public_key(self) -> bool {
        matches!(self, Self::Card)
    }

    fn all() -> [FileKind; 7] {
        [
            Self::Instruction,
            Self::Card,
            Self::KeyRotation,
            Self::RecoveryRotation,
            Self::KeyRevocation,
            Self::FreezeNotice,
            Self::FreezeLift,
        ]
    }

    /// The kind a file's `format` member names, of any version (`None` when it names none of
    /// ours): how `receive` tells a freeze notice from an instruction before parsing it strictly.
    pub fn named_by(format: &str) -> Option<FileKind> {
        let rest = format.strip_prefix("countersign/")?;
        let (word, version) = rest.rsplit_once("/v")?;
        let is_version = !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit());
        Self::all().into_iter().find(|k| is_version && k.word() == word)
    }
}

/// Why an envelope was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Larger than [`MAX_FILE_SIZE`].
    #[error("the file is {size} bytes; a signed file may have at most {MAX_FILE_SIZE}")]
    TooLarge {
        /// The file's size.
        size: usize,
    },
    /// Not a well-formed envelope; the text says what is wrong.
    #[error("{0}")]
    Malformed(String),
    /// A Countersign file of this kind, but of a version this build does not know.
    #[error("this is a {kind} in format {found:?}; this version of Countersign reads only {expected}")]
    UnsupportedVersion {
        /// What the file is.
        kind: &'static str,
        /// The format identifier found.
        found: String,
        /// The ones this build reads.
        expected: &'static str,
    },
}

/// The envelope as it appears in JSON. Field order here is the order written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeWire {
    format: String,
    signer: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    public_key: Option<String>,
    payload: String,
    signature: String,
}

/// A parsed envelope whose signature has not been checked yet.
#[derive(Debug, Clone)]
pub struct Envelope {
    kind: FileKind,
    /// The version of `kind` (1, 2 or 3), from `format`.
    version: u32,
    signer: Fingerprint,
    public_key: Option<PublicKey>,
    payload: Vec<u8>,
    signature: [u8; 64],
}

impl Envelope {
    /// Signs `payload` as a file of `kind`, version 1, with `key`.
    pub fn sign(kind: FileKind, key: &KeyPair, payload: Vec<u8>) -> Self {
        Self::sign_version(kind, 1, key, payload)
    }

    /// Signs `payload` as a file of `kind` and `version` with `key`.
    ///
    /// # Panics
    /// If this build does not know `version` of `kind` (a programming error).
    pub fn sign_version(kind: FileKind, version: u32, key: &KeyPair, payload: Vec<u8>) -> Self {
        let format = kind.format_id_of(version).expect("a version this build writes");
        let signature = key.sign(format, &payload);
        let public_key = kind.carries_public_key().then(|| key.public_key());
        Envelope { kind, version, signer: key.fingerprint(), public_key, payload, signature }
    }

    /// Assembles an envelope (version 1) from parts without signing (test vectors of bad signatures).
    pub fn from_parts(kind: FileKind, signer: Fingerprint, payload: Vec<u8>, signature: [u8; 64]) -> Self {
        Envelope { kind, version: 1, signer, public_key: None, payload, signature }
    }

    /// Parses a file's bytes as an envelope of the expected kind.
    pub fn parse(bytes: &[u8], expected: FileKind) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_FILE_SIZE {
            return Err(EnvelopeError::TooLarge { size: bytes.len() });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| EnvelopeError::Malformed(format!("the file is not valid UTF-8 text ({e})")))?;
        // The format first, so that a future version with new members is reported as
        // `unsupported_version`, not as malformed.
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| EnvelopeError::Malformed(format!("the file is not a {} ({e})", expected.description())))?;
        let version = match object.get("format") {
            Some(serde_json::Value::String(format)) => check_format(format, expected)?,
            _ => return Err(EnvelopeError::Malformed("`format` is missing or not a string".into())),
        };
        let wire: EnvelopeWire = serde_json::from_str(text)
            .map_err(|e| EnvelopeError::Malformed(format!("the file is not a {} ({e})", expected.description())))?;
        let signer = Fingerprint::parse_canonical(&wire.signer)
            .ok_or_else(|| EnvelopeError::Malformed("`signer` is not a fingerprint in canonical form".into()))?;
        let public_key = match (expected.carries_public_key(), &wire.public_key) {
            (true, Some(text)) => Some(
                PublicKey::from_base64(text)
                    .ok_or_else(|| EnvelopeError::Malformed("`public_key` is not a valid Ed25519 public key in canonical base64".into()))?,
            ),
            (true, None) => return Err(EnvelopeError::Malformed("`public_key` is missing".into())),
            (false, Some(_)) => return Err(EnvelopeError::Malformed(format!("a {} has no `public_key` field", expected.description()))),
            (false, None) => None,
        };
        let payload = b64_decode(&wire.payload).ok_or_else(|| EnvelopeError::Malformed("`payload` is not canonical base64".into()))?;
        if payload.is_empty() {
            return Err(EnvelopeError::Malformed("`payload` is empty".into()));
        }
        let signature = b64_decode_array::<64>(&wire.signature)
            .ok_or_else(|| EnvelopeError::Malformed("`signature` is not 64 bytes of canonical base64".into()))?;
        Ok(Envelope { kind: expected, version, signer, public_key, payload, signature })
    }

    /// The file's bytes: pretty JSON ending in a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let wire = EnvelopeWire {
            format: self.format_id().into(),
            signer: self.signer.to_string(),
            public_key: self.public_key.map(|k| k.to_base64()),
            payload: b64_encode(&self.payload),
            signature: b64_encode(&self.signature),
        };
        let mut out = serde_json::to_vec_pretty(&wire).expect("envelope serialises");
        out.push(b'\n');
        out
    }

    /// The kind of file.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// The version of the kind (1, 2 or 3).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The `format` identifier, which is also the signing context.
    pub fn format_id(&self) -> &'static str {
        self.kind.format_id_of(self.version).expect("only known versions are parsed or signed")
    }

    /// The fingerprint the file claims was used to sign it.
    pub fn signer(&self) -> Fingerprint {
        self.signer
    }

    /// The public key carried by a self-signed card.
    pub fn embedded_public_key(&self) -> Option<PublicKey> {
        self.public_key
    }

    /// The exact signed payload bytes (unverified until [`Envelope::verify_with`] says so).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The raw signature.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }

    /// True when `key` is the claimed signer and the signature verifies over this file's
    /// domain-separated message.
    pub fn verify_with(&self, key: &PublicKey) -> bool {
        key.fingerprint() == self.signer && key.verify(self.format_id(), &self.payload, &self.signature)
    }
}

/// The kind of signed file whose `format` member `bytes` names, when the file is a JSON object
/// within the size limit that names one of ours; `None` otherwise. Nothing else is checked:
/// `receive` uses it to choose the parser, which then checks everything.
pub fn kind_of_file(bytes: &[u8]) -> Option<FileKind> {
    #[derive(Deserialize)]
    struct FormatOnly {
        format: String,
    }
    if bytes.len() > MAX_FILE_SIZE {
        return None;
    }
    let found: FormatOnly = serde_json::from_slice(bytes).ok()?;
    FileKind::named_by(&found.format)
}

/// Checks the `format` identifier: a version of the expected kind this build knows passes (its
/// number is returned); the same kind with another version is `UnsupportedVersion`; anything else
/// is malformed (naming what it is, when we know).
fn check_format(found: &str, expected: FileKind) -> Result<u32, EnvelopeError> {
    for version in [1, 2, 3] {
        if expected.format_id_of(version) == Some(found) {
            return Ok(version);
        }
    }
    match FileKind::named_by(found) {
        Some(kind) if kind == expected => {
            Err(EnvelopeError::UnsupportedVersion { kind: expected.description(), found: found.into(), expected: expected.supported() })
        }
        Some(kind) => Err(EnvelopeError::Malformed(format!("this is a {}, not a {}", kind.description(), expected.description()))),
        None => Err(EnvelopeError::Malformed(format!("unknown file format {found:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed() -> (KeyPair, Envelope) {
        let key = KeyPair::from_seed(&[3; 32]);
        let env = Envelope::sign(FileKind::Instruction, &key, br#"{"hello":"world"}"#.to_vec());
        (key, env)
    }

    #[test]
    fn round_trip_and_verify() {
        let (key, env) = signed();
        let parsed = Envelope::parse(&env.to_bytes(), FileKind::Instruction).unwrap();
        assert_eq!(parsed.payload(), env.payload());
        assert!(parsed.verify_with(&key.public_key()));
        assert!(!parsed.verify_with(&KeyPair::from_seed(&[4; 32]).public_key()));
    }

    #[test]
    fn strictness() {
        let (_, env) = signed();
        let text = String::from_utf8(env.to_bytes()).unwrap();
        let dup = text.replacen("\"format\"", "\"format\": \"countersign/instruction/v1\",\n  \"format\"", 1);
        assert!(matches!(Envelope::parse(dup.as_bytes(), FileKind::Instruction), Err(EnvelopeError::Malformed(_))));
        let unknown = text.replacen('{', "{\n  \"extra\": 1,", 1);
        assert!(matches!(Envelope::parse(unknown.as_bytes(), FileKind::Instruction), Err(EnvelopeError::Malformed(_))));
        let v3 = text.replace("instruction/v1", "instruction/v3").replacen('{', "{\n  \"new_in_v3\": true,", 1);
        assert!(matches!(Envelope::parse(v3.as_bytes(), FileKind::Instruction), Err(EnvelopeError::UnsupportedVersion { .. })));
        // A v1 signature does not verify as v2: the version is part of the signed context.
        let v2 = text.replace("instruction/v1", "instruction/v2");
        let parsed = Envelope::parse(v2.as_bytes(), FileKind::Instruction).unwrap();
        assert_eq!(parsed.version(), 2);
        assert!(!parsed.verify_with(&KeyPair::from_seed(&[3; 32]).public_key()));
        assert!(matches!(Envelope::parse(text.as_bytes(), FileKind::Card), Err(EnvelopeError::Malformed(_))));
        let big = vec![b' '; MAX_FILE_SIZE + 1];
        assert_eq!(Envelope::parse(&big, FileKind::Instruction).unwrap_err(), EnvelopeError::TooLarge { size: MAX_FILE_SIZE + 1 });
        assert!(matches!(Envelope::parse(b"\xff\xfe", FileKind::Instruction), Err(EnvelopeError::Malformed(_))));
    }

    /// Regression (issue 16, settled in format §2.1 step 3): nesting 128 deep or more (the
    /// outer object counts as one) is `malformed_file` whatever the version, and the deepest a
    /// 64 KiB file can nest is refused without exhausting the stack.
    #[test]
    fn json_nested_128_deep_or_more_is_malformed() {
        let nested =
            |depth: usize, format: &str| format!(r#"{{"format":"{format}","x":{}{}}}"#, "[".repeat(depth), "]".repeat(depth)).into_bytes();
        for format in ["countersign/instruction/v1", "countersign/instruction/v3"] {
            // The outer object and `depth` arrays: 127 levels in all, then 128.
            for depth in [126, 127, 32_000] {
                let result = Envelope::parse(&nested(depth, format), FileKind::Instruction);
                match (depth, format.ends_with("v3")) {
                    (126, true) => assert!(matches!(result, Err(EnvelopeError::UnsupportedVersion { .. })), "{depth} {format}: {result:?}"),
                    _ => assert!(matches!(result, Err(EnvelopeError::Malformed(_))), "{depth} {format}: {result:?}"),
                }
            }
        }
    }

    fn malformed(bytes: &[u8], kind: FileKind) -> String {
        match Envelope::parse(bytes, kind) {
            Err(EnvelopeError::Malformed(why)) => why,
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn a_file_of_exactly_the_size_limit_is_read() {
        let (key, env) = signed();
        let mut bytes = env.to_bytes();
        bytes.resize(MAX_FILE_SIZE, b' ');
        let parsed = Envelope::parse(&bytes, FileKind::Instruction).unwrap();
        assert!(parsed.verify_with(&key.public_key()));
        assert_eq!((parsed.kind(), parsed.signature(), parsed.signer()), (FileKind::Instruction, env.signature(), key.fingerprint()));
    }

    #[test]
    fn each_kind_has_its_formats_and_names() {
        let table: Vec<_> = FileKind::all().iter().map(|k| (k.word(), k.description(), [0, 1, 2, 3].map(|v| k.format_id_of(v)))).collect();
        assert_eq!(
            table,
            [
                (
                    "instruction",
                    "signed payment instruction",
                    [None, Some("countersign/instruction/v1"), Some("countersign/instruction/v2"), None]
                ),
                ("card", "partner card", [None, Some("countersign/card/v1"), Some("countersign/card/v2"), Some("countersign/card/v3")]),
                ("key-rotation", "key-rotation statement", [None, Some("countersign/key-rotation/v1"), None, None]),
                ("recovery-rotation", "recovery-signed rotation statement", [None, Some("countersign/recovery-rotation/v1"), None, None]),
                ("key-revocation", "key-revocation statement", [None, Some("countersign/key-revocation/v1"), None, None]),
                ("freeze-notice", "freeze notice", [None, Some("countersign/freeze-notice/v1"), None, None]),
                ("freeze-lift", "freeze lift notice", [None, Some("countersign/freeze-lift/v1"), None, None]),
            ]
        );
        let named = |f: &str| FileKind::named_by(f);
        assert_eq!(named("countersign/freeze-notice/v1"), Some(FileKind::FreezeNotice));
        assert_eq!(named("countersign/freeze-lift/v7"), Some(FileKind::FreezeLift));
        assert_eq!(named("countersign/instruction/v2"), Some(FileKind::Instruction));
        for other in ["countersign/freeze-notice/v", "countersign/freeze-notice/vx", "countersign/freeze/v1", "freeze-notice/v1"] {
            assert_eq!(named(other), None, "{other}");
        }
        let file = |format: &str| format!(r#"{{"format":"{format}","signer":"x"}}"#).into_bytes();
        assert_eq!(kind_of_file(&file("countersign/freeze-notice/v1")), Some(FileKind::FreezeNotice));
        assert_eq!(kind_of_file(&file("countersign/instruction/v1")), Some(FileKind::Instruction));
        assert_eq!(kind_of_file(b"not json"), None);
        assert_eq!(kind_of_file(&vec![b' '; MAX_FILE_SIZE + 1]), None);
    }

    #[test]
    fn a_format_of_another_kind_or_version_is_named_in_the_refusal() {
        let (_, env) = signed();
        let text = String::from_utf8(env.to_bytes()).unwrap();
        let with_format = |format: &str| text.replace("countersign/instruction/v1", format).into_bytes();
        assert_eq!(
            malformed(&with_format("countersign/card/v1"), FileKind::Instruction),
            "this is a partner card, not a signed payment instruction"
        );
        assert_eq!(
            malformed(&with_format("countersign/key-rotation/v1"), FileKind::Card),
            "this is a key-rotation statement, not a partner card"
        );
        assert_eq!(
            malformed(&with_format("countersign/recovery-rotation/v1"), FileKind::KeyRotation),
            "this is a recovery-signed rotation statement, not a key-rotation statement"
        );
        assert_eq!(
            malformed(&with_format("countersign/instruction/v"), FileKind::Instruction),
            r#"unknown file format "countersign/instruction/v""#
        );
        assert_eq!(
            malformed(&with_format("countersign/instruction/v2b"), FileKind::Instruction),
            r#"unknown file format "countersign/instruction/v2b""#
        );
        for (format, kind, expected) in [
            ("countersign/card/v4", FileKind::Card, "countersign/card/v1, v2 and v3"),
            ("countersign/key-revocation/v2", FileKind::KeyRevocation, "countersign/key-revocation/v1"),
            ("countersign/key-rotation/v2", FileKind::KeyRotation, "countersign/key-rotation/v1"),
            ("countersign/instruction/v10", FileKind::Instruction, "countersign/instruction/v1 and v2"),
        ] {
            let result = Envelope::parse(&with_format(format), kind);
            let wanted = EnvelopeError::UnsupportedVersion { kind: kind.description(), found: format.into(), expected };
            assert_eq!(result.unwrap_err(), wanted);
        }
        let formatless = text.replace(r#""format": "countersign/instruction/v1""#, r#""format": 1"#);
        assert_eq!(malformed(formatless.as_bytes(), FileKind::Instruction), "`format` is missing or not a string");
    }

    #[test]
    fn only_a_card_carries_its_public_key_and_every_field_is_canonical() {
        let key = KeyPair::from_seed(&[3; 32]);
        let card = Envelope::sign(FileKind::Card, &key, b"{}".to_vec());
        assert_eq!(card.embedded_public_key(), Some(key.public_key()));
        let card_text = String::from_utf8(card.to_bytes()).unwrap();
        assert_eq!(Envelope::parse(card_text.as_bytes(), FileKind::Card).unwrap().embedded_public_key(), Some(key.public_key()));
        let line = format!("  \"public_key\": \"{}\",\n", key.public_key().to_base64());
        assert!(card_text.contains(&line));
        assert_eq!(malformed(card_text.replace(&line, "").as_bytes(), FileKind::Card), "`public_key` is missing");
        let bad_key = card_text.replace(&key.public_key().to_base64(), &crate::encoding::b64_encode(&[0; 31]));
        assert!(malformed(bad_key.as_bytes(), FileKind::Card).starts_with("`public_key` is not a valid Ed25519 public key"));
        let (_, env) = signed();
        let text = String::from_utf8(env.to_bytes()).unwrap();
        let with_key = text.replacen("\n  \"payload\"", &format!("\n{line}  \"payload\""), 1);
        assert_eq!(malformed(with_key.as_bytes(), FileKind::Instruction), "a signed payment instruction has no `public_key` field");
        assert!(Envelope::parse(text.as_bytes(), FileKind::Instruction).unwrap().embedded_public_key().is_none());
        let signer = env.signer().to_string();
        let spaced = text.replace(&signer, &signer.replace(' ', ""));
        assert_eq!(malformed(spaced.as_bytes(), FileKind::Instruction), "`signer` is not a fingerprint in canonical form");
        let payload = crate::encoding::b64_encode(env.payload());
        assert_eq!(malformed(text.replace(&payload, "").as_bytes(), FileKind::Instruction), "`payload` is empty");
        assert_eq!(malformed(text.replace(&payload, "e30").as_bytes(), FileKind::Instruction), "`payload` is not canonical base64");
        let signature = crate::encoding::b64_encode(env.signature());
        let short = crate::encoding::b64_encode(&env.signature()[..63]);
        assert_eq!(
            malformed(text.replace(&signature, &short).as_bytes(), FileKind::Instruction),
            "`signature` is not 64 bytes of canonical base64"
        );
    }

    #[test]
    fn another_file_types_signature_does_not_verify() {
        let key = KeyPair::from_seed(&[3; 32]);
        let payload = br#"{"hello":"world"}"#.to_vec();
        let card_sig = key.sign(FileKind::Card.format_id(), &payload);
        let forged = Envelope::from_parts(FileKind::Instruction, key.fingerprint(), payload, card_sig);
        assert!(!forged.verify_with(&key.public_key()));
    }
}
