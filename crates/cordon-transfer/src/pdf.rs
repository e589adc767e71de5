//! Printable documents as PDF: headings, paragraphs and tables on A4 pages, in DejaVu Sans
//! (embedded, so Vietnamese prints and reads back the same on any machine).
//!
//! Text is written as glyph ids of the embedded font (`Identity-H`), with a `ToUnicode` map so
//! that what a reader copies or extracts is the text that was written.

use std::collections::BTreeMap;
use std::io::Write;

use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

/// DejaVu Sans (Bitstream Vera licence, see `fonts/LICENSE-DejaVu.txt`): Latin with every
/// Vietnamese letter precomposed.
const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// A4 in points.
const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 50.0;

/// Why a document could not be written.
#[derive(Debug, Error)]
pub enum PdfError {
    /// The embedded font could not be read (a build problem, not input).
    #[error("the embedded font is unreadable: {0}")]
    Font(&'static str),
    /// Compressing a stream failed.
    #[error("compressing a stream: {0}")]
    Io(#[from] std::io::Error),
}

/// The parts of a TrueType font a PDF needs.
struct Font {
    units_per_em: f64,
    bbox: [i16; 4],
    ascent: i16,
    descent: i16,
    advances: Vec<u16>,
    cmap: BTreeMap<u32, u16>,
}

fn be16(b: &[u8], at: usize) -> Result<u16, PdfError> {
    b.get(at..at + 2).map(|s| u16::from_be_bytes([s[0], s[1]])).ok_or(PdfError::Font("truncated"))
}

fn be32(b: &[u8], at: usize) -> Result<u32, PdfError> {
    b.get(at..at + 4).map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]])).ok_or(PdfError::Font("truncated"))
}

impl Font {
    fn parse(b: &[u8]) -> Result<Font, PdfError> {
        let tables = be16(b, 4)? as usize;
        let mut dir = BTreeMap::new();
        for i in 0..tables {
            let rec = 12 + 16 * i;
            let tag = b.get(rec..rec + 4).ok_or(PdfError::Font("truncated"))?;
            dir.insert(tag.to_vec(), be32(b, rec + 8)? as usize);
        }
        let table = |tag: &[u8]| dir.get(tag).copied().ok_or(PdfError::Font("missing table"));
        let head = table(b"head")?;
        let hhea = table(b"hhea")?;
        let hmtx = table(b"hmtx")?;
        let cmap_at = table(b"cmap")?;
        let units_per_em = f64::from(be16(b, head + 18)?);
        let i16_at = |at: usize| be16(b, at).map(|v| v as i16);
        let bbox = [i16_at(head + 36)?, i16_at(head + 38)?, i16_at(head + 40)?, i16_at(head + 42)?];
        let (ascent, descent) = (i16_at(hhea + 4)?, i16_at(hhea + 6)?);
        let metrics = be16(b, hhea + 34)? as usize;
        let advances = (0..metrics).map(|g| be16(b, hmtx + 4 * g)).collect::<Result<Vec<_>, _>>()?;
        let mut cmap = BTreeMap::new();
        let subtables = be16(b, cmap_at + 2)? as usize;
        // Prefer the full-Unicode table (3,10, format 12), else the BMP one (3,1, format 4).
        let mut chosen: Option<(u16, usize)> = None;
        for i in 0..subtables {
            let rec = cmap_at + 4 + 8 * i;
            let (platform, encoding, offset) = (be16(b, rec)?, be16(b, rec + 2)?, be32(b, rec + 4)? as usize);
            let at = cmap_at + offset;
            let format = be16(b, at)?;
            match (platform, encoding, format) {
                (3, 10, 12) => chosen = Some((12, at)),
                (3, 1, 4) if chosen.is_none() => chosen = Some((4, at)),
                _ => {}
            }
        }
        match chosen {
            Some((12, at)) => {
                let groups = be32(b, at + 12)? as usize;
                for g in 0..groups {
                    let rec = at + 16 + 12 * g;
                    let (start, end, glyph) = (be32(b, rec)?, be32(b, rec + 4)?, be32(b, rec + 8)?);
                    for c in start..=end.min(start + 0xFFFF) {
                        cmap.insert(c, (glyph + (c - start)) as u16);
                    }
                }
            }
            Some((_, at)) => {
                let segs = be16(b, at + 6)? as usize / 2;
                let (ends, starts, deltas, ranges) = (at + 14, at + 16 + 2 * segs, at + 16 + 4 * segs, at + 16 + 6 * segs);
                for s in 0..segs {
                    let (end, start) = (be16(b, ends + 2 * s)?, be16(b, starts + 2 * s)?);
                    let (delta, range) = (be16(b, deltas + 2 * s)?, be16(b, ranges + 2 * s)?);
                    if start == 0xFFFF {
                        continue;
                    }
                    for c in start..=end {
                        let glyph = if range == 0 {
                            c.wrapping_add(delta)
                        } else {
                            let g = be16(b, ranges + 2 * s + range as usize + 2 * (c - start) as usize)?;
                            if g == 0 {
                                0
                            } else {
                                g.wrapping_add(delta)
                            }
                        };
                        if glyph != 0 {
                            cmap.insert(u32::from(c), glyph);
                        }
                    }
                }
            }
            None => return Err(PdfError::Font("no Unicode cmap")),
        }
        Ok(Font { units_per_em, bbox, ascent, descent, advances, cmap })
    }

