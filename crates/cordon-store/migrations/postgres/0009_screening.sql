-- Listing screening: each agency's versioned rule sets (one active), and the leads its screening
-- found — one open lead per seller, each listing recorded once however often it is seen —
-- with the identifiers that tie sellers across platforms.
CREATE TABLE rule_sets (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    version BIGINT NOT NULL,
    label TEXT NOT NULL,
    digest TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (agency_id, version)
);

CREATE TABLE rule_set_active (
    agency_id TEXT PRIMARY KEY REFERENCES agencies(id),
    version BIGINT NOT NULL,
    activated_by TEXT NOT NULL REFERENCES users(id),
    activated_at BIGINT NOT NULL
);

CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    seller_key TEXT NOT NULL,
    platform TEXT NOT NULL,
    seller_id TEXT,
    seller_name TEXT,
    status TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    listing_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_at BIGINT,
    reason TEXT,
    case_id TEXT REFERENCES cases(id)
);
-- The de-duplication by seller: while a lead is open, the seller's further listings join it.
CREATE UNIQUE INDEX leads_open_seller ON leads(agency_id, seller_key) WHERE status = 'open';
CREATE INDEX leads_queue ON leads(agency_id, status, score);

CREATE TABLE lead_listings (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    platform TEXT NOT NULL,
    listing_id TEXT NOT NULL,
    lead_id TEXT NOT NULL REFERENCES leads(id),
    listing TEXT NOT NULL,
    hits TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    rule_set_version BIGINT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    times_seen BIGINT NOT NULL,
    PRIMARY KEY (agency_id, platform, listing_id)
);
CREATE INDEX lead_listings_lead ON lead_listings(lead_id);

CREATE TABLE lead_identifiers (
    lead_id TEXT NOT NULL REFERENCES leads(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (lead_id, kind, value)
);
CREATE INDEX lead_identifiers_value ON lead_identifiers(agency_id, kind, value);
