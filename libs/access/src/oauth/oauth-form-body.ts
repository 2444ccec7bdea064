/**
 * `application/x-www-form-urlencoded` bodies, which RFC 6749 requires of token requests,
 * accepted on the token endpoint only: every other route keeps answering such a body with
 * the same 415 as any media type it does not take. The text is kept aside for the
 * endpoint, which reads its parameters itself (token-request.ts); nothing else sees it.
 */
import { errorCodes, FastifyInstance, FastifyRequest } from 'fastify';

export const TOKEN_PATH = '/oauth/token';
/** A token request is a few short parameters. */
const MAX_FORM_BYTES = 8192;

const forms = new WeakMap<FastifyRequest, string>();

export function acceptTokenRequestForms(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
    (req, body, done) => {
      if (req.routeOptions.url !== TOKEN_PATH) {
        return done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(req.headers['content-type']), undefined);
      }
      forms.set(req, typeof body === 'string' ? body : body.toString('utf8'));
      done(null, undefined);
    },
  );
}

/** The form a token request carried; undefined when it had another media type or no body. */
export function formBodyOf(req: FastifyRequest): string | undefined {
  return forms.get(req);
}
