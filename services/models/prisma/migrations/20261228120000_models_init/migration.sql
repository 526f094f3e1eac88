-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "models";

-- CreateTable
CREATE TABLE "models"."models_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "height" BIGINT NOT NULL,
    "era" INTEGER NOT NULL,
    "state" BYTEA NOT NULL,
    "root" BYTEA NOT NULL,

    CONSTRAINT "models_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "models"."models_block" (
    "height" BIGINT NOT NULL,
    "block_hash" BYTEA NOT NULL,
    "request_digest" BYTEA NOT NULL,
    "root" BYTEA NOT NULL,
    "response" BYTEA NOT NULL,

    CONSTRAINT "models_block_pkey" PRIMARY KEY ("height")
);
