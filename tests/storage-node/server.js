'use strict';
// Starts s3rver on 127.0.0.1 on a port the OS picks (no race for a "free" port) and prints one line
// "listening <port>" that the Cauchy.Storage test fixture waits for. Stops when stdin closes, so the
// server never outlives the test process that started it.
const S3rver = require('s3rver');

const directory = process.argv[2];
if (!directory) {
  console.error('usage: node server.js <data-directory>');
  process.exit(2);
}

const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
server.run().then(
  (address) => {
    console.log(`listening ${address.port}`);
    process.stdin.resume();
    process.stdin.on('end', () => server.close(() => process.exit(0)));
  },
  (err) => {
    console.error(`s3rver failed to start: ${err.message}`);
    process.exit(1);
  },
);
