ALTER TABLE "jobs" ADD COLUMN "ocr_pages" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "ocr_pages_done" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "ocr_confidence" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "ocr_ms" integer;