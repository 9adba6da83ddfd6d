'use strict';
// Starts s3rver on 127.0.0.1 on a port the OS picks (no race for a "free" port) and prints one line
// "listening <port>" that the Cauchy.Storage test fixture waits for. Stops when stdin closes, so the
// server never outlives the test process that started it.
// In the S3 stand-in image (images/Containerfile.s3) it runs in the foreground instead: S3RVER_ADDRESS and S3RVER_PORT
// say where to listen, S3RVER_BUCKETS names buckets to create at start, and SIGTERM stops it.
const S3rver = require('s3rver');

const directory = process.argv[2];
if (!directory) {
  console.error('usage: node server.js <data-directory>');
  process.exit(2);
}

const foreground = Boolean(process.env.S3RVER_PORT);
const server = new S3rver({
  address: process.env.S3RVER_ADDRESS || '127.0.0.1',
  port: Number(process.env.S3RVER_PORT || 0),
  directory,
  silent: !foreground,
  configureBuckets: (process.env.S3RVER_BUCKETS || '').split(',').filter(Boolean).map((name) => ({ name })),
  // Path-style only: reached by a host name (host.containers.internal), s3rver would read its first label as a bucket.
  vhostBuckets: !foreground,
});

// Two s3rver listing bugs that S3 and MinIO do not have, mended on the way out so that clients which read
// listings strictly (the Minio client does) see what S3 would send: the XML namespace is misspelt
// ("doc.s3.amazonaws.com" instead of "s3.amazonaws.com/doc"), and "encoding-type=url" is ignored, so keys
// come back raw although the client was promised URL-encoded ones and decodes them ("a+b" would read "a b").
const unescapeXml = (text) =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]);
server.middleware.unshift(async (ctx, next) => {
  await next();
  if (typeof ctx.body !== 'string' || !ctx.body.includes('<ListBucketResult')) {
    return;
  }
  let body = ctx.body.replace('xmlns="http://doc.s3.amazonaws.com/2006-03-01/"', 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"');
  if (ctx.query['encoding-type'] === 'url') {
    body = body.replace(/<(Key|Prefix|StartAfter|Delimiter)>([^<]*)<\/\1>/g,
      (_, tag, text) => `<${tag}>${encodeURIComponent(unescapeXml(text))}</${tag}>`);
  }
  ctx.body = body;
});

server.run().then(
  (address) => {
    console.log(`listening ${address.port}`);
    if (foreground) {
      process.on('SIGTERM', () => server.close(() => process.exit(0)));
      return;
    }
    process.stdin.resume();
    process.stdin.on('end', () => server.close(() => process.exit(0)));
  },
  (err) => {
    console.error(`s3rver failed to start: ${err.message}`);
    process.exit(1);
  },
);
