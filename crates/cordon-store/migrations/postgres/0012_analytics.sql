-- Directives and plans of the Steering Committee (official letters, dispatches, plans such as
-- "Plan 399/KH-BCĐ389"), the tasks they assign to agencies and localities with deadlines, and
-- the progress reported against each task. Recorded by the Standing Office; an agency sees
-- only the directives that give it a task, and only its own tasks and reports.
CREATE TABLE directives (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    issued_on BIGINT NOT NULL,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at BIGINT NOT NULL
);

CREATE TABLE directive_tasks (
    id TEXT PRIMARY KEY,
    directive_id TEXT NOT NULL REFERENCES directives(id),
    seq BIGINT NOT NULL,
    title TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    province_code TEXT REFERENCES provinces(code),
    due_at BIGINT NOT NULL,
    progress_pct BIGINT NOT NULL,
    completed_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (directive_id, seq)
);
CREATE INDEX directive_tasks_agency ON directive_tasks(agency_id, due_at);
CREATE INDEX directive_tasks_due ON directive_tasks(due_at);

CREATE TABLE task_reports (
    task_id TEXT NOT NULL REFERENCES directive_tasks(id),
    seq BIGINT NOT NULL,
    reported_at BIGINT NOT NULL,
    reported_by TEXT NOT NULL REFERENCES users(id),
    progress_pct BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (task_id, seq)
);
