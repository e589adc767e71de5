CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    country TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    parent_id TEXT REFERENCES units(id),
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    province_code TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX units_agency ON units(agency_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL,
    language TEXT NOT NULL,
    disabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX tokens_user ON tokens(user_id);

CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL
);

CREATE TABLE province_aliases (
    alias TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    reason TEXT NOT NULL
);

CREATE TABLE ports (
    code TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    neighbour TEXT
);

CREATE TABLE hs_chapters (
    chapter TEXT PRIMARY KEY,
    title_en TEXT NOT NULL
);

CREATE TABLE commodities (
    code TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE reference_data (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checksum TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user_id TEXT,
    actor_unit_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit_log(object_type, object_id);
CREATE INDEX audit_actor ON audit_log(actor_user_id);
