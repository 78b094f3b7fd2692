//! A tolerant reader of `Authentication-Results` header values (RFC 8601): the method results
//! (`spf=pass`, `dkim=fail`, …) and their properties (`smtp.mailfrom=…`, `header.d=…`).
//! Comments are dropped, unknown parts ignored; never panics, linear in the input.

/// Longest header value read; a real one is a few hundred characters.
pub(crate) const MAX_VALUE_CHARS: usize = 16 * 1024;

/// One method's result, lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MethodResult {
    /// `spf`, `dkim`, `dmarc`, … (a `/version` suffix removed).
    pub method: String,
    /// `pass`, `fail`, `softfail`, `none`, `neutral`, `temperror`, `permerror`, `policy`, …
    pub result: String,
    /// `ptype.property` and value pairs: `smtp.mailfrom`, `header.d`, `header.from`, …
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    /// The value of a property, if present.
    pub(crate) fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The method results of one header value (the authserv-id is skipped).
pub(crate) fn parse(value: &str) -> Vec<MethodResult> {
    let text: String = value.chars().take(MAX_VALUE_CHARS).collect();
    let text = tighten_equals(&strip_comments(&text));
    let mut results = Vec::new();
    for statement in text.split(';').skip(1) {
        let mut tokens = statement.split_whitespace();
        let Some(first) = tokens.next() else { continue };
        let Some((method, result)) = first.split_once('=') else {
            continue;
        };
        let method = method.split('/').next().unwrap_or("").to_ascii_lowercase();
        if method.is_empty() {
            continue;
        }
        let properties = tokens
            .filter_map(|t| t.split_once('='))
            .filter(|(k, _)| k.contains('.'))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim_matches('"').to_string()))
            .collect();
        results.push(MethodResult { method, result: result.trim_matches('"').to_ascii_lowercase(), properties });
    }
    results
}

/// Removes parenthesised comments (nested, with `\` escapes), keeping quoted strings.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(if c.is_whitespace() { ' ' } else { c }),
            _ => {}
        }
    }
    out
}

/// Drops whitespace around `=`, so `spf = pass` reads as `spf=pass`; other runs of whitespace
/// become one space.
fn tighten_equals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let next_is_eq = chars.get(i) == Some(&'=');
            let prev_is_eq = start > 0 && out.ends_with('=');
            if !next_is_eq && !prev_is_eq && i < chars.len() {
                out.push(' ');
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_methods_results_and_properties() {
        let r = parse(
            " mx.ourco.example;\r\n spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=bounce@thirdparty.example;\r\n\
             \tdkim=none (message not signed) header.d=none;\r\n dmarc=fail action=none header.from=globex.com",
        );
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].method.as_str(), r[0].result.as_str()), ("spf", "pass"));
        assert_eq!(r[0].property("smtp.mailfrom"), Some("bounce@thirdparty.example"));
        assert_eq!((r[1].method.as_str(), r[1].result.as_str()), ("dkim", "none"));
        assert_eq!((r[2].method.as_str(), r[2].result.as_str()), ("dmarc", "fail"));
        assert_eq!(r[2].property("header.from"), Some("globex.com"));
    }

    #[test]
    fn tolerates_spacing_versions_quotes_and_none() {
        let r = parse("mx.example 1; dkim/1 = PASS header.d = \"globex.com\" header.i=@globex.com");
        assert_eq!(r[0].method, "dkim");
        assert_eq!(r[0].result, "pass");
        assert_eq!(r[0].property("header.d"), Some("globex.com"));
        assert!(parse("mx.example; none").is_empty());
        assert!(parse("").is_empty());
        assert!(parse(";;;=;(((;\\").len() <= 1);
    }

    #[test]
    fn comments_do_not_hide_or_invent_results() {
        let r = parse("mx; spf=fail (looks like spf=pass (nested) here) smtp.mailfrom=x.example");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].result, "fail");
    }
}
