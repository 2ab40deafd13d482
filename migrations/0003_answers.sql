CREATE TABLE "answers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"conversation_id" bigint,
	"user_id" text,
	"question" text NOT NULL,
	"search_query" text NOT NULL,
	"answer_text" text NOT NULL,
	"citations" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"covered" boolean NOT NULL,
	"mode" text NOT NULL,
	"feedback" text,
	"feedback_at" timestamp with time zone,
	"latency_ms" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "answers_user_idx" ON "answers" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "answers_gaps_idx" ON "answers" USING btree ("created_at") WHERE covered = false OR feedback = 'unhelpful';