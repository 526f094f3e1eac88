-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "emissions";

-- CreateTable
CREATE TABLE "emissions"."emission_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "height" BIGINT NOT NULL,
    "issuance" DECIMAL(78,0) NOT NULL,
    "epoch" INTEGER NOT NULL,
    "epoch_start_height" BIGINT NOT NULL,
    "last_block_time_ms" BIGINT NOT NULL,
    "minted_staking_pot" DECIMAL(78,0) NOT NULL,
    "minted_models_grants" DECIMAL(78,0) NOT NULL,
    "minted_agents_grants" DECIMAL(78,0) NOT NULL,
    "minted_development_fund" DECIMAL(78,0) NOT NULL,
    "root" BYTEA NOT NULL,

    CONSTRAINT "emission_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "emissions"."emission_block" (
    "height" BIGINT NOT NULL,
    "block_hash" BYTEA NOT NULL,
    "root" BYTEA NOT NULL,
    "response" BYTEA NOT NULL,
    "minted" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "emission_block_pkey" PRIMARY KEY ("height")
);

