import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Node's HTTP parser codes for a request head that is too large. */
const HEAD_TOO_LARGE = ['HPE_HEADER_OVERFLOW'];

/**
 * Requests that Node's HTTP parser refuses before express sees them (a head over 16 KiB, a method
 * it does not know, a malformed request line) get a problem+json answer too, not Node's bare one.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, title] = HEAD_TOO_LARGE.includes(err.code ?? '') ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({ type: 'about:blank', title, status, detail: 'The request could not be read as HTTP/1.1.' });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
