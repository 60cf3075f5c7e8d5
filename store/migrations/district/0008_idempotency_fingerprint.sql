-- The request an Idempotency-Key was first sent with (issue 15, defect 5):
-- the event claimed (the member is part of the key). A claim on another
-- event under the same key is refused with IDEMPOTENCY_KEY_REUSED. Keys
-- stored before this have none and replay as before.
ALTER TABLE idempotency_keys ADD COLUMN event_id INTEGER;
