//! The ISO 20022 schema check of the ERP's payment file: the official pain.001.001.03 and .09
//! XSDs, embedded and compiled once ([`pain001_schema`]), and a streaming [`Validator`] that
//! takes the guarded reader's [`XmlEvent`]s in one pass and refuses, at the first problem, what
//! libxml2's `xmllint --noout --schema` refuses. Its messages name the element by its path, with
//! positions among repeated siblings, and say what is wrong in words a person fixing an ERP
//! export can act on:
//! `Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[3]/Amt/InstdAmt: "12.345678" has more than
//! 5 fraction digits`.
//!
//! The compiler reads the subset of XML Schema 1.0 that ISO 20022's generated schemas use and
//! refuses everything else, so a construct it does not understand can never make the check lax:
//! - global elements with a named type; `elementFormDefault="qualified"`; annotations (ignored);
//! - named simple types restricting `xs:string`, `xs:decimal`, `xs:date`, `xs:dateTime`,
//!   `xs:boolean` or another named simple type, with the facets enumeration (strings), pattern,
//!   minLength and maxLength (strings), totalDigits, fractionDigits and minInclusive (decimals);
//! - named complex types with element-only content (`xs:sequence` and `xs:choice` of local
//!   elements with a named type, nested, each with minOccurs and maxOccurs), with simple content
//!   extended by attributes (the amount and its `Ccy`), and the wildcard
//!   `xs:any namespace="##any" processContents="lax"` (the SupplementaryData envelope).
//!
//! Each content model becomes a deterministic automaton over the children's names, so a child is
//! checked with a lookup and a step as it arrives; patterns are compiled once.
//!
//! Where this check and xmllint part (the differential test in tests/screen_schema.rs compares
//! them on some 1,700 documents and pins each of these cases):
//! - `xsi:type` is refused on every element, inside the SupplementaryData envelope too: a
//!   payment file has no use for it, and the check does not follow a type a file names for
//!   itself (xmllint accepts an `xsi:type` that names the declared type or one derived from it).
//!   `xsi:nil` is refused on every declared element, as xmllint does (none is nillable).
//! - A date or date-time is whitespace-collapsed, as XML Schema fixes for those types, so
//!   `<Dt> 2026-03-31 </Dt>` is read; libxml2 does not collapse types derived from them and
//!   refuses it.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::iter::Peekable;
use std::str::Chars;
use std::sync::OnceLock;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::{NsReader, XmlVersion};
use regex::Regex;

use super::xml::{Attribute, Element, XmlEvent};
use super::Pain001Version;

/// The XML Schema namespace.
const XS: &str = "http://www.w3.org/2001/XMLSchema";
/// The XML Schema instance namespace (`xsi:type`, `xsi:schemaLocation`, ...).
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The official schemas, byte for byte as ISO 20022 publishes them.
const PAIN_001_001_03_XSD: &str = include_str!("schemas/pain.001.001.03.xsd");
const PAIN_001_001_09_XSD: &str = include_str!("schemas/pain.001.001.09.xsd");

/// The official schema of a pain.001 version, compiled on first use.
pub fn pain001_schema(version: Pain001Version) -> &'static Schema {
    static V03: OnceLock<Schema> = OnceLock::new();
    static V09: OnceLock<Schema> = OnceLock::new();
    let (cell, xsd) = match version {
        Pain001Version::V03 => (&V03, PAIN_001_001_03_XSD),
        Pain001Version::V09 => (&V09, PAIN_001_001_09_XSD),
    };
    // The schemas are embedded and a unit test compiles both, so this cannot fail at run time.
    cell.get_or_init(|| Schema::compile(xsd).unwrap_or_else(|e| panic!("the embedded {} schema does not compile: {e}", version.as_str())))
}

/// Why a schema text was not compiled: an error in it, or a construct outside the subset this
/// module supports (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("schema line {line}: {message}")]
pub struct SchemaError {
    /// The line (from 1) of the construct.
    pub line: usize,
    /// What is wrong or not supported.
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// The compiled schema

/// A compiled schema: its global elements and their types. Made by [`Schema::compile`]; checks
/// documents through [`Schema::validator`].
#[derive(Debug)]
pub struct Schema {
    target: String,
    simple: Vec<SimpleType>,
    complex: Vec<ComplexType>,
    globals: Vec<(String, TypeRef)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TypeRef {
    Simple(usize),
    Complex(usize),
}

#[derive(Debug)]
struct ComplexType {
    content: Content,
    attributes: Vec<AttributeDecl>,
}

#[derive(Debug)]
enum Content {
    /// Child elements only, in the order and numbers the automaton allows.
    Elements(Model),
    /// A value of this simple type (with the type's attributes).
    Value(usize),
}

#[derive(Debug)]
struct AttributeDecl {
    name: String,
    ty: usize,
    required: bool,
}

/// A content model as a deterministic automaton over the children's names.
#[derive(Debug)]
struct Model {
    /// The element declarations, by symbol, in the order the schema first names them.
    children: Vec<ChildDecl>,
    /// The symbols sorted by name, for lookup.
    by_name: Vec<u16>,
    /// State 0 is the start.
    states: Vec<State>,
}

#[derive(Debug)]
struct ChildDecl {
    name: String,
    ty: TypeRef,
    /// Whether it may occur more than once (paths then show its position: `PmtInf[2]`).
    repeats: bool,
    /// Its maxOccurs, when that alone limits it (one particle, in no repeating group).
    limit: Option<u32>,
}

#[derive(Debug)]
struct State {
    accepting: bool,
    /// The fewest further children that reach an accepting state.
    distance: u32,
    /// Sorted by symbol, [`OTHER`] last.
    edges: Vec<Edge>,
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    symbol: u16,
    target: u32,
    /// Taken through the lax wildcard: the child is checked only where a global element
    /// declares it.
    lax: bool,
}

/// The symbol of an element the model does not declare (another name or namespace).
const OTHER: u16 = u16::MAX;
/// No child yet.
const NO_CHILD: u16 = u16::MAX - 1;

impl Model {
    fn symbol(&self, name: &str) -> Option<u16> {
        let found = self.by_name.binary_search_by(|&s| self.children[usize::from(s)].name.as_str().cmp(name)).ok()?;
        Some(self.by_name[found])
    }

    fn state(&self, state: u32) -> &State {
        &self.states[state as usize]
    }

    fn edge(&self, state: u32, symbol: u16) -> Option<Edge> {
        self.state(state).edges.iter().find(|e| e.symbol == symbol).copied()
    }

    /// How messages name a symbol.
    fn label(&self, symbol: u16) -> &str {
        match symbol {
            OTHER => "an element of any name",
            s => &self.children[usize::from(s)].name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Builtin {
    String,
    Decimal,
    Date,
    DateTime,
    Boolean,
}

impl Builtin {
    fn of(local: &str) -> Option<Self> {
        Some(match local {
            "string" => Self::String,
            "decimal" => Self::Decimal,
            "date" => Self::Date,
            "dateTime" => Self::DateTime,
            "boolean" => Self::Boolean,
            _ => return None,
        })
    }
}

/// A simple type: a built-in type and the facets of each restriction step down to this type
/// (a value must satisfy every step).
#[derive(Debug, Clone)]
struct SimpleType {
    builtin: Builtin,
    steps: Vec<Facets>,
}

#[derive(Debug, Clone, Default)]
struct Facets {
    /// The type that declares them, for messages.
    owner: String,
    enumeration: Vec<String>,
    pattern: Option<Pattern>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    total_digits: Option<usize>,
    fraction_digits: Option<usize>,
    min_inclusive: Option<String>,
}

/// The pattern facets of one restriction step (a value must match one of them).
#[derive(Debug, Clone)]
struct Pattern {
    /// As the schema writes them.
    source: String,
    regex: Regex,
}

impl Schema {
    /// Compiles a schema text. The text is trusted (an embedded official schema), but anything
    /// outside the supported subset is refused rather than skipped.
    pub fn compile(xsd: &str) -> Result<Schema, SchemaError> {
        let root = read_schema_tree(xsd)?;
        Compiler::new(&root)?.run()
    }

    /// The namespace of its elements.
    pub fn target_namespace(&self) -> &str {
        &self.target
    }

    /// A validator for one document.
    pub fn validator(&self) -> Validator<'_> {
        Validator { schema: self, stack: Vec::new(), text: String::new(), seen_root: false, refused: None }
    }

    /// The type of the global element `e` names, if one does.
    fn global(&self, e: &Element<'_>) -> Option<TypeRef> {
        if e.namespace != self.target {
            return None;
        }
        self.globals.iter().find(|(name, _)| name == e.name).map(|&(_, ty)| ty)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the schema text

/// An element of the schema text, all in the XML Schema namespace, annotations left out.
struct Node {
    /// Its local name: `element`, `sequence`, ...
    kind: String,
    /// Its attributes; the values of `type` and `base` resolved to `{namespace}local`.
    attributes: Vec<(String, String)>,
    children: Vec<Node>,
    line: usize,
}

impl Node {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, SchemaError> {
        self.attribute(name).ok_or_else(|| self.error(format!("xs:{} has no {name} attribute", self.kind)))
    }

    /// Refuses any attribute but `allowed`.
    fn only_attributes(&self, allowed: &[&str]) -> Result<(), SchemaError> {
        match self.attributes.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
            None => Ok(()),
            Some((n, v)) => Err(self.error(format!("the attribute {n}=\"{v}\" of xs:{} is not supported", self.kind))),
        }
    }

    fn no_children(&self) -> Result<(), SchemaError> {
        match self.children.first() {
            None => Ok(()),
            Some(c) => Err(c.error(format!("xs:{} inside xs:{} is not supported", c.kind, self.kind))),
        }
    }

    fn error(&self, message: String) -> SchemaError {
        SchemaError { line: self.line, message }
    }
}

/// Counts lines up to increasing offsets.
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset > self.offset {
            self.line += self.text[self.offset..offset].iter().filter(|&&b| b == b'\n').count();
            self.offset = offset;
        }
        self.line
    }
}

/// Reads the schema text into a tree of [`Node`]s; refuses elements outside the XML Schema
/// namespace, text outside annotations, and a DTD.
fn read_schema_tree(xsd: &str) -> Result<Node, SchemaError> {
    let mut reader = NsReader::from_str(xsd);
    let mut lines = Lines { text: xsd.as_bytes(), offset: 0, line: 1 };
    let mut open: Vec<Node> = Vec::new();
    let mut root = None;
    // The depth inside an xs:annotation, whose content does not matter.
    let mut annotation = 0usize;
    loop {
        let line = lines.at(usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX));
        let fail = |message: String| SchemaError { line, message };
        let (ns, event) = reader.read_resolved_event().map_err(|e| fail(format!("not well-formed: {e}")))?;
        let in_xs = matches!(ns, ResolveResult::Bound(ns) if ns.as_ref() == XS.as_bytes());
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                if annotation > 0 || (in_xs && e.local_name().as_ref() == b"annotation") {
                    annotation += usize::from(!empty);
                    continue;
                }
                if !in_xs {
                    return Err(fail(format!("<{}> is not an XML Schema element", String::from_utf8_lossy(e.name().as_ref()))));
                }
                let node = schema_node(&reader, &e, line)?;
                match empty {
                    true => attach(&mut open, &mut root, node),
                    false => open.push(node),
                }
            }
            Event::End(_) if annotation > 0 => annotation -= 1,
            Event::End(_) => {
                let node = open.pop().ok_or_else(|| fail("an end tag with no element open".into()))?;
                attach(&mut open, &mut root, node);
            }
            Event::Text(t) if annotation == 0 && !t.as_ref().iter().all(u8::is_ascii_whitespace) => {
                return Err(fail("text outside an annotation".into()))
            }
            Event::CData(_) | Event::GeneralRef(_) if annotation == 0 => return Err(fail("text outside an annotation".into())),
            Event::DocType(_) => return Err(fail("a document type declaration".into())),
            Event::Eof => return root.ok_or_else(|| fail("no xs:schema element".into())),
            _ => {}
        }
    }
}

