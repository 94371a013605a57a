/**
 * Every port of the core, each with its dependency-injection token beside it. Tokens
 * are registered symbols, so two copies of this package agree on them; adapters bind
 * their implementations to these tokens in an inversify ContainerModule.
 */
import type { JsonObject } from './decision/decision.js';
import type { AppendRequest, LedgerEntry, StoredEntry } from './ledger/entry.js';
import type { RequirementProfile } from './compliance/profile.js';
import type { WorkflowState } from './compliance/workflow.js';
import type { PolicySource } from './policy/policy-engine.js';

// ---------------------------------------------------------------- ledger

/** The head of a tenant's chain: how many entries, and the last one's hash. */
export interface LedgerHead {
  readonly size: number;
  /** Hash of entry `size`, or GENESIS_PREV for an empty chain. */
  readonly hash: string;
}

export interface LedgerReadOptions {
  /** First seq to read (default 1). */
  readonly fromSeq?: number;
  /** Most entries to read (default: all). */
  readonly limit?: number;
}

/** An entry as the storage holds it, unparsed: what `verify` reads. */
export interface RawEntry {
  readonly bytes: string;
  /** Where it is stored, for error messages: `file:line`, a row id. */
  readonly location: string;
}

/**
 * Consecutive stored entries as the storage holds them: each entry's UTF-8 bytes
 * followed by '\n', a byte no entry holds. Verification reads a backend's entries this
 * way when it can (`LedgerPort.readRawBlocks`): a block is digested whole, on another
 * thread if a digester has one, and the thread that reads decodes no entry of it.
 */
export interface RawBlock {
  readonly bytes: Uint8Array;
  /** Entries in the block (its '\n' bytes). */
  readonly count: number;
  /** Where entry `n` (from 0) of the block is stored: what `readRaw` gives as its location. */
  location(n: number): string;
}

/** How `readRawBlocks` cuts a tenant's entries into blocks. */
export interface RawBlockOptions {
  /**
   * A block ends after every multiple of this many entries, counted from the first
   * entry (so that a block of that size is one perfect subtree of the Merkle tree)…
   */
  readonly entries: number;
  /** …or sooner, where the next entry would take it past this many bytes (unless alone). */
  readonly bytes: number;
}

/**
 * What `digestEntries` found in a run of consecutive stored entries, each checked on
 * its own and against the one before it in the run. The first `good` entries have the
 * form `sealEntry` writes, carry their own hash, belong to the tenant, and each has
 * the seq after and links to the hash of the one before it. Whether the run fits the
 * chain before it (`firstSeq`, `firstPrev`) is for `verifyLedger` to check.
 */
export interface ChunkDigest {
  readonly good: number;
  /** Seq of the first entry (when `good` > 0). */
  readonly firstSeq: number;
  /** `prev` of the first entry (when `good` > 0). */
  readonly firstPrev: string;
  /** The good entries' hashes, lowercase hex, concatenated (64 characters each). */
  readonly hashes: string;
  /** Their RFC 9162 leaf hashes, lowercase hex, concatenated. */
  readonly leaves: string;
  /** RFC 9162 root over those leaves alone, hex. */
  readonly root: string;
  /** Indexes (into the run) of the good entries of type `checkpoint`. */
  readonly checkpoints: readonly number[];
  /** Their stored bytes, in the same order (verifyLedger checks the tree they name). */
  readonly checkpointBytes: readonly string[];
  /**
   * The stored bytes of the entry at `good`, the first that did not pass, and of the
   * one after it, as far as the run holds them: verifyLedger checks that entry itself
   * to say what is wrong, so it need not keep a run's entries while it is digested.
   */
  readonly unpassed: readonly string[];
}

/**
 * Digests runs of stored entries for `verifyLedger` (its `digester` option), which
 * reads `chunkSize` entries at a time and keeps a few runs in flight: an
 * implementation may spread them over threads. Each run's answer must be exactly
 * `digestEntries(bytes, tenant)`; verifyLedger keeps only the first two entries and the
 * locations of a run it has sent, and fails (never passes) when an answer stops at an
 * entry that holds.
 */
export interface EntryDigesterPort {
  /** Entries per run: a power of two. */
  readonly chunkSize: number;
  /** Runs `verifyLedger` keeps in flight (at least 1). */
  readonly concurrency: number;
  /**
   * Chains shorter than this (by their recorded head) are verified without the
   * digester: starting threads would cost more than it saves.
   */
  readonly minEntries: number;
  digest(bytes: readonly string[], tenant: string): Promise<ChunkDigest>;
  /**
   * The same for a block of entries (`digestBlock`'s answer). It may take the bytes
   * (e.g. transfer them to a worker): the caller does not use them afterwards. Without
   * it, verifyLedger splits a block into its entries and calls `digest`.
   */
  digestBlock?(bytes: Uint8Array, tenant: string): Promise<ChunkDigest>;
}

