CREATE TABLE "kb_chunks" (
	"hash" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"ord" integer NOT NULL,
	"heading_path" jsonb NOT NULL,
	"text" text NOT NULL,
	"tokens" text NOT NULL,
	"tsv" "tsvector" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kb_documents" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"kind" text NOT NULL,
	"programme" text,
	"source" text NOT NULL,
	"source_date" text,
	"status" text NOT NULL,
	"window_opens" text,
	"window_closes" text,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"path" text NOT NULL,
	"body" text NOT NULL,
	"hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kb_embeddings" (
	"chunk_hash" text NOT NULL,
	"model" text NOT NULL,
	"embedding" vector NOT NULL,
	CONSTRAINT "kb_embeddings_chunk_hash_model_pk" PRIMARY KEY("chunk_hash","model")
);
--> statement-breakpoint
CREATE TABLE "kb_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kb_terms" (
	"term" text PRIMARY KEY NOT NULL,
	"df" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kb_chunks" ADD CONSTRAINT "kb_chunks_document_id_kb_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."kb_documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kb_embeddings" ADD CONSTRAINT "kb_embeddings_chunk_hash_kb_chunks_hash_fk" FOREIGN KEY ("chunk_hash") REFERENCES "public"."kb_chunks"("hash") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "kb_chunks_document_idx" ON "kb_chunks" USING btree ("document_id","ord");--> statement-breakpoint
CREATE INDEX "kb_chunks_tsv_idx" ON "kb_chunks" USING gin ("tsv");