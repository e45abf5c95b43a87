// `deno run -A tests/deploy/site.ts`: the test's site by hand. Three hosts (`deno serve
// --parallel` of the example, sessions in Redis, notes in PostgreSQL) behind nginx with the
// configuration of docs/DEPLOY.md, until Ctrl-C; then every process is stopped by its PID.
import { startSite } from "./_site.ts";

const redisUrl = Deno.env.get("REDIS_URL");
const databaseUrl = Deno.env.get("DATABASE_URL");
if (!redisUrl || !databaseUrl) {
  console.error("Cannot start the site: set REDIS_URL and DATABASE_URL");
  Deno.exit(2);
}
const site = await startSite({ redisUrl, databaseUrl });
console.log(`nginx: ${site.nginx.http} and ${site.nginx.https} (self-signed)`);
console.log(`hosts: ${site.hosts.map((host) => `127.0.0.1:${host.port}`).join(", ")}`);
const { promise, resolve } = Promise.withResolvers<void>();
Deno.addSignalListener("SIGINT", resolve);
await promise;
for (const [i, report] of (await site.stop()).entries()) {
  console.log(
    `host ${i + 1}: exit ${report.code}, ${report.requests} requests, cleanups ran in ` +
      `${report.cleanedWorkers.length} of ${report.startedWorkers.length} workers that served`,
  );
}
