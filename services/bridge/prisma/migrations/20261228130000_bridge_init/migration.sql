-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "bridge";

-- CreateTable
CREATE TABLE "bridge"."bridge_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "height" BIGINT NOT NULL,
    "escrow" TEXT NOT NULL,
    "state" BYTEA NOT NULL,
    "root" BYTEA NOT NULL,

    CONSTRAINT "bridge_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bridge"."bridge_block" (
    "height" BIGINT NOT NULL,
    "block_hash" BYTEA NOT NULL,
    "request_digest" BYTEA NOT NULL,
    "root" BYTEA NOT NULL,
    "response" BYTEA NOT NULL,

    CONSTRAINT "bridge_block_pkey" PRIMARY KEY ("height")
);
