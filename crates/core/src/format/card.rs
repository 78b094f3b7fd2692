//! Partner cards: a partner's public key with its name, country, domains and contacts, signed
//! by that same key (`countersign/card/v1`); version 2 (`countersign/card/v2`) also carries the
//! holder's callback key (format §4), which instructions signed for it name; version 3
//! (`countersign/card/v3`, issue 20) names the holder's offline recovery key, the only key that
//! may then replace or revoke the signing key (format §4.2). A card proves only
//! that whoever made it holds the key; importing one pins nothing. Trust comes from reading the
//! fingerprint back out of band.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::assess::domain_name::DomainName;
use crate::bank::Country;
use crate::encoding::{format_utc, parse_utc, whole_seconds_utc};
use crate::format::callback_key::CallbackPublicKey;
use crate::format::envelope::{Envelope, EnvelopeError, FileKind};
use crate::format::fingerprint::Fingerprint;
use crate::format::instruction::is_short_text;
use crate::format::keys::{KeyPair, PublicKey};

/// Most domains or contacts a card may list.
const MAX_LIST: usize = 20;

/// How to reach someone at the partner (as the partner states it: not an on-file number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// `phone` or `email`.
    pub kind: ContactKind,
    /// The number or address.
    pub value: String,
    /// Optional label ("Accounts receivable").
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    pub label: Option<String>,
}

/// The kind of a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A telephone number.
    Phone,
    /// An email address.
    Email,
}

/// What a card says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardDetails {
    /// Legal name.
    pub name: String,
    /// Country of registration.
    pub country: Option<Country>,
    /// Email domains the partner sends from.
    pub domains: Vec<DomainName>,
    /// Contacts.
    pub contacts: Vec<Contact>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CardWire {
    name: String,
    public_key: String,
    created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    country: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    callback_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    recovery_key: Option<String>,
}

/// Why a card was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CardError {
    /// The envelope is not a card.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The self-signature does not verify: the card was altered or forged.
    #[error("the card's self-signature is invalid: it was altered or forged; ask the partner for a new card")]
    BadSignature,
    /// The payload is not a valid card; the text says why.
    #[error("the card is not valid: {0}")]
    Invalid(String),
}

/// A partner card whose self-signature has been verified.
#[derive(Debug, Clone)]
pub struct PartnerCard {
    details: CardDetails,
    public_key: PublicKey,
    callback_key: Option<CallbackPublicKey>,
    recovery_key: Option<PublicKey>,
    created_at: OffsetDateTime,
    envelope: Envelope,
}

/// The keys besides the signing key a card may name.
#[derive(Debug, Clone, Copy, Default)]
pub struct CardKeys {
    /// The holder's X25519 callback key (format §3.7).
    pub callback_key: Option<CallbackPublicKey>,
    /// The holder's offline Ed25519 recovery key (format §4.2).
    pub recovery_key: Option<PublicKey>,
}

/// The `recovery_key` member of a card of `version`: required in version 3 (a valid Ed25519
/// point of large order, in canonical base64, other than the card's own key), absent otherwise.
fn recovery_key_of(version: u32, text: Option<&str>, public_key: &PublicKey) -> Result<Option<PublicKey>, CardError> {
    match (version, text) {
        (3, Some(text)) => {
            let key = PublicKey::from_base64(text).ok_or_else(|| {
                CardError::Invalid("recovery_key is not 32 bytes of canonical base64 of a valid Ed25519 key of large order".into())
            })?;
            match key == *public_key {
                true => Err(CardError::Invalid("recovery_key must differ from the card's signing key".into())),
                false => Ok(Some(key)),
            }
        }
        (3, None) => Err(CardError::Invalid("a version-3 card must carry recovery_key".into())),
        (_, Some(_)) => Err(CardError::Invalid("unknown field `recovery_key`: it is a member of version-3 cards only".into())),
        (_, None) => Ok(None),
    }
}

fn check_short_text(what: &str, value: &str, max: usize) -> Result<(), CardError> {
    if !is_short_text(value, max) {
        return Err(CardError::Invalid(format!("{what} must be 1 to {max} printable characters without surrounding spaces")));
    }
    Ok(())
}

impl PartnerCard {
    /// Makes and signs a card (version 1) for `key`.
    pub fn create(key: &KeyPair, details: CardDetails, now: OffsetDateTime) -> Result<Self, CardError> {
        Self::create_with_callback_key(key, details, None, now)
    }

