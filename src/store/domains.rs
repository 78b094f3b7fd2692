//! Registered email domains across partners and of our own organisation, for reading the email
//! that carried an instruction.

use super::{StoreResult, Tx};

impl Tx<'_> {
    /// Domains registered for partners other than `partner_id`.
    pub fn other_partners_domains(&self, partner_id: i64) -> StoreResult<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT DISTINCT domain FROM partner_domains WHERE partner_id != ?1 ORDER BY domain")?;
        let rows = stmt.query_map([partner_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