fn attach(open: &mut [Node], root: &mut Option<Node>, node: Node) {
    match open.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn schema_node(reader: &NsReader<&[u8]>, e: &BytesStart<'_>, line: usize) -> Result<Node, SchemaError> {
    let fail = |message: String| SchemaError { line, message };
    let kind = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|e| fail(format!("not well-formed: {e}")))?;
        let key = attribute.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let name = String::from_utf8_lossy(key).into_owned();
        if attribute.key.prefix().is_some() {
            return Err(fail(format!("the attribute {name} of xs:{kind} is not supported")));
        }
        let value = attribute.normalized_value(XmlVersion::Explicit1_0).map_err(|e| fail(format!("not well-formed: {e}")))?;
        let value = match name.as_str() {
            "type" | "base" => match reader.resolver().resolve(QName(value.as_bytes()), true) {
                (ResolveResult::Bound(ns), local) => {
                    format!("{{{}}}{}", String::from_utf8_lossy(ns.as_ref()), String::from_utf8_lossy(local.as_ref()))
                }
                (ResolveResult::Unbound, local) => format!("{{}}{}", String::from_utf8_lossy(local.as_ref())),
                (ResolveResult::Unknown(_), _) => return Err(fail(format!("the prefix of {name}=\"{value}\" is not declared"))),
            },
            _ => value.into_owned(),
        };
        attributes.push((name, value));
    }
    Ok(Node { kind, attributes, children: Vec::new(), line })
}

// ---------------------------------------------------------------------------------------------
// Compiling

struct Compiler<'x> {
    root: &'x Node,
    target: String,
    /// The named simple and complex types.
    named: HashMap<&'x str, &'x Node>,
    /// The types compiled so far (or being compiled), by `{namespace}local`.
    resolved: HashMap<String, TypeRef>,
    /// The simple types being derived, to refuse a circular derivation.
    deriving: Vec<String>,
    simple: Vec<SimpleType>,
    complex: Vec<ComplexType>,
}

/// A particle of a content model, before it becomes an automaton.
struct Particle {
    term: Term,
    min: u32,
    /// `None` for unbounded.
    max: Option<u32>,
}

enum Term {
    Element(u16),
    Any,
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
}

/// The largest finite maxOccurs compiled (the automaton unrolls counts).
const MAX_COUNT: u32 = 1000;

impl<'x> Compiler<'x> {
    fn new(root: &'x Node) -> Result<Self, SchemaError> {
        if root.kind != "schema" {
            return Err(root.error(format!("the root is xs:{}, not xs:schema", root.kind)));
        }
        root.only_attributes(&["targetNamespace", "elementFormDefault", "attributeFormDefault", "version"])?;
        let target = root.required("targetNamespace")?.to_string();
        if root.attribute("elementFormDefault") != Some("qualified") {
            return Err(root.error("only elementFormDefault=\"qualified\" is supported".into()));
        }
        if root.attribute("attributeFormDefault").is_some_and(|f| f != "unqualified") {
            return Err(root.error("only attributeFormDefault=\"unqualified\" is supported".into()));
        }
        let mut named = HashMap::new();
        for child in &root.children {
            match child.kind.as_str() {
                "element" => {}
                "simpleType" | "complexType" => {
                    if named.insert(child.required("name")?, child).is_some() {
                        return Err(child.error(format!("a second type named {}", child.required("name")?)));
                    }
                }
                other => return Err(child.error(format!("xs:{other} is not supported"))),
            }
        }
        Ok(Self { root, target, named, resolved: HashMap::new(), deriving: Vec::new(), simple: Vec::new(), complex: Vec::new() })
    }

    fn run(mut self) -> Result<Schema, SchemaError> {
        let mut globals: Vec<(String, TypeRef)> = Vec::new();
        for node in self.root.children.iter().filter(|c| c.kind == "element") {
            node.only_attributes(&["name", "type"])?;
            node.no_children()?;
            let name = node.required("name")?;
            if globals.iter().any(|(n, _)| n == name) {
                return Err(node.error(format!("a second global element named {name}")));
            }
            let ty = self.resolve(node.required("type")?, node)?;
            globals.push((name.to_string(), ty));
        }
        // Every type is compiled, used or not, so none hides an unsupported construct.
        let mut names: Vec<&str> = self.named.keys().copied().collect();
        names.sort_unstable();
        for name in names {
            let qualified = format!("{{{}}}{name}", self.target);
            self.resolve(&qualified, self.root)?;
        }
        Ok(Schema { target: self.target, simple: self.simple, complex: self.complex, globals })
    }

    /// The type a `{namespace}local` name refers to, compiled on first use.
    fn resolve(&mut self, name: &str, at: &Node) -> Result<TypeRef, SchemaError> {
        if let Some(&ty) = self.resolved.get(name) {
            return Ok(ty);
        }
        if let Some(local) = name.strip_prefix(&format!("{{{XS}}}")) {
            let builtin = Builtin::of(local).ok_or_else(|| at.error(format!("the built-in type xs:{local} is not supported")))?;
            self.simple.push(SimpleType { builtin, steps: Vec::new() });
            let ty = TypeRef::Simple(self.simple.len() - 1);
            self.resolved.insert(name.to_string(), ty);
            return Ok(ty);
        }
        let local = name.strip_prefix(&format!("{{{}}}", self.target));
        let node = local.and_then(|l| self.named.get(l).copied()).ok_or_else(|| at.error(format!("the type {name} is not defined")))?;
        match node.kind.as_str() {
            "simpleType" => self.simple_type(node, name),
            _ => self.complex_type(node, name),
        }
    }

    fn simple_type(&mut self, node: &Node, name: &str) -> Result<TypeRef, SchemaError> {
        if self.deriving.iter().any(|d| d == name) {
            return Err(node.error(format!("the type {name} is derived from itself")));
        }
        node.only_attributes(&["name"])?;
        let [restriction] = node.children.as_slice() else {
            return Err(node.error("a simple type must hold exactly one xs:restriction".into()));
        };
        if restriction.kind != "restriction" {
            return Err(restriction.error(format!("xs:{} is not supported (only xs:restriction)", restriction.kind)));
        }
        restriction.only_attributes(&["base"])?;
        self.deriving.push(name.to_string());
        let base = self.resolve(restriction.required("base")?, restriction);
        self.deriving.pop();
        let TypeRef::Simple(base) = base? else {
            return Err(restriction.error("the base of a simple type must be a simple type".into()));
        };
        let mut derived = self.simple[base].clone();
        derived.steps.push(facets(restriction, node.required("name")?, derived.builtin)?);
        self.simple.push(derived);
        let ty = TypeRef::Simple(self.simple.len() - 1);
        self.resolved.insert(name.to_string(), ty);
        Ok(ty)
    }

    fn complex_type(&mut self, node: &Node, name: &str) -> Result<TypeRef, SchemaError> {
        node.only_attributes(&["name"])?;
        let owner = node.required("name")?;
        // Registered before its content is compiled, so a type may contain itself.
        let index = self.complex.len();
        self.complex.push(ComplexType { content: Content::Value(0), attributes: Vec::new() });
        self.resolved.insert(name.to_string(), TypeRef::Complex(index));
        let (content, attributes) = match node.children.split_first() {
            Some((first, rest)) if first.kind == "sequence" || first.kind == "choice" => {
                (Content::Elements(self.model(first, owner)?), rest)
            }
            Some((first, [])) if first.kind == "simpleContent" => {
                let (value, attributes) = self.simple_content(first)?;
                (Content::Value(value), attributes)
            }
            Some((first, _)) if first.kind != "attribute" => {
                return Err(first.error(format!("xs:{} in a complex type is not supported", first.kind)))
            }
            _ => (Content::Elements(self.model_of(None, node, owner)?), node.children.as_slice()),
        };
        let mut declared: Vec<AttributeDecl> = Vec::new();
        for a in attributes {
            let decl = self.attribute(a)?;
            if declared.iter().any(|d| d.name == decl.name) || declared.len() == 64 {
                return Err(a.error(format!("the attribute {} is declared twice, or one too many", decl.name)));
            }
            declared.push(decl);
        }
        self.complex[index] = ComplexType { content, attributes: declared };
        Ok(TypeRef::Complex(index))
    }

