//! A guarded XML reader for files that come from outside (the ERP's payment file): UTF-8 only, a
//! size and a depth limit, no DTD (so no entity is ever declared, expanded or fetched), only the
//! five predefined entities and character references, namespaces resolved. It turns the document
//! into a flat stream of [`XmlEvent`]s that the schema check and the pain.001 reader both consume
//! in one pass. The parsing itself is quick-xml's; this module adds the refusals.

use std::borrow::Cow;
use std::fmt;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// How much a document may ask of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlLimits {
    /// The largest document, in bytes.
    pub max_bytes: usize,
    /// The deepest element nesting.
    pub max_depth: usize,
}

/// An attribute, with its namespace resolved. `xmlns` declarations are not reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The namespace URI ("" for an unprefixed attribute).
    pub namespace: String,
    /// The local name.
    pub name: String,
    /// The value, references resolved.
    pub value: String,
}

/// An element as it opens.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    /// The namespace URI ("" when none applies).
    pub namespace: &'a str,
    /// The local name.
    pub name: &'a str,
    /// Its attributes.
    pub attributes: &'a [Attribute],
    /// The byte offset of its start tag's `<`.
    pub start: usize,
}

/// One step through a document.
#[derive(Debug, Clone, Copy)]
pub enum XmlEvent<'a> {
    /// An element opens (an empty element gives `Start` then `End`).
    Start(Element<'a>),
    /// Character data of the element open now: text, CDATA, a resolved reference. An element's
    /// text may come in several pieces.
    Text(&'a str),
    /// The element open now closes; `end` is the byte offset just after its end tag.
    End {
        /// Just after the end tag (or the empty element's `/>`).
        end: usize,
    },
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlProblem {
    /// Larger than [`XmlLimits::max_bytes`].
    TooLarge {
        /// The document's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8, or declared in another encoding.
    NotUtf8,
    /// It has a document type declaration (DTD): refused, whatever it declares.
    Dtd,
    /// A reference to an entity other than the five XML predefines.
    Entity(String),
    /// Nested deeper than [`XmlLimits::max_depth`].
    TooDeep(usize),
    /// Not well-formed XML.
    Malformed(String),
    /// Well-formed, but the consumer of the events refused it (the schema check, say).
    Rejected(String),
}

/// A refusal and where in the document it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// What is wrong.
    pub problem: XmlProblem,
    /// The byte offset where it was noticed.
    pub offset: usize,
    /// The line (from 1) of that offset.
    pub line: usize,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            XmlProblem::TooLarge { size, limit } => {
                write!(f, "the file is {size} bytes, more than the {limit} bytes a payment file may have")
            }
            XmlProblem::NotUtf8 => write!(f, "line {}: the file is not UTF-8 (ISO 20022 files are UTF-8)", self.line),
            XmlProblem::Dtd => write!(
                f,
                "line {}: the file has a document type declaration (DTD); payment files have none, and entities are never expanded",
                self.line
            ),
            XmlProblem::Entity(name) => {
                write!(f, "line {}: the file refers to the entity &{name}; which is not one of XML's five predefined entities", self.line)
            }
            XmlProblem::TooDeep(depth) => write!(f, "line {}: elements are nested more than {depth} deep", self.line),
            XmlProblem::Malformed(why) => write!(f, "line {}: not well-formed XML: {why}", self.line),
            XmlProblem::Rejected(why) => write!(f, "line {}: {why}", self.line),
        }
    }
}

impl std::error::Error for XmlError {}

/// Reads `bytes` as XML, calling `visit` for each event in document order. Stops at the first
/// problem, including the first `Err` that `visit` returns (as [`XmlProblem::Rejected`]).
pub fn read_xml(bytes: &[u8], limits: &XmlLimits, visit: &mut dyn FnMut(XmlEvent<'_>) -> Result<(), String>) -> Result<(), XmlError> {
    let fail = |problem, offset: usize| XmlError { problem, offset, line: line_of(bytes, offset) };
    if bytes.len() > limits.max_bytes {
        return Err(fail(XmlProblem::TooLarge { size: bytes.len(), limit: limits.max_bytes }, 0));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return Err(fail(XmlProblem::NotUtf8, e.valid_up_to())),
    };
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut reader = Reader { ns: NsReader::from_str(&text[bom..]), bom, depth: 0, seen_root: false, limits: *limits };
    reader.ns.config_mut().enable_all_checks(true);
    reader.ns.config_mut().trim_text(false);
    loop {
        let before = reader.position();
        match reader.step(visit) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(problem) => {
                let offset = if matches!(problem, XmlProblem::Malformed(_)) { reader.error_position() } else { before };
                return Err(fail(problem, offset));
            }
        }
    }
}

