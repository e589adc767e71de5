//! Shared by the integration tests: Zachary's karate club and a small strict XML reader.
#![allow(dead_code)]

use cordon_network::{Network, NodeKind};

/// Zachary's karate club as networkx numbers it (`karate_club_graph()`): 34 members, 78 friendships.
pub const KARATE: [(usize, usize); 78] = [
    (0, 1),
    (0, 2),
    (0, 3),
    (0, 4),
    (0, 5),
    (0, 6),
    (0, 7),
    (0, 8),
    (0, 10),
    (0, 11),
    (0, 12),
    (0, 13),
    (0, 17),
    (0, 19),
    (0, 21),
    (0, 31),
    (1, 2),
    (1, 3),
    (1, 7),
    (1, 13),
    (1, 17),
    (1, 19),
    (1, 21),
    (1, 30),
    (2, 3),
    (2, 7),
    (2, 8),
    (2, 9),
    (2, 13),
    (2, 27),
    (2, 28),
    (2, 32),
    (3, 7),
    (3, 12),
    (3, 13),
    (4, 6),
    (4, 10),
    (5, 6),
    (5, 10),
    (5, 16),
    (6, 16),
    (8, 30),
    (8, 32),
    (8, 33),
    (9, 33),
    (13, 33),
    (14, 32),
    (14, 33),
    (15, 32),
    (15, 33),
    (18, 32),
    (18, 33),
    (19, 33),
    (20, 32),
    (20, 33),
    (22, 32),
    (22, 33),
    (23, 25),
    (23, 27),
    (23, 29),
    (23, 32),
    (23, 33),
    (24, 25),
    (24, 27),
    (24, 31),
    (25, 31),
    (26, 29),
    (26, 33),
    (27, 33),
    (28, 31),
    (28, 33),
    (29, 32),
    (29, 33),
    (30, 32),
    (30, 33),
    (31, 32),
    (31, 33),
    (32, 33),
];

/// The karate club, unweighted (every friendship weight 1), node i keyed "i".
pub fn karate() -> Network {
    let mut net = Network::new();
    for i in 0..34 {
        net.add_node(&i.to_string(), NodeKind::entity("person"), &format!("member {i}"));
    }
    for (a, b) in KARATE {
        net.add_edge(a, b, "friend", 1.0).unwrap();
    }
    net
}

/// An XML element: its name, attributes (values decoded) and children; text is decoded and concatenated.
#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Children with this name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The one child with this name.
    pub fn one(&self, name: &str) -> &Element {
        let mut it = self.children.iter().filter(|c| c.name == name);
        let first = it.next().unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name));
        assert!(it.next().is_none(), "<{}> has more than one <{name}>", self.name);
        first
    }
}

/// Parses a whole document strictly enough to catch what an exporter gets wrong: an XML declaration,
/// exactly one root, matched tags, quoted attributes without a raw `<`, `&` or their own quote, no
/// duplicate attributes, only the five named entities and numeric references (to characters XML 1.0
/// allows), no raw `<`/`&` in text, no control characters, nothing but whitespace after the root.
pub fn parse(doc: &str) -> Result<Element, String> {
    let rest = doc.strip_prefix("<?xml ").ok_or("no XML declaration")?;
    let end = rest.find("?>").ok_or("unterminated declaration")?;
    let decl = &rest[..end];
    if !decl.contains("version=\"1.0\"") || !decl.contains("encoding=\"UTF-8\"") {
        return Err(format!("declaration {decl:?}"));
    }
    let mut p = Parser { s: &rest[end + 2..], pos: 0 };
    p.skip_ws();
    let root = p.element()?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(format!("content after the root at {}", p.pos));
    }
    Ok(root)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\n', '\t', '\r']);
        self.pos = self.s.len() - trimmed.len();
    }

    fn name(&mut self) -> Result<String, String> {
        let len = self.rest().find(|c: char| !(c.is_alphanumeric() || "_:.-".contains(c))).unwrap_or(self.rest().len());
        if len == 0 {
            return Err(format!("expected a name at {}", self.pos));
        }
        let name = self.rest()[..len].to_owned();
        self.pos += len;
        Ok(name)
    }

    fn expect(&mut self, what: &str) -> Result<(), String> {
        if self.rest().starts_with(what) {
            self.pos += what.len();
            Ok(())
        } else {
            Err(format!("expected {what:?} at {}: {:?}", self.pos, &self.rest()[..self.rest().len().min(30)]))
        }
    }

    fn element(&mut self) -> Result<Element, String> {
        self.expect("<")?;
        let mut el = Element { name: self.name()?, ..Element::default() };
        loop {
            self.skip_ws();
            if self.rest().starts_with("/>") {
                self.pos += 2;
                return Ok(el);
            }
            if self.rest().starts_with('>') {
                self.pos += 1;
                break;
            }
            let name = self.name()?;
            if el.attr(&name).is_some() {
                return Err(format!("duplicate attribute {name}"));
            }
            self.expect("=\"")?;
            let len = self.rest().find('"').ok_or("unterminated attribute")?;
            let raw = &self.rest()[..len];
            if raw.contains('<') {
                return Err(format!("raw < in attribute {name}"));
            }
            let value = decode(raw)?;
            self.pos += len + 1;
            el.attrs.push((name, value));
        }
        loop {
            let len = self.rest().find('<').ok_or_else(|| format!("<{}> never closed", el.name))?;
            el.text.push_str(&decode(&self.rest()[..len])?);
            self.pos += len;
            if self.rest().starts_with("</") {
                self.pos += 2;
                let name = self.name()?;
                if name != el.name {
                    return Err(format!("<{}> closed by </{name}>", el.name));
                }
                self.skip_ws();
                self.expect(">")?;
                return Ok(el);
            }
            el.children.push(self.element()?);
        }
    }
}

fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
}

fn decode(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').ok_or("& without ;")? + at;
        let entity = &rest[at + 1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16)
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse()
                } else {
                    return Err(format!("unknown entity &{entity};"));
                };
                let c = code.ok().and_then(char::from_u32).ok_or_else(|| format!("bad reference &{entity};"))?;
                if !allowed(c) {
                    return Err(format!("reference to a character XML forbids: &{entity};"));
                }
                c
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    if let Some(c) = out.chars().find(|&c| !allowed(c)) {
        return Err(format!("forbidden character {c:?}"));
    }
    Ok(out)
}

#[test]
fn the_checker_refuses_what_it_should() {
    let bad = [
        "<root/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a><b></a></b>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a x=\"1\" x=\"2\"/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>A & B</a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a x=\"a<b\"/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a x=\"say \"hi\"\"/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>&nbsp;</a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>&#1;</a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\u{7}</a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/><b/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>",
    ];
    for doc in bad {
        assert!(parse(doc).is_err(), "accepted {doc:?}");
    }
    let good =
        parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"&quot;Hải&quot; &#10;\"><b>Đăng &amp; &lt;co&gt;</b><b/></a>\n").unwrap();
    assert_eq!(good.attr("x"), Some("\"Hải\" \n"));
    assert_eq!(good.children[0].text, "Đăng & <co>");
    assert_eq!(good.all("b").count(), 2);
}
