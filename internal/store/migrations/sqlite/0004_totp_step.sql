-- The last TOTP time step a user has used: a code is accepted only for a
-- later step, so a code seen over someone's shoulder cannot be replayed
-- within its validity window.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
