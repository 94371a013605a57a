import { defineConfig } from 'drizzle-kit';

// `pnpm exec drizzle-kit generate` (from this directory) writes the SQL migrations.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './drizzle',
});
