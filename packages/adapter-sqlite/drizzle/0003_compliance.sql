CREATE TABLE `active_profiles` (
	`tenant` text PRIMARY KEY NOT NULL,
	`profile_id` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `evidence_index` (
	`tenant` text NOT NULL,
	`seq` integer NOT NULL,
	`run_id` text NOT NULL,
	`type` text NOT NULL,
	PRIMARY KEY(`tenant`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `evidence_index_run_idx` ON `evidence_index` (`tenant`,`run_id`,`seq`);--> statement-breakpoint
CREATE TABLE `evidence_watermarks` (
	`tenant` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `profile_versions` (
	`tenant` text NOT NULL,
	`profile_id` text NOT NULL,
	`version` integer NOT NULL,
	`digest` text NOT NULL,
	`document` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	PRIMARY KEY(`tenant`, `profile_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `workflows` (
	`tenant` text NOT NULL,
	`id` text NOT NULL,
	`created_seq` integer NOT NULL,
	`regulation` text NOT NULL,
	`title` text NOT NULL,
	`state` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant`, `id`)
);
--> statement-breakpoint
CREATE INDEX `workflows_created_idx` ON `workflows` (`tenant`,`created_seq`);