/// The line (from 1) of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count()
}

struct Reader<'i> {
    ns: NsReader<&'i [u8]>,
    bom: usize,
    depth: usize,
    seen_root: bool,
    limits: XmlLimits,
}

impl<'i> Reader<'i> {
    fn position(&self) -> usize {
        self.bom + usize::try_from(self.ns.buffer_position()).unwrap_or(usize::MAX)
    }

    fn error_position(&self) -> usize {
        self.bom + usize::try_from(self.ns.error_position()).unwrap_or(usize::MAX)
    }

    /// Reads one event and hands it on; `Ok(false)` at the end of a complete document.
    fn step(&mut self, visit: &mut dyn FnMut(XmlEvent<'_>) -> Result<(), String>) -> Result<bool, XmlProblem> {
        let start = self.position();
        let (_, event) = self.ns.read_resolved_event().map_err(|e| XmlProblem::Malformed(e.to_string()))?;
        match event {
            Event::Start(e) => {
                self.open(&e, start, visit)?;
            }
            Event::Empty(e) => {
                self.open(&e, start, visit)?;
                self.close(visit)?;
            }
            Event::End(_) => self.close(visit)?,
            Event::Text(e) => {
                let text = e.xml10_content().map_err(|_| XmlProblem::NotUtf8)?;
                self.text(&text, visit)?;
            }
            Event::CData(e) => {
                let text = std::str::from_utf8(e.as_ref()).map_err(|_| XmlProblem::NotUtf8)?;
                let text = normalise_line_ends(text);
                self.text(&text, visit)?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(|e| XmlProblem::Malformed(e.to_string()))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().map_err(|_| XmlProblem::NotUtf8)?;
                        resolve_predefined_entity(&name).ok_or_else(|| XmlProblem::Entity(name.to_string()))?.to_string()
                    }
                };
                self.text(&resolved, visit)?;
            }
            Event::Decl(d) => {
                if let Some(encoding) = d.encoding() {
                    let encoding = encoding.map_err(|e| XmlProblem::Malformed(e.to_string()))?;
                    if !encoding.eq_ignore_ascii_case(b"utf-8") {
                        return Err(XmlProblem::NotUtf8);
                    }
                }
                let version = d.version().map_err(|e| XmlProblem::Malformed(e.to_string()))?;
                if version.as_ref() != b"1.0" {
                    return Err(XmlProblem::Malformed("only XML version 1.0 is read".into()));
                }
            }
            Event::DocType(_) => return Err(XmlProblem::Dtd),
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                if self.depth > 0 {
                    return Err(XmlProblem::Malformed("the file ends inside an element".into()));
                }
                if !self.seen_root {
                    return Err(XmlProblem::Malformed("the file has no root element".into()));
                }
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn open(
        &mut self,
        e: &BytesStart<'_>,
        start: usize,
        visit: &mut dyn FnMut(XmlEvent<'_>) -> Result<(), String>,
    ) -> Result<(), XmlProblem> {
        if self.depth == 0 && self.seen_root {
            return Err(XmlProblem::Malformed("content after the root element".into()));
        }
        if self.depth >= self.limits.max_depth {
            return Err(XmlProblem::TooDeep(self.limits.max_depth));
        }
        let resolver = self.ns.resolver();
        let (ns, local) = resolver.resolve_element(e.name());
        let namespace = namespace_text(ns)?;
        let name = std::str::from_utf8(local.into_inner()).map_err(|_| XmlProblem::NotUtf8)?;
        let mut attributes = vec![];
        for attribute in e.attributes() {
            let attribute = attribute.map_err(|e| XmlProblem::Malformed(e.to_string()))?;
            let key = attribute.key;
            if key.as_ref() == b"xmlns" || key.as_ref().starts_with(b"xmlns:") {
                continue;
            }
            let (ns, local) = resolver.resolve_attribute(key);
            let value =
                attribute.normalized_value_with(quick_xml::XmlVersion::Explicit1_0, 1, resolve_predefined_entity).map_err(|e| match e {
                    quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) => XmlProblem::Entity(name),
                    other => XmlProblem::Malformed(other.to_string()),
                })?;
            check_chars(&value)?;
            attributes.push(Attribute {
                namespace: namespace_text(ns)?.to_string(),
                name: std::str::from_utf8(local.into_inner()).map_err(|_| XmlProblem::NotUtf8)?.to_string(),
                value: value.into_owned(),
            });
        }
        self.depth += 1;
        self.seen_root = true;
        visit(XmlEvent::Start(Element { namespace, name, attributes: &attributes, start })).map_err(XmlProblem::Rejected)
    }

    fn close(&mut self, visit: &mut dyn FnMut(XmlEvent<'_>) -> Result<(), String>) -> Result<(), XmlProblem> {
        self.depth = self.depth.saturating_sub(1);
        visit(XmlEvent::End { end: self.position() }).map_err(XmlProblem::Rejected)
    }

    fn text(&mut self, text: &str, visit: &mut dyn FnMut(XmlEvent<'_>) -> Result<(), String>) -> Result<(), XmlProblem> {
        check_chars(text)?;
        if self.depth == 0 {
            return match text.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
                true => Ok(()),
                false => Err(XmlProblem::Malformed("text outside the root element".into())),
            };
        }
        visit(XmlEvent::Text(text)).map_err(XmlProblem::Rejected)
    }
}

fn namespace_text<'a>(ns: ResolveResult<'a>) -> Result<&'a str, XmlProblem> {
    match ns {
        ResolveResult::Bound(ns) => std::str::from_utf8(ns.into_inner()).map_err(|_| XmlProblem::NotUtf8),
        ResolveResult::Unbound => Ok(""),
        ResolveResult::Unknown(prefix) => {
            Err(XmlProblem::Malformed(format!("the namespace prefix {:?} is not declared", String::from_utf8_lossy(&prefix))))
        }
    }
}

