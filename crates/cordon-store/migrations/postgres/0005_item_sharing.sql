-- A party link or an evidence file may be shared more narrowly than its case: its own
-- label, distribution and handling as JSON ({"tlp", "distribution", "handling"}); NULL
-- means "as the case".
ALTER TABLE case_parties ADD COLUMN sharing TEXT;
ALTER TABLE evidence ADD COLUMN sharing TEXT;

-- An agency that sees "a person, held by agency X" asks X to disclose the case's personal
-- parties; X's unit head or deputy grants or refuses. A grant discloses that case only.
CREATE TABLE access_requests (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    owner_agency_id TEXT NOT NULL REFERENCES agencies(id),
    requester_user_id TEXT NOT NULL REFERENCES users(id),
    requester_unit_id TEXT NOT NULL REFERENCES units(id),
    requester_agency_id TEXT NOT NULL REFERENCES agencies(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    decision_reason TEXT
);
CREATE INDEX access_requests_owner ON access_requests(owner_agency_id, status, created_at);
CREATE INDEX access_requests_requester ON access_requests(requester_agency_id, created_at);
CREATE INDEX access_requests_case ON access_requests(case_id, requester_agency_id, status);
