-- A token belongs to an account: it never grants more than its owner's current role allows, and stops
-- working while its owner is disabled. Tokens made before owners existed go to the account that made
-- them; those made from the command line or by another token go to the first admin (the oldest); with no
-- admin account at all, to nobody (only their scopes limit them, like the command line itself).
ALTER TABLE api_tokens ADD COLUMN owner_id INTEGER REFERENCES accounts (id);
UPDATE api_tokens SET owner_id = COALESCE(
    (SELECT id FROM accounts WHERE username = api_tokens.created_by),
    (SELECT min(id) FROM accounts WHERE role = 'admin')
);