/// Refuses characters XML 1.0 does not allow: controls other than tab, line feed and return, and
/// U+FFFE and U+FFFF (UTF-8 has no surrogates). A scan of the bytes: every text passes here.
fn check_chars(text: &str) -> Result<(), XmlProblem> {
    let bytes = text.as_bytes();
    let bad = bytes.iter().enumerate().find(|&(i, &b)| match b {
        b'\t' | b'\n' | b'\r' => false,
        0..=0x1f => true,
        0xef => bytes.get(i + 1) == Some(&0xbf) && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)),
        _ => false,
    });
    match bad {
        None => Ok(()),
        Some((i, _)) => {
            let c = text[i..].chars().next().map_or(0, u32::from);
            Err(XmlProblem::Malformed(format!("the character U+{c:04X} is not allowed in XML")))
        }
    }
}

fn normalise_line_ends(text: &str) -> Cow<'_, str> {
    match text.contains('\r') {
        false => Cow::Borrowed(text),
        true => Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: XmlLimits = XmlLimits { max_bytes: 1 << 20, max_depth: 16 };

    /// The events as text: `<ns|name a=v>`, `"text"`, `</>`.
    fn trace(xml: &str) -> Result<Vec<String>, XmlError> {
        let mut out = vec![];
        read_xml(xml.as_bytes(), &LIMITS, &mut |event| {
            out.push(match event {
                XmlEvent::Start(e) => {
                    let attributes: Vec<String> = e.attributes.iter().map(|a| format!(" {}|{}={}", a.namespace, a.name, a.value)).collect();
                    format!("<{}|{}{}@{}>", e.namespace, e.name, attributes.concat(), e.start)
                }
                XmlEvent::Text(t) => format!("{t:?}"),
                XmlEvent::End { end } => format!("</@{end}>"),
            });
            Ok(())
        })?;
        Ok(out)
    }

    fn problem(xml: &str) -> XmlProblem {
        trace(xml).expect_err(xml).problem
    }

    #[test]
    fn events_carry_namespaces_offsets_and_resolved_text() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<D xmlns=\"urn:x\" xmlns:q=\"urn:q\"><A q:c=\"1 &amp; 2\">a&lt;b&#233;<![CDATA[<c>]]></A><B/></D>";
        let (a, b) = (xml.find("<A").unwrap(), xml.find("<B/>").unwrap());
        let events = trace(xml).unwrap();
        let expected = [
            "<urn:x|D@39>".to_string(),
            format!("<urn:x|A urn:q|c=1 & 2@{a}>"),
            "\"a\"".into(),
            "\"<\"".into(),
            "\"b\"".into(),
            "\"é\"".into(),
            "\"<c>\"".into(),
            format!("</@{b}>"),
            format!("<urn:x|B@{b}>"),
            format!("</@{}>", b + 4),
            format!("</@{}>", xml.len()),
        ];
        assert_eq!(events, expected);
        assert!(xml[a..b].starts_with("<A ") && xml[a..b].ends_with("</A>"));
    }

    #[test]
    fn a_dtd_is_refused_whatever_it_declares() {
        assert_eq!(problem("<!DOCTYPE D [<!ENTITY a \"aaaa\">]><D>&a;</D>"), XmlProblem::Dtd);
        assert_eq!(problem("<!DOCTYPE D SYSTEM \"file:///etc/passwd\"><D/>"), XmlProblem::Dtd);
        let laughs = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
        assert_eq!(problem(laughs), XmlProblem::Dtd);
    }

    #[test]
    fn only_predefined_entities_and_character_references_resolve() {
        assert_eq!(problem("<D>&xxe;</D>"), XmlProblem::Entity("xxe".into()));
        assert_eq!(problem("<D a=\"&xxe;\"/>"), XmlProblem::Entity("xxe".into()));
        assert_eq!(trace("<D>&quot;&apos;&gt;&#x41;</D>").unwrap()[1..5], ["\"\\\"\"", "\"'\"", "\">\"", "\"A\""]);
        assert!(matches!(problem("<D>&#0;</D>"), XmlProblem::Malformed(_)));
    }

    #[test]
    fn limits_and_encodings_are_enforced() {
        let big = format!("<D>{}</D>", "x".repeat(LIMITS.max_bytes));
        assert!(matches!(problem(&big), XmlProblem::TooLarge { .. }));
        let deep = format!("{}{}", "<a>".repeat(17), "</a>".repeat(17));
        assert_eq!(problem(&deep), XmlProblem::TooDeep(16));
        assert_eq!(problem("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><D/>"), XmlProblem::NotUtf8);
        let latin1 = read_xml(b"<D>\xe9</D>", &LIMITS, &mut |_| Ok(())).unwrap_err();
        assert_eq!((latin1.problem, latin1.offset), (XmlProblem::NotUtf8, 3));
        assert!(trace("\u{feff}<D/>").is_ok(), "a byte order mark is allowed");
    }

    #[test]
    fn malformed_documents_are_refused_with_their_line() {
        for xml in [
            "<D><A></D>",
            "<D>",
            "",
            "<D/><E/>",
            "<D/>text",
            "<p:D/>",
            "<D a=\"1\" a=\"2\"/>",
            "<D>\u{1}</D>",
            "<D>\u{FFFE}</D>",
            "<D a=\"\u{1f}\"/>",
            "<D><!-- a -- b --></D>",
        ] {
            assert!(matches!(problem(xml), XmlProblem::Malformed(_)), "{xml:?} gave {:?}", trace(xml));
        }
        let error = trace("<D>\n<A>\n</B></D>").unwrap_err();
        assert_eq!(error.line, 3, "{error}");
        assert!(error.to_string().starts_with("line 3: not well-formed XML"), "{error}");
    }

    #[test]
    fn a_consumer_refusal_stops_the_read_and_names_the_line() {
        let error = read_xml(b"<D>\n<A/></D>", &LIMITS, &mut |event| match event {
            XmlEvent::Start(e) if e.name == "A" => Err("A is not expected here".into()),
            _ => Ok(()),
        })
        .unwrap_err();
        assert_eq!(error.problem, XmlProblem::Rejected("A is not expected here".into()));
        assert_eq!(error.to_string(), "line 2: A is not expected here");
    }
}
