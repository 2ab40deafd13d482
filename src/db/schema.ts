import { sql } from 'drizzle-orm'
import { bigint, bigserial, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import pgvector from 'pgvector'
import type { AnswerCard } from '../knowledge/frontmatter.js'

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()

/** A LINE user who has talked to the bot (1:1 or inside a group). */
export const users = pgTable('users', {
  id: text('id').primaryKey(), // LINE userId
  status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
  followedAt: timestamp('followed_at', { withTimezone: true }),
  unfollowedAt: timestamp('unfollowed_at', { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/** One chat: a 1:1 chat with a user, a group or a room. `state` holds feature state (assessment, handoff…). */
export const conversations = pgTable(
  'conversations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    chatType: text('chat_type', { enum: ['user', 'group', 'room'] }).notNull(),
    chatId: text('chat_id').notNull(),
    userId: text('user_id'), // the user of a 1:1 chat
    state: jsonb('state').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('conversations_chat_uq').on(t.chatType, t.chatId)],
)

/** Every inbound and outbound message, for handoff context and PMO statistics. */
export const messages = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: text('user_id'),
    direction: text('direction', { enum: ['in', 'out'] }).notNull(),
    /** text | sticker | image | postback | flex | follow | … — what the message was. */
    kind: text('kind').notNull(),
    text: text('text'),
    payload: jsonb('payload').$type<unknown>(),
    /** Inbound: the webhook event it came from (unique, so a retried event is stored once). */
    webhookEventId: text('webhook_event_id'),
    outboxId: bigint('outbox_id', { mode: 'number' }),
    /** Outbound messages a consultant wrote (null: the bot). */
    staffId: uuid('staff_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('messages_conversation_idx').on(t.conversationId, t.id),
    index('messages_user_idx').on(t.userId),
    uniqueIndex('messages_inbound_event_uq').on(t.webhookEventId, t.kind),
  ],
)

/**
 * Every accepted webhook event, written before the 200 is sent. The primary key makes a redelivered
 * event a no-op; `status` + `lockedUntil` let several workers share the queue and recover after a crash.
 */
export const inbox = pgTable(
  'inbox',
  {
    webhookEventId: text('webhook_event_id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    /** Events with the same key (the chat) are handled strictly in order. */
    orderKey: text('order_key').notNull(),
    eventType: text('event_type').notNull(),
    eventTimestamp: bigint('event_timestamp', { mode: 'number' }).notNull(),
    userId: text('user_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'processing', 'done', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    index('inbox_open_idx').on(t.orderKey, t.eventTimestamp, t.seq).where(sql`status in ('pending','processing')`),
    // Claims walk open events oldest first and stop after a few; without it each claim sorted the
    // whole backlog (55 ms per claim at 20,000 open events on PGlite).
    index('inbox_open_order_idx').on(t.eventTimestamp, t.seq).where(sql`status in ('pending','processing')`),
    index('inbox_user_idx').on(t.userId),
  ],
)

/**
 * Replies waiting to be delivered. Written in the same transaction that marks the inbox event done,
 * so a crash between handling and sending neither loses nor repeats a reply.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    webhookEventId: text('webhook_event_id'),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id, { onDelete: 'cascade' }),
    /** Push target: a userId, groupId or roomId. */
    to: text('to').notNull(),
    replyToken: text('reply_token'),
    messages: jsonb('messages').$type<unknown[]>().notNull(),
    /** Sent as X-Line-Retry-Key so LINE delivers a retried push once. */
    retryKey: uuid('retry_key').notNull(),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    /** The instance sending it, so that instance can take it up again at once after a restart. */
    lockedBy: text('locked_by'),
    sentVia: text('sent_via', { enum: ['reply', 'push'] }),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('outbox_due_idx').on(t.nextAttemptAt).where(sql`status in ('pending','sending')`)],
)

// ---- Knowledge base -------------------------------------------------------------------------

/** pgvector column without a fixed dimension: each embedding model has its own size and index. */
const vectorAny = customType<{ data: number[]; driverData: string }>({
  dataType: () => 'vector',
  toDriver: (v) => pgvector.toSql(v) as string,
  fromDriver: (v) => pgvector.fromSql(v) as number[],
})
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/** One knowledge document (a Markdown file in knowledge/ or one published from the PMO console). */
export const kbDocuments = pgTable('kb_documents', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  kind: text('kind').notNull(),
  programme: text('programme'),
  source: text('source').notNull(),
  sourceDate: text('source_date'),
  status: text('status').notNull(),
  windowOpens: text('window_opens'),
  windowCloses: text('window_closes'),
  tags: jsonb('tags').$type<string[]>().notNull().default([]),
  /** Answer cards of the document's sections (front-matter `cards`). */
  cards: jsonb('cards').$type<AnswerCard[]>().notNull().default([]),
  path: text('path').notNull(),
  body: text('body').notNull(),
  hash: text('hash').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
})

/** A retrievable piece of a document; `hash` covers its content and context, so unchanged chunks keep their embeddings. */
export const kbChunks = pgTable(
  'kb_chunks',
  {
    hash: text('hash').primaryKey(),
    documentId: text('document_id')
      .notNull()
      .references(() => kbDocuments.id, { onDelete: 'cascade' }),
    ord: integer('ord').notNull(),
    headingPath: jsonb('heading_path').$type<string[]>().notNull(),
    text: text('text').notNull(),
    /** Word-segmented tokens (Intl.Segmenter words + CJK bigrams), space-separated. */
    tokens: text('tokens').notNull(),
    tsv: tsvector('tsv').notNull(),
    /** The answer card of the section this chunk belongs to, if it has one. */
    card: jsonb('card').$type<AnswerCard>(),
  },
  (t) => [index('kb_chunks_document_idx').on(t.documentId, t.ord), index('kb_chunks_tsv_idx').using('gin', t.tsv)],
)

/** Embeddings per model: vectors of different models are never compared. */
export const kbEmbeddings = pgTable(
  'kb_embeddings',
  {
    chunkHash: text('chunk_hash')
      .notNull()
      .references(() => kbChunks.hash, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    embedding: vectorAny('embedding').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chunkHash, t.model] })],
)

