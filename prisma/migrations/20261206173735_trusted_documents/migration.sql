-- CreateTable
CREATE TABLE "TrustedClient" (
    "name" TEXT NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TrustedClient_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "TrustedDocument" (
    "clientName" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "operationName" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrustedDocument_pkey" PRIMARY KEY ("clientName","hash")
);

-- AddForeignKey
ALTER TABLE "TrustedDocument" ADD CONSTRAINT "TrustedDocument_clientName_fkey" FOREIGN KEY ("clientName") REFERENCES "TrustedClient"("name") ON DELETE CASCADE ON UPDATE CASCADE;
