//! Helpers for strict JSON: optional fields may be absent, never `null`.

use serde::{Deserialize, Deserializer};

/// Deserialises an optional field that, when present, must hold a value (not `null`).
/// Use with `#[serde(default, deserialize_with = "crate::json::present")]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
