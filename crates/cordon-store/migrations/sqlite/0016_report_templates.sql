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
    updated_at INTEGER NOT NULL
);
