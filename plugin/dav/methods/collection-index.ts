/**
 * GET on a collection: a plain HTML index, sent or streamed like a PROPFIND listing,
 * so that a share opened in a browser shows its folders and files.
 */
import type { DavRequest } from '../context.js';
import { ROOT_HREF, hrefOf, shareHref } from '../hrefs.js';
import { produceBody } from '../response-sink.js';
import { escapeText } from '../xml/writer.js';
import { listRoot } from '../root-collection.js';

export async function sendCollectionIndex(request: DavRequest): Promise<void> {
  const { ctx, target } = request;
  ctx.status = 200;
  ctx.type = 'text/html; charset=utf-8';
  if (ctx.method === 'HEAD') return;
  const title = target ? hrefOf(target, true) : ROOT_HREF;
  ctx.body = await produceBody(
    async (sink) => {
      await sink.write(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
          `<title>${escapeText(decodeURI(title))}</title></head><body><h1>${escapeText(decodeURI(title))}</h1><ul>`,
      );
      if (!target) {
        for (const member of await listRoot(request)) {
          await sink.write(
            `<li><a href="${escapeText(member.href)}">${escapeText(member.target.displayName)}/</a></li>`,
          );
        }
      } else {
        if (target.path.length > 0) await sink.write('<li><a href="../">../</a></li>');
        for await (const batch of target.store.list(target.path)) {
          for (const info of batch) {
            const href = shareHref(target.mount, [...target.path, info.name], info.isCollection);
            await sink.write(
              `<li><a href="${escapeText(href)}">${escapeText(info.name)}${info.isCollection ? '/' : ''}</a></li>`,
            );
          }
        }
      }
      await sink.write('</ul></body></html>\n');
    },
    (error) => request.services.log.error({ err: error }, 'collection index failed midway'),
  );
}
