import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { malformedRequestProblem } from './problem';

/**
 * Fastify's clientErrorHandler: a request the HTTP parser refused gets a problem document like every
 * other refusal, then the connection closes (its bytes cannot be trusted to frame another request).
 */
export function answerMalformedRequest(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const problem = malformedRequestProblem(error);
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
