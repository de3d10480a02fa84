-- 008_server_tokens: what `warehouse serve` keeps beside the data.
--
-- (Numbered 008, not 007: migrations are applied in the order of their
-- numbers, and a gap is allowed.)
--
-- The tokens that may call it: one row per token, by the name given to it, with
-- its scope (`ingest`: POST /ingest and nothing else; `read`: reports and the
-- dashboard) and the SHA-256 of the token (hex). The token itself is printed
-- once by `warehouse auth add-token` and never stored.
CREATE TABLE server_tokens (
    name         TEXT PRIMARY KEY,
    scope        TEXT NOT NULL CHECK (scope IN ('ingest', 'read')),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL
);

-- The respond.io webhook events taken: by `event_id` when the event has one,
-- and by the SHA-256 of its body always, so that a redelivered event (the same
-- id, or the same content) changes nothing. Written in the same transaction as
-- the event's record. (The webhook's signing key is in `settings`, key
-- `webhook_signing_key`: it is needed in the clear to check signatures.)
CREATE TABLE webhook_events (
    event_key   TEXT PRIMARY KEY,      -- 'id:' || event_id, or 'sha256:' || the body's SHA-256
    event_type  TEXT NOT NULL,
    load_id     INTEGER REFERENCES load_log(load_id),
    received_at TEXT NOT NULL
);

-- Webhook events of the types the warehouse does not store (answered 202), counted.
CREATE TABLE webhook_other_events (
    event_type       TEXT PRIMARY KEY,
    received         INTEGER NOT NULL,
    last_received_at TEXT NOT NULL
);
