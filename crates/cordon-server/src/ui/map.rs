//! A map of Vietnam drawn on the server: each province's cases as a circle at its seat.
//! No tiles and no script: a border post's slow link carries a few kilobytes of SVG.

use cordon_core::Language;
use maud::{html, Markup};

use super::i18n::{money, number};

/// The seat of each province since 1 July 2025, approximate (latitude, longitude).
const SEATS: &[(&str, f64, f64)] = &[
    ("ha-noi", 21.03, 105.85),
    ("hue", 16.46, 107.59),
    ("hai-phong", 20.86, 106.68),
    ("da-nang", 16.05, 108.20),
    ("ho-chi-minh", 10.78, 106.70),
    ("can-tho", 10.03, 105.78),
    ("lai-chau", 22.40, 103.46),
    ("dien-bien", 21.39, 103.02),
    ("son-la", 21.33, 103.91),
    ("lang-son", 21.85, 106.76),
    ("quang-ninh", 20.95, 107.08),
    ("thanh-hoa", 19.81, 105.78),
    ("nghe-an", 18.68, 105.69),
    ("ha-tinh", 18.34, 105.90),
    ("cao-bang", 22.67, 106.26),
    ("tuyen-quang", 21.82, 105.21),
    ("lao-cai", 21.72, 104.90),
    ("thai-nguyen", 21.59, 105.85),
    ("phu-tho", 21.32, 105.40),
    ("bac-ninh", 21.27, 106.19),
    ("hung-yen", 20.65, 106.05),
    ("ninh-binh", 20.25, 105.97),
    ("quang-tri", 17.47, 106.62),
    ("quang-ngai", 15.12, 108.80),
    ("gia-lai", 13.78, 109.22),
    ("khanh-hoa", 12.24, 109.19),
    ("lam-dong", 11.94, 108.44),
    ("dak-lak", 12.67, 108.04),
    ("dong-nai", 10.95, 106.82),
    ("tay-ninh", 10.54, 106.41),
    ("vinh-long", 10.25, 105.97),
    ("dong-thap", 10.36, 106.36),
    ("ca-mau", 9.18, 105.15),
    ("an-giang", 10.01, 105.08),
];

const SCALE: f64 = 36.0;
const WEST: f64 = 101.8;
const NORTH: f64 = 23.6;

fn project(lat: f64, lon: f64) -> (f64, f64) {
    ((lon - WEST) * SCALE, (NORTH - lat) * SCALE)
}

/// The map: `rows` are (province code, province name, cases, value in dong).
pub fn province_map(labelled_by: &str, lang: Language, rows: &[(String, String, i64, i64)]) -> Markup {
    let max = rows.iter().map(|r| r.2).max().unwrap_or(0).max(1) as f64;
    let (w, h) = project(8.4, 110.0);
    html! {
        svg.map role="img" aria-labelledby=(labelled_by) viewBox=(format!("0 0 {w:.0} {h:.0}")) width="360" {
            // A light graticule: every two degrees.
            @for lat in (9..=23).step_by(2) {
                @let (_, y) = project(lat as f64, WEST);
                line x1="0" y1=(format!("{y:.1}")) x2=(format!("{w:.0}")) y2=(format!("{y:.1}")) stroke="#dde3ea" {}
                text x="2" y=(format!("{:.1}", y - 2.0)) font-size="9" fill="#444" { (lat) "°N" }
            }
            // Every province's seat, so the country's shape is there even where nothing happened.
            @for (_, lat, lon) in SEATS {
                @let (x, y) = project(*lat, *lon);
                circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="2" fill="#8a99a8" {}
            }
            @for (code, name, n, value) in rows {
                @if let Some((_, lat, lon)) = SEATS.iter().find(|s| s.0 == code) {
                    @let (x, y) = project(*lat, *lon);
                    @let r = 4.0 + 18.0 * (*n as f64 / max).sqrt();
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r=(format!("{r:.1}")) fill="#0b4f8a" fill-opacity="0.55" stroke="#0b2540" {
                        title { (name) ": " (number(lang, *n)) " · " (money(lang, *value)) }
                    }
                    text x=(format!("{:.1}", x + r + 2.0)) y=(format!("{:.1}", y + 4.0)) font-size="11" fill="#111" { (name) " " (number(lang, *n)) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_has_a_seat_inside_the_frame() {
        let (w, h) = project(8.4, 110.0);
        for p in &cordon_core::reference::reference().provinces {
            let (_, lat, lon) = SEATS.iter().find(|s| s.0 == p.code).unwrap_or_else(|| panic!("no seat for {}", p.code));
            let (x, y) = project(*lat, *lon);
            assert!((0.0..w).contains(&x) && (0.0..h).contains(&y), "{} at {x},{y}", p.code);
        }
        assert_eq!(SEATS.len(), cordon_core::reference::reference().provinces.len());
        let (_, north) = project(22.67, 106.26);
        let (_, south) = project(9.18, 105.15);
        assert!(north < south, "north is up");
    }
}
