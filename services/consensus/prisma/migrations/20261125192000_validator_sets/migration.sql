-- CreateTable
CREATE TABLE "consensus"."validator_set" (
    "from_height" BIGINT NOT NULL,
    "validators" JSONB NOT NULL,

    CONSTRAINT "validator_set_pkey" PRIMARY KEY ("from_height")
);
