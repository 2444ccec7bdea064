/**
 * Bodies are JSON or nothing. Replaces Fastify's default parsers (JSON and text/plain)
 * and Nest's (JSON and urlencoded) with one JSON parser whose failures carry their own
 * code, so any other media type is a 415 and a broken body a 400 `invalid_json`. An empty
 * body is no body (clients often send the header on body-less POSTs); the route's DTO
 * then says whether fields were required. A body of only whitespace is not empty: it is
 * no JSON text, so it is refused like any other broken body. A body nesting arrays and
 * objects deeper than MAX_JSON_DEPTH is refused before parsing (400 `invalid_json`): no
 * client needs it, and deep trees overflow the recursive validators and serializers
 * downstream. A body that is not valid UTF-8 is refused too (400 `invalid_json`) rather
 * than decoded with U+FFFD in place of the bad bytes, which would store text the client
 * never sent.
 */
import type { FastifyInstance } from 'fastify';
import { INVALID_JSON } from './error-codes';
import { MAX_JSON_DEPTH } from '@herald/contracts';
import { jsonNestsDeeperThan } from './request-text';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  // Same protections as Fastify's default: reject __proto__ and constructor.prototype keys.
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : utf8.decode(body);
    } catch {
      return done(INVALID_JSON.error('the body is not valid UTF-8'), undefined);
    }
    if (text.length === 0) return done(null, undefined);
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return done(INVALID_JSON.error(`the body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    }
    void parse(req, text, (err, value: unknown) => {
      if (err) return done(INVALID_JSON.error('the body is not valid JSON'), undefined);
      done(null, value);
    });
  });
}