    fn glyph(&self, c: char) -> u16 {
        self.cmap.get(&u32::from(c)).copied().unwrap_or(0)
    }

    fn advance(&self, glyph: u16) -> u16 {
        self.advances.get(glyph as usize).or(self.advances.last()).copied().unwrap_or(0)
    }

    /// Width of a text in points at a size.
    fn width(&self, text: &str, size: f64) -> f64 {
        text.chars().map(|c| f64::from(self.advance(self.glyph(c)))).sum::<f64>() * size / self.units_per_em
    }
}

/// A document being laid out, page by page.
pub struct Pdf {
    font: Font,
    title: String,
    pages: Vec<String>,
    page: String,
    y: f64,
    used: BTreeMap<u16, char>,
}

impl Pdf {
    /// An empty A4 document with a title (shown by readers, not printed).
    pub fn new(title: &str) -> Result<Pdf, PdfError> {
        Ok(Pdf {
            font: Font::parse(FONT)?,
            title: title.nfc().collect(),
            pages: Vec::new(),
            page: String::new(),
            y: PAGE_H - MARGIN,
            used: BTreeMap::new(),
        })
    }

    fn need(&mut self, height: f64) {
        if self.y - height < MARGIN {
            self.pages.push(std::mem::take(&mut self.page));
            self.y = PAGE_H - MARGIN;
        }
    }

