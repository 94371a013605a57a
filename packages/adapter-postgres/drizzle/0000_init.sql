CREATE TABLE "active_policies" (
	"tenant" text PRIMARY KEY NOT NULL,
	"policy_id" text NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"role" text NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" text NOT NULL,
	"expires_at" text,
	"revoked_at" text,
	"last_used_at" text,
	"rate_limit_capacity" integer,
	"rate_limit_per_seconds" integer,
	"previous_secret_hash" text,
	"previous_valid_until" text
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"tenant" text NOT NULL,
	"seq" bigint NOT NULL,
	"bytes" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "ledger_entries_tenant_seq_pk" PRIMARY KEY("tenant","seq")
);
--> statement-breakpoint
CREATE TABLE "ledger_heads" (
	"tenant" text PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"tenant" text NOT NULL,
	"id" text NOT NULL,
	"version" integer NOT NULL,
	"digest" text NOT NULL,
	"document" text NOT NULL,
	"created_at" text NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "policy_versions_tenant_id_version_pk" PRIMARY KEY("tenant","id","version")
);
--> statement-breakpoint
CREATE TABLE "rate_limit_buckets" (
	"tenant" text NOT NULL,
	"bucket" text NOT NULL,
	"tokens" double precision NOT NULL,
	"updated_ms" bigint NOT NULL,
	CONSTRAINT "rate_limit_buckets_tenant_bucket_pk" PRIMARY KEY("tenant","bucket")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_counters" (
	"tenant" text NOT NULL,
	"key_id" text NOT NULL,
	"day" date NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"decisions" bigint DEFAULT 0 NOT NULL,
	"allowed" bigint DEFAULT 0 NOT NULL,
	"denied" bigint DEFAULT 0 NOT NULL,
	"rejected" bigint DEFAULT 0 NOT NULL,
	"rate_limited" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_counters_tenant_day_key_id_pk" PRIMARY KEY("tenant","day","key_id")
);
--> statement-breakpoint
ALTER TABLE "active_policies" ADD CONSTRAINT "active_policies_tenant_policy_id_version_policy_versions_tenant_id_version_fk" FOREIGN KEY ("tenant","policy_id","version") REFERENCES "public"."policy_versions"("tenant","id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_tenant_idx" ON "api_keys" USING btree ("tenant");