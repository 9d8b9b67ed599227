/** Loaded before every test file (bunfig.toml): no process a test started outlives the run. */
import { afterAll } from "bun:test";
import { killAllGuarded } from "./process-guard.ts";

afterAll(killAllGuarded);