    /// `xs:simpleContent/xs:extension`: the value's type and the attribute declarations.
    fn simple_content<'n>(&mut self, node: &'n Node) -> Result<(usize, &'n [Node]), SchemaError> {
        node.only_attributes(&[])?;
        let [extension] = node.children.as_slice() else {
            return Err(node.error("simple content must hold exactly one xs:extension".into()));
        };
        if extension.kind != "extension" {
            return Err(extension.error(format!("xs:{} in simple content is not supported (only xs:extension)", extension.kind)));
        }
        extension.only_attributes(&["base"])?;
        match self.resolve(extension.required("base")?, extension)? {
            TypeRef::Simple(value) => Ok((value, &extension.children)),
            TypeRef::Complex(_) => Err(extension.error("only a simple type can be extended with attributes".into())),
        }
    }

    fn attribute(&mut self, node: &Node) -> Result<AttributeDecl, SchemaError> {
        if node.kind != "attribute" {
            return Err(node.error(format!("xs:{} is not supported here (only xs:attribute)", node.kind)));
        }
        node.only_attributes(&["name", "type", "use"])?;
        node.no_children()?;
        let required = match node.attribute("use") {
            None | Some("optional") => false,
            Some("required") => true,
            Some(other) => return Err(node.error(format!("use=\"{other}\" is not supported"))),
        };
        match self.resolve(node.required("type")?, node)? {
            TypeRef::Simple(ty) => Ok(AttributeDecl { name: node.required("name")?.to_string(), ty, required }),
            TypeRef::Complex(_) => Err(node.error("an attribute's type must be simple".into())),
        }
    }

    fn model(&mut self, group: &Node, owner: &str) -> Result<Model, SchemaError> {
        self.model_of(Some(group), group, owner)
    }

    /// The automaton of a model group (`None`: the empty content).
    fn model_of(&mut self, group: Option<&Node>, at: &Node, owner: &str) -> Result<Model, SchemaError> {
        let mut children = Vec::new();
        let particle = match group {
            Some(group) => self.particle(group, false, &mut children)?,
            None => Particle { term: Term::Sequence(Vec::new()), min: 1, max: Some(1) },
        };
        let mut nfa = Nfa::default();
        let start = nfa.state().map_err(|m| at.error(m))?;
        let end = nfa.particle(&particle, start).map_err(|m| at.error(format!("the content of {owner}: {m}")))?;
        let states = determinise(&nfa, start, end, &children).map_err(|m| at.error(format!("the content of {owner}: {m}")))?;
        let mut by_name: Vec<u16> = (0..children.len()).map(|s| u16::try_from(s).unwrap_or(NO_CHILD)).collect();
        by_name.sort_by(|&a, &b| children[usize::from(a)].name.cmp(&children[usize::from(b)].name));
        Ok(Model { children, by_name, states })
    }

    fn particle(&mut self, node: &Node, in_repeat: bool, children: &mut Vec<ChildDecl>) -> Result<Particle, SchemaError> {
        let (min, max) = occurs(node)?;
        let repeats = in_repeat || max != Some(1);
        let term = match node.kind.as_str() {
            "element" => Term::Element(self.child(node, in_repeat, max, children)?),
            "sequence" | "choice" => {
                node.only_attributes(&["minOccurs", "maxOccurs"])?;
                let items = node.children.iter().map(|c| self.particle(c, repeats, children)).collect::<Result<Vec<_>, _>>()?;
                match node.kind == "sequence" {
                    true => Term::Sequence(items),
                    false => Term::Choice(items),
                }
            }
            "any" => {
                node.only_attributes(&["namespace", "processContents", "minOccurs", "maxOccurs"])?;
                node.no_children()?;
                if node.attribute("namespace").is_some_and(|n| n != "##any") || node.attribute("processContents") != Some("lax") {
                    return Err(node.error("only xs:any namespace=\"##any\" processContents=\"lax\" is supported".into()));
                }
                Term::Any
            }
            other => return Err(node.error(format!("xs:{other} in a content model is not supported"))),
        };
        Ok(Particle { term, min, max })
    }

    /// The symbol of a local element declaration.
    fn child(&mut self, node: &Node, in_repeat: bool, max: Option<u32>, children: &mut Vec<ChildDecl>) -> Result<u16, SchemaError> {
        node.only_attributes(&["name", "type", "minOccurs", "maxOccurs"])?;
        node.no_children()?;
        let name = node.required("name")?;
        let ty = self.resolve(node.required("type")?, node)?;
        if let Some(symbol) = children.iter().position(|c| c.name == name) {
            let child = &mut children[symbol];
            if child.ty != ty {
                return Err(node.error(format!("two declarations of {name} with different types in one content model")));
            }
            (child.repeats, child.limit) = (true, None);
            return Ok(u16::try_from(symbol).unwrap_or(NO_CHILD));
        }
        let symbol = u16::try_from(children.len()).ok().filter(|&s| s < NO_CHILD);
        let symbol = symbol.ok_or_else(|| node.error("too many element names in one content model".into()))?;
        let repeats = in_repeat || max != Some(1);
        children.push(ChildDecl { name: name.to_string(), ty, repeats, limit: if in_repeat { None } else { max } });
        Ok(symbol)
    }
}

/// A particle's minOccurs and maxOccurs (`None`: unbounded).
fn occurs(node: &Node) -> Result<(u32, Option<u32>), SchemaError> {
    let count = |text: &str| -> Result<u32, SchemaError> {
        match text.parse::<u32>() {
            Ok(n) if n <= MAX_COUNT && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(node.error(format!("the count \"{text}\" is not supported (a whole number up to {MAX_COUNT})"))),
        }
    };
    let min = node.attribute("minOccurs").map(count).transpose()?.unwrap_or(1);
    let max = match node.attribute("maxOccurs") {
        Some("unbounded") => None,
        Some(text) => Some(count(text)?),
        None => Some(1),
    };
    if max.is_some_and(|max| max < min) {
        return Err(node.error("maxOccurs is less than minOccurs".into()));
    }
    Ok((min, max))
}

/// The facets of one restriction step.
fn facets(restriction: &Node, owner: &str, builtin: Builtin) -> Result<Facets, SchemaError> {
    let mut f = Facets { owner: owner.to_string(), ..Facets::default() };
    let mut patterns = Vec::new();
    for c in &restriction.children {
        c.only_attributes(&["value"])?;
        c.no_children()?;
        let value = c.required("value")?;
        let applies = match c.kind.as_str() {
            "pattern" => true,
            "enumeration" | "minLength" | "maxLength" => builtin == Builtin::String,
            "totalDigits" | "fractionDigits" | "minInclusive" => builtin == Builtin::Decimal,
            other => return Err(c.error(format!("the facet xs:{other} is not supported"))),
        };
        if !applies {
            return Err(c.error(format!("the facet xs:{} is not supported on a type derived from xs:{builtin:?}", c.kind)));
        }
        let count = || value.parse::<usize>().map_err(|_| c.error(format!("xs:{} needs a whole number, not \"{value}\"", c.kind)));
        match c.kind.as_str() {
            "pattern" => patterns.push(value),
            "enumeration" => f.enumeration.push(value.to_string()),
            "minLength" => set_once(&mut f.min_length, count()?, c)?,
            "maxLength" => set_once(&mut f.max_length, count()?, c)?,
            "totalDigits" if value == "0" => return Err(c.error("xs:totalDigits must be at least 1".into())),
            "totalDigits" => set_once(&mut f.total_digits, count()?, c)?,
            "fractionDigits" => set_once(&mut f.fraction_digits, count()?, c)?,
            _ => match Decimal::parse(value) {
                Some(_) => set_once(&mut f.min_inclusive, value.to_string(), c)?,
                None => return Err(c.error(format!("xs:minInclusive needs a decimal, not \"{value}\""))),
            },
        }
    }
    if !patterns.is_empty() {
        f.pattern = Some(Pattern::compile(&patterns).map_err(|m| restriction.error(m))?);
    }
    let inconsistent = f.min_length.zip(f.max_length).is_some_and(|(min, max)| min > max)
        || f.fraction_digits.zip(f.total_digits).is_some_and(|(fraction, total)| fraction > total);
    match inconsistent {
        true => Err(restriction.error(format!("the facets of {owner} contradict each other"))),
        false => Ok(f),
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, node: &Node) -> Result<(), SchemaError> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(node.error(format!("xs:{} appears twice in one restriction", node.kind))),
    }
}

// ---------------------------------------------------------------------------------------------
// Content models as automata

/// A nondeterministic automaton with empty moves (Thompson's construction); counts are unrolled.
#[derive(Default)]
struct Nfa {
    edges: Vec<Vec<(Label, u32)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Empty,
    Symbol(u16),
    Any,
}

/// Bounds on the automata, far above what the ISO schemas need.
const MAX_NFA_STATES: usize = 200_000;
const MAX_DFA_STATES: usize = 20_000;

impl Nfa {
    fn state(&mut self) -> Result<u32, String> {
        if self.edges.len() >= MAX_NFA_STATES {
            return Err("the content model is too large".into());
        }
        self.edges.push(Vec::new());
        Ok(u32::try_from(self.edges.len() - 1).unwrap_or(u32::MAX))
    }

    fn link(&mut self, from: u32, label: Label, to: u32) {
        self.edges[from as usize].push((label, to));
    }

    /// Adds the particle's paths from `from`; returns the state where they end.
    fn particle(&mut self, p: &Particle, from: u32) -> Result<u32, String> {
        let mut at = from;
        for _ in 0..p.min {
            at = self.term(&p.term, at)?;
        }
        match p.max {
            None => {
                let repeat = self.state()?;
                self.link(at, Label::Empty, repeat);
                let back = self.term(&p.term, repeat)?;
                self.link(back, Label::Empty, repeat);
                Ok(repeat)
            }
            Some(max) => {
                let end = self.state()?;
                for _ in p.min..max {
                    self.link(at, Label::Empty, end);
                    at = self.term(&p.term, at)?;
                }
                self.link(at, Label::Empty, end);
                Ok(end)
            }
        }
    }

    fn term(&mut self, term: &Term, from: u32) -> Result<u32, String> {
        match term {
            Term::Element(symbol) => {
                let to = self.state()?;
                self.link(from, Label::Symbol(*symbol), to);
                Ok(to)
            }
            Term::Any => {
                let to = self.state()?;
                self.link(from, Label::Any, to);
                Ok(to)
            }
            Term::Sequence(items) => items.iter().try_fold(from, |at, p| self.particle(p, at)),
            Term::Choice(items) => {
                let end = self.state()?;
                for p in items {
                    let start = self.state()?;
                    self.link(from, Label::Empty, start);
                    let last = self.particle(p, start)?;
                    self.link(last, Label::Empty, end);
                }
                Ok(end)
            }
        }
    }

    /// The states reachable from `seeds` by empty moves, sorted.
    fn closure(&self, mut seeds: Vec<u32>) -> Vec<u32> {
        let mut seen = seeds.clone();
        while let Some(s) = seeds.pop() {
            for &(label, to) in &self.edges[s as usize] {
                if label == Label::Empty && !seen.contains(&to) {
                    seen.push(to);
                    seeds.push(to);
                }
            }
        }
        seen.sort_unstable();
        seen
    }
}

/// The deterministic automaton (subset construction) over the declared names and [`OTHER`],
/// with each state's distance to acceptance.
fn determinise(nfa: &Nfa, start: u32, end: u32, children: &[ChildDecl]) -> Result<Vec<State>, String> {
    let symbols: Vec<u16> = (0..children.len()).filter_map(|s| u16::try_from(s).ok()).chain([OTHER]).collect();
    let mut sets = vec![nfa.closure(vec![start])];
    let mut index: HashMap<Vec<u32>, u32> = HashMap::from([(sets[0].clone(), 0)]);
    let mut states = Vec::new();
    while states.len() < sets.len() {
        let set = sets[states.len()].clone();
        let mut edges = Vec::new();
        for &symbol in &symbols {
            let (mut targets, mut declared, mut wild) = (Vec::new(), false, false);
            for &(label, to) in set.iter().flat_map(|&s| &nfa.edges[s as usize]) {
                match label {
                    Label::Symbol(s) if s == symbol => {
                        declared = true;
                        targets.push(to);
                    }
                    Label::Any => {
                        wild = true;
                        targets.push(to);
                    }
                    _ => {}
                }
            }
            if targets.is_empty() {
                continue;
            }
            if declared && wild {
                return Err(format!("{} matches both its declaration and the wildcard", children[usize::from(symbol)].name));
            }
            let next = nfa.closure(targets);
            let target = match index.get(&next) {
                Some(&t) => t,
                None if sets.len() >= MAX_DFA_STATES => return Err("the content model is too large".into()),
                None => {
                    let t = u32::try_from(sets.len()).unwrap_or(u32::MAX);
                    index.insert(next.clone(), t);
                    sets.push(next);
                    t
                }
            };
            edges.push(Edge { symbol, target, lax: wild });
        }
        states.push(State { accepting: set.contains(&end), distance: u32::MAX, edges });
    }
    for s in &mut states {
        s.distance = if s.accepting { 0 } else { u32::MAX };
    }
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..states.len() {
            let best = states[i].edges.iter().map(|e| states[e.target as usize].distance.saturating_add(1)).min().unwrap_or(u32::MAX);
            if best < states[i].distance {
                states[i].distance = best;
                changed = true;
            }
        }
    }
    Ok(states)
}

