import assert from "node:assert/strict";
import { HttpError } from "./http_error.ts";
import { Req } from "./req.ts";
import { respond, toResponse } from "./respond.ts";
import { capturingErrors, serveForTest, within } from "./_test_server.ts";

const TEXT = "text/plain;charset=UTF-8";
const HTML = "text/html; charset=utf-8";
const JSON_TYPE = "application/json";
const BYTES = "application/octet-stream";

function newReq(url = "http://localhost/"): Req {
  return new Req(new Request(url));
}

Deno.test("respond() converts return values over HTTP", async (t) => {
  const values: Record<string, () => unknown> = {
    "/plain": () => "hello <b>",
    "/html": () => "<p>hi</p>",
    "/html-after-space": () => "\n  <!doctype html><p>hi</p>",
    "/html-after-nbsp": () => "\u00a0<p>hi</p>",
    // What `html` of @pubkit/render returns, recognised by its registered mark.
    "/marked-html": () => ({ [Symbol.for("pubkit.html")]: true, toString: () => "<p>hi</p>" }),
    "/bytes": () => new Uint8Array([0, 1, 255]),
    "/array-buffer": () => new Uint8Array([7, 8]).buffer,
    "/stream": () => ReadableStream.from([new Uint8Array([104, 105])]),
    "/async-iterable": () =>
      (async function* () {
        yield "a";
        yield new Uint8Array([98]);
        yield 3;
      })(),
    "/generator": () =>
      (function* () {
        for (let c = 0; c < 10; c++) yield c;
      })(),
    "/map-keys": () => new Map([[1, "a"], [2, "b"], [3, "c"]]).keys(),
    "/response": () => new Response("as is", { status: 418, headers: { "x-own": "1" } }),
    "/undefined": () => undefined,
    "/null": () => null,
    "/object": () => ({ a: 1, nested: { b: [true, null] } }),
    "/array": () => [1, "two"],
    "/number": () => 42,
  };
  await using server = serveForTest(async (req) => {
    const value = values[req.path]();
    await Promise.resolve();
    return value;
  });
  const cases: [string, number, string | null, string][] = [
    ["/plain", 200, TEXT, "hello <b>"],
    // A string is text whatever it starts with: an echo of client input never becomes markup.
    ["/html", 200, TEXT, "<p>hi</p>"],
    ["/html-after-space", 200, TEXT, "\n  <!doctype html><p>hi</p>"],
    ["/html-after-nbsp", 200, TEXT, "\u00a0<p>hi</p>"],
    ["/marked-html", 200, HTML, "<p>hi</p>"],
    ["/bytes", 200, BYTES, "\0\x01\ufffd"],
    ["/array-buffer", 200, BYTES, "\x07\x08"],
    ["/stream", 200, BYTES, "hi"],
    ["/async-iterable", 200, BYTES, "ab3"],
    ["/generator", 200, BYTES, "0123456789"],
    ["/map-keys", 200, BYTES, "123"],
    ["/response", 418, "text/plain;charset=UTF-8", "as is"],
    ["/undefined", 204, null, ""],
    ["/null", 204, null, ""],
    ["/object", 200, JSON_TYPE, '{"a":1,"nested":{"b":[true,null]}}'],
    ["/array", 200, JSON_TYPE, '[1,"two"]'],
    ["/number", 200, JSON_TYPE, "42"],
  ];
  for (const [path, status, type, body] of cases) {
    await t.step(path, async () => {
      const response = await fetch(server.url(path));
      assert.equal(await response.text(), body);
      assert.equal(response.status, status);
      assert.equal(response.headers.get("content-type"), type);
    });
  }
  await t.step("a returned Response keeps its own headers", async () => {
    const response = await fetch(server.url("/response"));
    await response.body?.cancel();
    assert.equal(response.headers.get("x-own"), "1");
  });
});

Deno.test("toResponse() lets an explicit content type and status win", async (t) => {
  await t.step("content type", async () => {
    for (const value of ["<p>x</p>", "x", new Uint8Array([1]), { a: 1 }]) {
      const req = newReq();
      req.contentType = "application/x-custom";
      const response = await toResponse(req, value);
      await response.body?.cancel();
      assert.equal(response.headers.get("content-type"), "application/x-custom");
    }
  });

  await t.step("status and headers", async () => {
    const req = newReq();
    req.status = 201;
    req.responseHeaders.set("X-Id", "7");
    const response = await toResponse(req, { id: 7 });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("x-id"), "7");
    assert.deepEqual(await response.json(), { id: 7 });
  });

  await t.step("no body keeps a status that was set", async () => {
    const req = newReq();
    req.status = 202;
    const response = await toResponse(req, undefined);
    assert.equal(response.status, 202);
    assert.equal(response.body, null);
    assert.equal(response.headers.get("content-type"), null);
  });
});

