//! Screening the ERP's payment file before it goes to the bank (issue 18): a pain.001.001.03 or
//! .09 file read safely ([`xml`]), checked against the official ISO 20022 schema ([`schema`]),
//! its credit transfers taken out ([`pain001`]) and each one judged against the partners' signed
//! history ([`rules`]). Pure: the service gathers the history and logs the report.

pub mod xml;