// ---------------------------------------------------------------------------------------------
// Patterns

impl Pattern {
    /// The patterns of one restriction step, translated from XML Schema's regular expressions
    /// (always anchored to the whole value) to the `regex` crate's.
    fn compile(sources: &[&str]) -> Result<Self, String> {
        let mut translated = String::from(r"\A(?:");
        for (i, source) in sources.iter().enumerate() {
            if i > 0 {
                translated.push('|');
            }
            translated.push_str("(?:");
            translate_pattern(source, &mut translated)
                .map_err(|what| format!("the pattern {source:?} uses {what}, which is not supported"))?;
            translated.push(')');
        }
        translated.push_str(r")\z");
        let regex = Regex::new(&translated).map_err(|e| format!("the pattern {:?} does not compile: {e}", sources.join("|")))?;
        Ok(Self { source: sources.join(" or "), regex })
    }
}

/// Translates an XML Schema pattern: character classes (ranges, negation, single-character
/// escapes), quantifiers, groups and alternatives; anything else is refused.
fn translate_pattern(source: &str, out: &mut String) -> Result<(), String> {
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => push_literal(out, escaped(chars.next())?),
            '[' => translate_class(&mut chars, out)?,
            '.' => out.push_str(r"[^\n\r]"),
            '(' => out.push_str("(?:"),
            ')' | '|' | '?' | '*' | '+' => out.push(c),
            '{' => {
                let mut count = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(d) if d.is_ascii_digit() || d == ',' => count.push(d),
                        _ => return Err("a malformed count".into()),
                    }
                }
                let (low, high) = count.split_once(',').unwrap_or((&count, "0"));
                if low.is_empty() || high.contains(',') {
                    return Err("a malformed count".into());
                }
                let _ = write!(out, "{{{count}}}");
            }
            ']' | '}' => return Err(format!("an unescaped {c}")),
            c => push_literal(out, c),
        }
    }
    Ok(())
}

fn translate_class(chars: &mut Peekable<Chars<'_>>, out: &mut String) -> Result<(), String> {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    let mut empty = true;
    loop {
        let low = match chars.next() {
            None => return Err("an unclosed character class".into()),
            Some(']') if !empty => break,
            Some(']') => return Err("an empty character class".into()),
            Some('[') => return Err("a nested character class".into()),
            Some('-') if chars.peek() == Some(&'[') => return Err("a character class subtraction".into()),
            Some('\\') => escaped(chars.next())?,
            Some(c) => c,
        };
        empty = false;
        push_literal(out, low);
        let mut ahead = chars.clone();
        if ahead.next() == Some('-') && !matches!(ahead.peek(), None | Some(']')) {
            chars.next();
            let high = match chars.next() {
                Some('[') => return Err("a character class subtraction".into()),
                Some('\\') => escaped(chars.next())?,
                Some(c) => c,
                None => return Err("an unclosed character class".into()),
            };
            if high < low {
                return Err("a reversed range".into());
            }
            out.push('-');
            push_literal(out, high);
        }
    }
    out.push(']');
    Ok(())
}

/// The character a single-character escape stands for; multi-character escapes (`\d`, `\p{..}`)
/// are refused.
fn escaped(c: Option<char>) -> Result<char, String> {
    match c {
        Some('n') => Ok('\n'),
        Some('r') => Ok('\r'),
        Some('t') => Ok('\t'),
        Some(c @ ('\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^')) => Ok(c),
        Some(c) => Err(format!("the escape \\{c}")),
        None => Err("a trailing backslash".into()),
    }
}

/// A character matched literally, escaped where the `regex` crate gives it a meaning.
fn push_literal(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str(r"\n"),
        '\r' => out.push_str(r"\r"),
        '\t' => out.push_str(r"\t"),
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' | '#' | '&' | '-' | '~' => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// XML's whitespace characters.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// XML Schema's `collapse`: no whitespace at either end, single spaces inside.
fn collapse(raw: &str) -> Cow<'_, str> {
    let trimmed = raw.trim_matches(is_space);
    match trimmed.contains(|c: char| is_space(c) && c != ' ') || trimmed.contains("  ") {
        false => Cow::Borrowed(trimmed),
        true => Cow::Owned(trimmed.split(is_space).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")),
    }
}

/// A value for a message: quoted, escaped, cut after 70 characters.
fn quote(value: &str) -> String {
    match value.char_indices().nth(70) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}", format!("{}…", &value[..cut])),
    }
}

impl SimpleType {
    /// Checks a value (the element's text or the attribute's value, as the document has it).
    fn check(&self, raw: &str) -> Result<(), String> {
        let value = match self.builtin {
            Builtin::String => Cow::Borrowed(raw),
            _ => collapse(raw),
        };
        let decimal = match self.builtin {
            Builtin::Decimal => Some(Decimal::parse(&value).ok_or_else(|| {
                format!("{} is not a decimal number (digits with an optional sign and decimal point, such as 1250.00)", quote(&value))
            })?),
            Builtin::Date => check_date(&value, false).map(|()| None)?,
            Builtin::DateTime => check_date(&value, true).map(|()| None)?,
            Builtin::Boolean if !matches!(&*value, "true" | "false" | "1" | "0") => {
                return Err(format!("{} is not a boolean (true, false, 1 or 0)", quote(&value)))
            }
            Builtin::String | Builtin::Boolean => None,
        };
        self.steps.iter().try_for_each(|step| step.check(&value, decimal.as_ref()))
    }
}

impl Facets {
    fn check(&self, value: &str, decimal: Option<&Decimal<'_>>) -> Result<(), String> {
        let owner = &self.owner;
        if !self.enumeration.is_empty() && !self.enumeration.iter().any(|e| e == value) {
            return Err(match self.enumeration.len() {
                0..=12 => format!("{} is not one of the codes {owner} allows: {}", quote(value), self.enumeration.join(", ")),
                n => format!("{} is not one of the {n} codes {owner} allows", quote(value)),
            });
        }
        if let Some(pattern) = &self.pattern {
            if !pattern.regex.is_match(value) {
                let hint = match value.trim_matches(is_space) != value {
                    true => " (it has spaces or line breaks at its start or end)",
                    false => "",
                };
                return Err(format!("{} does not match the pattern {} of {owner}{hint}", quote(value), pattern.source));
            }
        }
        if self.min_length.is_some() || self.max_length.is_some() {
            let length = value.chars().count();
            if let Some(min) = self.min_length.filter(|&min| length < min) {
                return Err(match length {
                    0 => format!("the value is empty; {owner} needs at least {min} character(s)"),
                    _ => format!("{} is {length} characters long; {owner} needs at least {min}", quote(value)),
                });
            }
            if let Some(max) = self.max_length.filter(|&max| length > max) {
                return Err(format!("{} is {length} characters long; {owner} allows at most {max}", quote(value)));
            }
        }
        match decimal {
            Some(d) => self.check_decimal(value, d),
            None => Ok(()),
        }
    }

    fn check_decimal(&self, value: &str, d: &Decimal<'_>) -> Result<(), String> {
        if let Some(total) = self.total_digits.filter(|&total| d.total_digits() > total) {
            return Err(format!("{} has more than {total} digits", quote(value)));
        }
        match self.fraction_digits {
            Some(0) if !d.fraction.is_empty() => return Err(format!("{} is not a whole number", quote(value))),
            Some(fraction) if d.fraction.len() > fraction => {
                return Err(format!("{} has more than {fraction} fraction digits", quote(value)));
            }
            _ => {}
        }
        let min = self.min_inclusive.as_deref().and_then(Decimal::parse);
        match min {
            Some(min) if d.compare(&min) == Ordering::Less => {
                Err(format!("{} is less than {}, the least value allowed", quote(value), self.min_inclusive.as_deref().unwrap_or("")))
            }
            _ => Ok(()),
        }
    }
}

/// An `xs:decimal` as written: sign, integer digits without leading zeros, fraction digits
/// without trailing zeros (so `007.50` has 2 digits, 1 of them a fraction digit, as XML Schema
/// counts them).
#[derive(Debug, Clone, Copy)]
struct Decimal<'a> {
    negative: bool,
    integer: &'a str,
    fraction: &'a str,
}