/** RFC 9162 tree head of a tenant's entries 1..size; hashes are lowercase hex. */
export interface TreeHead {
  readonly size: number;
  readonly root: string;
}

/** Audit path of entry `seq` in the tree of `size` entries. */
export interface InclusionProof {
  readonly seq: number;
  readonly size: number;
  /** SHA-256(0x00 ‖ entry bytes). */
  readonly leafHash: string;
  readonly path: readonly string[];
  readonly root: string;
}

/** Proof that the tree of `from` entries is a prefix of the tree of `to` entries. */
export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  readonly fromRoot: string;
  readonly toRoot: string;
  readonly path: readonly string[];
}

/**
 * The append-only audit ledger: one hash chain per tenant. `append` is atomic per
 * call (all entries of the batch get consecutive seqs, or none is written) and
 * resolves only once the entries are durable. Nothing ever edits an entry.
 */
export interface LedgerPort {
  append(tenant: string, entries: readonly AppendRequest[]): Promise<readonly LedgerEntry[]>;
  /** Entries in seq order with the exact canonical bytes stored; LEDGER_CORRUPT on bad data. */
  read(tenant: string, options?: LedgerReadOptions): AsyncIterable<StoredEntry>;
  /** What the storage holds, in storage order, unparsed (for verification). */
  readRaw(tenant: string): AsyncIterable<RawEntry>;
  /**
   * Optional: the same entries, with the same locations, in blocks of bytes cut as
   * `options` says; verification (except `deep`) reads these when a backend has them.
   */
  readRawBlocks?(tenant: string, options: RawBlockOptions): AsyncIterable<RawBlock>;
  /**
   * The head as recorded apart from the entries (a head row, a head file), so that
   * cutting entries off the end of the storage is detectable.
   */
  head(tenant: string): Promise<LedgerHead>;
  /** Tree head at `size` (default: the current size). LEDGER_RANGE for a size past the head. */
  treeHead(tenant: string, size?: number): Promise<TreeHead>;
  inclusionProof(tenant: string, seq: number, size?: number): Promise<InclusionProof>;
  consistencyProof(tenant: string, from: number, to?: number): Promise<ConsistencyProof>;
  close(): Promise<void>;
}
export const LEDGER = Symbol.for('govgate.Ledger');

// ---------------------------------------------------------------- policies

/** One immutable saved version of a tenant's document: a policy, a requirement profile. */
export interface DocumentVersion<D> {
  readonly tenant: string;
  readonly id: string;
  readonly version: number;
  /** sha256 of the document's canonical JSON (of the bundle, for a Rego policy version). */
  readonly digest: string;
  readonly document: D;
  readonly createdAt: string;
  readonly createdBy: string;
}

/**
 * What tells one kind of versioned document from another in a store shared by the
 * kinds: the noun its messages use, and the error for a version never saved.
 */
export interface DocumentKind {
  /** `policy`, `profile`. */
  readonly noun: string;
  readonly notFound: 'POLICY_NOT_FOUND' | 'PROFILE_NOT_FOUND';
}

/**
 * One immutable saved version of a policy, for one tenant: `document` is the native
 * policy document, or the source of a Rego policy (`isRegoSource`).
 */
export type PolicyVersionRecord = DocumentVersion<PolicySource>;

/** Names one saved version of a document: a policy, a requirement profile. */
export interface VersionRef {
  readonly id: string;
  readonly version: number;
}

export interface PolicySummary {
  readonly id: string;
  readonly latestVersion: number;
  /** Set when this policy is the tenant's active one. */
  readonly activeVersion?: number;
}

/** How `saveVersion` treats a version that exists already. */
export interface SaveVersionOptions {
  /**
   * Save only a version not stored yet: one stored already, even with the same digest,
   * is a CONFLICT and nothing changes (so of concurrent saves exactly one creates it).
   */
  readonly ifAbsent?: boolean;
}

/**
 * Immutable document versions (`R`) and which one is active, per tenant: what policy
 * and profile stores share. Saving an existing (id, version) with the same digest
 * returns the stored record (a CONFLICT with `ifAbsent`); with another digest it is a
 * CONFLICT: versions never change.
 */
