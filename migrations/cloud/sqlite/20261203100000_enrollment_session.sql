-- An enrollment code belongs to the sign-in (session) that made it: when that session ends
-- (sign-out, password change, device removal, refresh-token reuse) its unused codes end with
-- it, and completing a code checks that its maker is still signed in. Codes made before this
-- column existed have none, and are refused.
ALTER TABLE enrollments ADD COLUMN created_session TEXT;
CREATE INDEX enrollments_by_session ON enrollments (created_session);
