import { defineConfig } from "drizzle-kit";

// Migrations are generated from db/schema.ts (`bun run db:generate`) and committed; the
// service applies them on start with Drizzle's migrator, on PGlite and Postgres alike.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});
