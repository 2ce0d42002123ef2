-- Each night `golden run` lists every file its globs match and must know which it has loaded.
-- By content (SHA-256), so a renamed copy is not loaded twice; but hashing the unchanged
-- exports again every night read 1.5 GB on the bench's second night, a core busy for about
-- 15 s beside resolve. A loaded batch now records its file's identity (device, inode, size,
-- modification and change times, in nanoseconds); a file at the same path with the same
-- identity is that batch's file and is not read again. Any write to it, a replacement (even
-- with the old modification time put back) or a move changes its change time, so it is hashed
-- as before. Batches loaded before this migration have none and are hashed once more.

-- migrate:up
ALTER TABLE import_batches ADD COLUMN file_identity text;

-- migrate:down
ALTER TABLE import_batches DROP COLUMN file_identity;