/** Document frequency of each search token, for BM25 weighting of lexical matches. */
export const kbTerms = pgTable('kb_terms', {
  term: text('term').primaryKey(),
  df: integer('df').notNull(),
})

export const kbMeta = pgTable('kb_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

// ---- Answers ---------------------------------------------------------------------------------

/** Every answered (or declined) question: the transcript for consultants, feedback and gaps for the PMO. */
export const answers = pgTable(
  'answers',
  {
    id: uuid('id').primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id, { onDelete: 'cascade' }),
    userId: text('user_id'),
    question: text('question').notNull(),
    /** The question as searched, after follow-up resolution. */
    searchQuery: text('search_query').notNull(),
    answerText: text('answer_text').notNull(),
    citations: jsonb('citations').$type<unknown[]>().notNull().default([]),
    /** false: the knowledge base did not cover the question (shown to PMO staff as a gap). */
    covered: boolean('covered').notNull(),
    mode: text('mode', { enum: ['extractive', 'generative'] }).notNull(),
    feedback: text('feedback', { enum: ['helpful', 'unhelpful'] }),
    feedbackAt: timestamp('feedback_at', { withTimezone: true }),
    latencyMs: integer('latency_ms'),
    createdAt: createdAt(),
  },
  (t) => [index('answers_user_idx').on(t.userId), index('answers_gaps_idx').on(t.createdAt).where(sql`covered = false OR feedback = 'unhelpful'`)],
)

// ---- Assessments -----------------------------------------------------------------------------

/**
 * Digital-level quick assessments, one row per attempt. An open one (in_progress, at most one per user)
 * is resumed from here after any pause or restart; completed ones are kept for the retake comparison
 * (the programmes' "+1 level" measure); abandoned ones end as expired.
 */
