import { useQuery, useQueryClient } from '@tanstack/preact-query';
import { ApiError, apiJson, type Me, sessionUserId, setSession } from './api.js';
import { defaultConversion } from './default-conversion.js';

/** The signed-in user (null when signed out); the dashboard starts here. */
export function useMe(options: { refetchInterval?: number } = {}) {
  const client = useQueryClient();
  return useQuery({
    ...options,
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await apiJson<Me>('/auth/me');
        const previous = sessionUserId();
        setSession(me);
        // Another user signed in in another tab: nothing cached for the previous one may show.
        if (previous !== null && previous !== me.user.id) {
          void client.resetQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
        }
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setSession(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** The event types the account has stored in an environment; null when the server cannot tell. */
export function useEventTypes(env: 'live' | 'test') {
  return useQuery({
    queryKey: ['event-types', env],
    queryFn: async () => {
      const answer = await apiJson<{ event_types: string[] }>(
        env === 'test' ? '/event-types?environment=test' : '/event-types',
      );
      return answer.event_types;
    },
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * The conversion event type of the view: `conv` from the URL, else the account's likeliest conversion
 * type ({@link defaultConversion}); null when it has no custom type (the conversion metrics are left
 * out). `ready` is false while the types load.
 */
export function useConversionType(env: 'live' | 'test', conv: string | null) {
  const types = useEventTypes(env);
  const custom = (types.data ?? []).filter((t) => t !== 'page_view');
  const ready = conv !== null || !types.isPending;
  return { ready, type: conv ?? defaultConversion(custom), options: custom };
}

/** The busy state of a panel: no answer yet for what it shows now (not a background refresh). */
export function isBusy(query: {
  isPending: boolean;
  isPlaceholderData: boolean;
  isError: boolean;
  isFetching: boolean;
}): boolean {
  return query.isPending || query.isPlaceholderData || (query.isError && query.isFetching);
}
