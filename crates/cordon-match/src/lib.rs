//! Entity resolution: normalisers, blocking, Fellegi–Sunter scoring with EM, clustering, explanations; pure, no I/O.