export const assessments = pgTable(
  'assessments',
  {
    id: uuid('id').primaryKey(),
    /**
     * The LINE userId; after 刪除我的資料 an anonymous `deleted:<uuid>` (one per deleted user, so the
     * PMO's level statistics keep counting the firm, and its retakes, without knowing who it was).
     */
    userId: text('user_id').notNull(),
    /** Version of knowledge/assessment/quick-assessment.yaml it was asked with. */
    version: text('version').notNull(),
    status: text('status', { enum: ['in_progress', 'completed', 'cancelled', 'expired'] }).notNull().default('in_progress'),
    /** Index of the current question. */
    position: integer('position').notNull().default(0),
    answers: jsonb('answers').$type<Record<string, unknown>>().notNull().default({}),
    /** Scores, recommendations and eligibility as shown to the user (completed only). */
    result: jsonb('result').$type<unknown>(),
    overallLevel: integer('overall_level'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** Last answer; an open assessment untouched for too long expires. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('assessments_user_idx').on(t.userId, t.status, t.completedAt),
    uniqueIndex('assessments_one_open_uq').on(t.userId).where(sql`status = 'in_progress'`),
  ],
)

// ---- Staff (consultants and PMO) --------------------------------------------------------------

/** A console account: a consultant (業師/顧問) or PMO staff. Passwords are scrypt hashes, never plain. */
export const staff = pgTable('staff', {
  id: uuid('id').primaryKey(),
  /** Login name, stored lower-case. */
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['consultant', 'pmo'] }).notNull(),
  passwordHash: text('password_hash').notNull(),
  /** For assignment rules: the regions and industries this consultant covers (empty = any). */
  regions: jsonb('regions').$type<string[]>().notNull().default([]),
  industries: jsonb('industries').$type<string[]>().notNull().default([]),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
})

/** A signed-in browser. Only the SHA-256 of the cookie's token is stored, so a leaked table opens no session. */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id, { onDelete: 'cascade' }),
    /** Synchronizer token every form of this session must echo. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('staff_sessions_staff_idx').on(t.staffId)],
)

/**
 * Failed sign-ins and setup attempts, by account ("user:amy") and by address ("ip:…"): repeated
 * failures make the next try wait (see src/console/throttle.ts). Rows older than a day are pruned.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('login_failures_key_idx').on(t.key, t.at)],
)

/** Every console action, who did it and when. Never updated or deleted by the app. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    staffId: uuid('staff_id'),
    /** e.g. login, logout, case.reply, case.resolve, kb.publish */
    action: text('action').notNull(),
    /** What it acted on: "case:12", "doc:siir-2026", "staff:alice". */
    target: text('target'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_target_idx').on(t.target, t.at)],
)

// ---- Handoff cases ---------------------------------------------------------------------------

/**
 * A request for a human consultant. At most one active (intake or open) case per conversation; while
 * it is open the bot stays silent in that chat and the user's messages go to the case thread.
 */
export const cases = pgTable(
  'cases',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** intake: the bot is still asking for details; open: waiting for / talking with a consultant. */
    status: text('status', { enum: ['intake', 'open', 'resolved'] }).notNull().default('intake'),
    /** What started it: asked | unanswered | unhappy | assessment. */
    reason: text('reason').notNull(),
    assessmentId: uuid('assessment_id'),
    /** Company, contact time and question as the user gave them (each may be skipped). */
    intake: jsonb('intake').$type<Record<string, string | null>>().notNull().default({}),
    summary: text('summary'),
    /** Digest of the facts `summary` was written from; a summary of older facts is written again. */
    summaryFacts: text('summary_facts'),
    assigneeId: uuid('assignee_id').references(() => staff.id, { onDelete: 'set null' }),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    /** When the case is due a first reply (office-hours aware). */
    dueAt: timestamp('due_at', { withTimezone: true }),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    lastUserMessageAt: timestamp('last_user_message_at', { withTimezone: true }),
    lastStaffMessageAt: timestamp('last_staff_message_at', { withTimezone: true }),
    notifiedAt: timestamp('notified_at', { withTimezone: true }),
    overdueNotifiedAt: timestamp('overdue_notified_at', { withTimezone: true }),
    /** The user's rich menu shows 結束真人服務 for this case (set after LINE accepted the switch). */
    menuLinked: boolean('menu_linked').notNull().default(false),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolvedBy: text('resolved_by'),
    satisfaction: integer('satisfaction'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('cases_one_active_uq').on(t.conversationId).where(sql`status in ('intake','open')`),
    index('cases_status_idx').on(t.status, t.assigneeId),
    index('cases_user_idx').on(t.userId),
  ],
)

/** Internal notes on a case, never sent to the user. */
export const caseNotes = pgTable(
  'case_notes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    caseId: bigint('case_id', { mode: 'number' })
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    staffId: uuid('staff_id').references(() => staff.id, { onDelete: 'set null' }),
    text: text('text').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('case_notes_case_idx').on(t.caseId, t.id)],
)

