import { StoreError } from '@app/store';
import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';

/** Content types a restore accepts; their bodies reach the handler as the raw stream. */
export const ARCHIVE_CONTENT_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'];

export const RESTORE_PATH = '/v1/admin/restore';

const mediaType = (header: string | undefined) => header?.split(';', 1)[0].trim().toLowerCase();

const NOT_AN_ARCHIVE = `send the archive as ${ARCHIVE_CONTENT_TYPES.join(' or ')}`;

/**
 * Only the restore call takes an archive; every other call refuses these bodies with 415. The
 * restore call refuses every other content type with 415 before its body is parsed (a JSON body
 * must not reach the JSON parser and come back as a 400).
 */
export function acceptArchiveUploads(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(ARCHIVE_CONTENT_TYPES, (request, payload, done) => {
    if (request.url.split('?')[0] === RESTORE_PATH) return done(null, payload);
    done(Object.assign(new Error('send the body as application/json'), { statusCode: 415 }), undefined);
  });
  fastify.addHook('preParsing', async (request) => {
    if (request.routeOptions.url !== RESTORE_PATH) return;
    const type = mediaType(request.headers['content-type']);
    if (type !== undefined && !ARCHIVE_CONTENT_TYPES.includes(type)) throw new UnsupportedMediaTypeException(NOT_AN_ARCHIVE);
  });
}

const tooLarge = (maxBytes: number) =>
  new StoreError('PAYLOAD_TOO_LARGE', `an archive is at most ${maxBytes} bytes (RESTORE_MAX_BYTES)`, { maxBytes });

/**
 * The uploaded archive, refused past `maxBytes`. Reading stops early on a refusal without
 * destroying the request, so the answer still reaches the client; `settle` then lets the rest of
 * the body drain (or closes the connection, for a body over the limit).
 */
export function archiveUpload(request: FastifyRequest, maxBytes: number): AsyncIterable<Buffer> {
  if (!(request.body instanceof Readable)) {
    throw new UnsupportedMediaTypeException(NOT_AN_ARCHIVE);
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const body = request.body;
  return (async function* () {
    let received = 0;
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > maxBytes) throw tooLarge(maxBytes);
      yield chunk;
    }
  })();
}

export function settle(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  if (error instanceof StoreError && error.code === 'PAYLOAD_TOO_LARGE') reply.header('connection', 'close');
  if (request.body instanceof Readable && !request.body.readableEnded) request.body.resume();
}
