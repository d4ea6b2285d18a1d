// Launcher for the S3 test server: @20minutes/s3rver has no bin entry of its own.
require(require('path').join(__dirname, '../.tools/node_modules/@20minutes/s3rver/lib/cli.js')).parseAsync(process.argv);