    fn show(&mut self, text: &str, x: f64, size: f64) {
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            let g = self.font.glyph(c);
            self.used.entry(g).or_insert(c);
            hex.push_str(&format!("{g:04X}"));
        }
        self.page.push_str(&format!("BT /F1 {size} Tf {x:.2} {:.2} Td <{hex}> Tj ET\n", self.y));
    }

    /// Splits text into lines no wider than `width` at `size`, at spaces (a word longer than a
    /// line is cut).
    fn wrap(&self, text: &str, width: f64, size: f64) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split(' ') {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.font.width(&candidate, size) <= width || line.is_empty() && self.font.width(word, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.font.width(&piece, size) > width {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }

    /// A paragraph at a size (11 for text, 16 for a heading), wrapped to the page.
    pub fn text(&mut self, text: &str, size: f64) {
        let text: String = text.nfc().collect();
        for line in self.wrap(&text, PAGE_W - 2.0 * MARGIN, size) {
            self.need(size * 1.4);
            self.y -= size * 1.4;
            self.show(&line, MARGIN, size);
        }
    }

    /// Vertical space, in points.
    pub fn space(&mut self, points: f64) {
        self.y -= points;
    }

    /// A table: column widths as shares of the line, a header row, then the rows; long cells wrap.
    pub fn table(&mut self, shares: &[f64], header: &[&str], rows: &[Vec<String>]) {
        let total: f64 = shares.iter().sum();
        let widths: Vec<f64> = shares.iter().map(|s| s / total * (PAGE_W - 2.0 * MARGIN)).collect();
        let size = 9.0;
        let mut all: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        all.extend(rows.iter().cloned());
        for (i, row) in all.iter().enumerate() {
            let cells: Vec<Vec<String>> =
                row.iter().zip(&widths).map(|(cell, w)| self.wrap(&cell.nfc().collect::<String>(), w - 4.0, size)).collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f64 * size * 1.35 + 3.0;
            self.need(height);
            let top = self.y;
            let mut x = MARGIN;
            for (lines, w) in cells.iter().zip(&widths) {
                self.y = top;
                for line in lines {
                    self.y -= size * 1.35;
                    self.show(line, x + 2.0, size);
                }
                x += w;
            }
            self.y = top - height;
            // A rule under the header, a lighter one under each row.
            let grey = if i == 0 { 0.0 } else { 0.75 };
            self.page.push_str(&format!("{grey} G 0.5 w {MARGIN} {:.2} m {:.2} {:.2} l S\n", self.y + 1.5, PAGE_W - MARGIN, self.y + 1.5));
        }
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, PdfError> {
        if !self.page.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.page));
        }
        let n = self.pages.len();
        // Objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, 6 font file, 7 ToUnicode,
        // 8 info, then each page and its content stream.
        let mut objects: Vec<Vec<u8>> = Vec::new();
        let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 9 + 2 * i)).collect();
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
        objects.push(
            b"<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSans /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>"
                .to_vec(),
        );
        let scale = 1000.0 / self.font.units_per_em;
        let widths: Vec<String> = self.used.keys().map(|g| format!("{g} [{:.0}]", f64::from(self.font.advance(*g)) * scale)).collect();
        objects.push(
            format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor 5 0 R /DW 600 /W [{}] /CIDToGIDMap /Identity >>",
                widths.join(" ")
            )
            .into_bytes(),
        );
        let b = self.font.bbox.map(|v| (f64::from(v) * scale).round());
        objects.push(
            format!(
                "<< /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {:.0} /Descent {:.0} \
                 /CapHeight {:.0} /StemV 80 /FontFile2 6 0 R >>",
                b[0],
                b[1],
                b[2],
                b[3],
                f64::from(self.font.ascent) * scale,
                f64::from(self.font.descent) * scale,
                f64::from(self.font.ascent) * scale * 0.7
            )
            .into_bytes(),
        );
        objects.push(stream(&format!("/Length1 {}", FONT.len()), FONT)?);
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def \
             /CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
        );
        let pairs: Vec<(&u16, &char)> = self.used.iter().collect();
        for chunk in pairs.chunks(100) {
            cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (g, c) in chunk {
                let utf16: String = c.encode_utf16(&mut [0u16; 2]).iter().map(|u| format!("{u:04X}")).collect();
                cmap.push_str(&format!("<{g:04X}> <{utf16}>\n"));
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
        objects.push(stream("", cmap.as_bytes())?);
        let title: String = std::iter::once(0xFEFFu16).chain(self.title.encode_utf16()).map(|u| format!("{u:04X}")).collect();
        objects.push(format!("<< /Title <{title}> /Producer (Cordon) >>").into_bytes());
        for content in &self.pages {
            let page_no = (objects.len() - 8) / 2;
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                    10 + 2 * page_no
                )
                .into_bytes(),
            );
            objects.push(stream("", content.as_bytes())?);
        }
        let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        Ok(out)
    }
}

/// A Flate-compressed stream object with extra dictionary entries.
fn stream(extra: &str, data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data)?;
    let packed = z.finish()?;
    let mut out = format!("<< /Length {} /Filter /FlateDecode {extra} >>\nstream\n", packed.len()).into_bytes();
    out.extend_from_slice(&packed);
    out.extend_from_slice(b"\nendstream");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_every_vietnamese_letter() {
        let font = Font::parse(FONT).unwrap();
        let letters = "ĂÂĐÊÔƠƯăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ";
        let missing: String = letters.chars().filter(|c| font.glyph(*c) == 0).collect();
        assert!(missing.is_empty(), "missing: {missing}");
        assert!(font.width("Hải quan", 10.0) > font.width("Hải", 10.0));
    }

    #[test]
    fn long_text_wraps_and_pages_break() {
        let mut pdf = Pdf::new("Báo cáo").unwrap();
        for i in 0..200 {
            pdf.text(&format!("Dòng {i}: vận chuyển trái phép hàng hóa qua biên giới, thuốc lá điếu nhập lậu"), 11.0);
        }
        let page_count = pdf.pages.len() + 1;
        assert!(page_count >= 4, "{page_count}");
        let lines = pdf.wrap(&"từ ".repeat(100), 200.0, 11.0);
        assert!(lines.len() > 3 && lines.iter().all(|l| pdf.font.width(l, 11.0) <= 200.0));
        let bytes = pdf.finish().unwrap();
        assert!(bytes.starts_with(b"%PDF-1.7") && bytes.ends_with(b"%%EOF\n"));
    }
}
