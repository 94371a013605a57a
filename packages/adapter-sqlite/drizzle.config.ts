import { defineConfig } from 'drizzle-kit';

// `pnpm exec drizzle-kit generate` (from this directory) writes migrations to drizzle/.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema.ts',
  out: './drizzle',
});
