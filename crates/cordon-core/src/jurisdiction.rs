//! Jurisdiction: customs operation areas (Customs Law 2014 art. 88; Decree 01/2015/ND-CP ch. III
//! as amended by Decree 12/2018/ND-CP), one per border gate, seaport and airport, and who a
//! pursuit notice goes to when goods or a conveyance under suspicion leave one.
//!
//! An area is kept as a circle around the entry point (an approximate centre and a radius in
//! `data/customs_areas.csv`) until surveyed boundaries are loaded: the rule below only asks
//! "is this place inside", so a polygon can replace the circle without changing callers.

use std::sync::OnceLock;

use crate::reference::{reference, Port, PortKind};
use crate::AgencyKind;

/// The customs operation area of one border gate, seaport or airport.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomsArea {
    /// The entry point's code (as in `ports.csv`), which is also the area's code.
    pub port: &'static Port,
    /// Approximate centre, degrees.
    pub latitude: f64,
    /// Approximate centre, degrees.
    pub longitude: f64,
    /// Radius, metres.
    pub radius_m: f64,
    /// Whether the area takes in the sea or inland waters (the coast guard is then concerned).
    pub waters: bool,
}

impl CustomsArea {
    /// Whether a point lies inside the area.
    pub fn contains(&self, latitude: f64, longitude: f64) -> bool {
        distance_m(self.latitude, self.longitude, latitude, longitude) <= self.radius_m
    }
}

/// Every customs operation area, in `ports.csv` order.
pub fn customs_areas() -> &'static [CustomsArea] {
    static AREAS: OnceLock<Vec<CustomsArea>> = OnceLock::new();
    AREAS.get_or_init(|| {
        let r = reference();
        // The CSV is part of the source tree and checked by the tests below: a row naming an
        // unknown port or carrying a bad number is a build defect, so it is skipped here and
        // caught there.
        include_str!("../data/customs_areas.csv")
            .lines()
            .skip(1)
            .filter_map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                Some(CustomsArea {
                    port: r.port(c.first()?)?,
                    latitude: c.get(1)?.parse().ok()?,
                    longitude: c.get(2)?.parse().ok()?,
                    radius_m: c.get(3)?.parse().ok()?,
                    waters: *c.get(4)? == "true",
                })
            })
            .collect()
    })
}

/// The area of one entry point.
pub fn customs_area(port: &str) -> Option<&'static CustomsArea> {
    customs_areas().iter().find(|a| a.port.code == port)
}

/// Great-circle distance, metres (haversine on a 6 371 km sphere).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * a.sqrt().asin()
}

/// Where a case's place lies, as the officer recorded it.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlaceFacts<'a> {
    /// The border gate, seaport or airport named.
    pub port: Option<&'a str>,
    /// The officer's own statement: inside a customs operation area or not.
    pub in_customs_area: Option<bool>,
    /// Coordinates.
    pub latitude: Option<f64>,
    /// Coordinates.
    pub longitude: Option<f64>,
}

/// The customs operation area a place lies in, if any. The officer's "outside" is taken as
/// said; coordinates decide next (the nearest area containing them); otherwise a named entry
/// point with "inside" means its area.
pub fn area_of(place: PlaceFacts<'_>) -> Option<&'static CustomsArea> {
    if place.in_customs_area == Some(false) {
        return None;
    }
    if let (Some(lat), Some(lon)) = (place.latitude, place.longitude) {
        return customs_areas()
            .iter()
            .filter(|a| a.contains(lat, lon))
            .min_by(|a, b| distance_m(a.latitude, a.longitude, lat, lon).total_cmp(&distance_m(b.latitude, b.longitude, lat, lon)));
    }
    match (place.port, place.in_customs_area) {
        (Some(port), Some(true)) => customs_area(port),
        _ => None,
    }
}

/// The kinds of agency a pursuit notice goes to: local police, border guard and market
/// surveillance, and the coast guard where the sea or inland waters are concerned.
pub fn pursuit_agency_kinds(waters: bool) -> Vec<AgencyKind> {
    let mut kinds = vec![AgencyKind::Police, AgencyKind::BorderGuard];
    if waters {
        kinds.push(AgencyKind::CoastGuard);
    }
    kinds.push(AgencyKind::MarketSurveillance);
    kinds
}

/// Whether an area is one where the coast guard is concerned by default.
pub fn concerns_waters(area: &CustomsArea) -> bool {
    area.waters || area.port.kind == PortKind::Seaport
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_point_has_exactly_one_area() {
        let r = reference();
        assert_eq!(customs_areas().len(), r.ports.len(), "a bad row in customs_areas.csv is dropped");
        for p in &r.ports {
            let a = customs_area(p.code).unwrap_or_else(|| panic!("{} has no area", p.code));
            assert!((8.0..24.0).contains(&a.latitude) && (102.0..110.0).contains(&a.longitude), "{} lies in Vietnam", p.code);
            assert!((500.0..=10_000.0).contains(&a.radius_m), "{}", p.code);
        }
    }

    #[test]
    fn a_place_is_inside_by_coordinates_or_by_the_officers_word() {
        let gate = |lat, lon| area_of(PlaceFacts { latitude: Some(lat), longitude: Some(lon), ..Default::default() });
        assert_eq!(gate(21.972, 106.706).map(|a| a.port.code), Some("huu-nghi"));
        assert_eq!(gate(21.85, 106.76), None, "Lạng Sơn city, outside every area");
        assert_eq!(
            area_of(PlaceFacts { port: Some("huu-nghi"), in_customs_area: Some(true), ..Default::default() }).map(|a| a.port.code),
            Some("huu-nghi")
        );
        assert_eq!(area_of(PlaceFacts { port: Some("huu-nghi"), in_customs_area: None, ..Default::default() }), None);
        let outside = PlaceFacts { port: Some("huu-nghi"), in_customs_area: Some(false), latitude: Some(21.972), longitude: Some(106.706) };
        assert_eq!(area_of(outside), None, "the officer's 'outside' is taken as said");
        // Hữu Nghị and Đồng Đăng overlap: the nearer centre wins.
        assert!(customs_area("huu-nghi").unwrap().contains(21.955, 106.703));
        assert_eq!(gate(21.955, 106.703).map(|a| a.port.code), Some("dong-dang"));
    }

    #[test]
    fn distances_are_great_circle() {
        let d = distance_m(21.0285, 105.8542, 10.8231, 106.6297);
        assert!((1_130_000.0..1_150_000.0).contains(&d), "Hà Nội to Hồ Chí Minh City: {d}");
        assert!(distance_m(1.0, 1.0, 1.0, 1.0) < 1e-6);
    }

    #[test]
    fn the_coast_guard_joins_where_waters_are_concerned() {
        assert!(!pursuit_agency_kinds(false).contains(&AgencyKind::CoastGuard));
        assert_eq!(pursuit_agency_kinds(true).len(), 4);
        assert!(concerns_waters(customs_area("cat-lai").unwrap()));
        assert!(!concerns_waters(customs_area("huu-nghi").unwrap()));
    }
}
