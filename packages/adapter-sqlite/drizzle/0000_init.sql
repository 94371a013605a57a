CREATE TABLE `active_policies` (
	`tenant` text PRIMARY KEY NOT NULL,
	`policy_id` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant` text NOT NULL,
	`role` text NOT NULL,
	`name` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text,
	`revoked_at` text,
	`last_used_at` text,
	`rate_capacity` integer,
	`rate_per_seconds` real,
	`previous_secret_hash` text,
	`previous_valid_until` text
);
--> statement-breakpoint
CREATE INDEX `api_keys_tenant_idx` ON `api_keys` (`tenant`,`id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`tenant` text NOT NULL,
	`seq` integer NOT NULL,
	`bytes` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`tenant`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `ledger_heads` (
	`tenant` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `policy_versions` (
	`tenant` text NOT NULL,
	`policy_id` text NOT NULL,
	`version` integer NOT NULL,
	`digest` text NOT NULL,
	`document` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	PRIMARY KEY(`tenant`, `policy_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `rate_limit_buckets` (
	`tenant` text NOT NULL,
	`bucket` text NOT NULL,
	`tokens` real NOT NULL,
	`updated_ms` integer NOT NULL,
	PRIMARY KEY(`tenant`, `bucket`)
);
--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage_counters` (
	`tenant` text NOT NULL,
	`key_id` text NOT NULL,
	`day` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`decisions` integer DEFAULT 0 NOT NULL,
	`allowed` integer DEFAULT 0 NOT NULL,
	`denied` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`rate_limited` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`tenant`, `day`, `key_id`)
);
