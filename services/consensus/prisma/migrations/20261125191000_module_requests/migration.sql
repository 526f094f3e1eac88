-- CreateTable
CREATE TABLE "consensus"."module_request" (
    "height" BIGINT NOT NULL,
    "module" TEXT NOT NULL,
    "request" JSONB NOT NULL,

    CONSTRAINT "module_request_pkey" PRIMARY KEY ("height","module")
);
