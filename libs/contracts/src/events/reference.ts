/**
 * What the events reference (docs/api-events-reference.md) says about each public type beyond
 * its schema: when it fires, and one example fact per internal kind, translated by the catalog
 * itself into the public event an integrator receives. A kind added to the catalog without an
 * entry here fails the reference's generation.
 */
import type { InternalKind, PublicType } from './catalog';

export interface KindReference {
  /** One or two sentences: the product fact behind the event, from an integrator's side. */
  firesWhen: string;
  /** Internal `data` of an example fact (internal † fields included: they show what is dropped). */
  example: Record<string, unknown>;
}

export const KIND_REFERENCE: Record<InternalKind, KindReference> = {
  'account.user.registered': {
    firesWhen: 'A person joins the community: the first SSO callback for them, or a sign-up.',
    example: { user_id: 11, username: 'ada', email: 'ada@example.com', ip: '203.0.113.9' },
  },
  'account.user.updated': {
    firesWhen: 'A member changes their profile (username or display name).',
    example: { user_id: 11, username: 'ada', display_name: 'Ada Lovelace', email: 'ada@example.com' },
  },
  'forum.thread.created': {
    firesWhen: 'A member starts a new forum thread.',
    example: { thread_id: 5, forum_slug: 'general', title: 'Hello', author_id: 11, author_username: 'ada' },
  },
  'forum.post.created': {
    firesWhen: 'A post is published in a forum thread. The body is never part of the event.',
    example: {
      post_id: 42,
      thread_id: 5,
      forum_slug: 'general',
      title: 'Hello',
      body: 'First!',
      author_id: 11,
      author_username: 'ada',
      ip: '203.0.113.9',
    },
  },
  'forum.post.edited': {
    firesWhen: 'A post is edited, by its author or a moderator.',
    example: { post_id: 42, thread_id: 5, forum_slug: 'general', title: 'Hello again', editor_id: 12 },
  },
  'forum.post.deleted': {
    firesWhen: 'A post is deleted. Its row in `GET /api/v1/posts` stays, flagged `deleted`.',
    example: { post_id: 42, thread_id: 5, deleted_by: 12 },
  },
  'moderation.user.banned': {
    firesWhen:
      'A moderator bans a member, until a time or (`until: null`) indefinitely. The reason stays internal.',
    example: { user_id: 11, moderator_id: 12, reason: 'spam', until: '2026-12-01T00:00:00Z' },
  },
  'moderation.user.unbanned': {
    firesWhen: "A moderator lifts a member's ban.",
    example: { user_id: 11, moderator_id: 12 },
  },
  'help.ticket.opened': {
    firesWhen: 'A member opens a help-desk ticket.',
    example: { ticket_id: 7, subject: 'Login broken', requester_id: 11, requester_email: 'ada@example.com' },
  },
  'help.ticket.message_added': {
    firesWhen: 'An agent or the requester adds a message to a ticket. The message text stays internal.',
    example: { ticket_id: 7, message_id: 70, author_id: 12, author_role: 'agent', body: 'Try again now?' },
  },
  'help.ticket.status_changed': {
    firesWhen: 'A ticket moves between `open`, `pending`, `resolved` and `closed`.',
    example: { ticket_id: 7, from: 'open', to: 'pending' },
  },
  'help.ticket.assigned': {
    firesWhen: 'A ticket is assigned to an agent or a team.',
    example: { ticket_id: 7, assignee_type: 'team', assignee_id: 3 },
  },
  'learn.enrollment.created': {
    firesWhen: 'A learner enrols in a course.',
    example: { enrollment_id: 9, course_id: 4, learner_id: 11 },
  },
  'learn.enrollment.completed': {
    firesWhen: 'A learner completes a course; `score` is a number, or null when the course gives none.',
    example: { enrollment_id: 9, course_id: 4, learner_id: 11, score: 87.5 },
  },
  'learn.course.published': {
    firesWhen: 'A course is published for the first time. Publishing it again emits nothing.',
    example: { course_id: 4, title: 'Kafka 101', author_id: 12 },
  },
  'know.page.approved': {
    firesWhen: 'A new knowledge-base page is approved for the first time.',
    example: { page_id: 8, slug: 'getting-started', title: 'Getting started', approver_id: 12 },
  },
  'know.page.edit_applied': {
    firesWhen:
      "An approved edit is applied to a knowledge-base page; `revision` is the page's revision after it.",
    example: { page_id: 8, slug: 'getting-started', title: 'Getting started!', editor_id: 13, revision: 2 },
  },
};

/** Types that no internal kind maps to: when they fire, and an example public `data`. */
export const SYNTHETIC_REFERENCE: Partial<Record<PublicType, KindReference>> = {
  'webhook.test': {
    firesWhen:
      'Sent to one endpoint by `POST /api/v1/webhooks/{id}/test` (or "Send test event" in the admin UI), ' +
      'whatever the endpoint subscribes to. Never stored in the events read model, never replayed.',
    example: { endpoint_id: 'ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP', message: 'This is a test event from Herald.' },
  },
};
