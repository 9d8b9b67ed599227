ALTER TABLE "api_keys" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_secrets" ADD COLUMN "previous_secret" text;--> statement-breakpoint
ALTER TABLE "webhook_secrets" ADD COLUMN "previous_until" timestamp with time zone;