export interface VersionedStore<R> {
  saveVersion(record: R, options?: SaveVersionOptions): Promise<R>;
  getVersion(tenant: string, id: string, version: number): Promise<R | undefined>;
  listVersions(tenant: string, id: string): Promise<readonly R[]>;
  /**
   * Makes (id, version) the tenant's active one; the kind's not-found error if it was
   * never saved. With `expected` (the version the caller saw active, `null` for none) it
   * is a compare-and-set: if another version is active by then, it is a CONFLICT and
   * nothing changes, so of concurrent activations from the same state exactly one
   * succeeds.
   */
  activate(
    tenant: string,
    id: string,
    version: number,
    expected?: VersionRef | null,
  ): Promise<void>;
  /** Leaves the tenant without an active version (a policy's checks then fail closed). */
  deactivate(tenant: string): Promise<void>;
  getActive(tenant: string): Promise<R | undefined>;
}

/** Saved policy versions and which one is active, per tenant (POLICY_NOT_FOUND). */
export interface PolicyStorePort extends VersionedStore<PolicyVersionRecord> {
  listPolicies(tenant: string): Promise<readonly PolicySummary[]>;
}
export const POLICY_STORE = Symbol.for('govgate.PolicyStore');

// ---------------------------------------------------------------- tenants and keys

export interface TenantRecord {
  /** A tenant id (`isTenantId`): lowercase, also safe as a directory name. */
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** Tenants. Creating an existing id is a CONFLICT. */
export interface TenantStorePort {
  create(record: TenantRecord): Promise<TenantRecord>;
  get(id: string): Promise<TenantRecord | undefined>;
  list(): Promise<readonly TenantRecord[]>;
}
export const TENANT_STORE = Symbol.for('govgate.TenantStore');

export type Role = 'admin' | 'client' | 'auditor';

/** Per-key rate limit: `capacity` requests, refilled evenly over `perSeconds`. */
export interface RateLimitSpec {
  readonly capacity: number;
  readonly perSeconds: number;
}

/** A stored API key. The secret itself is never stored, only its hash. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly tenant: string;
  readonly role: Role;
  readonly name: string;
  readonly secretHash: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly lastUsedAt?: string;
  readonly rateLimit?: RateLimitSpec;
  /** After a rotation, the previous secret's hash stays valid until `previousValidUntil`. */
  readonly previousSecretHash?: string;
  readonly previousValidUntil?: string;
  /**
   * May manage tenants and other tenants' keys (the platform operator, as the key made
   * at first start); only admin keys may have it. Absent means false: stores return the
   * property only when it is true.
   */
  readonly platform?: boolean;
}

/**
 * API keys. Every call but `findById` is scoped by tenant; `findById` is how a
 * presented key finds its record (and so its tenant): key ids are globally unique.
 * Changing a key of another tenant is KEY_INVALID, as for a key that does not exist.
 */
export interface KeyStorePort {
  /** CONFLICT if the id exists. */
  create(record: ApiKeyRecord): Promise<void>;
  /** Lookup by key id alone: one indexed read. */
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  list(tenant: string): Promise<readonly ApiKeyRecord[]>;
  /** Replaces the secret hash, keeping the old one valid until `graceUntil`. */
  rotate(tenant: string, id: string, secretHash: string, graceUntil: string): Promise<ApiKeyRecord>;
  /**
   * Marks the key revoked (the record stays); revoking again keeps the first time. With
   * `ifNotRevoked` it is a compare-and-set: a key already revoked is a CONFLICT and
   * nothing changes, so of concurrent revocations exactly one succeeds.
   */
  revoke(
    tenant: string,
    id: string,
    at: string,
    options?: { readonly ifNotRevoked?: boolean },
  ): Promise<ApiKeyRecord>;
  touch(tenant: string, id: string, at: string): Promise<void>;
}
export const KEY_STORE = Symbol.for('govgate.KeyStore');

// ---------------------------------------------------------------- rate limits and usage

export interface RateLimitResult {
  readonly allowed: boolean;
  /** Whole tokens left after this take. */
  readonly remaining: number;
  /** When allowed is false: milliseconds until one token is available. */
  readonly retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
}

/**
 * Token buckets, per tenant and bucket name; `take` is atomic under concurrency (one
 * statement or one transaction) and computes with `takeToken`.
 */
export interface RateLimitStorePort {
  take(
    tenant: string,
    bucket: string,
    spec: RateLimitSpec,
    nowMs: number,
    cost?: number,
  ): Promise<RateLimitResult>;
}
export const RATE_LIMIT_STORE = Symbol.for('govgate.RateLimitStore');

