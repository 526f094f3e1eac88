-- The lock is kept as rounds plus the locked/valid blocks as bytes, written only when they change
-- (the JSON of the whole block on every vote cost ~200 ms per vote under load).
ALTER TABLE "consensus"."signer_state" DROP COLUMN "lock",
ADD COLUMN "locked_round" INTEGER NOT NULL DEFAULT -1,
ADD COLUMN "valid_round" INTEGER NOT NULL DEFAULT -1,
ADD COLUMN "locked_block" BYTEA,
ADD COLUMN "valid_block" BYTEA;
