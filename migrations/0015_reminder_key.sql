ALTER TABLE "campaigns" ADD COLUMN "reminder_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_reminder_key_idx" ON "campaigns" USING btree ("reminder_key");