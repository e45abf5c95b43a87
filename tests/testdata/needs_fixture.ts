// Run by test_task_test.ts through `deno task test`: one test runs, two are ignored.
Deno.test("runs", () => {});
Deno.test({ name: "talks to Redis (needs REDIS_URL)", ignore: true, fn() {} });
Deno.test("has a step that needs a browser", async (t) => {
  await t.step({ name: "clicks (needs Chromium)", ignore: true, fn() {} });
});
