import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { type ApiKey, apiJson, type Me } from '../api.js';
import { ExportCsv } from '../components/ExportCsv.js';
import { ErrorBox, Panel } from '../components/Panel.js';
import { InstallSnippets } from '../components/Snippets.js';
import { TableScroll } from '../components/TableScroll.js';
import { downloadText, formatTime, toCsv } from '../format.js';
import { isBusy } from '../hooks.js';

export function KeysPage(props: { me: Me }): JSX.Element {
  if (props.me.user.role !== 'admin') {
    return (
      <>
        <div class="page-head">
          <h1>API keys</h1>
        </div>
        <section class="panel">
          <p>
            You cannot manage API keys: only an admin of this account can. Ask one to create or revoke keys.
          </p>
        </section>
      </>
    );
  }
  return <AdminKeys me={props.me} />;
}

function AdminKeys(props: { me: Me }): JSX.Element {
  const timeZone = props.me.account.timezone ?? null;
  const client = useQueryClient();
  const keys = useQuery({
    queryKey: ['keys'],
    queryFn: () => apiJson<{ keys: ApiKey[] }>('/keys'),
    staleTime: 0,
  });
  const [created, setCreated] = useState<{ key: ApiKey; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);

  const create = useMutation({
    mutationFn: (body: { environment: string; scope: string; description?: string }) =>
      apiJson<{ key: ApiKey; secret: string }>('/keys', { method: 'POST', body }),
    onSuccess: (answer) => {
      setCreated(answer);
      client.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => apiJson<void>(`/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => {
      dialog.current?.close();
      setRevoking(null);
      client.invalidateQueries({ queryKey: ['keys'] });
    },
  });

  const onCreate = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const description = String(form.get('description') ?? '').trim();
    setCreated(null);
    create.mutate({
      environment: String(form.get('environment')),
      scope: String(form.get('scope')),
      ...(description ? { description } : {}),
    });
  };

  const askRevoke = (key: ApiKey) => {
    revoke.reset();
    setRevoking(key);
    dialog.current?.showModal();
  };

  const list = keys.data?.keys ?? [];
  const exportCsv = async () => {
    downloadText(
      'mbuzz-api-keys.csv',
      toCsv(
        ['prefix', 'scope', 'environment', 'description', 'created_at', 'last_used_at', 'revoked_at'],
        list.map((k) => [
          k.prefix,
          k.scope,
          k.environment,
          k.description,
          k.created_at,
          k.last_used_at,
          k.revoked_at,
        ]),
      ),
    );
  };

  return (
    <>
      <div class="page-head">
        <h1>API keys</h1>
      </div>

      <Panel title="Create key" labelId="create-key" busy={create.isPending}>
        <form class="form-grid" onSubmit={onCreate} aria-label="Create key">
          <div class="field">
            <label htmlFor="key-environment">Environment</label>
            <select id="key-environment" name="environment" defaultValue="live">
              <option value="live">live</option>
              <option value="test">test</option>
            </select>
          </div>
          <div class="field">
            <label htmlFor="key-scope">Scope</label>
            <select id="key-scope" name="scope" defaultValue="ingest">
              <option value="ingest">ingest</option>
              <option value="read">read</option>
            </select>
          </div>
          <div class="field grow">
            <label htmlFor="key-description">Description</label>
            <input
              id="key-description"
              name="description"
              type="text"
              maxLength={200}
              placeholder="e.g. shop backend"
            />
          </div>
          <button type="submit" class="primary" disabled={create.isPending}>
            Create key
          </button>
        </form>
        {create.isError && (
          <div class="more">
            <ErrorBox error={create.error} />
          </div>
        )}
        {created && (
          <div class="notice more" aria-live="polite">
            <p>
              <strong>
                Your new {created.key.environment} {created.key.scope} key.
              </strong>{' '}
              Copy it now: it is shown this once only.
            </p>
            <div class="secret">
              <code data-secret={created.secret}>{created.secret}</code>
              <CopyButton text={created.secret} />
            </div>
            {created.key.scope === 'ingest' && (
              <>
                <p>Install in your app:</p>
                <InstallSnippets secret={created.secret} idPrefix="key-install" />
              </>
            )}
          </div>
        )}
      </Panel>

      <Panel
        title="Keys"
        labelId="keys-list"
        busy={isBusy(keys)}
        actions={<ExportCsv make={exportCsv} disabled={!keys.data} />}
      >
        {keys.isError && <ErrorBox error={keys.error} onRetry={() => keys.refetch()} />}
        {keys.data && (
          <TableScroll label={'API keys'}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Prefix</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="muted">Status</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.length === 0 && (
                  <tr>
                    <td colSpan={7} class="muted">
                      No keys yet.
                    </td>
                  </tr>
                )}
                {list.map((key) => (
                  <tr key={key.id} class={key.revoked_at ? 'revoked' : ''} data-key-id={key.id}>
                    <td class="nowrap">
                      <code>{key.prefix}</code>
                    </td>
                    <td>{key.scope}</td>
                    <td>
                      <span class={`badge ${key.environment}`}>{key.environment}</span>
                    </td>
                    <td class="wrap">{key.description ?? ''}</td>
                    <td class="nowrap">
                      <time dateTime={key.created_at}>{formatTime(key.created_at, timeZone)}</time>
                    </td>
                    <td class="nowrap">
                      {key.last_used_at ? (
                        <time dateTime={key.last_used_at}>{formatTime(key.last_used_at, timeZone)}</time>
                      ) : (
                        'never'
                      )}
                    </td>
                    <td class="nowrap">
                      {key.revoked_at ? (
                        <span>
                          Revoked{' '}
                          <time dateTime={key.revoked_at}>{formatTime(key.revoked_at, timeZone)}</time>
                        </span>
                      ) : (
                        <button type="button" class="secondary" onClick={() => askRevoke(key)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Panel>

      <dialog
        ref={dialog}
        aria-labelledby="revoke-title"
        onClose={() => setRevoking(null)}
        onCancel={() => setRevoking(null)}
      >
        <h2 id="revoke-title" class="dialog-title">
          Revoke this key?
        </h2>
        {revoking && (
          <p>
            <code>{revoking.prefix}</code> ({revoking.environment}, {revoking.scope}
            {revoking.description ? `: ${revoking.description}` : ''}) stops working within seconds. This
            cannot be undone.
          </p>
        )}
        {revoke.isError && <ErrorBox error={revoke.error} />}
        <div class="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={revoke.isPending}>
            Cancel
          </button>
          <button
            type="button"
            class="danger"
            disabled={!revoking || revoke.isPending}
            onClick={() => revoking && revoke.mutate(revoking.id)}
          >
            Revoke key
          </button>
        </div>
      </dialog>
    </>
  );
}

function CopyButton(props: { text: string }): JSX.Element {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <>
      <button type="button" onClick={copy}>
        Copy
      </button>
      <span class="muted small" aria-live="polite">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'Select the key and copy it by hand.' : ''}
      </span>
    </>
  );
}
