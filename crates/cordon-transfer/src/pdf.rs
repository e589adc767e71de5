//! A small PDF writer for reports: A4 pages of headings, paragraphs, tables and bar charts, in
//! DejaVu Sans embedded whole (its licence allows it; `assets/DejaVuSans-LICENSE.txt`), so that
//! Vietnamese text renders on any reader and extracts as the same text.
//!
//! Text is shown as glyph ids through a Type 0 font (Identity-H), with a ToUnicode map from
//! each glyph used back to its character: that map is what makes copying and `pdftotext` give
//! the source text back. Text is NFC-normalised first, since DejaVu has the precomposed
//! Vietnamese letters (ệ, ở, ữ…) and a reader must not be left to stack combining marks.

use std::collections::BTreeMap;
use std::io::Write;

use unicode_normalization::UnicodeNormalization;

use crate::TransferError;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;

/// A part of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A title line, large.
    Title(String),
    /// A section heading.
    Heading(String),
    /// Running text, wrapped to the page.
    Paragraph(String),
    /// A table: header and rows; columns after the first are right-aligned (figures).
    Table {
        /// Column headings.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// Horizontal bars with their labels and values.
    BarChart {
        /// (label, value) pairs, drawn in order.
        bars: Vec<(String, f64)>,
    },
}

/// The parts of the font the writer needs.
struct Font {
    units_per_em: f32,
    ascent: i16,
    descent: i16,
    bbox: [i16; 4],
    advances: Vec<u16>,
    cmap: BTreeMap<u32, u16>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?, *b.get(at + 3)?]))
}

impl Font {
    fn parse(b: &[u8]) -> Option<Font> {
        let tables = u16_at(b, 4)? as usize;
        let mut dir = BTreeMap::new();
        for i in 0..tables {
            let rec = 12 + 16 * i;
            dir.insert(b.get(rec..rec + 4)?.to_vec(), u32_at(b, rec + 8)? as usize);
        }
        let head = *dir.get(&b"head"[..])?;
        let hhea = *dir.get(&b"hhea"[..])?;
        let hmtx = *dir.get(&b"hmtx"[..])?;
        let cmap = *dir.get(&b"cmap"[..])?;
        let metrics = u16_at(b, hhea + 34)? as usize;
        let advances = (0..metrics).map(|i| u16_at(b, hmtx + 4 * i)).collect::<Option<Vec<u16>>>()?;
        let i16_at = |at: usize| u16_at(b, at).map(|v| v as i16);
        let mut map = BTreeMap::new();
        // The Windows Unicode subtables: full repertoire (format 12) or the BMP (format 4).
        let subtables = u16_at(b, cmap + 2)? as usize;
        let mut chosen = None;
        for i in 0..subtables {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding, offset) = (u16_at(b, rec)?, u16_at(b, rec + 2)?, u32_at(b, rec + 4)? as usize);
            if platform == 3 && (encoding == 10 || (encoding == 1 && chosen.is_none())) {
                chosen = Some(cmap + offset);
            }
        }
        let st = chosen?;
        match u16_at(b, st)? {
            4 => {
                let segs = u16_at(b, st + 6)? as usize / 2;
                let ends = st + 14;
                let starts = ends + 2 * segs + 2;
                let deltas = starts + 2 * segs;
                let ranges = deltas + 2 * segs;
                for s in 0..segs {
                    let (end, start) = (u16_at(b, ends + 2 * s)?, u16_at(b, starts + 2 * s)?);
                    let delta = u16_at(b, deltas + 2 * s)?;
                    let range = u16_at(b, ranges + 2 * s)? as usize;
                    for c in start..=end {
                        if c == 0xFFFF {
                            break;
                        }
                        let g = if range == 0 {
                            c.wrapping_add(delta)
                        } else {
                            let at = ranges + 2 * s + range + 2 * (c - start) as usize;
                            match u16_at(b, at)? {
                                0 => 0,
                                g => g.wrapping_add(delta),
                            }
                        };
                        if g != 0 {
                            map.insert(u32::from(c), g);
                        }
                    }
                }
            }
            12 => {
                let groups = u32_at(b, st + 12)? as usize;
                for i in 0..groups {
                    let g = st + 16 + 12 * i;
                    let (start, end, glyph) = (u32_at(b, g)?, u32_at(b, g + 4)?, u32_at(b, g + 8)?);
                    for c in start..=end.min(start + 0xFFFF) {
                        map.insert(c, u16::try_from(glyph + (c - start)).ok()?);
                    }
                }
            }
            _ => return None,
        }
        Some(Font {
            units_per_em: f32::from(u16_at(b, head + 18)?),
            bbox: [i16_at(head + 36)?, i16_at(head + 38)?, i16_at(head + 40)?, i16_at(head + 42)?],
            ascent: i16_at(hhea + 4)?,
            descent: i16_at(hhea + 6)?,
            advances,
            cmap: map,
        })
    }

    fn glyph(&self, c: char) -> u16 {
        self.cmap.get(&u32::from(c)).copied().unwrap_or(0)
    }

    /// Advance of a glyph in thousandths of the font size.
    fn advance(&self, g: u16) -> f32 {
        let a = self.advances.get(g as usize).or(self.advances.last()).copied().unwrap_or(0);
        f32::from(a) * 1000.0 / self.units_per_em
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(self.glyph(c))).sum::<f32>() * size / 1000.0
    }
}

