//! Pages of the lists that grow without bound (cases, the log's events): at most `limit` items
//! after a cursor, the cursor being the id (or sequence number) of the last item of the page
//! before. Ids never change and are never reused, so a page is the same whatever is added or
//! changed elsewhere in the list (the contract's `--limit` and `--after`).

use serde::Serialize;

/// The most items one page may hold.
pub const MAX_PAGE: u32 = 10_000;

/// Which page of a list: all of it by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    /// At most this many items (at most [`MAX_PAGE`]); all when `None`.
    pub limit: Option<u32>,
    /// Only the items after the one with this id, in the list's order.
    pub after: Option<i64>,
}

impl Page {
    /// A page, checked: `limit` between 1 and [`MAX_PAGE`], `after` not negative.
    pub fn new(limit: Option<u32>, after: Option<i64>) -> Result<Page, String> {
        if let Some(limit) = limit.filter(|l| !(1..=MAX_PAGE).contains(l)) {
            return Err(format!("a page holds 1 to {MAX_PAGE} items, not {limit}"));
        }
        if let Some(after) = after.filter(|a| *a < 0) {
            return Err(format!("--after names an id, which is never negative ({after})"));
        }
        Ok(Page { limit, after })
    }

    /// How many rows to fetch: one more than the limit, to know whether another page follows.
    pub fn fetch(&self) -> Option<i64> {
        self.limit.map(|l| i64::from(l) + 1)
    }
}

/// One page of a list, and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paged<T> {
    /// The items, in the list's order.
    pub items: Vec<T>,
    /// The `after` of the next page; `None` on the last one.
    pub next: Option<i64>,
}

impl<T> Paged<T> {
    /// The page out of the rows fetched with [`Page::fetch`]: the extra row, if any, says that
    /// another page follows, whose cursor is the id of this page's last item.
    pub fn of(mut rows: Vec<T>, page: &Page, id: impl Fn(&T) -> i64) -> Paged<T> {
        let limit = page.limit.map_or(usize::MAX, |l| l as usize);
        let next = match rows.len() > limit {
            true => {
                rows.truncate(limit);
                rows.last().map(id)
            }
            false => None,
        };
        Paged { items: rows, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extra_row_makes_the_next_cursor() {
        let page = Page::new(Some(2), None).unwrap();
        assert_eq!(page.fetch(), Some(3));
        assert_eq!(Paged::of(vec![9, 8, 7], &page, |&i| i), Paged { items: vec![9, 8], next: Some(8) });
        assert_eq!(Paged::of(vec![9, 8], &page, |&i| i), Paged { items: vec![9, 8], next: None });
        assert_eq!(Paged::of(vec![9, 8, 7], &Page::default(), |&i| i).next, None, "no limit, one page");
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        assert!(Page::new(Some(0), None).is_err());
        assert!(Page::new(Some(MAX_PAGE + 1), None).is_err());
        assert!(Page::new(None, Some(-1)).is_err());
        assert_eq!(Page::new(Some(MAX_PAGE), Some(0)), Ok(Page { limit: Some(MAX_PAGE), after: Some(0) }));
    }
}
