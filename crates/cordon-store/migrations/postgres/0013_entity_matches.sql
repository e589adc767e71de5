-- Candidate matches between entities found by incremental resolution, and analysts' decisions on
-- them. A pair is stored once, entity_a < entity_b. status: candidate (awaiting an analyst),
-- linked (a strong identifier agreed, linked automatically), confirmed (the same entity),
-- rejected ("not the same": never overridden by a later score, run or confirmation).
CREATE TABLE entity_matches (
    id TEXT PRIMARY KEY,
    entity_a TEXT NOT NULL REFERENCES entities(id),
    entity_b TEXT NOT NULL REFERENCES entities(id),
    probability DOUBLE PRECISION NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    decided_by_field TEXT,
    explanation TEXT NOT NULL,
    status TEXT NOT NULL,
    found_at BIGINT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at BIGINT,
    decision_reason TEXT,
    UNIQUE (entity_a, entity_b)
);
CREATE INDEX entity_matches_b ON entity_matches(entity_b);
CREATE INDEX entities_created ON entities(created_at, id);
