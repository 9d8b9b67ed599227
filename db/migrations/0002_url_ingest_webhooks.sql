CREATE TABLE "webhook_secrets" (
	"user_id" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "files" ALTER COLUMN "sha256" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ALTER COLUMN "size" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "source_url" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "callback_url" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "callback_status" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "callback_attempts" integer DEFAULT 0 NOT NULL;