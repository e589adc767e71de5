//! Listings from crawlers and platform feeds, one at a time from any reader: NDJSON (one object
//! per line) or CSV with a header. A record that is not a listing is reported with its line and
//! the reading goes on; only a reader that fails stops it.

use std::io::{BufRead, BufReader, Read};

use cordon_screen::Listing;

/// A line (or CSV record) that is not a listing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line (a CSV record's first line).
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

/// One item read: a listing with its line, or a line skipped.
pub type ListingItem = Result<(usize, Listing), BadLine>;

/// Reads NDJSON listings; blank lines are not listings and are passed over silently.
pub struct NdjsonListings<R> {
    reader: R,
    buf: Vec<u8>,
    line: usize,
}

impl<R: BufRead> NdjsonListings<R> {
    /// Listings from `reader`, one JSON object per line.
    pub fn new(reader: R) -> Self {
        NdjsonListings { reader, buf: Vec::new(), line: 0 }
    }
}

impl<R: BufRead> Iterator for NdjsonListings<R> {
    type Item = std::io::Result<ListingItem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            self.line += 1;
            let line = self.line;
            let text = match std::str::from_utf8(&self.buf) {
                Ok(t) => t.trim(),
                Err(_) => return Some(Ok(Err(BadLine { line, reason: "not valid UTF-8".into() }))),
            };
            if text.is_empty() {
                continue;
            }
            return Some(Ok(Listing::from_json_line(text, line)
                .map(|l| (line, l))
                .map_err(|e| BadLine { line, reason: e.problem.to_string() })));
        }
    }
}

/// Reads CSV listings: a header line naming the fields, then one listing per record.
pub struct CsvListings<R> {
    reader: csv::Reader<R>,
    headers: Vec<String>,
    record: csv::ByteRecord,
}

impl<R: Read> CsvListings<R> {
    /// Listings from `reader`; fails only when the header line cannot be read.
    pub fn new(reader: R) -> std::io::Result<Self> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers: Vec<String> = reader
            .byte_headers()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("cannot read the header line: {e}")))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        Ok(CsvListings { reader, headers, record: csv::ByteRecord::new() })
    }
}

impl<R: Read> Iterator for CsvListings<R> {
    type Item = std::io::Result<ListingItem>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return match e.into_kind() {
                    csv::ErrorKind::Io(io) => Some(Err(io)),
                    other => Some(Ok(Err(BadLine { line, reason: format!("not a CSV record: {other:?}") }))),
                };
            }
        }
        let line = self.record.position().map_or(0, |p| p.line() as usize);
        if self.record.len() != self.headers.len() {
            let reason = format!("has {} fields where the header has {}", self.record.len(), self.headers.len());
            return Some(Ok(Err(BadLine { line, reason })));
        }
        let Ok(values) = self.record.iter().map(std::str::from_utf8).collect::<Result<Vec<&str>, _>>() else {
            return Some(Ok(Err(BadLine { line, reason: "not valid UTF-8".into() })));
        };
        let item = Listing::from_csv_record(self.headers.iter().map(String::as_str).zip(values), line)
            .map(|l| (line, l))
            .map_err(|e| BadLine { line, reason: e.problem.to_string() });
        Some(Ok(item))
    }
}

/// The listings of a body, each with its line, and the lines skipped.
pub type ReadListings = (Vec<(usize, Listing)>, Vec<BadLine>);

/// Every listing of an in-memory body (an HTTP request's), in `csv` or NDJSON form.
pub fn read_listings(body: &[u8], csv: bool) -> std::io::Result<ReadListings> {
    let items: Box<dyn Iterator<Item = std::io::Result<ListingItem>>> =
        if csv { Box::new(CsvListings::new(body)?) } else { Box::new(NdjsonListings::new(BufReader::new(body))) };
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for item in items {
        match item? {
            Ok(l) => good.push(l),
            Err(b) => bad.push(b),
        }
    }
    Ok((good, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_reports_bad_lines_with_their_numbers_and_goes_on() {
        let body =
            "{\"platform\":\"shopee\",\"listing_id\":\"1\",\"title\":\"Rolex\"}\n\nnot json\n{\"platform\":\"shopee\",\"title\":\"x\"}\n\
                    {\"platform\":\"lazada\",\"listing_id\":\"2\",\"title\":\"Đồng hồ\"}\n";
        let (good, bad) = read_listings(body.as_bytes(), false).unwrap();
        assert_eq!(good.iter().map(|(l, x)| (*l, x.listing_id.as_str())).collect::<Vec<_>>(), vec![(1, "1"), (5, "2")]);
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 4]);
        assert!(bad[1].reason.contains("listing_id"), "{}", bad[1].reason);
    }

    #[test]
    fn csv_reads_by_header_and_reports_short_records() {
        let body = "\u{feff}platform,listing_id,title,price\nshopee,1,\"Rolex, mới\",1200000\nshopee,2\nlazada,3,Túi LV,abc\n";
        let (good, bad) = read_listings(body.as_bytes(), true).unwrap();
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].1.title, "Rolex, mới");
        assert_eq!(good[0].1.price, Some(1_200_000.0));
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 4]);
        assert!(bad[1].reason.contains("price"), "{}", bad[1].reason);
    }
}
