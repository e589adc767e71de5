-- Tips from the public and hotline calls. The reporter's tracking code is kept only as a hash;
-- the reporter's identity sits beside the tip and is shown by the app to the intake unit alone
-- unless the reporter consented to it travelling with the tip.
CREATE TABLE tips (
    id TEXT PRIMARY KEY,
    tracking_hash TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    body TEXT NOT NULL,
    province_code TEXT REFERENCES provinces(code),
    place TEXT,
    violation_type TEXT,
    commodity TEXT,
    ecommerce BIGINT NOT NULL,
    reporter_name TEXT,
    reporter_contact TEXT,
    reporter_consent BIGINT NOT NULL,
    intake_unit_id TEXT NOT NULL REFERENCES units(id),
    assigned_unit_id TEXT REFERENCES units(id),
    case_id TEXT REFERENCES cases(id),
    duplicate_of TEXT REFERENCES tips(id),
    source_ref TEXT UNIQUE,
    created_by TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tips_intake ON tips(intake_unit_id, status, created_at);
CREATE INDEX tips_assigned ON tips(assigned_unit_id, status, created_at);

CREATE TABLE tip_messages (
    tip_id TEXT NOT NULL REFERENCES tips(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    from_reporter BIGINT NOT NULL,
    author_user_id TEXT REFERENCES users(id),
    body TEXT NOT NULL,
    PRIMARY KEY (tip_id, seq)
);

CREATE TABLE tip_attachments (
    tip_id TEXT NOT NULL REFERENCES tips(id),
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (tip_id, sha256)
);

CREATE TABLE tip_events (
    tip_id TEXT NOT NULL REFERENCES tips(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (tip_id, seq)
);
