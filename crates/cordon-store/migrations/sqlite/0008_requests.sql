-- Requests between administrations (verification, information, assistance), incoming and
-- outgoing, with their access rows (the sharing rule, as for cases), linked cases and
-- entities, status history, answers and files; and partners' public keys for signed packages.
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    counterpart TEXT NOT NULL,
    counterpart_country TEXT,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    agreement_id TEXT REFERENCES agreements(id),
    their_reference TEXT,
    status TEXT NOT NULL,
    deadline INTEGER NOT NULL,
    deadline_set_by_hand INTEGER NOT NULL,
    opened_at INTEGER,
    answered_at INTEGER,
    closed_at INTEGER,
    owner_unit_id TEXT NOT NULL REFERENCES units(id),
    owner_agency_id TEXT NOT NULL REFERENCES agencies(id),
    tlp TEXT NOT NULL,
    sharing TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX requests_opened ON requests(opened_at);
CREATE INDEX requests_created ON requests(created_at, id);

CREATE TABLE request_access (
    request_id TEXT NOT NULL REFERENCES requests(id),
    principal TEXT NOT NULL,
    PRIMARY KEY (request_id, principal)
);
CREATE INDEX request_access_principal ON request_access(principal, request_id);

CREATE TABLE request_links (
    request_id TEXT NOT NULL REFERENCES requests(id),
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (request_id, target_type, target_id)
);

CREATE TABLE request_events (
    request_id TEXT NOT NULL REFERENCES requests(id),
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_user_id TEXT NOT NULL,
    actor_unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (request_id, seq)
);

CREATE TABLE request_answers (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests(id),
    is_final INTEGER NOT NULL,
    body TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    via TEXT NOT NULL,
    signed_by TEXT
);
CREATE INDEX request_answers_request ON request_answers(request_id, answered_at);

-- answer_id is '' for a file attached to the request itself.
CREATE TABLE request_files (
    request_id TEXT NOT NULL REFERENCES requests(id),
    answer_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    PRIMARY KEY (request_id, answer_id, sha256)
);

CREATE TABLE partner_keys (
    counterpart TEXT NOT NULL,
    public_key TEXT NOT NULL,
    label TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (counterpart, public_key)
);

CREATE TABLE request_counters (
    prefix TEXT PRIMARY KEY,
    next_value INTEGER NOT NULL
);
