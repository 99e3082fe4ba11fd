-- SMS one-time codes as a second factor beside TOTP (issue 14). A user's MFA is one method at a time: `totp` or `sms`, with the
-- phone the codes go to (encrypted, as every personal field). A user has at most one live code, for one purpose (enrolling a
-- phone, signing in, confirming a change); it is encrypted, lives five minutes and is claimed once. The row also keeps how many
-- codes were sent in the current window, which limits how often a code can be asked for.
ALTER TABLE users ADD COLUMN mfa_method TEXT NULL;
ALTER TABLE users ADD COLUMN mfa_phone TEXT NULL;
UPDATE users SET mfa_method = 'totp' WHERE mfa_enabled;
CREATE TABLE mfa_sms_codes (
    user_id uuid PRIMARY KEY REFERENCES users(id),
    purpose TEXT NOT NULL,
    phone TEXT NOT NULL,
    code TEXT NOT NULL,
    expires_at timestamptz NOT NULL,
    sent_at timestamptz NOT NULL,
    window_start timestamptz NOT NULL,
    sends integer NOT NULL
);
