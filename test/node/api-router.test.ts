import { createRouter } from "@spiral-network/node/api/env";
import { describe, expect, it } from "vitest";
import { z } from "zod";

// The API's router parses a route's query and path parameters itself, synchronously
// (node/src/api/env.ts); a schema that needs an asynchronous check is parsed asynchronously.
describe("the API router's query and path parameters", () => {
  const router = createRouter();
  const known = new Set(["porto", "lisboa"]);
  router.openapi(
    {
      method: "get",
      path: "/places/{slug}",
      request: {
        params: z.object({ slug: z.string().regex(/^[a-z]+$/) }),
        query: z.object({
          near: z
            .string()
            .refine(async (name) => known.has(name), { message: "unknown place" })
            .optional(),
          limit: z.coerce.number().int().min(1).default(10),
        }),
      },
      responses: { 200: { description: "ok" } },
    },
    (c) => c.json({ params: c.req.valid("param"), query: c.req.valid("query") }, 200),
  );

  it("hands the handler the parsed values, defaults filled in", async () => {
    const response = await router.request("/places/porto?near=lisboa");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      params: { slug: "porto" },
      query: { near: "lisboa", limit: 10 },
    });
  });

  it("answers an asynchronous check's failure with 400, not 500", async () => {
    const response = await router.request("/places/porto?near=atlantis");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: "invalid_request",
      issues: [{ path: "near", message: "unknown place" }],
    });
  });

  it("checks the query before the path, each answered as the validation hook does", async () => {
    const both = await router.request("/places/Porto?limit=0");
    expect(both.status).toBe(400);
    expect((await both.json()).message).toMatch(/^invalid query: limit/);
    const path = await router.request("/places/Porto");
    expect(path.status).toBe(400);
    expect((await path.json()).message).toMatch(/^invalid param: slug/);
  });
});