impl<'a> Decimal<'a> {
    /// `(+|-)?([0-9]+(\.[0-9]*)?|\.[0-9]+)`.
    fn parse(text: &'a str) -> Option<Self> {
        let (negative, digits) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (integer, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (integer.is_empty() && fraction.is_empty()) || !all_digits(integer) || !all_digits(fraction) {
            return None;
        }
        Some(Self { negative, integer: integer.trim_start_matches('0'), fraction: fraction.trim_end_matches('0') })
    }

    fn total_digits(&self) -> usize {
        self.integer.len() + self.fraction.len()
    }

    fn sign(&self) -> i8 {
        match (self.integer.is_empty() && self.fraction.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    fn compare(&self, other: &Decimal<'_>) -> Ordering {
        let magnitude = || {
            let integers = self.integer.len().cmp(&other.integer.len()).then_with(|| self.integer.cmp(other.integer));
            integers.then_with(|| self.fraction.cmp(other.fraction))
        };
        match self.sign().cmp(&other.sign()) {
            Ordering::Equal if self.sign() < 0 => magnitude().reverse(),
            Ordering::Equal => magnitude(),
            unequal => unequal,
        }
    }
}

/// Reads the fixed-width parts of a date or time.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, b: u8) -> bool {
        let found = self.bytes.get(self.at) == Some(&b);
        self.at += usize::from(found);
        found
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - start
    }

    /// Exactly two digits, then `separator` (if any).
    fn two(&mut self, separator: Option<u8>) -> Option<u32> {
        let start = self.at;
        if self.digits() != 2 || separator.is_some_and(|s| !self.eat(s)) {
            return None;
        }
        Some(u32::from(self.bytes[start] - b'0') * 10 + u32::from(self.bytes[start + 1] - b'0'))
    }
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// `xs:date` (`-?YYYY-MM-DD`) or `xs:dateTime` (`...Thh:mm:ss(.s+)?`), each with an optional
/// time zone (`Z` or `±hh:mm`, at most 14 hours); a real calendar date (the leap-year rule
/// applied to the year as written, as XML Schema 1.0 says); hour 24 only as 24:00:00.
fn check_date(value: &str, with_time: bool) -> Result<(), String> {
    let form = || match with_time {
        true => format!("{} is not a date and time in the form YYYY-MM-DDThh:mm:ss (such as 2026-03-31T14:05:00)", quote(value)),
        false => format!("{} is not a date in the form YYYY-MM-DD (such as 2026-03-31)", quote(value)),
    };
    let mut c = Cursor { bytes: value.as_bytes(), at: 0 };
    c.eat(b'-');
    let year_start = c.at;
    let year_length = c.digits();
    let year = &value[year_start..year_start + year_length];
    if year_length < 4 || (year_length > 4 && year.starts_with('0')) || !c.eat(b'-') {
        return Err(form());
    }
    let (Some(month), Some(day)) = (c.two(Some(b'-')), c.two(None)) else { return Err(form()) };
    if !(1..=12).contains(&month) {
        return Err(format!("{}: there is no month {month:02}", quote(value)));
    }
    let days = match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if year.bytes().all(|b| b == b'0') {
        return Err(format!("{}: there is no year 0000", quote(value)));
    }
    if day == 0 || day > days {
        return Err(format!("{}: {} {year} has no day {day}", quote(value), MONTHS[month as usize - 1]));
    }
    if with_time {
        check_time(&mut c, value).ok_or_else(form)??;
    }
    check_zone(&mut c, value).ok_or_else(form)?
}

/// `Thh:mm:ss(.s+)?`: `None` when malformed.
fn check_time(c: &mut Cursor<'_>, value: &str) -> Option<Result<(), String>> {
    if !c.eat(b'T') {
        return None;
    }
    let (hour, minute, second) = (c.two(Some(b':'))?, c.two(Some(b':'))?, c.two(None)?);
    let fraction_start = c.at + 1;
    if c.eat(b'.') && c.digits() == 0 {
        return None;
    }
    let zero_fraction = c.bytes[fraction_start.min(c.at)..c.at].iter().all(|&b| b == b'0');
    let midnight = hour == 24 && minute == 0 && second == 0 && zero_fraction;
    Some(match (hour <= 23 || midnight) && minute <= 59 && second <= 59 {
        true => Ok(()),
        false => Err(format!("{}: {hour:02}:{minute:02}:{second:02} is not a time of day", quote(value))),
    })
}

/// An optional `Z` or `±hh:mm`, then the end: `None` when malformed.
fn check_zone(c: &mut Cursor<'_>, value: &str) -> Option<Result<(), String>> {
    let result = if c.eat(b'Z') {
        Ok(())
    } else if c.eat(b'+') || c.eat(b'-') {
        let (hours, minutes) = (c.two(Some(b':'))?, c.two(None)?);
        match (hours < 14 && minutes <= 59) || (hours == 14 && minutes == 0) {
            true => Ok(()),
            false => Err(format!("{}: the time zone offset is more than 14 hours, or its minutes more than 59", quote(value))),
        }
    } else {
        Ok(())
    };
    (c.at == c.bytes.len()).then_some(result)
}

/// The Gregorian leap-year rule on the year's digits (any length).
fn is_leap(year: &str) -> bool {
    let r = year.bytes().fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 400);
    r % 4 == 0 && (r % 100 != 0 || r == 0)
}

// ---------------------------------------------------------------------------------------------
// The validator

/// Checks one document's events, in order, against a [`Schema`]; [`Validator::finish`] after the
/// last. It stops at the first problem: every later call returns that refusal again.
pub struct Validator<'s> {
    schema: &'s Schema,
    stack: Vec<Frame<'s>>,
    /// The text of the open element with a simple type (only one can be open at a time).
    text: String,
    seen_root: bool,
    refused: Option<String>,
}

/// An open element.
struct Frame<'s> {
    name: Cow<'s, str>,
    /// Its position among its siblings of that name, when there may be several.
    position: Option<u32>,
    content: Open<'s>,
    last_child: u16,
    /// How many children in a row had the last child's symbol.
    run: u32,
}

#[derive(Clone, Copy)]
enum Open<'s> {
    Elements {
        model: &'s Model,
        state: u32,
    },
    Value(&'s SimpleType),
    /// Matched by the lax wildcard with no declaration: anything goes inside, except `xsi:type`.
    Lax,
}

impl<'s> Validator<'s> {
    /// Checks the next event.
    pub fn event(&mut self, event: &XmlEvent<'_>) -> Result<(), String> {
        if let Some(refusal) = &self.refused {
            return Err(refusal.clone());
        }
        let result = match event {
            XmlEvent::Start(e) => self.start(e),
            XmlEvent::Text(text) => self.text(text),
            XmlEvent::End { .. } => self.end(),
        };
        if let Err(refusal) = &result {
            self.refused = Some(refusal.clone());
        }
        result
    }

    /// After the last event: the document was whole and valid.
    pub fn finish(self) -> Result<(), String> {
        if let Some(refusal) = &self.refused {
            return Err(refusal.clone());
        }
        match (self.seen_root, self.stack.is_empty()) {
            (false, _) => Err("the document has no root element".into()),
            (true, false) => Err(format!("{}: the document ends inside this element", self.path())),
            (true, true) => Ok(()),
        }
    }

    fn start(&mut self, e: &Element<'_>) -> Result<(), String> {
        let schema = self.schema;
        let Some(parent) = self.stack.last_mut() else { return self.root(e) };
        let (name, position, ty) = match parent.content {
            Open::Value(_) => return Err(self.element_in_value(e)),
            Open::Lax => (Cow::Owned(e.name.to_string()), None, schema.global(e)),
            Open::Elements { model, state } => {
                let symbol = if e.namespace == schema.target { model.symbol(e.name) } else { None };
                let Some(edge) = model.edge(state, symbol.unwrap_or(OTHER)) else { return Err(self.unexpected(e, model, state, symbol)) };
                parent.content = Open::Elements { model, state: edge.target };
                parent.run = if parent.last_child == edge.symbol { parent.run.saturating_add(1) } else { 1 };
                parent.last_child = edge.symbol;
                match edge.lax {
                    true => (Cow::Owned(e.name.to_string()), None, schema.global(e)),
                    false => {
                        let child = &model.children[usize::from(edge.symbol)];
                        (Cow::Borrowed(child.name.as_str()), child.repeats.then_some(parent.run), Some(child.ty))
                    }
                }
            }
        };
        self.open(name, position, ty);
        self.check_attributes(e.attributes, ty)
    }

    fn root(&mut self, e: &Element<'_>) -> Result<(), String> {
        if self.seen_root {
            return Err("a second root element".into());
        }
        self.seen_root = true;
        let schema = self.schema;
        let Some(ty) = schema.global(e) else {
            let expected: Vec<&str> = schema.globals.iter().map(|(n, _)| n.as_str()).collect();
            let expected = or_list(&expected);
            return Err(match schema.globals.iter().any(|(n, _)| n == e.name) {
                true => format!(
                    "the root element {} is {}, but this schema's {expected} is in the namespace {:?}",
                    e.name,
                    namespace_phrase(e.namespace),
                    schema.target
                ),
                false => format!(
                    "the root element is {} ({}); expected {expected} in the namespace {:?}",
                    e.name,
                    namespace_phrase(e.namespace),
                    schema.target
                ),
            });
        };
        self.open(Cow::Owned(e.name.to_string()), None, Some(ty));
        self.check_attributes(e.attributes, Some(ty))
    }

    /// Opens an element of type `ty` (`None`: lax, undeclared).
    fn open(&mut self, name: Cow<'s, str>, position: Option<u32>, ty: Option<TypeRef>) {
        let schema = self.schema;
        let content = match ty {
            None => Open::Lax,
            Some(TypeRef::Simple(i)) => Open::Value(&schema.simple[i]),
            Some(TypeRef::Complex(i)) => match &schema.complex[i].content {
                Content::Elements(model) => Open::Elements { model, state: 0 },
                Content::Value(v) => Open::Value(&schema.simple[*v]),
            },
        };
        if matches!(content, Open::Value(_)) {
            self.text.clear();
        }
        self.stack.push(Frame { name, position, content, last_child: NO_CHILD, run: 0 });
    }