/// Lays blocks out on pages: content streams and the glyphs used (with their characters).
struct Layout<'f> {
    font: &'f Font,
    pages: Vec<String>,
    page: String,
    y: f32,
    used: BTreeMap<u16, char>,
}

impl<'f> Layout<'f> {
    fn new(font: &'f Font) -> Self {
        Layout { font, pages: Vec::new(), page: String::new(), y: PAGE_H - MARGIN, used: BTreeMap::new() }
    }

    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(std::mem::take(&mut self.page));
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, text: &str) {
        let mut hex = String::with_capacity(text.len() * 4);
        for c in text.chars() {
            let g = self.font.glyph(c);
            self.used.entry(g).or_insert(c);
            hex.push_str(&format!("{g:04X}"));
        }
        self.page.push_str(&format!("BT /F1 {size} Tf {x:.2} {y:.2} Td <{hex}> Tj ET\n"));
    }

    /// Splits text into lines no wider than `width` at `size`, at spaces (a word too long for a
    /// line is cut).
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if self.font.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word.to_string();
            while self.font.width(&rest, size) > width {
                let mut cut = String::new();
                for c in rest.chars() {
                    if self.font.width(&format!("{cut}{c}"), size) > width && !cut.is_empty() {
                        break;
                    }
                    cut.push(c);
                }
                rest = rest[cut.len()..].to_string();
                lines.push(cut);
            }
            line = rest;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn lines(&mut self, text: &str, size: f32, gap_before: f32) {
        self.y -= gap_before;
        for l in self.wrap(text, size, PAGE_W - 2.0 * MARGIN) {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            self.text_at(MARGIN, self.y, size, &l);
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let size = 9.0;
        let row_h = size * 1.8;
        let cols = header.len().max(1);
        let full = PAGE_W - 2.0 * MARGIN;
        // The first column (labels) takes what the figures leave.
        let figure_w = (full * 0.55 / (cols.saturating_sub(1).max(1)) as f32).min(95.0);
        let first_w = full - figure_w * (cols - 1) as f32;
        let x_of = |i: usize| if i == 0 { MARGIN } else { MARGIN + first_w + figure_w * (i - 1) as f32 };
        let width_of = |i: usize| if i == 0 { first_w } else { figure_w };
        self.y -= 4.0;
        let draw_row = |me: &mut Self, cells: &[String], shade: bool| {
            me.room(row_h);
            me.y -= row_h;
            if shade {
                me.page.push_str(&format!("0.9 0.93 0.97 rg {MARGIN:.2} {:.2} {full:.2} {row_h:.2} re f 0 g\n", me.y));
            }
            for (i, cell) in cells.iter().enumerate().take(cols) {
                let mut text = cell.clone();
                while me.font.width(&text, size) > width_of(i) - 6.0 && text.chars().count() > 1 {
                    text.pop();
                }
                let x = if i == 0 { x_of(i) + 3.0 } else { x_of(i) + width_of(i) - 3.0 - me.font.width(&text, size) };
                me.text_at(x, me.y + row_h * 0.32, size, &text);
            }
            me.page.push_str(&format!("0.75 G 0.5 w {MARGIN:.2} {:.2} m {:.2} {:.2} l S 0 G\n", me.y, MARGIN + full, me.y));
        };
        draw_row(self, header, true);
        for r in rows {
            draw_row(self, r, false);
        }
    }

    fn bars(&mut self, bars: &[(String, f64)]) {
        let size = 8.0;
        let bar_h = 11.0;
        let label_w = 150.0;
        let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
        let span = PAGE_W - 2.0 * MARGIN - label_w - 60.0;
        self.y -= 4.0;
        for (label, value) in bars {
            self.room(bar_h + 3.0);
            self.y -= bar_h + 3.0;
            let mut text = label.clone();
            while self.font.width(&text, size) > label_w - 6.0 && text.chars().count() > 1 {
                text.pop();
            }
            self.text_at(MARGIN, self.y + 2.5, size, &text);
            let w = if max > 0.0 { (value / max) as f32 * span } else { 0.0 };
            self.page.push_str(&format!("0.16 0.38 0.62 rg {:.2} {:.2} {w:.2} {:.2} re f 0 g\n", MARGIN + label_w, self.y, bar_h - 1.0));
            let figure = format_figure(*value);
            self.text_at(MARGIN + label_w + w + 4.0, self.y + 2.5, size, &figure);
        }
    }
}

