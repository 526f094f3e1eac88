-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "consensus";

-- CreateTable
CREATE TABLE "consensus"."chain_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "height" BIGINT NOT NULL,
    "block_hash" BYTEA NOT NULL,
    "app_hash" BYTEA NOT NULL,
    "total_issuance" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "chain_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consensus"."block" (
    "height" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,
    "header" BYTEA NOT NULL,
    "body" BYTEA NOT NULL,
    "justification" BYTEA NOT NULL,
    "time_ms" BIGINT NOT NULL,
    "round" INTEGER NOT NULL,
    "proposer" INTEGER NOT NULL,
    "app_hash" BYTEA NOT NULL,
    "events" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "block_pkey" PRIMARY KEY ("height")
);

-- CreateTable
CREATE TABLE "consensus"."extrinsic_result" (
    "height" BIGINT NOT NULL,
    "index" INTEGER NOT NULL,
    "hash" BYTEA NOT NULL,
    "signer" BYTEA NOT NULL,
    "nonce" BIGINT NOT NULL,
    "call" TEXT NOT NULL,
    "args" JSONB NOT NULL,
    "applied" BOOLEAN NOT NULL,
    "success" BOOLEAN NOT NULL,
    "error_code" TEXT,
    "error_message" TEXT,
    "fee" DECIMAL(78,0) NOT NULL,
    "events" JSONB NOT NULL,

    CONSTRAINT "extrinsic_result_pkey" PRIMARY KEY ("height","index")
);

-- CreateTable
CREATE TABLE "consensus"."account" (
    "id" BYTEA NOT NULL,
    "free" DECIMAL(78,0) NOT NULL,
    "reserved" DECIMAL(78,0) NOT NULL,
    "nonce" BIGINT NOT NULL,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consensus"."signer_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "height" BIGINT NOT NULL,
    "round" INTEGER NOT NULL,
    "step" INTEGER NOT NULL,
    "lock" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "signer_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consensus"."evidence" (
    "id" BYTEA NOT NULL,
    "height" BIGINT NOT NULL,
    "validator" INTEGER NOT NULL,
    "votes" BYTEA NOT NULL,
    "included_in" BIGINT,

    CONSTRAINT "evidence_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "block_hash_key" ON "consensus"."block"("hash");

-- CreateIndex
CREATE INDEX "extrinsic_result_hash_idx" ON "consensus"."extrinsic_result"("hash");

-- CreateIndex
CREATE INDEX "evidence_included_in_idx" ON "consensus"."evidence"("included_in");