    /// The attributes of the element just opened.
    fn check_attributes(&self, attributes: &[Attribute], ty: Option<TypeRef>) -> Result<(), String> {
        let schema = self.schema;
        let declared: &[AttributeDecl] = match ty {
            Some(TypeRef::Complex(i)) => &schema.complex[i].attributes,
            _ => &[],
        };
        let mut seen = 0u64;
        for a in attributes {
            match (a.namespace.as_str(), a.name.as_str(), ty) {
                (XSI, "type", _) => {
                    return Err(format!(
                        "{}: the attribute xsi:type is not accepted: a payment file may not name its own type for an element",
                        self.path()
                    ))
                }
                (XSI, "schemaLocation" | "noNamespaceSchemaLocation", _) | (_, _, None) => continue,
                (XSI, "nil", _) => {
                    return Err(format!("{}: the attribute xsi:nil is not accepted: no element here may be nil", self.path()))
                }
                _ => {}
            }
            let Some(k) = declared.iter().position(|d| a.namespace.is_empty() && d.name == a.name) else {
                let takes = match declared.is_empty() {
                    true => "none".to_string(),
                    false => declared.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", "),
                };
                let name = match a.namespace.as_str() {
                    "" => a.name.clone(),
                    ns => format!("{} (namespace {ns:?})", a.name),
                };
                return Err(format!("{}: the attribute {name} is not allowed here (the attributes of this element: {takes})", self.path()));
            };
            seen |= 1 << k;
            schema.simple[declared[k].ty].check(&a.value).map_err(|p| format!("{}/@{}: {p}", self.path(), a.name))?;
        }
        match declared.iter().enumerate().find(|&(k, d)| d.required && seen & (1 << k) == 0) {
            Some((_, d)) => Err(format!("{}: the attribute {} is missing", self.path(), d.name)),
            None => Ok(()),
        }
    }

    fn text(&mut self, text: &str) -> Result<(), String> {
        match self.stack.last().map(|f| f.content) {
            Some(Open::Value(_)) => self.text.push_str(text),
            Some(Open::Elements { .. }) if !text.chars().all(is_space) => {
                let name = self.stack.last().map(|f| f.name.as_ref()).unwrap_or("");
                return Err(format!(
                    "{}: the text {} is not allowed here; {name} holds only elements",
                    self.path(),
                    quote(text.trim_matches(is_space))
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), String> {
        let Some(frame) = self.stack.last() else { return Err("an end tag with no element open".into()) };
        match frame.content {
            Open::Value(ty) => ty.check(&self.text).map_err(|problem| format!("{}: {problem}", self.path()))?,
            Open::Elements { model, state } if !model.state(state).accepting => return Err(self.missing(model, state)),
            Open::Elements { .. } | Open::Lax => {}
        }
        self.stack.pop();
        Ok(())
    }

    /// The open elements' path: `Document/CstmrCdtTrfInitn/PmtInf[2]`.
    fn path(&self) -> String {
        let mut path = String::new();
        for (i, frame) in self.stack.iter().enumerate() {
            if i > 0 {
                path.push('/');
            }
            path.push_str(&frame.name);
            if let Some(n) = frame.position {
                let _ = write!(path, "[{n}]");
            }
        }
        path
    }

    /// Why the open element, which holds a value, cannot take `e`.
    fn element_in_value(&self, e: &Element<'_>) -> String {
        let holder = self.stack.last().map(|f| f.name.as_ref()).unwrap_or("");
        format!("{}: {} is not expected here; {holder} holds a value, not elements", self.path(), element_name(e, self.schema))
    }

    /// Why the open element cannot take `e` as its next child.
    fn unexpected(&self, e: &Element<'_>, model: &Model, state: u32, symbol: Option<u16>) -> String {
        let path = self.path();
        let Some(parent) = self.stack.last() else { return path };
        let too_many = symbol
            .filter(|&s| s == parent.last_child)
            .and_then(|s| model.children[usize::from(s)].limit)
            .filter(|&limit| parent.run >= limit)
            .map(|limit| format!(" ({} has at most {limit} {})", parent.name, e.name))
            .unwrap_or_default();
        if symbol.is_none() && e.namespace != self.schema.target && model.symbol(e.name).is_some() {
            return format!(
                "{path}: {} is {}, not in the file's namespace {:?}",
                e.name,
                namespace_phrase(e.namespace),
                self.schema.target
            );
        }
        let st = model.state(state);
        let names: Vec<&str> = st.edges.iter().map(|edge| model.label(edge.symbol)).collect();
        let expected = match (names.as_slice(), st.accepting) {
            ([], _) => format!("the end of {}", parent.name),
            ([one], false) => one.to_string(),
            ([one], true) => format!("{one} or the end of {}", parent.name),
            (many, false) => or_list(many),
            (many, true) => format!("one of {} or the end of {}", many.join(", "), parent.name),
        };
        format!("{path}: {} is not expected here; expected {expected}{too_many}", element_name(e, self.schema))
    }

    /// Why the open element cannot end yet: what must come first.
    fn missing(&self, model: &Model, state: u32) -> String {
        let st = model.state(state);
        let next: Vec<&str> = st
            .edges
            .iter()
            .filter(|edge| model.state(edge.target).distance.saturating_add(1) == st.distance)
            .map(|edge| model.label(edge.symbol))
            .collect();
        match next.as_slice() {
            [] => format!("{}: the element ends too early", self.path()),
            names => format!("{}: {} is missing", self.path(), or_list(names)),
        }
    }
}

/// `A`, `A or B`, `A, B or C`.
fn or_list(names: &[&str]) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn namespace_phrase(namespace: &str) -> String {
    match namespace {
        "" => "in no namespace".into(),
        ns => format!("in the namespace {ns:?}"),
    }
}

/// An element's name for a message, with its namespace when it is not the schema's.
fn element_name(e: &Element<'_>, schema: &Schema) -> String {
    match e.namespace == schema.target {
        true => e.name.to_string(),
        false => format!("{} ({})", e.name, namespace_phrase(e.namespace)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::xml::{read_xml, XmlLimits, XmlProblem};

    const LIMITS: XmlLimits = XmlLimits { max_bytes: 1 << 20, max_depth: 64 };

    /// A small schema with each supported construct.
    const TEST_XSD: &str = r###"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns="urn:t" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:annotation><xs:documentation>Ignored &amp; <b>free</b> text.</xs:documentation></xs:annotation>
  <xs:element name="Doc" type="Doc"/>
  <xs:complexType name="Doc">
    <xs:sequence>
      <xs:element name="Id" type="Max5Text"/>
      <xs:element maxOccurs="3" minOccurs="0" name="Line" type="Max5Text"/>
      <xs:element maxOccurs="1" minOccurs="0" name="Acct" type="AccountChoice"/>
      <xs:element maxOccurs="unbounded" minOccurs="0" name="Amt" type="Amount"/>
      <xs:element minOccurs="0" name="Dt" type="Date"/>
      <xs:element minOccurs="0" name="DtTm" type="DateTime"/>
      <xs:element minOccurs="0" name="Flag" type="Flag"/>
      <xs:element minOccurs="0" name="Nb" type="WholeNumber"/>
      <xs:element minOccurs="0" name="Cd" type="ShortCode"/>
      <xs:element minOccurs="0" name="Grp" type="Nested"/>
      <xs:element minOccurs="0" name="Envlp" type="Envelope"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="AccountChoice">
    <xs:sequence>
      <xs:choice>
        <xs:element name="IBAN" type="IBAN2007Identifier"/>
        <xs:element name="Othr" type="Max5Text"/>
      </xs:choice>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Nested">
    <xs:sequence>
      <xs:element name="A" type="Max5Text"/>
      <xs:choice maxOccurs="2">
        <xs:element name="B" type="Max5Text"/>
        <xs:sequence>
          <xs:element name="C" type="Max5Text"/>
          <xs:element minOccurs="0" name="D" type="Max5Text"/>
        </xs:sequence>
      </xs:choice>
      <xs:element minOccurs="0" name="E" type="Max5Text"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Amount">
    <xs:simpleContent>
      <xs:extension base="AmountValue">
        <xs:attribute name="Ccy" type="CurrencyCode" use="required"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>
  <xs:complexType name="Envelope">
    <xs:sequence>
      <xs:any namespace="##any" processContents="lax"/>
    </xs:sequence>
  </xs:complexType>
  <xs:simpleType name="Max5Text">
    <xs:restriction base="xs:string">
      <xs:minLength value="1"/>
      <xs:maxLength value="5"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="IBAN2007Identifier">
    <xs:restriction base="xs:string">
      <xs:pattern value="[A-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30}"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="CurrencyCode">
    <xs:restriction base="xs:string">
      <xs:pattern value="[A-Z]{3,3}"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="AmountValue">
    <xs:restriction base="xs:decimal">
      <xs:minInclusive value="0"/>
      <xs:fractionDigits value="2"/>
      <xs:totalDigits value="6"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="WholeNumber">
    <xs:restriction base="xs:decimal">
      <xs:fractionDigits value="0"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="Date"><xs:restriction base="xs:date"/></xs:simpleType>
  <xs:simpleType name="DateTime"><xs:restriction base="xs:dateTime"/></xs:simpleType>
  <xs:simpleType name="Flag"><xs:restriction base="xs:boolean"/></xs:simpleType>
  <xs:simpleType name="Code">
    <xs:restriction base="xs:string">
      <xs:enumeration value="AB"/>
      <xs:enumeration value="AC"/>
      <xs:enumeration value="CD"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="ShortCode">
    <xs:restriction base="Code">
      <xs:pattern value="A."/>
    </xs:restriction>
  </xs:simpleType>
</xs:schema>"###;

    fn test_schema() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| Schema::compile(TEST_XSD).unwrap())
    }

    /// Reads and validates a document; a refusal by the reader itself fails the test.
    fn check_with(schema: &Schema, xml: &str) -> Result<(), String> {
        let mut validator = schema.validator();
        read_xml(xml.as_bytes(), &LIMITS, &mut |event| validator.event(&event)).map_err(|e| match e.problem {
            XmlProblem::Rejected(why) => why,
            other => panic!("the reader refused {xml:?}: {other:?}"),
        })?;
        validator.finish()
    }

    /// A test-schema document with `body` after its required `Id`.
    fn doc(body: &str) -> String {
        format!("<Doc xmlns=\"urn:t\"><Id>1</Id>{body}</Doc>")
    }

    fn check(body: &str) -> Result<(), String> {
        check_with(test_schema(), &doc(body))
    }

    fn refusal(body: &str) -> String {
        check(body).expect_err(body)
    }

    #[test]
    fn both_official_schemas_compile() {
        for version in Pain001Version::ALL {
            let schema = pain001_schema(version);
            assert_eq!(schema.target_namespace(), version.namespace());
            assert_eq!(schema.globals.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["Document"]);
            assert!(schema.complex.len() > 60 && schema.simple.len() > 50, "{version:?}");
        }
    }

    #[test]
    fn occurrences_are_counted() {
        assert_eq!(check(""), Ok(()));
        assert_eq!(check("<Line>a</Line><Line>b</Line><Line>c</Line>"), Ok(()));
        assert_eq!(
            refusal("<Line>a</Line><Line>b</Line><Line>c</Line><Line>d</Line>"),
            "Doc: Line is not expected here; expected one of Acct, Amt, Dt, DtTm, Flag, Nb, Cd, Grp, Envlp or the end of Doc (Doc has at most 3 Line)"
        );
        let many = "<Amt Ccy=\"EUR\">1</Amt>".repeat(50);
        assert_eq!(check(&many), Ok(()));
        assert_eq!(check_with(test_schema(), "<Doc xmlns=\"urn:t\"/>"), Err("Doc: Id is missing".into()));
        assert_eq!(
            check_with(test_schema(), "<Doc xmlns=\"urn:t\"><Id>1</Id><Id>2</Id></Doc>"),
            Err("Doc: Id is not expected here; expected one of Line, Acct, Amt, Dt, DtTm, Flag, Nb, Cd, Grp, Envlp or the end of Doc (Doc has at most 1 Id)".into())
        );
        assert_eq!(
            refusal("<Acct><IBAN>DE89370400440532013000</IBAN></Acct><Line>a</Line>").split(';').next(),
            Some("Doc: Line is not expected here")
        );
        assert_eq!(refusal("<Bogus/>").split(';').next(), Some("Doc: Bogus is not expected here"));
    }

    #[test]
    fn a_choice_takes_exactly_one() {
        assert_eq!(check("<Acct><Othr>x</Othr></Acct>"), Ok(()));
        assert_eq!(refusal("<Acct/>"), "Doc/Acct: IBAN or Othr is missing");
        assert_eq!(
            refusal("<Acct><Othr>x</Othr><IBAN>DE89370400440532013000</IBAN></Acct>"),
            "Doc/Acct: IBAN is not expected here; expected the end of Acct"
        );
    }

    #[test]
    fn nested_groups_keep_their_order_and_counts() {
        for good in ["<A>a</A><B>b</B>", "<A>a</A><C>c</C>", "<A>a</A><C>c</C><D>d</D><B>b</B><E>e</E>", "<A>a</A><B>b</B><C>c</C>"] {
            assert_eq!(check(&format!("<Grp>{good}</Grp>")), Ok(()), "{good}");
        }
        assert_eq!(refusal("<Grp><A>a</A></Grp>"), "Doc/Grp: B or C is missing");
        assert_eq!(refusal("<Grp><A>a</A><D>d</D></Grp>"), "Doc/Grp: D is not expected here; expected B or C");
        assert_eq!(refusal("<Grp><A>a</A><B>b</B><B>b</B><B>b</B></Grp>"), "Doc/Grp: B is not expected here; expected E or the end of Grp");
        assert_eq!(refusal("<Grp><A>a</A><C>c</C><D>d</D><D>d</D></Grp>").split(';').next(), Some("Doc/Grp: D is not expected here"));
    }

    #[test]
    fn string_facets_count_characters_and_keep_whitespace() {
        assert_eq!(check("<Line>ÄÖÜßé</Line>"), Ok(()), "five characters, ten bytes");
        assert_eq!(refusal("<Line>abcdef</Line>"), "Doc/Line[1]: \"abcdef\" is 6 characters long; Max5Text allows at most 5");
        assert_eq!(refusal("<Line>a</Line><Line></Line>"), "Doc/Line[2]: the value is empty; Max5Text needs at least 1 character(s)");
        assert_eq!(refusal("<Line> abcd </Line>"), "Doc/Line[1]: \" abcd \" is 6 characters long; Max5Text allows at most 5");
        assert_eq!(check("<Acct><IBAN>DE89370400440532013000</IBAN></Acct>"), Ok(()));
        assert_eq!(
            refusal("<Acct><IBAN> DE89370400440532013000</IBAN></Acct>"),
            "Doc/Acct/IBAN: \" DE89370400440532013000\" does not match the pattern [A-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30} of IBAN2007Identifier (it has spaces or line breaks at its start or end)"
        );
        assert!(refusal("<Acct><IBAN>DE89 3704</IBAN></Acct>").contains("does not match the pattern"));
        assert!(
            refusal("<Acct><IBAN>DE8937040044053201300\n</IBAN></Acct>").contains("does not match the pattern"),
            "the whole value, to its end"
        );
        assert_eq!(
            refusal("<Acct><IBAN>de89370400440532013000</IBAN></Acct>").split(':').nth(1),
            Some(" \"de89370400440532013000\" does not match the pattern [A-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30} of IBAN2007Identifier")
        );
    }

    #[test]
    fn enumerations_and_derived_types_apply_every_step() {
        assert_eq!(check("<Cd>AB</Cd>"), Ok(()));
        assert_eq!(refusal("<Cd>CD</Cd>"), "Doc/Cd: \"CD\" does not match the pattern A. of ShortCode");
        assert_eq!(refusal("<Cd>AX</Cd>"), "Doc/Cd: \"AX\" is not one of the codes Code allows: AB, AC, CD");
        assert_eq!(refusal("<Cd> AB</Cd>"), "Doc/Cd: \" AB\" is not one of the codes Code allows: AB, AC, CD");
    }

    #[test]
    fn decimals_follow_xml_schema_digit_rules() {
        let amount = |v: &str| check(&format!("<Amt Ccy=\"EUR\">{v}</Amt>"));
        for good in ["0", "-0", "-0.00", "+1", ".5", "5.", "1234.56", "0001234.5600", " 12.5\n", "0.10"] {
            assert_eq!(amount(good), Ok(()), "{good:?}");
        }
        assert_eq!(amount("12.345").unwrap_err(), "Doc/Amt[1]: \"12.345\" has more than 2 fraction digits");
        assert_eq!(amount("12345.6"), Ok(()));
        assert_eq!(amount("123456.7").unwrap_err(), "Doc/Amt[1]: \"123456.7\" has more than 6 digits");
        assert_eq!(amount("000012345.6000"), Ok(()), "leading and trailing zeros do not count");
        assert_eq!(amount("-0.01").unwrap_err(), "Doc/Amt[1]: \"-0.01\" is less than 0, the least value allowed");
        for bad in ["", " ", "1,50", "1 000", "1e3", ".", "+", "--1", "1.2.3", "١"] {
            assert!(amount(bad).unwrap_err().contains("is not a decimal number"), "{bad:?}");
        }
        assert_eq!(check("<Nb>120</Nb>"), Ok(()));
        assert_eq!(check("<Nb>120.000</Nb>"), Ok(()), "trailing zeros are no fraction digits");
        assert_eq!(refusal("<Nb>120.5</Nb>"), "Doc/Nb: \"120.5\" is not a whole number");
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        let date = |v: &str| check(&format!("<Dt>{v}</Dt>"));
        for good in [
            "2026-03-31",
            "2024-02-29",
            "2000-02-29",
            "2026-01-01Z",
            "2026-01-01+14:00",
            "2026-01-01-13:59",
            " 2026-01-01 ",
            "10000-01-01",
            "-0004-02-29",
        ] {
            assert_eq!(date(good), Ok(()), "{good:?}");
        }
        assert_eq!(date("2026-02-30").unwrap_err(), "Doc/Dt: \"2026-02-30\": February 2026 has no day 30");
        assert_eq!(date("1900-02-29").unwrap_err(), "Doc/Dt: \"1900-02-29\": February 1900 has no day 29");
        assert_eq!(date("2026-13-01").unwrap_err(), "Doc/Dt: \"2026-13-01\": there is no month 13");
        assert_eq!(date("0000-01-01").unwrap_err(), "Doc/Dt: \"0000-01-01\": there is no year 0000");
        assert!(date("2026-01-01+14:01").unwrap_err().contains("time zone"));
        for bad in [
            "2026-1-01",
            "26-01-01",
            "02026-01-01",
            "2026-01-01T00:00:00",
            "2026-01-01z",
            "2026-01-01+1:00",
            "31.03.2026",
            "",
            "2026-01-01 Z",
        ] {
            assert!(date(bad).unwrap_err().contains("is not a date in the form YYYY-MM-DD"), "{bad:?}");
        }
        let time = |v: &str| check(&format!("<DtTm>{v}</DtTm>"));
        for good in [
            "2026-03-31T14:05:00",
            "2026-03-31T23:59:59.999999",
            "2026-03-31T24:00:00",
            "2026-03-31T10:00:00+02:00",
            "2026-03-31T10:00:00.5Z",
        ] {
            assert_eq!(time(good), Ok(()), "{good:?}");
        }
        assert_eq!(time("2026-03-31T24:00:01").unwrap_err(), "Doc/DtTm: \"2026-03-31T24:00:01\": 24:00:01 is not a time of day");
        assert!(time("2026-03-31T23:59:60").unwrap_err().contains("is not a time of day"));
        assert!(time("2026-02-29T10:00:00").unwrap_err().contains("has no day 29"));
        for bad in ["2026-03-31T10:00", "2026-03-31T10:00:00.", "2026-03-31 10:00:00", "2026-03-31t10:00:00", "2026-03-31"] {
            assert!(time(bad).unwrap_err().contains("is not a date and time"), "{bad:?}");
        }
    }

    #[test]
    fn booleans_collapse_their_whitespace() {
        for good in ["true", "false", "1", "0", " true\n"] {
            assert_eq!(check(&format!("<Flag>{good}</Flag>")), Ok(()), "{good:?}");
        }
        assert_eq!(refusal("<Flag>TRUE</Flag>"), "Doc/Flag: \"TRUE\" is not a boolean (true, false, 1 or 0)");
        assert!(refusal("<Flag>yes</Flag>").contains("is not a boolean"));
    }

    #[test]
    fn attributes_are_declared_typed_and_required() {
        assert_eq!(refusal("<Amt>1</Amt>"), "Doc/Amt[1]: the attribute Ccy is missing");
        assert_eq!(
            refusal("<Amt Ccy=\"EUR\">1</Amt><Amt Ccy=\"eur\">1</Amt>"),
            "Doc/Amt[2]/@Ccy: \"eur\" does not match the pattern [A-Z]{3,3} of CurrencyCode"
        );
        assert_eq!(
            refusal("<Amt Ccy=\"EUR\" Foo=\"1\">1</Amt>"),
            "Doc/Amt[1]: the attribute Foo is not allowed here (the attributes of this element: Ccy)"
        );
        assert_eq!(
            refusal("<Line a=\"1\">x</Line>"),
            "Doc/Line[1]: the attribute a is not allowed here (the attributes of this element: none)"
        );
        assert!(refusal("<Amt xmlns:t=\"urn:t\" t:Ccy=\"EUR\">1</Amt>").contains("the attribute Ccy (namespace \"urn:t\") is not allowed"));
        assert!(refusal("<Line xml:lang=\"de\">x</Line>").contains("the attribute lang"));
        let xsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
        assert_eq!(
            check_with(test_schema(), &format!("<Doc xmlns=\"urn:t\" {xsi} xsi:schemaLocation=\"urn:t t.xsd\"><Id>1</Id></Doc>")),
            Ok(())
        );
        assert_eq!(check(&format!("<Line {xsi} xsi:noNamespaceSchemaLocation=\"t.xsd\">x</Line>")), Ok(()));
        assert!(refusal(&format!("<Line {xsi} xsi:type=\"Max5Text\">x</Line>"))
            .starts_with("Doc/Line[1]: the attribute xsi:type is not accepted"));
        assert!(
            refusal(&format!("<Line {xsi} xsi:nil=\"false\">x</Line>")).starts_with("Doc/Line[1]: the attribute xsi:nil is not accepted")
        );
        assert!(refusal(&format!("<Line {xsi} xsi:foo=\"1\">x</Line>")).contains("the attribute foo (namespace"));
    }

    #[test]
    fn the_root_must_be_a_global_element_in_the_target_namespace() {
        assert_eq!(
            check_with(test_schema(), "<Doc xmlns=\"urn:other\"><Id>1</Id></Doc>"),
            Err("the root element Doc is in the namespace \"urn:other\", but this schema's Doc is in the namespace \"urn:t\"".into())
        );
        assert_eq!(
            check_with(test_schema(), "<Doc><Id>1</Id></Doc>"),
            Err("the root element Doc is in no namespace, but this schema's Doc is in the namespace \"urn:t\"".into())
        );
        assert_eq!(
            check_with(test_schema(), "<Line xmlns=\"urn:t\">x</Line>"),
            Err("the root element is Line (in the namespace \"urn:t\"); expected Doc in the namespace \"urn:t\"".into())
        );
        assert_eq!(
            check_with(test_schema(), "<Doc xmlns=\"urn:t\"><Id xmlns=\"urn:x\">1</Id></Doc>"),
            Err("Doc: Id is in the namespace \"urn:x\", not in the file's namespace \"urn:t\"".into())
        );
        assert!(check_with(test_schema(), "<Doc xmlns=\"urn:t\"><Id>1</Id><Line xmlns=\"\">x</Line></Doc>")
            .unwrap_err()
            .contains("Line is in no namespace"));
    }

    #[test]
    fn text_and_elements_stay_where_the_types_allow() {
        assert_eq!(check(" \n\t<Line>x</Line>\r\n "), Ok(()));
        assert_eq!(
            refusal("<Acct> stray <Othr>x</Othr></Acct>"),
            "Doc/Acct: the text \"stray\" is not allowed here; Acct holds only elements"
        );
        assert!(refusal("<Acct>\u{a0}<Othr>x</Othr></Acct>").contains("is not allowed here"), "a no-break space is not whitespace");
        assert_eq!(refusal("<Line>x<B/></Line>"), "Doc/Line[1]: B is not expected here; Line holds a value, not elements");
        assert_eq!(refusal("<Amt Ccy=\"EUR\">1<B/></Amt>"), "Doc/Amt[1]: B is not expected here; Amt holds a value, not elements");
        assert_eq!(check("<Line>a<!-- c -->b<![CDATA[c]]></Line>"), Ok(()), "a value in pieces is one value");
        assert_eq!(refusal("<Line>ab<!-- c -->cdef</Line>"), "Doc/Line[1]: \"abcdef\" is 6 characters long; Max5Text allows at most 5");
    }

    #[test]
    fn the_lax_wildcard_takes_any_one_element_and_checks_only_global_ones() {
        assert_eq!(check("<Envlp><x:Foo xmlns:x=\"urn:x\" a=\"1\">text<Bar/>more</x:Foo></Envlp>"), Ok(()));
        assert_eq!(check("<Envlp><Line>much too long</Line></Envlp>"), Ok(()), "a local declaration does not apply");
        let xsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
        assert_eq!(check(&format!("<Envlp><Foo {xsi} xsi:nil=\"true\" xsi:foo=\"1\">x</Foo></Envlp>")), Ok(()));
        assert!(refusal(&format!("<Envlp><Foo><Bar {xsi} xsi:type=\"Max5Text\">x</Bar></Foo></Envlp>"))
            .starts_with("Doc/Envlp/Foo/Bar: the attribute xsi:type"));
        assert_eq!(refusal("<Envlp/>"), "Doc/Envlp: an element of any name is missing");
        assert_eq!(refusal("<Envlp>text</Envlp>"), "Doc/Envlp: the text \"text\" is not allowed here; Envlp holds only elements");
        assert_eq!(refusal("<Envlp><A/><B/></Envlp>"), "Doc/Envlp: B is not expected here; expected the end of Envlp");
        assert_eq!(check("<Envlp><Doc><Id>2</Id></Doc></Envlp>"), Ok(()));
        assert_eq!(
            refusal("<Envlp><Foo><Doc><Bogus/></Doc></Foo></Envlp>").split(';').next(),
            Some("Doc/Envlp/Foo/Doc: Bogus is not expected here")
        );
    }

    #[test]
    fn paths_name_positions_among_repeated_siblings() {
        let official = pain001_schema(Pain001Version::V09);
        let transaction = |amount: &str| {
            format!(
                "<CdtTrfTxInf><PmtId><EndToEndId>E</EndToEndId></PmtId><Amt><InstdAmt Ccy=\"EUR\">{amount}</InstdAmt></Amt>\
                 <Cdtr><Nm>Müller</Nm><PstlAdr><Ctry>DE</Ctry></PstlAdr>{}</Cdtr></CdtTrfTxInf>",
                if amount == "9" { "<Nm>Again</Nm>" } else { "" }
            )
        };
        let payment = |transactions: &str| {
            format!(
                "<PmtInf><PmtInfId>P</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt><Dt>2026-04-01</Dt></ReqdExctnDt><Dbtr/>\
                 <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId/></DbtrAgt>{transactions}</PmtInf>"
            )
        };
        let document = |third: &str| {
            let second = payment(&[transaction("1"), transaction("2"), transaction(third)].concat());
            format!(
                "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn><GrpHdr><MsgId>M</MsgId>\
                 <CreDtTm>2026-03-31T10:00:00</CreDtTm><NbOfTxs>4</NbOfTxs><InitgPty/></GrpHdr>{}{second}</CstmrCdtTrfInitn></Document>",
                payment(&transaction("5"))
            )
        };
        assert_eq!(check_with(official, &document("3.50")), Ok(()));
        assert_eq!(
            check_with(official, &document("12.345678")),
            Err("Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[3]/Amt/InstdAmt: \"12.345678\" has more than 5 fraction digits".into())
        );
        assert_eq!(
            check_with(official, &document("9")),
            Err("Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[3]/Cdtr: Nm is not expected here; expected one of Id, CtryOfRes, CtctDtls or the end of Cdtr".into())
        );
    }

    #[test]
    fn a_refusal_sticks_and_an_unfinished_document_is_refused() {
        let schema = test_schema();
        let mut validator = schema.validator();
        let root = Element { namespace: "urn:t", name: "Doc", attributes: &[], start: 0 };
        let line = Element { name: "Line", ..root };
        assert_eq!(validator.event(&XmlEvent::Start(root)), Ok(()));
        let first = validator.event(&XmlEvent::Start(line)).unwrap_err();
        assert_eq!(first, "Doc: Line is not expected here; expected Id");
        assert_eq!(validator.event(&XmlEvent::End { end: 0 }), Err(first.clone()));
        assert_eq!(validator.finish(), Err(first));
        let mut validator = schema.validator();
        validator.event(&XmlEvent::Start(root)).unwrap();
        assert_eq!(validator.finish(), Err("Doc: the document ends inside this element".into()));
        assert_eq!(schema.validator().finish(), Err("the document has no root element".into()));
    }

    #[test]
    fn patterns_translate_classes_escapes_and_counts() {
        let phone = Pattern::compile(&[r"\+[0-9]{1,3}-[0-9()+\-]{1,30}"]).unwrap();
        assert!(phone.regex.is_match("+49-(0)30-123+4"));
        assert!(!phone.regex.is_match("+49-30 1234") && !phone.regex.is_match("49-301234") && !phone.regex.is_match("x+49-301234"));
        let bic = Pattern::compile(&["[A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1}"]).unwrap();
        assert!(bic.regex.is_match("DEUTDEFF") && bic.regex.is_match("DEUTDEFF500"));
        assert!(!bic.regex.is_match("DEUTDEFF50") && !bic.regex.is_match("DEUTDE1F") && !bic.regex.is_match("DEUTDEFO"));
        let either = Pattern::compile(&["a+", "b{2,}"]).unwrap();
        assert!(
            either.regex.is_match("aaa") && either.regex.is_match("bbb") && !either.regex.is_match("ab") && !either.regex.is_match("b")
        );
        let literal = Pattern::compile(&["^a$.[-^&]"]).unwrap();
        assert!(literal.regex.is_match("^a$x&") && !literal.regex.is_match("^a$\n-"));
        for unsupported in [r"\d{3}", r"\p{Lu}", "[a-z-[aeiou]]", "[]", "[z-a]", "a{,3}", "a}", r"\i"] {
            assert!(Pattern::compile(&[unsupported]).is_err(), "{unsupported}");
        }
    }

    #[test]
    fn the_compiler_refuses_what_it_does_not_support() {
        let wrap = |body: &str| {
            format!(
                "<xs:schema xmlns=\"urn:t\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"urn:t\" \
                 elementFormDefault=\"qualified\"><xs:element name=\"Doc\" type=\"T\"/>{body}\
                 <xs:simpleType name=\"S\"><xs:restriction base=\"xs:string\"/></xs:simpleType></xs:schema>"
            )
        };
        assert!(Schema::compile(&wrap(
            "<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\" type=\"S\"/></xs:sequence></xs:complexType>"
        ))
        .is_ok());
        let refused = [
            ("<xs:import namespace=\"urn:x\"/>", "xs:import is not supported"),
            ("<xs:complexType name=\"T\" mixed=\"true\"><xs:sequence/></xs:complexType>", "mixed"),
            ("<xs:complexType name=\"T\"><xs:all><xs:element name=\"A\" type=\"S\"/></xs:all></xs:complexType>", "xs:all"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element ref=\"Doc\"/></xs:sequence></xs:complexType>", "ref"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\"><xs:complexType/></xs:element></xs:sequence></xs:complexType>", "xs:complexType inside xs:element"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\" type=\"S\" nillable=\"true\"/></xs:sequence></xs:complexType>", "nillable"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\" type=\"Nope\"/></xs:sequence></xs:complexType>", "is not defined"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\" type=\"xs:int\"/></xs:sequence></xs:complexType>", "xs:int is not supported"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:any processContents=\"strict\"/></xs:sequence></xs:complexType>", "xs:any"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:any namespace=\"##other\" processContents=\"lax\"/></xs:sequence></xs:complexType>", "xs:any"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\" type=\"S\" minOccurs=\"0\"/><xs:any processContents=\"lax\"/></xs:sequence></xs:complexType>", "wildcard"),
            ("<xs:complexType name=\"T\"><xs:choice><xs:element name=\"A\" type=\"S\"/><xs:element name=\"A\" type=\"T\"/></xs:choice></xs:complexType>", "different types"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\" type=\"S\" maxOccurs=\"2000\"/></xs:sequence></xs:complexType>", "count"),
            ("<xs:complexType name=\"T\"><xs:sequence><xs:element name=\"A\" type=\"S\" minOccurs=\"2\" maxOccurs=\"1\"/></xs:sequence></xs:complexType>", "less than"),
            ("<xs:complexType name=\"T\"><xs:simpleContent><xs:restriction base=\"S\"/></xs:simpleContent></xs:complexType>", "only xs:extension"),
            ("<xs:complexType name=\"T\"><xs:simpleContent><xs:extension base=\"S\"><xs:attribute name=\"a\" type=\"S\" default=\"x\"/></xs:extension></xs:simpleContent></xs:complexType>", "default"),
            ("<xs:complexType name=\"T\"><xs:sequence/><xs:anyAttribute/></xs:complexType>", "xs:anyAttribute"),
            ("<xs:complexType name=\"T\"><xs:complexContent><xs:extension base=\"T\"/></xs:complexContent></xs:complexType>", "xs:complexContent"),
            ("<xs:complexType name=\"T\"/><xs:simpleType name=\"U\"><xs:list itemType=\"xs:string\"/></xs:simpleType>", "xs:list"),
            ("<xs:complexType name=\"T\"/><xs:simpleType name=\"U\"><xs:restriction base=\"xs:string\"><xs:whiteSpace value=\"collapse\"/></xs:restriction></xs:simpleType>", "xs:whiteSpace"),
            ("<xs:complexType name=\"T\"/><xs:simpleType name=\"U\"><xs:restriction base=\"xs:string\"><xs:totalDigits value=\"3\"/></xs:restriction></xs:simpleType>", "xs:totalDigits is not supported on"),
            ("<xs:complexType name=\"T\"/><xs:simpleType name=\"U\"><xs:restriction base=\"xs:decimal\"><xs:maxLength value=\"3\"/></xs:restriction></xs:simpleType>", "xs:maxLength is not supported on"),
            ("<xs:complexType name=\"T\"/><xs:simpleType name=\"U\"><xs:restriction base=\"xs:string\"><xs:pattern value=\"\\d+\"/></xs:restriction></xs:simpleType>", "\\d"),
            ("<xs:complexType name=\"T\"/><xs:simpleType name=\"U\"><xs:restriction base=\"U\"/></xs:simpleType>", "derived from itself"),
            ("<xs:complexType name=\"T\"/><xs:simpleType name=\"U\"><xs:restriction base=\"xs:string\"><xs:minLength value=\"3\"/><xs:maxLength value=\"2\"/></xs:restriction></xs:simpleType>", "contradict"),
            ("<xs:complexType name=\"T\"/><xs:complexType name=\"T\"/>", "a second type"),
            ("<xs:complexType name=\"T\"/><x:foo xmlns:x=\"urn:x\"/>", "not an XML Schema element"),
            ("<xs:complexType name=\"T\">text</xs:complexType>", "text outside an annotation"),
        ];
        for (body, expected) in refused {
            let error = Schema::compile(&wrap(body)).expect_err(body);
            assert!(error.message.contains(expected), "{body}: {error}");
        }
        let unqualified = TEST_XSD.replace("elementFormDefault=\"qualified\"", "");
        assert!(Schema::compile(&unqualified).unwrap_err().message.contains("elementFormDefault"));
        let error =
            Schema::compile(&TEST_XSD.replace("<xs:maxLength value=\"5\"/>", "<xs:maxLength value=\"5\" fixed=\"true\"/>")).unwrap_err();
        assert_eq!(error.line, 56, "{error}");
    }
}
