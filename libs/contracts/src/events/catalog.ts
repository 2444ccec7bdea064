/**
 * The event catalog: every internal kind Herald publishes, its required data, which
 * fields are internal (†), its public type and the exact public `data` it maps to
 * (DESIGN.md §5 — a contract). The translator, the JSON Schemas, the docs and the
 * command modules are all driven from this one table; nothing is guessed at run time.
 */
import type { InternalContext } from '../topics';
import { datetimeOrNull, FieldSpec, id, integer, MAX_ID, numberOrNull, oneOf, secret, str } from './fields';

type Data = Record<string, unknown>;

export interface KindSpec {
  kind: string;
  context: InternalContext;
  publicType: string;
  /** Required internal data fields (producers may add more; extras are dropped). */
  fields: Record<string, FieldSpec>;
  /** Internal topic key: `tenant:<aggregate>`. */
  aggregate: string;
  /** Public topic key: `tenant:<subject>`; events about one subject stay ordered. */
  subject: string;
  /** Only the first occurrence per subject is published (re-publishing emits nothing). */
  firstOnly?: true;
  /** JSON Schema of the public `data`. */
  publicData: Record<string, unknown>;
  toPublic(d: Data): Data;
}

const ref = (props: Record<string, unknown>) => ({
  type: 'object',
  required: Object.keys(props),
  properties: props,
  additionalProperties: false,
});
const pId = { type: 'integer', minimum: 1, maximum: MAX_ID };
const pStr = { type: 'string' };

/** Keeps each entry's literal kind and public type (for the InternalKind / PublicType unions). */
function k<const S extends KindSpec>(spec: S): S {
  return spec;
}