    /// Makes and signs a card for `key`: version 2 with `callback_key`, version 1 without.
    pub fn create_with_callback_key(
        key: &KeyPair,
        details: CardDetails,
        callback_key: Option<CallbackPublicKey>,
        now: OffsetDateTime,
    ) -> Result<Self, CardError> {
        Self::create_with_keys(key, details, CardKeys { callback_key, recovery_key: None }, now)
    }

    /// Makes and signs a card for `key` naming the other keys given: version 3 with a recovery
    /// key, else version 2 with a callback key, else version 1.
    pub fn create_with_keys(key: &KeyPair, details: CardDetails, keys: CardKeys, now: OffsetDateTime) -> Result<Self, CardError> {
        let CardKeys { callback_key, recovery_key } = keys;
        let wire = CardWire {
            name: details.name.clone(),
            public_key: key.public_key().to_base64(),
            created_at: format_utc(whole_seconds_utc(now)),
            country: details.country.map(|c| c.to_string()),
            domains: details.domains.iter().map(|d| d.to_string()).collect(),
            contacts: details.contacts.clone(),
            callback_key: callback_key.map(|k| k.to_base64()),
            recovery_key: recovery_key.map(|k| k.to_base64()),
        };
        let payload = serde_json::to_vec(&wire).expect("card serialises");
        let version = match (recovery_key, callback_key) {
            (Some(_), _) => 3,
            (None, Some(_)) => 2,
            (None, None) => 1,
        };
        let envelope = Envelope::sign_version(FileKind::Card, version, key, payload);
        Self::from_envelope(envelope)
    }

    /// Parses a card file and verifies its self-signature.
    pub fn parse(bytes: &[u8]) -> Result<Self, CardError> {
        Self::from_envelope(Envelope::parse(bytes, FileKind::Card)?)
    }

