import { useEffect, useRef } from 'preact/hooks';
import { useStore } from '../session/store';
import { connectionStore, socketStore } from './socket';

export const useConnection = () => useStore(connectionStore);

/** Subscribes to a server event on the panel's socket while the component is mounted. */
export function useSocketEvent<T>(event: string, handler: (payload: T) => void) {
  const socket = useStore(socketStore);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!socket) return;
    const listener = (payload: T) => latest.current(payload);
    socket.on(event, listener);
    return () => {
      socket.off(event, listener);
    };
  }, [socket, event]);
}

/** Runs `fn` each time the socket (re)connects, and right away if it is connected already. */
export function useOnConnected(fn: () => void) {
  const state = useConnection();
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    if (state === 'connected') latest.current();
  }, [state]);
}
