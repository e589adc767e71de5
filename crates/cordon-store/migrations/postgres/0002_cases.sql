CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    external_ref TEXT UNIQUE,
    version BIGINT NOT NULL,
    case_type TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    detected_at BIGINT NOT NULL,
    seized_at BIGINT,
    reported_at BIGINT NOT NULL,
    province_code TEXT REFERENCES provinces(code),
    port_code TEXT REFERENCES ports(code),
    route TEXT,
    place_type TEXT,
    in_customs_area BIGINT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    owner_unit_id TEXT NOT NULL REFERENCES units(id),
    owner_agency_id TEXT NOT NULL REFERENCES agencies(id),
    lead_agency_id TEXT NOT NULL REFERENCES agencies(id),
    lead_basis TEXT,
    detection_method TEXT,
    concealment TEXT,
    transport_mode TEXT,
    plate TEXT,
    vessel TEXT,
    flight TEXT,
    container TEXT,
    waybill TEXT,
    fine_vnd BIGINT,
    goods_confiscated BIGINT NOT NULL,
    goods_destroyed BIGINT NOT NULL,
    tlp TEXT NOT NULL,
    distribution TEXT NOT NULL,
    handling TEXT NOT NULL,
    total_value_vnd BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_detected ON cases(detected_at);
CREATE INDEX cases_province ON cases(province_code);
CREATE INDEX cases_updated ON cases(updated_at, id);

CREATE TABLE case_access (
    case_id TEXT NOT NULL REFERENCES cases(id),
    principal TEXT NOT NULL,
    PRIMARY KEY (case_id, principal)
);
CREATE INDEX case_access_principal ON case_access(principal, case_id);

CREATE TABLE goods_lines (
    case_id TEXT NOT NULL REFERENCES cases(id),
    line_no BIGINT NOT NULL,
    description TEXT NOT NULL,
    hs_code TEXT,
    category TEXT REFERENCES commodities(code),
    brand TEXT,
    quantity DOUBLE PRECISION,
    unit TEXT,
    weight_kg DOUBLE PRECISION,
    value_vnd BIGINT,
    PRIMARY KEY (case_id, line_no)
);

CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    identifiers TEXT NOT NULL,
    folded_name TEXT NOT NULL,
    created_by_agency TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE case_parties (
    case_id TEXT NOT NULL REFERENCES cases(id),
    entity_id TEXT NOT NULL REFERENCES entities(id),
    role TEXT NOT NULL,
    seq BIGINT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (case_id, entity_id, role)
);
CREATE INDEX case_parties_entity ON case_parties(entity_id);

CREATE TABLE case_events (
    case_id TEXT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_user_id TEXT NOT NULL,
    actor_unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    agency_a TEXT NOT NULL REFERENCES agencies(id),
    agency_b TEXT NOT NULL REFERENCES agencies(id),
    case_types TEXT NOT NULL,
    disclose_personal BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE sharing_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_agency_id TEXT NOT NULL REFERENCES agencies(id),
    created_at BIGINT NOT NULL
);

CREATE TABLE sharing_group_members (
    group_id TEXT NOT NULL REFERENCES sharing_groups(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    PRIMARY KEY (group_id, agency_id)
);
CREATE INDEX sharing_group_members_agency ON sharing_group_members(agency_id);

CREATE TABLE case_counters (
    prefix TEXT PRIMARY KEY,
    next_value BIGINT NOT NULL
);