export const KIND_SPECS = [
  k({
    kind: 'account.user.registered',
    context: 'account',
    publicType: 'user.joined',
    fields: { user_id: id, username: str, email: secret, ip: secret },
    aggregate: 'user_id',
    subject: 'user_id',
    publicData: ref({ user: ref({ id: pId, username: pStr }) }),
    toPublic: (d) => ({ user: { id: d.user_id, username: d.username } }),
  }),
  k({
    kind: 'account.user.updated',
    context: 'account',
    publicType: 'user.updated',
    fields: { user_id: id, username: str, display_name: str, email: secret },
    aggregate: 'user_id',
    subject: 'user_id',
    publicData: ref({ user: ref({ id: pId, username: pStr, display_name: pStr }) }),
    toPublic: (d) => ({ user: { id: d.user_id, username: d.username, display_name: d.display_name } }),
  }),
  k({
    kind: 'forum.thread.created',
    context: 'forum',
    publicType: 'thread.created',
    fields: { thread_id: id, forum_slug: str, title: str, author_id: id, author_username: str },
    aggregate: 'thread_id',
    subject: 'thread_id',
    publicData: ref({
      thread_id: pId,
      forum_slug: pStr,
      title: pStr,
      author: ref({ id: pId, username: pStr }),
    }),
    toPublic: (d) => ({
      thread_id: d.thread_id,
      forum_slug: d.forum_slug,
      title: d.title,
      author: { id: d.author_id, username: d.author_username },
    }),
  }),
  k({
    kind: 'forum.post.created',
    context: 'forum',
    publicType: 'post.created',
    fields: {
      post_id: id,
      thread_id: id,
      forum_slug: str,
      title: str,
      body: secret,
      author_id: id,
      author_username: str,
      ip: secret,
    },
    aggregate: 'post_id',
    subject: 'post_id',
    publicData: ref({
      post_id: pId,
      thread_id: pId,
      forum_slug: pStr,
      title: pStr,
      author: ref({ id: pId, username: pStr }),
    }),
    toPublic: (d) => ({
      post_id: d.post_id,
      thread_id: d.thread_id,
      forum_slug: d.forum_slug,
      title: d.title,
      author: { id: d.author_id, username: d.author_username },
    }),
  }),
  k({
    kind: 'forum.post.edited',
    context: 'forum',
    publicType: 'post.edited',
    fields: { post_id: id, thread_id: id, forum_slug: str, title: str, editor_id: id },
    aggregate: 'post_id',
    subject: 'post_id',
    publicData: ref({
      post_id: pId,
      thread_id: pId,
      forum_slug: pStr,
      title: pStr,
      editor: ref({ id: pId }),
    }),
    toPublic: (d) => ({
      post_id: d.post_id,
      thread_id: d.thread_id,
      forum_slug: d.forum_slug,
      title: d.title,
      editor: { id: d.editor_id },
    }),
  }),
  k({
    kind: 'forum.post.deleted',
    context: 'forum',
    publicType: 'post.deleted',
    fields: { post_id: id, thread_id: id, deleted_by: id },
    aggregate: 'post_id',
    subject: 'post_id',
    publicData: ref({ post_id: pId, thread_id: pId, deleted_by: ref({ id: pId }) }),
    toPublic: (d) => ({ post_id: d.post_id, thread_id: d.thread_id, deleted_by: { id: d.deleted_by } }),
  }),
  k({
    kind: 'moderation.user.banned',
    context: 'moderation',
    publicType: 'moderation.user_banned',
    fields: { user_id: id, moderator_id: id, reason: secret, until: datetimeOrNull },
    aggregate: 'user_id',
    subject: 'user_id',
    publicData: ref({
      user: ref({ id: pId }),
      moderator: ref({ id: pId }),
      until: { type: ['string', 'null'], format: 'date-time' },
    }),
    toPublic: (d) => ({ user: { id: d.user_id }, moderator: { id: d.moderator_id }, until: d.until }),
  }),
  k({
    kind: 'moderation.user.unbanned',
    context: 'moderation',
    publicType: 'moderation.user_unbanned',
    fields: { user_id: id, moderator_id: id },
    aggregate: 'user_id',
    subject: 'user_id',
    publicData: ref({ user: ref({ id: pId }), moderator: ref({ id: pId }) }),
    toPublic: (d) => ({ user: { id: d.user_id }, moderator: { id: d.moderator_id } }),
  }),
  k({
    kind: 'help.ticket.opened',
    context: 'help',
    publicType: 'ticket.created',
    fields: { ticket_id: id, subject: str, requester_id: id, requester_email: secret },
    aggregate: 'ticket_id',
    subject: 'ticket_id',
    publicData: ref({ ticket_id: pId, subject: pStr, requester: ref({ id: pId }) }),
    toPublic: (d) => ({ ticket_id: d.ticket_id, subject: d.subject, requester: { id: d.requester_id } }),
  }),
  k({
    kind: 'help.ticket.message_added',
    context: 'help',
    publicType: 'ticket.replied',
    fields: {
      ticket_id: id,
      message_id: id,
      author_id: id,
      author_role: oneOf('agent', 'requester'),
      body: secret,
    },
    aggregate: 'ticket_id',
    subject: 'ticket_id',
    publicData: ref({
      ticket_id: pId,
      message_id: pId,
      author: ref({ id: pId, role: { type: 'string', enum: ['agent', 'requester'] } }),
    }),
    toPublic: (d) => ({
      ticket_id: d.ticket_id,
      message_id: d.message_id,
      author: { id: d.author_id, role: d.author_role },
    }),
  }),
  k({
    kind: 'help.ticket.status_changed',
    context: 'help',
    publicType: 'ticket.status_changed',
    fields: {
      ticket_id: id,
      from: oneOf('open', 'pending', 'resolved', 'closed'),
      to: oneOf('open', 'pending', 'resolved', 'closed'),
    },
    aggregate: 'ticket_id',
    subject: 'ticket_id',
    publicData: ref({
      ticket_id: pId,
      from: { type: 'string', enum: ['open', 'pending', 'resolved', 'closed'] },
      to: { type: 'string', enum: ['open', 'pending', 'resolved', 'closed'] },
    }),
    toPublic: (d) => ({ ticket_id: d.ticket_id, from: d.from, to: d.to }),
  }),
  k({
    kind: 'help.ticket.assigned',
    context: 'help',
    publicType: 'ticket.assigned',
    fields: { ticket_id: id, assignee_type: oneOf('agent', 'team'), assignee_id: id },
    aggregate: 'ticket_id',
    subject: 'ticket_id',
    publicData: ref({
      ticket_id: pId,
      assignee: ref({ type: { type: 'string', enum: ['agent', 'team'] }, id: pId }),
    }),
    toPublic: (d) => ({ ticket_id: d.ticket_id, assignee: { type: d.assignee_type, id: d.assignee_id } }),
  }),
  k({
    kind: 'learn.enrollment.created',
    context: 'learn',
    publicType: 'enrollment.created',
    fields: { enrollment_id: id, course_id: id, learner_id: id },
    aggregate: 'enrollment_id',
    subject: 'enrollment_id',
    publicData: ref({ enrollment_id: pId, course_id: pId, learner: ref({ id: pId }) }),
    toPublic: (d) => ({
      enrollment_id: d.enrollment_id,
      course_id: d.course_id,
      learner: { id: d.learner_id },
    }),
  }),
  k({
    kind: 'learn.enrollment.completed',
    context: 'learn',
    publicType: 'enrollment.completed',
    fields: { enrollment_id: id, course_id: id, learner_id: id, score: numberOrNull },
    aggregate: 'enrollment_id',
    subject: 'enrollment_id',
    publicData: ref({
      enrollment_id: pId,
      course_id: pId,
      learner: ref({ id: pId }),
      score: { type: ['number', 'null'] },
    }),
    toPublic: (d) => ({
      enrollment_id: d.enrollment_id,
      course_id: d.course_id,
      learner: { id: d.learner_id },
      score: d.score,
    }),
  }),
  k({
    kind: 'learn.course.published',
    context: 'learn',
    publicType: 'course.published',
    fields: { course_id: id, title: str, author_id: id },
    aggregate: 'course_id',
    subject: 'course_id',
    firstOnly: true,
    publicData: ref({ course_id: pId, title: pStr, author: ref({ id: pId }) }),
    toPublic: (d) => ({ course_id: d.course_id, title: d.title, author: { id: d.author_id } }),
  }),
  k({
    kind: 'know.page.approved',
    context: 'know',
    publicType: 'page.created',
    fields: { page_id: id, slug: str, title: str, approver_id: id },
    aggregate: 'page_id',
    subject: 'page_id',
    firstOnly: true,
    publicData: ref({ page_id: pId, slug: pStr, title: pStr, approved_by: ref({ id: pId }) }),
    toPublic: (d) => ({
      page_id: d.page_id,
      slug: d.slug,
      title: d.title,
      approved_by: { id: d.approver_id },
    }),
  }),
  k({
    kind: 'know.page.edit_applied',
    context: 'know',
    publicType: 'page.updated',
    fields: { page_id: id, slug: str, title: str, editor_id: id, revision: integer },
    aggregate: 'page_id',
    subject: 'page_id',
    publicData: ref({
      page_id: pId,
      slug: pStr,
      title: pStr,
      editor: ref({ id: pId }),
      revision: { type: 'integer', minimum: -MAX_ID, maximum: MAX_ID },
    }),
    toPublic: (d) => ({
      page_id: d.page_id,
      slug: d.slug,
      title: d.title,
      editor: { id: d.editor_id },
      revision: d.revision,
    }),
  }),
] as const satisfies readonly KindSpec[];

