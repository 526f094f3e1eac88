-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "staking";

-- CreateTable
CREATE TABLE "staking"."staking_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "height" BIGINT NOT NULL,
    "era" INTEGER NOT NULL,
    "state" BYTEA NOT NULL,
    "root" BYTEA NOT NULL,

    CONSTRAINT "staking_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staking"."staking_block" (
    "height" BIGINT NOT NULL,
    "block_hash" BYTEA NOT NULL,
    "root" BYTEA NOT NULL,
    "response" BYTEA NOT NULL,
    "era" INTEGER NOT NULL,

    CONSTRAINT "staking_block_pkey" PRIMARY KEY ("height")
);
