-- Report templates an administrator adjusts: per agency, or 'country' for the reports of the
-- whole country (and any agency without its own). sections: the optional sections kept, as
-- comma-separated codes. A template is replaced, never edited in place, so the audit log holds
-- every version.
CREATE TABLE report_templates (
    scope TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    authority TEXT NOT NULL,
    introduction TEXT NOT NULL,
    closing TEXT NOT NULL,
    sections TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    updated_at BIGINT NOT NULL
);

-- Reports generated on a schedule and e-mailed: written with the owner's view of the cases
-- (the sharing rule applies as to the owner), once per completed period. last_period is the
-- last period sent (e.g. 2026-01, 2026-Q1, 2026-H1, 2026); a failed send leaves it, so the
-- next sweep tries again, and records why.
CREATE TABLE report_schedules (
    id TEXT PRIMARY KEY,
    owner_user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    agency_id TEXT,
    unit_id TEXT,
    format TEXT NOT NULL,
    recipients TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_period TEXT,
    last_sent_at BIGINT,
    last_error TEXT
);
