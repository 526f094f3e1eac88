-- The digest of the ExecuteBlockRequest each height was committed for: a replay must send the same request.
-- Empty for heights committed before this migration (those compare the block hash only).
ALTER TABLE "staking"."staking_block" ADD COLUMN "request_digest" BYTEA NOT NULL DEFAULT ''::bytea;
