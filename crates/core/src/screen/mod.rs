//! Screening the ERP's payment file before it goes to the bank (issue 18): a pain.001.001.03 or
//! .09 file read safely ([`xml`]), checked against the official ISO 20022 schema ([`schema`]),
//! its credit transfers taken out ([`pain001`]) and each one judged against the partners' signed
//! history ([`rules`]). Pure: the service gathers the history and logs the report.

pub mod schema;
pub mod xml;

/// The pain.001 versions read: the ones ERPs and banks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Pain001Version {
    /// pain.001.001.03 (2009): what most ERPs and the EPC SEPA guidelines still write.
    #[serde(rename = "pain.001.001.03")]
    V03,
    /// pain.001.001.09 (2019).
    #[serde(rename = "pain.001.001.09")]
    V09,
}

impl Pain001Version {
    /// Both, oldest first.
    pub const ALL: [Self; 2] = [Self::V03, Self::V09];

    /// The message name, `pain.001.001.03`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V03 => "pain.001.001.03",
            Self::V09 => "pain.001.001.09",
        }
    }

    /// The XML namespace of its `Document`.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::V03 => "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
            Self::V09 => "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
        }
    }

    /// The version whose namespace this is.
    pub fn of_namespace(namespace: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.namespace() == namespace)
    }
}
