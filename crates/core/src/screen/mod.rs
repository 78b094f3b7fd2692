//! Screening the ERP's payment file before it goes to the bank (issue 18): a pain.001.001.03 or
//! .09 file read safely ([`xml`]), checked against the official ISO 20022 schema ([`schema`]),
//! its credit transfers taken out ([`pain001`]) and each one judged against the partners' signed
//! history ([`rules`]). Pure: the service gathers the history and logs the report.

pub mod decimal;
pub mod pain001;
pub mod rules;
#[cfg(any(test, feature = "samples"))]
pub mod sample;
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

/// The largest payment file read: 128 MiB, well above a 50,000-transaction payment run (about
/// 45 MB as ERPs write them).
pub const MAX_PAYMENT_FILE_BYTES: usize = 128 << 20;

/// How deep elements may nest: the schemas need 12; `SupplementaryData` may hold more.
const MAX_DEPTH: usize = 64;

/// Why a payment file could not be screened: unreadable, not XML, or not schema-valid.
pub type ReadError = xml::XmlError;

/// Reads a pain.001.001.03 or .09 file: safely ([`xml`]), checked against the official schema of
/// its version ([`schema`]) in the same pass that takes its lines out ([`pain001`]).
pub fn read_payment_file(bytes: &[u8]) -> Result<pain001::PaymentFile, ReadError> {
    let limits = xml::XmlLimits { max_bytes: MAX_PAYMENT_FILE_BYTES, max_depth: MAX_DEPTH };
    let mut reading: Option<(schema::Validator<'static>, pain001::Extractor)> = None;
    xml::read_xml(bytes, &limits, &mut |event| {
        if reading.is_none() {
            let xml::XmlEvent::Start(root) = event else { return Ok(()) };
            let version = Pain001Version::of_namespace(root.namespace).ok_or_else(|| not_pain001(root))?;
            reading = Some((schema::pain001_schema(version).validator(), pain001::Extractor::new(version)));
        }
        let (validator, extractor) = reading.as_mut().expect("set at the root");
        validator.event(&event)?;
        extractor.event(&event);
        Ok(())
    })?;
    let (validator, extractor) = reading.expect("read_xml refuses a document without a root");
    validator.finish().map_err(|why| xml::XmlError {
        line: bytes.iter().filter(|&&b| b == b'\n').count() + 1,
        offset: bytes.len(),
        problem: xml::XmlProblem::Rejected(why),
    })?;
    Ok(extractor.finish())
}

fn not_pain001(root: xml::Element<'_>) -> String {
    let versions: Vec<&str> = Pain001Version::ALL.iter().map(|v| v.as_str()).collect();
    match root.namespace {
        "" => format!("the root element {} has no namespace: this is not an ISO 20022 {} file", root.name, versions.join(" or ")),
        ns => format!("the root element is {} in the namespace {ns}: only {} files are read", root.name, versions.join(" and ")),
    }
}
