import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { Application } from "../../app/index";
import { csvImportOptionsSchema } from "../../services/csv-import";
import { principalOf, type Router } from "../env";
import { adminOnly, errors, jsonResponse } from "../openapi-helpers";
import { slugParams } from "../schemas";

export function registerImportRoutes(router: Router, app: Application): void {
  router.openapi(
    createRoute({
      method: "post",
      path: "/territories/{slug}/imports/criteria",
      summary:
        "Import criteria from CSV (columns group, question, text, optional code and language); one bad line imports nothing",
      description:
        "UTF-8 with or without BOM, comma or semicolon separated, quoted fields may hold newlines. " +
        "The group column holds a group id or label. ?dryRun=true checks without saving; " +
        "?codes=validated counts codes in the file as validated (default: proposed).",
      security: adminOnly,
      request: {
        params: slugParams,
        query: csvImportOptionsSchema,
        body: { content: { "text/csv": { schema: z.string() } }, required: true },
      },
      responses: {
        200: jsonResponse(
          z.object({
            rows: z.number(),
            imported: z.number(),
            dryRun: z.boolean(),
            byGroup: z.record(z.string(), z.number()),
          }),
          "Imported (or checked, for a dry run)",
        ),
        400: errors[400],
        401: errors[401],
        404: errors[404],
        413: errors[413],
      },
    }),
    async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const slug = c.req.valid("param").slug;
      const result = app.imports.import(principalOf(c), slug, bytes, c.req.valid("query"));
      return c.json(result, 200);
    },
  );
}