    fn from_envelope(envelope: Envelope) -> Result<Self, CardError> {
        let public_key = envelope.embedded_public_key().ok_or(CardError::BadSignature)?;
        if !envelope.verify_with(&public_key) {
            return Err(CardError::BadSignature);
        }
        let wire: CardWire = serde_json::from_slice(envelope.payload()).map_err(|e| CardError::Invalid(e.to_string()))?;
        if wire.public_key != public_key.to_base64() {
            return Err(CardError::Invalid("the signed key differs from the card's key".into()));
        }
        check_short_text("the name", &wire.name, 140)?;
        let callback_key = match (envelope.version(), wire.callback_key.as_deref()) {
            (2 | 3, Some(text)) => {
                Some(CallbackPublicKey::from_base64(text).ok_or_else(|| {
                    CardError::Invalid("callback_key is not 32 bytes of canonical base64, or is a low-order point".into())
                })?)
            }
            (2, None) => return Err(CardError::Invalid("a version-2 card must carry callback_key".into())),
            (_, Some(_)) => {
                return Err(CardError::Invalid("unknown field `callback_key`: it is a member of version-2 and version-3 cards only".into()))
            }
            (_, None) => None,
        };
        let recovery_key = recovery_key_of(envelope.version(), wire.recovery_key.as_deref(), &public_key)?;
        let created_at = parse_utc(&wire.created_at).ok_or_else(|| CardError::Invalid("created_at is not a UTC time".into()))?;
        let country = wire.country.as_deref().map(Country::parse).transpose().map_err(|e| CardError::Invalid(e.to_string()))?;
        if wire.domains.len() > MAX_LIST || wire.contacts.len() > MAX_LIST {
            return Err(CardError::Invalid(format!("at most {MAX_LIST} domains and {MAX_LIST} contacts")));
        }
        let domains = wire
            .domains
            .iter()
            .map(|d| {
                // Signed cards carry domains in the one spelling of format §4: lower case, no
                // trailing dot (typed input is normalised before it is signed, never after).
                let domain = DomainName::parse(d).map_err(|e| CardError::Invalid(e.to_string()))?;
                match domain.as_str() == d {
                    true => Ok(domain),
                    false => Err(CardError::Invalid(format!("the domain {d:?} is not in canonical form (lower case, no trailing dot)"))),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        for contact in &wire.contacts {
            check_short_text("a contact", &contact.value, 200)?;
            if let Some(label) = &contact.label {
                check_short_text("a contact's label", label, 100)?;
            }
        }
        let details = CardDetails { name: wire.name, country, domains, contacts: wire.contacts };
        Ok(PartnerCard { details, public_key, callback_key, recovery_key, created_at, envelope })
    }

    /// The card file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.envelope.to_bytes()
    }

    /// What the card says.
    pub fn details(&self) -> &CardDetails {
        &self.details
    }

    /// The holder's public key.
    pub fn public_key(&self) -> PublicKey {
        self.public_key
    }

    /// The holder's callback key (version-2 cards): instructions signed for this card name it.
    pub fn callback_key(&self) -> Option<CallbackPublicKey> {
        self.callback_key
    }

    /// The holder's offline recovery key (version-3 cards, format §4.2): once pinned, only it may
    /// replace or revoke the signing key.
    pub fn recovery_key(&self) -> Option<PublicKey> {
        self.recovery_key
    }

    /// The card's version (1, 2 or 3).
    pub fn version(&self) -> u32 {
        self.envelope.version()
    }

    /// The key's fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        self.public_key.fingerprint()
    }

    /// When the card was made.
    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    fn details() -> CardDetails {
        CardDetails {
            name: "Globex Corporation".into(),
            country: Some(Country::parse("DE").unwrap()),
            domains: vec![DomainName::parse("globex.com").unwrap()],
            contacts: vec![Contact { kind: ContactKind::Phone, value: "+49 30 1234567".into(), label: None }],
        }
    }

    #[test]
    fn round_trip() {
        let key = KeyPair::generate(&mut OsRng);
        let card = PartnerCard::create(&key, details(), OffsetDateTime::now_utc()).unwrap();
        let parsed = PartnerCard::parse(&card.to_bytes()).unwrap();
        assert_eq!(parsed.details(), &details());
        assert_eq!(parsed.fingerprint(), key.fingerprint());
    }

    /// Regression (issue 16): cards whose domains were `Globex.com` or `globex.com.` were accepted;
    /// format §4 allows lower-case labels only, so a signed card must carry the canonical spelling.
    #[test]
    fn a_signed_card_with_a_domain_not_in_canonical_form_is_refused() {
        let key = KeyPair::from_seed(&[5; 32]);
        let card = PartnerCard::create(&key, details(), parse_utc("2026-11-23T09:00:00Z").unwrap()).unwrap();
        let payload = String::from_utf8(card.envelope.payload().to_vec()).unwrap();
        assert!(payload.contains("\"globex.com\""), "{payload}");
        for spelling in ["Globex.com", "globex.com.", "GLOBEX.COM"] {
            let altered = payload.replace("\"globex.com\"", &format!("\"{spelling}\""));
            let signed = Envelope::sign(FileKind::Card, &key, altered.into_bytes()).to_bytes();
            match PartnerCard::parse(&signed) {
                Err(CardError::Invalid(message)) => assert!(message.contains("canonical"), "{spelling}: {message}"),
                other => panic!("{spelling}: expected Invalid, got {:?}", other.map(|c| c.details().domains.clone())),
            }
        }
        assert!(PartnerCard::parse(&card.to_bytes()).is_ok());
    }

    /// Settled in format §4 (issue 16): empty `domains` and `contacts` mean the same as absent;
    /// `null` is not an array; an unknown or repeated member makes the card invalid.
    #[test]
    fn empty_lists_mean_absent_and_null_or_extra_members_are_refused() {
        let key = KeyPair::from_seed(&[6; 32]);
        let public_key = key.public_key().to_base64();
        let card = |members: &str| {
            let payload = format!(r#"{{"name":"Globex","public_key":"{public_key}","created_at":"2026-11-23T09:00:00Z"{members}}}"#);
            PartnerCard::parse(&Envelope::sign(FileKind::Card, &key, payload.into_bytes()).to_bytes())
        };
        let absent = card("").unwrap();
        let empty = card(r#","domains":[],"contacts":[]"#).unwrap();
        assert_eq!(absent.details(), empty.details());
        assert!(empty.details().domains.is_empty() && empty.details().contacts.is_empty());
        for bad in [r#","domains":null"#, r#","contacts":null"#, r#","extra":1"#, r#","name":"Globex""#] {
            assert!(card(bad).is_err(), "{bad} was accepted");
        }
    }

    /// Format §4: a card with a callback key is version 2; version 1 has no such member.
    #[test]
    fn a_card_with_a_callback_key_is_version_2() {
        let key = KeyPair::from_seed(&[5; 32]);
        let callback = crate::format::callback_key::CallbackSecret::from_bytes(&[9; 32]).public_key();
        let at = parse_utc("2026-11-23T09:00:00Z").unwrap();
        let card = PartnerCard::create_with_callback_key(&key, details(), Some(callback), at).unwrap();
        let bytes = card.to_bytes();
        assert!(String::from_utf8(bytes.clone()).unwrap().contains("countersign/card/v2"));
        let parsed = PartnerCard::parse(&bytes).unwrap();
        assert_eq!(parsed.callback_key(), Some(callback));
        assert_eq!(parsed.details(), &details());
        assert_eq!(PartnerCard::parse(&PartnerCard::create(&key, details(), at).unwrap().to_bytes()).unwrap().callback_key(), None);
        let payload = String::from_utf8(card.envelope.payload().to_vec()).unwrap();
        let as_v1 = Envelope::sign(FileKind::Card, &key, payload.clone().into_bytes()).to_bytes();
        assert!(matches!(PartnerCard::parse(&as_v1), Err(CardError::Invalid(_))), "v1 has no callback_key");
        let without = payload.replace(&format!(r#","callback_key":"{}""#, callback.to_base64()), "");
        assert_ne!(without, payload);
        let v2_without = Envelope::sign_version(FileKind::Card, 2, &key, without.into_bytes()).to_bytes();
        assert!(matches!(PartnerCard::parse(&v2_without), Err(CardError::Invalid(_))), "v2 requires it");
    }

    /// Format §4.2 (issue 20): a card naming a recovery key is version 3; the key must be valid,
    /// of large order and not the signing key; v1 and v2 have no such member; the callback key is
    /// optional in v3.
    #[test]
    fn a_card_with_a_recovery_key_is_version_3() {
        let key = KeyPair::from_seed(&[5; 32]);
        let recovery = KeyPair::from_seed(&[6; 32]).public_key();
        let at = parse_utc("2026-11-23T09:00:00Z").unwrap();
        let keys = CardKeys { callback_key: None, recovery_key: Some(recovery) };
        let card = PartnerCard::create_with_keys(&key, details(), keys, at).unwrap();
        assert!(String::from_utf8(card.to_bytes()).unwrap().contains("countersign/card/v3"));
        let parsed = PartnerCard::parse(&card.to_bytes()).unwrap();
        assert_eq!((parsed.recovery_key(), parsed.callback_key(), parsed.version()), (Some(recovery), None, 3));
        let callback = crate::format::callback_key::CallbackSecret::from_bytes(&[9; 32]).public_key();
        let both =
            PartnerCard::create_with_keys(&key, details(), CardKeys { callback_key: Some(callback), recovery_key: Some(recovery) }, at);
        assert_eq!(PartnerCard::parse(&both.unwrap().to_bytes()).unwrap().callback_key(), Some(callback));
        let payload = String::from_utf8(card.envelope.payload().to_vec()).unwrap();
        let sign = |version: u32, payload: &str| {
            PartnerCard::parse(&Envelope::sign_version(FileKind::Card, version, &key, payload.as_bytes().to_vec()).to_bytes())
        };
        assert!(invalid(sign(1, &payload)).contains("version-3 cards only"));
        let member = format!(r#","recovery_key":"{}""#, recovery.to_base64());
        assert!(invalid(sign(3, &payload.replace(&member, ""))).contains("must carry recovery_key"));
        let own = payload.replace(&recovery.to_base64(), &key.public_key().to_base64());
        assert!(invalid(sign(3, &own)).contains("must differ"));
        let mut identity = [0u8; 32];
        identity[0] = 1;
        for bad in [crate::encoding::b64_encode(&identity), format!("{}\\n", recovery.to_base64()), "AAAA".into()] {
            let why = invalid(sign(3, &payload.replace(&recovery.to_base64(), &bad)));
            assert!(why.contains("large order"), "{bad}: {why}");
        }
    }

    /// A card signed by `key` whose payload is `name`, the key, a fixed time and `members`.
    fn signed_card(key: &KeyPair, name: &str, members: &str) -> Result<PartnerCard, CardError> {
        let public_key = key.public_key().to_base64();
        let name = serde_json::to_string(name).unwrap();
        let payload = format!(r#"{{"name":{name},"public_key":"{public_key}","created_at":"2026-11-23T09:00:00Z"{members}}}"#);
        PartnerCard::parse(&Envelope::sign(FileKind::Card, key, payload.into_bytes()).to_bytes())
    }

    fn invalid(result: Result<PartnerCard, CardError>) -> String {
        match result {
            Err(CardError::Invalid(why)) => why,
            other => panic!("expected Invalid, got {:?}", other.map(|c| c.details().clone())),
        }
    }

    #[test]
    fn names_contacts_and_labels_are_short_printable_text() {
        let key = KeyPair::from_seed(&[7; 32]);
        let card = signed_card(&key, &"N".repeat(140), "").unwrap();
        assert_eq!(card.details().name.chars().count(), 140);
        assert_eq!(card.created_at(), parse_utc("2026-11-23T09:00:00Z").unwrap());
        for bad in [String::new(), "N".repeat(141), " Globex".into(), "Globex ".into(), "Glo\u{7}bex".into(), "Glo\u{202e}bex".into()] {
            let why = invalid(signed_card(&key, &bad, ""));
            assert_eq!(why, "the name must be 1 to 140 printable characters without surrounding spaces", "{bad:?}");
        }
        let contact = |value: &str, label: &str| format!(r#","contacts":[{{"kind":"email","value":"{value}"{label}}}]"#);
        let at_limits = signed_card(&key, "Globex", &contact(&"v".repeat(200), &format!(r#","label":"{}""#, "l".repeat(100)))).unwrap();
        assert_eq!(at_limits.details().contacts[0].label.as_deref().map(str::len), Some(100));
        assert!(invalid(signed_card(&key, "Globex", &contact(&"v".repeat(201), ""))).starts_with("a contact must be 1 to 200"));
        let long_label = contact("ap@globex.com", &format!(r#","label":"{}""#, "l".repeat(101)));
        assert!(invalid(signed_card(&key, "Globex", &long_label)).starts_with("a contact's label must be 1 to 100"));
    }

    #[test]
    fn a_card_lists_at_most_20_domains_and_20_contacts() {
        let key = KeyPair::from_seed(&[7; 32]);
        let domains = |n: usize| format!(r#","domains":[{}]"#, (0..n).map(|i| format!(r#""d{i}.example""#)).collect::<Vec<_>>().join(","));
        let contacts = |n: usize| {
            format!(
                r#","contacts":[{}]"#,
                (0..n).map(|i| format!(r#"{{"kind":"phone","value":"+4930{i}"}}"#)).collect::<Vec<_>>().join(",")
            )
        };
        assert_eq!(signed_card(&key, "Globex", &domains(20)).unwrap().details().domains.len(), 20);
        assert_eq!(signed_card(&key, "Globex", &contacts(20)).unwrap().details().contacts.len(), 20);
        assert_eq!(invalid(signed_card(&key, "Globex", &domains(21))), "at most 20 domains and 20 contacts");
        assert_eq!(invalid(signed_card(&key, "Globex", &contacts(21))), "at most 20 domains and 20 contacts");
    }

    #[test]
    fn the_signed_key_time_country_and_callback_key_must_be_valid() {
        let key = KeyPair::from_seed(&[7; 32]);
        assert_eq!(signed_card(&key, "Globex", r#","country":"TR""#).unwrap().details().country, Some(Country::parse("TR").unwrap()));
        assert!(matches!(signed_card(&key, "Globex", r#","country":"XX""#), Err(CardError::Invalid(_))));
        // The payload names another key than the one that signed it.
        let other = KeyPair::from_seed(&[8; 32]).public_key().to_base64();
        let payload = format!(r#"{{"name":"Globex","public_key":"{other}","created_at":"2026-11-23T09:00:00Z"}}"#);
        let swapped = PartnerCard::parse(&Envelope::sign(FileKind::Card, &key, payload.into_bytes()).to_bytes());
        assert_eq!(invalid(swapped), "the signed key differs from the card's key");
        let payload = format!(r#"{{"name":"Globex","public_key":"{}","created_at":"23 Nov 2026"}}"#, key.public_key().to_base64());
        let undated = PartnerCard::parse(&Envelope::sign(FileKind::Card, &key, payload.into_bytes()).to_bytes());
        assert_eq!(invalid(undated), "created_at is not a UTC time");
        let low_order = format!(
            r#"{{"name":"Globex","public_key":"{}","created_at":"2026-11-23T09:00:00Z","callback_key":"{}"}}"#,
            key.public_key().to_base64(),
            crate::encoding::b64_encode(&[0; 32])
        );
        let v2 = PartnerCard::parse(&Envelope::sign_version(FileKind::Card, 2, &key, low_order.into_bytes()).to_bytes());
        assert!(invalid(v2).contains("low-order point"));
    }

    #[test]
    fn altered_cards_are_refused() {
        let key = KeyPair::generate(&mut OsRng);
        let card = PartnerCard::create(&key, details(), OffsetDateTime::now_utc()).unwrap();
        let text = String::from_utf8(card.to_bytes()).unwrap();
        // Replace the key (and signer) with another key: the signature no longer verifies.
        let other = KeyPair::generate(&mut OsRng);
        let swapped = text
            .replace(&key.public_key().to_base64(), &other.public_key().to_base64())
            .replace(&key.fingerprint().to_string(), &other.fingerprint().to_string());
        assert_eq!(PartnerCard::parse(swapped.as_bytes()).unwrap_err(), CardError::BadSignature);
    }
}