Deno.test("respond() runs synchronous and asynchronous handlers", async (t) => {
  await t.step("synchronous return", async () => {
    const response = await respond(newReq(), () => "sync");
    assert.equal(await response.text(), "sync");
  });

  await t.step("synchronous writes that were not awaited", async () => {
    const response = await within(
      respond(newReq(), (req) => {
        req.write("a");
        req.write("b");
        return "c";
      }),
      "the response",
    );
    assert.equal(await within(response.text(), "the body"), "abc");
  });

  await t.step("writes then a returned value", async () => {
    const response = await respond(newReq(), async (req) => {
      await req.write("head ");
      return { then: "json" };
    });
    assert.equal(response.headers.get("content-type"), TEXT);
    assert.equal(await response.text(), 'head {"then":"json"}');
  });

  await t.step("a returned Response after writes is ignored, the stream ends", async () => {
    const response = await respond(newReq(), async (req) => {
      await req.write("streamed");
      return new Response("dropped");
    });
    assert.equal(await response.text(), "streamed");
  });
});

Deno.test("respond() rejects errors thrown before the head was sent", async (t) => {
  await t.step("synchronous throw", async () => {
    await assert.rejects(
      Promise.resolve(respond(newReq(), () => {
        throw new HttpError(404, "Not found: /x");
      })),
      { name: "HttpError", message: "Not found: /x" },
    );
  });

  await t.step("asynchronous throw", async () => {
    await assert.rejects(
      Promise.resolve(respond(newReq(), async () => {
        await Promise.resolve();
        throw new TypeError("bad");
      })),
      { name: "TypeError", message: "bad" },
    );
  });

  await t.step("a value that cannot be converted", async () => {
    await assert.rejects(Promise.resolve(respond(newReq(), () => ({ n: 1n }))), TypeError);
  });
});

Deno.test("respond() aborts the stream when the handler fails after the head was sent", async (t) => {
  await t.step("the handler throws after a write", async () => {
    await capturingErrors(async (logged) => {
      const req = newReq();
      const response = await respond(req, async (req) => {
        await req.write("partial");
        throw new Error("late failure");
      });
      assert.equal(response.status, 200);
      await assert.rejects(within(response.text(), "the aborted body"), {
        message: "late failure",
      });
      assert.equal(logged.length, 1);
      assert.equal(logged[0][0], `[${req.id}] handler failed after the response started:`);
      assert.equal((logged[0][1] as Error).message, "late failure");
    });
  });

  await t.step("a returned stream fails after a write", async () => {
    await capturingErrors(async (logged) => {
      const response = await respond(newReq(), async (req) => {
        await req.write("partial");
        return new ReadableStream({
          pull(controller) {
            controller.error(new Error("source broke"));
          },
        });
      });
      await assert.rejects(within(response.text(), "the aborted body"), {
        message: "source broke",
      });
      assert.equal(logged.length, 1);
    });
  });

  await t.step("over HTTP the client sees the body fail, not a clean end", async () => {
    await capturingErrors(async () => {
      await using server = serveForTest(async (req) => {
        await req.write("partial");
        throw new Error("late failure");
      });
      const response = await fetch(server.url());
      assert.equal(response.status, 200);
      await assert.rejects(within(response.text(), "the aborted body"));
    });
  });
});

Deno.test("respond() nested in respond() streams through both levels", async () => {
  const { promise: second, resolve: sendSecond } = Promise.withResolvers<void>();
  const req = new Req(new Request("http://localhost/"));
  const response = await respond(req, (req) =>
    respond(req, async (req) => {
      await req.write("one ");
      await second;
      await req.write("two");
    }));
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await reader.read()).value, "one ");
  sendSecond();
  assert.equal((await reader.read()).value, "two");
  assert.equal((await reader.read()).done, true);
});

Deno.test("toResponse() refuses an iterable that is neither an array nor an iterator", async () => {
  const values: [unknown, string][] = [
    [new Set([1, 2]), "Set"],
    [new Map([[1, 2]]), "Map"],
    [new Int16Array(2), "Int16Array"],
    [{ [Symbol.iterator]: function* () {} }, "Object"],
  ];
  const withJson = { [Symbol.iterator]: function* () {}, toJSON: () => ["as", "json"] };
  const json = await toResponse(new Req(new Request("http://localhost/")), withJson);
  assert.deepEqual(await json.json(), ["as", "json"]);
  for (const [value, type] of values) {
    await assert.rejects(
      Promise.resolve(toResponse(new Req(new Request("http://localhost/")), value)),
      new TypeError(
        `Cannot send a ${type} as a response: return an array (JSON) or a generator (streamed)`,
      ),
    );
  }
});