/// A figure as a Vietnamese report writes it: thousands with dots, one decimal with a comma.
pub fn format_figure(v: f64) -> String {
    let negative = v < 0.0;
    let rounded = (v.abs() * 10.0).round() / 10.0;
    let whole = rounded.trunc() as u64;
    let tenth = ((rounded - rounded.trunc()) * 10.0).round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if tenth > 0 {
        grouped.push_str(&format!(",{tenth}"));
    }
    if negative {
        format!("-{grouped}")
    } else {
        grouped
    }
}

fn pdf_string(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars().filter(char::is_ascii) {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(')');
    out
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, TransferError> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

/// Writes `blocks` as an A4 PDF titled `title` (the document's metadata title, ASCII only;
/// the visible title is a `Block::Title`).
pub fn pdf_document(title: &str, blocks: &[Block]) -> Result<Vec<u8>, TransferError> {
    let font = Font::parse(FONT).ok_or_else(|| TransferError::File("the embedded font cannot be read".into()))?;
    let mut layout = Layout::new(&font);
    for block in blocks {
        match block {
            Block::Title(t) => layout.lines(&t.nfc().collect::<String>(), 15.0, 0.0),
            Block::Heading(t) => layout.lines(&t.nfc().collect::<String>(), 12.0, 10.0),
            Block::Paragraph(t) => layout.lines(&t.nfc().collect::<String>(), 10.0, 2.0),
            Block::Table { header, rows } => {
                let nfc = |r: &Vec<String>| r.iter().map(|c| c.nfc().collect::<String>()).collect::<Vec<_>>();
                layout.table(&nfc(header), &rows.iter().map(nfc).collect::<Vec<_>>());
            }
            Block::BarChart { bars } => {
                let bars: Vec<(String, f64)> = bars.iter().map(|(l, v)| (l.nfc().collect(), *v)).collect();
                layout.bars(&bars);
            }
        }
    }
    if !layout.page.is_empty() || layout.pages.is_empty() {
        layout.pages.push(std::mem::take(&mut layout.page));
    }
    // Page numbers, "n/N", at the foot of each page.
    let total = layout.pages.len();
    for i in 0..total {
        let label = format!("{}/{}", i + 1, total);
        let saved = std::mem::take(&mut layout.page);
        let x = PAGE_W - MARGIN - font.width(&label, 8.0);
        layout.text_at(x, MARGIN / 2.0, 8.0, &label);
        let foot = std::mem::replace(&mut layout.page, saved);
        layout.pages[i].push_str(&foot);
    }

    // Objects: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, 6 font file,
    // 7 ToUnicode, 8 info, then a page and its content per page.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let page_ids: Vec<usize> = (0..total).map(|i| 9 + 2 * i).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {total} >>", kids.join(" ")).into_bytes());
    objects.push(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSans /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>".to_vec(),
    );
    let widths: Vec<String> = layout.used.keys().map(|g| format!("{g} [{:.0}]", font.advance(*g))).collect();
    objects.push(
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 5 0 R /CIDToGIDMap /Identity /DW 600 /W [{}] >>",
            widths.join(" ")
        )
        .into_bytes(),
    );
    let scale = |v: i16| (f32::from(v) * 1000.0 / font.units_per_em).round() as i32;
    objects.push(
        format!(
            "<< /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} \
             /CapHeight {} /StemV 80 /FontFile2 6 0 R >>",
            scale(font.bbox[0]),
            scale(font.bbox[1]),
            scale(font.bbox[2]),
            scale(font.bbox[3]),
            scale(font.ascent),
            scale(font.descent),
            scale(font.ascent)
        )
        .into_bytes(),
    );
    let packed = deflate(FONT)?;
    let mut file = format!("<< /Length {} /Length1 {} /Filter /FlateDecode >>\nstream\n", packed.len(), FONT.len()).into_bytes();
    file.extend_from_slice(&packed);
    file.extend_from_slice(b"\nendstream");
    objects.push(file);
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def \
         /CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange\n",
    );
    let used: Vec<(&u16, &char)> = layout.used.iter().collect();
    for chunk in used.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (g, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            cmap.push_str(&format!("<{g:04X}> <{hex}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
    objects.push(format!("<< /Length {} >>\nstream\n{cmap}\nendstream", cmap.len()).into_bytes());
    objects.push(format!("<< /Title {} /Producer (Cordon) >>", pdf_string(title)).into_bytes());
    for (i, content) in layout.pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                page_ids[i] + 1
            )
            .into_bytes(),
        );
        let packed = deflate(content.as_bytes())?;
        let mut stream = format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", packed.len()).into_bytes();
        stream.extend_from_slice(&packed);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_every_vietnamese_letter() {
        let font = Font::parse(FONT).unwrap();
        let letters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";
        for c in letters.chars().chain(letters.to_uppercase().chars()) {
            assert_ne!(font.glyph(c), 0, "{c}");
        }
        assert!(font.width("Buôn lậu", 10.0) > 30.0);
    }

    #[test]
    fn figures_are_written_the_vietnamese_way() {
        assert_eq!(format_figure(1_234_567.0), "1.234.567");
        assert_eq!(format_figure(9.6), "9,6");
        assert_eq!(format_figure(-19.4), "-19,4");
        assert_eq!(format_figure(0.0), "0");
    }

    #[test]
    fn long_text_wraps_and_pages_break() {
        let font = Font::parse(FONT).unwrap();
        let layout = Layout::new(&font);
        let lines = layout.wrap(&"Ban Chỉ đạo 389 quốc gia ".repeat(40), 10.0, 300.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| font.width(l, 10.0) <= 300.0));
        let rows: Vec<Vec<String>> = (0..200).map(|i| vec![format!("Tỉnh {i}"), i.to_string()]).collect();
        let pdf = pdf_document("t", &[Block::Table { header: vec!["Tỉnh".into(), "Số vụ".into()], rows }]).unwrap();
        let pages = String::from_utf8_lossy(&pdf).matches("/Type /Page ").count();
        assert!(pages >= 4, "{pages}");
    }
}

