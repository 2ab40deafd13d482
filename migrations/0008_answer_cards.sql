ALTER TABLE "kb_chunks" ADD COLUMN "card" jsonb;--> statement-breakpoint
ALTER TABLE "kb_documents" ADD COLUMN "cards" jsonb DEFAULT '[]'::jsonb NOT NULL;