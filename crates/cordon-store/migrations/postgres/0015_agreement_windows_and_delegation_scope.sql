-- An agreement may set shorter acknowledgement windows than the priorities' own (minutes; NULL
-- keeps the priority's), and a delegation says which of the head's powers it passes on. Rows
-- written before this migration delegated everything, so that is what they keep.
ALTER TABLE agreements ADD COLUMN ack_urgent_minutes BIGINT;
ALTER TABLE agreements ADD COLUMN ack_high_minutes BIGINT;
ALTER TABLE agreements ADD COLUMN ack_normal_minutes BIGINT;
ALTER TABLE delegations ADD COLUMN scope TEXT NOT NULL DEFAULT 'escalations,pursuit_decisions,handover_decisions';
