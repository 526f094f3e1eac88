// HTTP/1.1 on the wire for the load generator: a request's exact bytes built once, and a response parser
// that reads only what the bench needs (status, Retry-After, Connection: close, the body by Content-Length
// or chunked). Pure (no I/O), so the socket code in http-pipeline.ts stays small and this is unit-tested.

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n');
/** A response head larger than this is not one of the gateway's: the connection is given up. */
const MAX_HEAD_BYTES = 16 * 1024;

/** The bytes of one `POST` with a JSON body on a keep-alive HTTP/1.1 connection. */
export function postRequestBytes(host: string, path: string, json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  return out;
}

export class HttpWireError extends Error {}

/**
 * Called once per final (non-1xx) response, in order. `body` is a view into the parser's buffer, valid only
 * during the call; `retryAfter` is the Retry-After header in seconds (delta-seconds form), or -1 if absent
 * or not a number; `close` says the server will close the connection after this response.
 */
export type ResponseSink = (status: number, retryAfter: number, body: Buffer, close: boolean) => void;

/** Case-insensitive comparison of buf[start, start + name.length) with a lower-case ASCII name. */
function nameIs(buf: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if ((buf[start + i]! | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** A non-negative decimal integer in buf[start, end), spaces and tabs around it ignored; -1 if none. */
function decimalAt(buf: Buffer, start: number, end: number): number {
  while (start < end && (buf[start] === 32 || buf[start] === 9)) start++;
  while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
  if (start === end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Does buf[start, end) contain `word` (lower-case ASCII) case-insensitively, as for `Connection: close`? */
function containsWord(buf: Buffer, start: number, end: number, word: string): boolean {
  for (let i = start; i + word.length <= end; i++) if (nameIs(buf, i, i + word.length, word)) return true;
  return false;
}

/**
 * Incremental HTTP/1.1 response parser for a client's connection: `feed` the bytes as they arrive, it
 * calls the sink once per complete response. Responses without Content-Length or chunked coding (a body
 * delimited by the connection's close) are refused with HttpWireError, as is anything malformed: the
 * caller drops the connection.
 */
export class ResponseParser {
  private pending: Buffer | null = null;
  // The response whose head is parsed, waiting for its body:
  private status = 0;
  private retryAfter = -1;
  private close = false;
  private bodyStart = -1;
  private contentLength = -1;
  private chunked = false;

  constructor(private readonly sink: ResponseSink) {}

  /** Bytes held for a response not complete yet. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  feed(chunk: Buffer): void {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let pos = 0;
    for (;;) {
      if (this.bodyStart < 0) {
        const headEnd = buf.indexOf(HEAD_END, pos);
        if (headEnd < 0) {
          if (buf.length - pos > MAX_HEAD_BYTES) throw new HttpWireError('response head too large');
          break;
        }
        this.parseHead(buf, pos, headEnd);
        if (this.status < 200) {
          // 1xx (100 Continue, 103 Early Hints): informational, the final response follows.
          pos = headEnd + 4;
          continue;
        }
        // From here on, offsets are relative to `pos` so that a partial body survives a concatenation.
        this.bodyStart = headEnd + 4 - pos;
      }
      const start = pos + this.bodyStart;
      if (!this.chunked) {
        if (buf.length - start < this.contentLength) break;
        const end = start + this.contentLength;
        this.emit(buf.subarray(start, end));
        pos = end;
      } else {
        const decoded = decodeChunked(buf, start);
        if (decoded === null) break;
        this.emit(decoded.body);
        pos = decoded.end;
      }
    }
    if (pos < buf.length) {
      buf = buf.subarray(pos);
      // Keep a copy only of what is left: the socket may reuse its chunk's memory.
      this.pending = Buffer.from(buf);
    }
  }

  private emit(body: Buffer): void {
    const { status, retryAfter, close } = this;
    this.bodyStart = -1;
    this.sink(status, retryAfter, body, close);
  }

  private parseHead(buf: Buffer, start: number, headEnd: number): void {
    // "HTTP/1.1 202 Accepted"
    if (headEnd - start < 12 || buf[start] !== 72 /* H */ || buf[start + 4] !== 47 /* / */ || buf[start + 8] !== 32) {
      throw new HttpWireError(`not an HTTP/1.x status line: ${JSON.stringify(buf.toString('latin1', start, Math.min(headEnd, start + 40)))}`);
    }
    const status = decimalAt(buf, start + 9, start + 12);
    if (status < 100) throw new HttpWireError('bad status code');
    this.status = status;
    this.retryAfter = -1;
    this.close = buf[start + 7] === 48; // HTTP/1.0 closes unless told otherwise; we never ask it to keep alive
    this.contentLength = -1;
    this.chunked = false;
    let line = buf.indexOf(LF, start) + 1;
    while (line > 0 && line < headEnd + 2) {
      let eol = buf.indexOf(LF, line);
      if (eol < 0 || eol > headEnd + 2) eol = headEnd + 2;
      const end = buf[eol - 1] === CR ? eol - 1 : eol;
      const colon = buf.indexOf(58 /* : */, line);
      if (colon > line && colon < end) {
        if (nameIs(buf, line, colon, 'content-length')) {
          this.contentLength = decimalAt(buf, colon + 1, end);
          if (this.contentLength < 0) throw new HttpWireError('bad Content-Length');
        } else if (nameIs(buf, line, colon, 'retry-after')) {
          this.retryAfter = decimalAt(buf, colon + 1, end);
        } else if (nameIs(buf, line, colon, 'connection')) {
          this.close = containsWord(buf, colon + 1, end, 'close');
        } else if (nameIs(buf, line, colon, 'transfer-encoding')) {
          this.chunked = containsWord(buf, colon + 1, end, 'chunked');
        }
      }
      line = eol + 1;
    }
    if (status < 200) return;
    if (this.chunked) this.contentLength = -1;
    else if (this.contentLength < 0) {
      if (status === 204 || status === 304) this.contentLength = 0;
      else throw new HttpWireError(`response ${status} has neither Content-Length nor chunked coding`);
    }
  }
}

/** A chunked body starting at `start`, or null if it is not complete in `buf` yet. Trailers are skipped. */
function decodeChunked(buf: Buffer, start: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const eol = buf.indexOf(LF, pos);
    if (eol < 0) return null;
    let size = 0;
    let digits = 0;
    for (let i = pos; i < eol; i++) {
      const c = buf[i]! | 0x20;
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) break; // chunk extensions (";name=value") and the CR
      size = size * 16 + d;
      digits++;
    }
    if (digits === 0) throw new HttpWireError('bad chunk size');
    pos = eol + 1;
    if (size === 0) {
      // trailers, then an empty line
      for (;;) {
        const tl = buf.indexOf(LF, pos);
        if (tl < 0) return null;
        const empty = tl === pos || (tl === pos + 1 && buf[pos] === CR);
        pos = tl + 1;
        if (empty) return { body: parts.length === 1 ? parts[0]! : Buffer.concat(parts), end: pos };
      }
    }
    if (buf.length < pos + size + 2) return null;
    parts.push(buf.subarray(pos, pos + size));
    pos += size;
    if (buf[pos] === CR) pos++;
    if (buf[pos] !== LF) throw new HttpWireError('chunk not followed by CRLF');
    pos++;
  }
}