#[cfg(test)]
mod extraction {
    use std::io::Read;

    use super::*;

    /// Reads the text back as a PDF reader does: each `<hex> Tj` through the ToUnicode map.
    pub(crate) fn extract(pdf: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(pdf);
        let mut to_unicode = BTreeMap::new();
        let cmap_start = text.find("beginbfchar").unwrap();
        for line in text[cmap_start..].lines().take_while(|l| !l.starts_with("endcmap")) {
            if let Some((g, u)) = line.strip_prefix('<').and_then(|l| l.split_once("> <")) {
                let units: Vec<u16> = u
                    .trim_end_matches('>')
                    .as_bytes()
                    .chunks(4)
                    .map(|c| u16::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
                    .collect();
                to_unicode.insert(u16::from_str_radix(g, 16).unwrap(), String::from_utf16(&units).unwrap());
            }
        }
        let mut lines = Vec::new();
        let mut at = 0;
        while let Some(i) = find(&pdf[at..], b"/Filter /FlateDecode >>\nstream\n") {
            let start = at + i + b"/Filter /FlateDecode >>\nstream\n".len();
            let end = start + find(&pdf[start..], b"\nendstream").unwrap();
            at = end;
            let mut inflated = Vec::new();
            if flate2::read::ZlibDecoder::new(&pdf[start..end]).read_to_end(&mut inflated).is_err() {
                continue;
            }
            let Ok(content) = String::from_utf8(inflated) else { continue };
            for op in content.lines().filter(|l| l.ends_with("> Tj ET")) {
                let hex = &op[op.find('<').unwrap() + 1..op.find('>').unwrap()];
                let s: String = hex
                    .as_bytes()
                    .chunks(4)
                    .map(|c| to_unicode[&u16::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap()].clone())
                    .collect();
                lines.push(s);
            }
        }
        lines
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn vietnamese_text_comes_back_as_written() {
        let title = "BÁO CÁO KẾT QUẢ ĐẤU TRANH CHỐNG BUÔN LẬU";
        let para = "Lực lượng chức năng đã phát hiện, bắt giữ 1.234 vụ buôn lậu, gian lận thương mại và hàng giả; trị giá hàng hóa vi phạm ước tính 56,7 tỷ đồng.";
        // Decomposed input (e + combining circumflex + combining dot below) is written precomposed.
        let decomposed = "Ngh\u{0065}\u{0323}\u{0302} An";
        let pdf = pdf_document(
            "Report",
            &[
                Block::Title(title.into()),
                Block::Paragraph(para.into()),
                Block::Paragraph(decomposed.into()),
                Block::Table { header: vec!["Tỉnh".into(), "Số vụ".into()], rows: vec![vec!["Quảng Ninh".into(), "12".into()]] },
            ],
        )
        .unwrap();
        let lines = extract(&pdf);
        assert_eq!(lines[0], title);
        assert_eq!(lines[1..].iter().take_while(|l| !l.starts_with("Nghệ")).cloned().collect::<Vec<_>>().join(" "), para);
        assert!(lines.contains(&"Nghệ An".to_string()), "{lines:?}");
        assert!(lines.contains(&"Quảng Ninh".to_string()));
        assert!(lines.contains(&"1/1".to_string()), "page numbers");
    }
}