/** The reply token of the user's latest message while the bot stayed silent, for a consultant's reply. */
export const replyTokens = pgTable('reply_tokens', {
  conversationId: bigint('conversation_id', { mode: 'number' })
    .primaryKey()
    .references(() => conversations.id, { onDelete: 'cascade' }),
  token: text('token').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
})

// ---- Knowledge administration (PMO console) --------------------------------------------------

/**
 * Every saved state of a console-managed document: the whole Markdown file (front-matter + body).
 * draft versions await review; the newest published one is live; retire marks it out of the index.
 */
export const kbDocumentVersions = pgTable(
  'kb_document_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    documentId: text('document_id').notNull(),
    version: integer('version').notNull(),
    /** draft | published | retired */
    state: text('state', { enum: ['draft', 'published', 'retired'] }).notNull(),
    markdown: text('markdown').notNull(),
    /** create | edit | upload | publish | retire | restore | import */
    action: text('action').notNull(),
    staffId: uuid('staff_id').references(() => staff.id, { onDelete: 'set null' }),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('kb_document_versions_uq').on(t.documentId, t.version)],
)

/** A re-indexing run, polled by the console for its progress bar. */
export const kbJobs = pgTable('kb_jobs', {
  id: uuid('id').primaryKey(),
  kind: text('kind').notNull(),
  status: text('status', { enum: ['running', 'done', 'failed'] }).notNull(),
  total: integer('total').notNull().default(0),
  done: integer('done').notNull().default(0),
  error: text('error'),
  staffId: uuid('staff_id'),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
})

/** Programme rules and assessment questions edited in the console; the newest row overrides the bundled YAML. */
export const dataFiles = pgTable(
  'data_files',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** programmes | assessment */
    name: text('name').notNull(),
    content: text('content').notNull(),
    staffId: uuid('staff_id'),
    createdAt: createdAt(),
  },
  (t) => [index('data_files_name_idx').on(t.name, t.id)],
)

// ---- Outreach ---------------------------------------------------------------------------------

/**
 * A user's consent to hear about one topic, with when it was given. A consent counts only while the
 * user follows the account and was given after the latest follow: unfollowing stops everything, and
 * following again after a block restores nothing until the user subscribes again. Deleting the
 * user deletes these rows.
 */
export const subscriptions = pgTable(
  'subscriptions',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    topic: text('topic').notNull(),
    consentedAt: timestamp('consented_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.topic] }), index('subscriptions_topic_idx').on(t.topic)],
)

/** A message to a chosen audience of subscribers, sent by multicast (see src/outreach/campaigns.ts). */
export const campaigns = pgTable(
  'campaigns',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    title: text('title').notNull(),
    /** The LINE messages, as sent. */
    messages: jsonb('messages').notNull(),
    /** The audience filter (topics, regions, industries, levels). */
    audience: jsonb('audience').notNull(),
    status: text('status', { enum: ['draft', 'scheduled', 'sending', 'done', 'stopped', 'refused'] }).notNull().default('draft'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Why it stopped or was refused (quota…), in words for the console. */
    stopReason: text('stop_reason'),
    /** A deadline reminder's key (programme and closing date): at most one campaign per key, whoever creates it. */
    reminderKey: text('reminder_key'),
  },
  (t) => [index('campaigns_due_idx').on(t.status, t.scheduledAt), uniqueIndex('campaigns_reminder_key_idx').on(t.reminderKey)],
)

/** The delivery ledger, one row per multicast of at most 500 recipients, with its retry key fixed before the first try. */
export const campaignBatches = pgTable(
  'campaign_batches',
  {
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    batch: integer('batch').notNull(),
    retryKey: uuid('retry_key').notNull(),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed', 'unsent'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lockedBy: text('locked_by'),
    error: text('error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.batch] }), index('campaign_batches_due_idx').on(t.status, t.nextAttemptAt)],
)

/** One row per recipient of a campaign: which batch carries them and what became of it. */
export const campaignRecipients = pgTable(
  'campaign_recipients',
  {
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** Null for a subscriber who has blocked the account (counted, never sent to). */
    batch: integer('batch'),
    status: text('status', { enum: ['queued', 'sent', 'failed', 'blocked', 'unsent'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.userId] }), index('campaign_recipients_batch_idx').on(t.campaignId, t.batch)],
)
