import { call, query } from './api.js';
import { show } from './dom.js';
import { markDenied, problemView } from './problems.js';

/** Downloads a backup archive (all namespaces, or one) through an object URL: the call carries the token. */
export async function downloadBackup(button: HTMLButtonElement, status: HTMLElement, namespace?: string): Promise<void> {
  show(status, 'Preparing the backup…');
  try {
    const response = await call('POST', `/v1/admin/backup${query({ namespace })}`);
    const blob = await response.blob();
    const named = /filename="([\w.-]+)"/.exec(response.headers.get('content-disposition') ?? '');
    const file = named?.[1] ?? 'hexastore-backup.ndjson.gz';
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = file;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    show(status, `Backup downloaded: ${file} (${blob.size} bytes).`);
  } catch (error) {
    markDenied(button, error);
    show(status, problemView(error, 'backup'));
  }
}
