import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * ``load`` now and whenever ``key`` changes; again every ``every(data)`` ms while that is a
 * number (live pages poll fast while a run moves and slow down when it ends). A failed read
 * keeps the last data and shows the error; the next success clears it. A hidden tab does
 * not poll.
 */
export function usePoll<T>(
  key: string,
  load: () => Promise<T>,
  every?: (data: T | undefined) => number | null,
): Loaded<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error }>({ key });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const everyRef = useRef(every);
  everyRef.current = every;
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let data: T | undefined;
    let loaded = false;
    const run = async () => {
      // a hidden tab keeps what it has and asks the server nothing until it is seen again
      if (!loaded || !document.hidden) {
        try {
          data = await loadRef.current();
          loaded = true;
          if (live) setState({ key, data });
        } catch (error) {
          if (live)
            setState((old) => ({ key, data: old.key === key ? old.data : undefined, error: error as Error }));
        }
      }
      const wait = everyRef.current?.(data);
      if (live && wait != null) timer = setTimeout(run, wait);
    };
    void run();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [key, tick]);

  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || (state.data === undefined && state.error === undefined),
    reload,
  };
}
