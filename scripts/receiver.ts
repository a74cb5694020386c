// A demo receiver: verifies each webhook's Standard Webhooks signature and prints what it got.
//   WEBHOOK_SECRET=whsec_... RECEIVER_PORT=4000 RECEIVER_FAIL_FIRST=0 RECEIVER_CONFIRM_AFTER_MS=2000 npm run receiver
// When a webhook carries webhook-confirm-url (the subscription requires confirmation), it
// "does the work" for RECEIVER_CONFIRM_AFTER_MS, then confirms.
// Without WEBHOOK_SECRET it makes one up and prints it, to use when creating the subscription.
import http from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateSecret } from '../src/security/signing';

const port = Number(process.env.RECEIVER_PORT ?? 4000);
const secret = process.env.WEBHOOK_SECRET || generateSecret();
const failFirst = Number(process.env.RECEIVER_FAIL_FIRST ?? 0);
const confirmAfterMs = Number(process.env.RECEIVER_CONFIRM_AFTER_MS ?? 2000);
const verifier = new Webhook(secret);
const attemptsById = new Map<string, number>();

if (!process.env.WEBHOOK_SECRET) {
  console.log(`No WEBHOOK_SECRET given; verifying with this one (pass it as "secret" when you subscribe):\n  ${secret}\n`);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(req.headers['webhook-id'] ?? '');
    const attempt = (attemptsById.get(id) ?? 0) + 1;
    attemptsById.set(id, attempt);
    try {
      const payload = verifier.verify(body, req.headers as Record<string, string>) as { type: string; data: unknown };
      if (attempt <= failFirst) {
        console.log(`✗ ${id} attempt ${attempt}: answering 500 (RECEIVER_FAIL_FIRST=${failFirst})`);
        res.writeHead(500).end('simulated failure');
        return;
      }
      console.log(`✓ ${id} attempt ${attempt} ${payload.type} signature ok\n  ${JSON.stringify(payload.data)}`);
      res.writeHead(204).end();
      const confirmUrl = req.headers['webhook-confirm-url'];
      if (typeof confirmUrl === 'string') {
        setTimeout(() => {
          fetch(confirmUrl, { method: 'POST' }).then(
            (r) => console.log(`  confirmed ${id} attempt ${attempt}: HTTP ${r.status}`),
            (err: Error) => console.log(`  confirming ${id} failed: ${err.message}`),
          );
        }, confirmAfterMs);
      }
    } catch (err) {
      const reason = err instanceof WebhookVerificationError ? err.message : String(err);
      console.log(`✗ ${id || '(no webhook-id)'} rejected: ${reason}`);
      res.writeHead(400).end(reason);
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log(`Demo receiver on http://127.0.0.1:${port}/webhook`));
process.once('SIGINT', () => server.close(() => process.exit(0)));