export type InternalKind = (typeof KIND_SPECS)[number]['kind'];
export type PublicType = (typeof KIND_SPECS)[number]['publicType'] | 'webhook.test';

/**
 * Internal-only kinds: accepted at ingest and on the internal topics, never published.
 * Anything neither here nor in KIND_SPECS is unknown (400 at ingest, dead-lettered on a topic).
 */
export const INTERNAL_ONLY_KINDS = [
  'account.session.started',
  'account.session.ended',
  'account.password.changed',
  'forum.draft.saved',
  'forum.post.viewed',
  'moderation.report.filed',
  'help.ticket.viewed',
  'learn.lesson.viewed',
  'know.page.edit_proposed',
] as const;
export type InternalOnlyKind = (typeof INTERNAL_ONLY_KINDS)[number];

export const WEBHOOK_TEST_TYPE = 'webhook.test';

export const PUBLIC_TYPES: readonly PublicType[] = [
  ...KIND_SPECS.map((s) => s.publicType),
  WEBHOOK_TEST_TYPE,
];

const BY_KIND = new Map<string, KindSpec>(KIND_SPECS.map((s) => [s.kind, s]));
const INTERNAL_ONLY = new Set<string>(INTERNAL_ONLY_KINDS);

export function kindSpec(kind: string): KindSpec | undefined {
  return BY_KIND.get(kind);
}

export function isInternalOnly(kind: string): boolean {
  return INTERNAL_ONLY.has(kind);
}

/** The context (and so the internal topic) of a known kind, from its prefix. */
export function contextOf(kind: string): InternalContext | undefined {
  const spec = BY_KIND.get(kind);
  if (spec) return spec.context;
  if (INTERNAL_ONLY.has(kind)) return kind.split('.')[0] as InternalContext;
  return undefined;
}