export const USAGE_COUNTERS = [
  'requests',
  'decisions',
  'allowed',
  'denied',
  'rejected',
  'rateLimited',
] as const;
export type UsageCounter = (typeof USAGE_COUNTERS)[number];
export type UsageCounts = { readonly [C in UsageCounter]?: number };

/** Usage of one key on one UTC day. */
export interface UsageRow {
  readonly tenant: string;
  readonly keyId: string;
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly counts: { readonly [C in UsageCounter]: number };
}

export interface UsageQuery {
  readonly keyId?: string;
  /** Inclusive `YYYY-MM-DD` bounds. */
  readonly fromDay?: string;
  readonly toDay?: string;
}

/** Usage counters per tenant, key and day; `add` increments atomically. */
export interface UsageStorePort {
  add(tenant: string, keyId: string, day: string, counts: UsageCounts): Promise<void>;
  /**
   * Rows in (day, keyId) order. REQUEST_INVALID (see `checkUsageQuery`) for a day that
   * is not a calendar date or a `fromDay` after `toDay`.
   */
  list(tenant: string, query?: UsageQuery): Promise<readonly UsageRow[]>;
}
export const USAGE_STORE = Symbol.for('govgate.UsageStore');

// ---------------------------------------------------------------- compliance

/** One evidence entry of a tenant's chain, as the run index knows it. */
export interface EvidenceIndexRow {
  readonly runId: string;
  readonly seq: number;
  readonly type: string;
}

/**
 * Which ledger entries are evidence of which run, so that a run's evidence is found
 * without scanning the chain. Derived from the ledger and rebuildable from it: `add`
 * is idempotent per (tenant, seq), and the watermark says up to which seq the chain
 * has been fully scanned into the index.
 */
export interface EvidenceIndexPort {
  add(tenant: string, rows: readonly EvidenceIndexRow[]): Promise<void>;
  /** Rows in seq order, of one run or of the whole tenant. */
  list(tenant: string, query?: { readonly runId?: string }): Promise<readonly EvidenceIndexRow[]>;
  /** Highest seq up to which the chain was scanned into the index (0: never). */
  watermark(tenant: string): Promise<number>;
  /** Raises the watermark (never lowers it). */
  setWatermark(tenant: string, seq: number): Promise<void>;
}
export const EVIDENCE_INDEX = Symbol.for('govgate.EvidenceIndex');

/** One immutable saved version of a requirement profile, for one tenant. */
export type ProfileVersionRecord = DocumentVersion<RequirementProfile>;

/**
 * Requirement profile versions and which one is active, per tenant; the same contract
 * as PolicyStorePort (activating an unknown version is PROFILE_NOT_FOUND).
 */
export interface ProfileStorePort extends VersionedStore<ProfileVersionRecord> {
  listProfiles(tenant: string): Promise<readonly PolicySummary[]>;
}
export const PROFILE_STORE = Symbol.for('govgate.ProfileStore');

/** An assessment of one regulation for a tenant, moved through WORKFLOW_TRANSITIONS. */
export interface WorkflowRecord {
  readonly tenant: string;
  readonly id: string;
  /** Regulation code of a catalog (`eu-ai-act`). */
  readonly regulation: string;
  readonly title: string;
  readonly state: WorkflowState;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

/**
 * Assessment workflows. The use case checks the state machine; the store's
 * `transition` only compares and sets: it changes the state if it is still `from`,
 * and is a CONFLICT otherwise (a concurrent transition, or an id unknown to the tenant).
 */
export interface WorkflowStorePort {
  /** CONFLICT if the id exists. */
  create(record: WorkflowRecord): Promise<WorkflowRecord>;
  get(tenant: string, id: string): Promise<WorkflowRecord | undefined>;
  /** In creation order. */
  list(
    tenant: string,
    query?: { readonly regulation?: string },
  ): Promise<readonly WorkflowRecord[]>;
  transition(
    tenant: string,
    id: string,
    from: WorkflowState,
    to: WorkflowState,
    at: string,
  ): Promise<WorkflowRecord>;
}
export const WORKFLOW_STORE = Symbol.for('govgate.WorkflowStore');

// ---------------------------------------------------------------- clock and ids

export interface ClockPort {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}
export const CLOCK = Symbol.for('govgate.Clock');

export interface IdPort {
  /** A new unique, URL-safe id, optionally with a prefix (`run_…`). */
  next(prefix?: string): string;
}
export const IDS = Symbol.for('govgate.Ids');

/** Data attached to ledger entries by use cases. */
export type EntryData = JsonObject;
