-- Coordination: decisions (pursuit, handover, answer to a handover) with their form and the
-- authority they rest on; handovers of a case to another agency; joint operations with their
-- participants, message channel and linked cases.
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    form TEXT NOT NULL,
    document_ref TEXT,
    decided_by TEXT NOT NULL REFERENCES users(id),
    decided_by_unit TEXT NOT NULL REFERENCES units(id),
    authority TEXT NOT NULL,
    delegation_id TEXT REFERENCES delegations(id),
    for_head TEXT,
    decided_at BIGINT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX decisions_subject ON decisions(subject_type, subject_id, decided_at);

CREATE TABLE handovers (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    case_reference TEXT NOT NULL,
    case_title TEXT NOT NULL,
    from_agency_id TEXT NOT NULL REFERENCES agencies(id),
    from_unit_id TEXT NOT NULL REFERENCES units(id),
    requested_by TEXT NOT NULL REFERENCES users(id),
    to_agency_id TEXT NOT NULL REFERENCES agencies(id),
    to_unit_id TEXT REFERENCES units(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    answered_by TEXT REFERENCES users(id),
    answered_at BIGINT,
    answer_reason TEXT
);
CREATE INDEX handovers_case ON handovers(case_id, requested_at);
CREATE INDEX handovers_to ON handovers(to_agency_id, requested_at);
CREATE INDEX handovers_from ON handovers(from_agency_id, requested_at);
CREATE UNIQUE INDEX handovers_one_open ON handovers(case_id) WHERE status = 'requested';

CREATE TABLE joint_operations (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    organiser_agency_id TEXT NOT NULL REFERENCES agencies(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    commodities TEXT NOT NULL,
    channel_tlp TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE operation_participants (
    operation_id TEXT NOT NULL REFERENCES joint_operations(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (operation_id, agency_id)
);
CREATE INDEX operation_participants_agency ON operation_participants(agency_id, operation_id);

CREATE TABLE operation_messages (
    id TEXT PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES joint_operations(id),
    author_user_id TEXT NOT NULL REFERENCES users(id),
    author_unit_id TEXT NOT NULL REFERENCES units(id),
    author_agency_id TEXT NOT NULL REFERENCES agencies(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX operation_messages_operation ON operation_messages(operation_id, created_at);

CREATE TABLE operation_cases (
    operation_id TEXT NOT NULL REFERENCES joint_operations(id),
    case_id TEXT NOT NULL REFERENCES cases(id),
    linked_by TEXT NOT NULL REFERENCES users(id),
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (operation_id, case_id)
);
