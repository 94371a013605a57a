CREATE TABLE "active_profiles" (
	"tenant" text PRIMARY KEY NOT NULL,
	"profile_id" text NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_index" (
	"tenant" text NOT NULL,
	"seq" bigint NOT NULL,
	"run_id" text NOT NULL,
	"type" text NOT NULL,
	CONSTRAINT "evidence_index_tenant_seq_pk" PRIMARY KEY("tenant","seq")
);
--> statement-breakpoint
CREATE TABLE "evidence_watermarks" (
	"tenant" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_versions" (
	"tenant" text NOT NULL,
	"id" text NOT NULL,
	"version" integer NOT NULL,
	"digest" text NOT NULL,
	"document" text NOT NULL,
	"created_at" text NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "profile_versions_tenant_id_version_pk" PRIMARY KEY("tenant","id","version")
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"tenant" text NOT NULL,
	"id" text NOT NULL,
	"created_seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workflows_created_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"regulation" text NOT NULL,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"created_at" text NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "workflows_tenant_id_pk" PRIMARY KEY("tenant","id")
);
--> statement-breakpoint
ALTER TABLE "active_profiles" ADD CONSTRAINT "active_profiles_tenant_profile_id_version_profile_versions_tenant_id_version_fk" FOREIGN KEY ("tenant","profile_id","version") REFERENCES "public"."profile_versions"("tenant","id","version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evidence_index_run_idx" ON "evidence_index" USING btree ("tenant","run_id","seq");--> statement-breakpoint
CREATE INDEX "workflows_created_idx" ON "workflows" USING btree ("tenant","created_seq");