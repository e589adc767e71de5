-- Notices between units, their recipients (one row per unit, with its acknowledgement and
-- escalation), and heads' delegations to deputies.
CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    case_id TEXT REFERENCES cases(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    from_user_id TEXT NOT NULL REFERENCES users(id),
    from_unit_id TEXT NOT NULL REFERENCES units(id),
    from_agency_id TEXT NOT NULL REFERENCES agencies(id),
    created_at INTEGER NOT NULL,
    ack_deadline INTEGER NOT NULL
);
CREATE INDEX notices_from_unit ON notices(from_unit_id, created_at);

CREATE TABLE notice_recipients (
    notice_id TEXT NOT NULL REFERENCES notices(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    ack_by TEXT,
    ack_at INTEGER,
    escalated_at INTEGER,
    escalated_to TEXT,
    escalation_note TEXT,
    action_taken TEXT,
    result TEXT,
    PRIMARY KEY (notice_id, unit_id)
);
CREATE INDEX notice_recipients_unit ON notice_recipients(unit_id, status);
CREATE INDEX notice_recipients_open ON notice_recipients(status, notice_id);
CREATE INDEX notice_recipients_escalated_to ON notice_recipients(escalated_to);

CREATE TABLE delegations (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    from_user_id TEXT NOT NULL REFERENCES users(id),
    to_user_id TEXT NOT NULL REFERENCES users(id),
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX delegations_from ON delegations(from_user_id, ends_at);
