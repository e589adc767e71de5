-- Delivery of notices: contact details for the channels, duty rosters, who each notice was
-- routed to and why, and the transactional outbox (one job per channel and person, written in
-- the notice's own transaction) with every attempt.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;

CREATE TABLE duty_shifts (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX duty_shifts_unit ON duty_shifts(unit_id, ends_at);

CREATE TABLE notice_routes (
    notice_id TEXT NOT NULL REFERENCES notices(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    event TEXT NOT NULL,
    user_ids TEXT NOT NULL,
    note TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (notice_id, unit_id, event)
);

CREATE TABLE delivery_jobs (
    id TEXT PRIMARY KEY,
    notice_id TEXT NOT NULL REFERENCES notices(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    event TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    channel TEXT NOT NULL,
    address TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    last_error TEXT,
    UNIQUE (notice_id, event, unit_id, user_id, channel)
);
CREATE INDEX delivery_jobs_due ON delivery_jobs(channel, status, next_attempt_at);
CREATE INDEX delivery_jobs_notice ON delivery_jobs(notice_id);

CREATE TABLE delivery_attempts (
    job_id TEXT NOT NULL REFERENCES delivery_jobs(id),
    attempt INTEGER NOT NULL,
    instance TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    status TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (job_id, attempt)
);
